/**
 * Grouping and wording of namespaces for the namespace dropdown. The order is the
 * server's (`GET namespaces`); this module only puts its entries under headings.
 */
import type { INamespaceEntry, INamespaces, IRun, Namespace } from './types';

/** The value of the global namespace in `<select>` elements (a tag is never empty). */
export const GLOBAL_VALUE = '';

/** One group of options in the dropdown. */
export interface INamespaceGroup {
  label: string;
  options: INamespaceOption[];
}

export interface INamespaceOption {
  value: string;
  label: string;
  title: string;
}

/** How a namespace reads in the UI. */
export function namespaceLabel(namespace: Namespace): string {
  return namespace === null ? 'Global (all namespaces)' : namespace;
}

function option(entry: INamespaceEntry, suffix = ''): INamespaceOption {
  const runs = `${entry.runs.toLocaleString()} run${entry.runs === 1 ? '' : 's'}`;
  const flows = entry.flows?.length ? ` in ${entry.flows.join(', ')}` : '';
  return {
    value: entry.namespace,
    label: `${entry.namespace}${suffix} (${entry.runs.toLocaleString()})`,
    title: `${runs}${flows}`
  };
}

/**
 * Groups in the order the panel shows them: my default namespace, other users,
 * production namespaces grouped by flow, tags, system tags, global; inside each group
 * the server's order. The current namespace is always present, even without runs.
 */
export function namespaceGroups(
  data: INamespaces | null,
  current: Namespace
): INamespaceGroup[] {
  const entries = data?.namespaces ?? [];
  const mine = data?.default ?? null;
  const groups: INamespaceGroup[] = [];
  const listed = new Set<string>(entries.map(e => e.namespace));
  const ofKind = (kind: INamespaceEntry['kind']) =>
    entries.filter(e => e.kind === kind && e.namespace !== mine);

  const own = entries.find(e => e.namespace === mine);
  const first: INamespaceOption[] = [];
  if (own) {
    first.push(option(own, ' — mine'));
  } else if (mine !== null) {
    first.push({ value: mine, label: `${mine} — mine (no runs)`, title: '' });
    listed.add(mine);
  }
  if (current !== null && !listed.has(current)) {
    first.push({
      value: current,
      label: `${current} (no runs)`,
      title: 'No run carries this tag yet'
    });
  }
  if (first.length) {
    groups.push({ label: 'My namespace', options: first });
  }

  const users = ofKind('user');
  if (users.length) {
    groups.push({ label: 'Other users', options: users.map(e => option(e)) });
  }
  // Production namespaces under their flows, groups in order of first appearance.
  const byFlow = new Map<string, INamespaceOption[]>();
  for (const e of ofKind('production')) {
    const key = e.flows?.length ? e.flows.join(', ') : 'unknown flow';
    const options = byFlow.get(key) ?? [];
    options.push(option(e, e.mine ? ' — my token' : ''));
    byFlow.set(key, options);
  }
  for (const [flow, options] of byFlow) {
    groups.push({ label: `Production · ${flow}`, options });
  }
  const tags = ofKind('tag');
  if (tags.length) {
    groups.push({ label: 'Tags', options: tags.map(e => option(e)) });
  }
  const system = ofKind('system');
  if (system.length) {
    groups.push({ label: 'System tags', options: system.map(e => option(e)) });
  }
  groups.push({
    label: 'Everything',
    options: [
      {
        value: GLOBAL_VALUE,
        label: 'Global (all namespaces)',
        title: 'Every run of every user and deployment'
      }
    ]
  });
  return groups;
}

/** A run's system tags with its own namespaces first, each part in the server's order. */
export function orderSystemTags(run: IRun): string[] {
  const owners = run.namespaces;
  return [
    ...run.system_tags.filter(t => owners.includes(t)),
    ...run.system_tags.filter(t => !owners.includes(t))
  ];
}
