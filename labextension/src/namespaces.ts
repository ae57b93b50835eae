/** Ordering and wording of namespaces for the namespace dropdown. */
import type { INamespaceEntry, INamespaces, Namespace } from './types';

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
 * production namespaces grouped by flow (mine first), tags, system tags, global.
 * The current namespace is always present, even when the store has no run in it.
 */
export function namespaceGroups(
  data: INamespaces | null,
  current: Namespace
): INamespaceGroup[] {
  const entries = data?.namespaces ?? [];
  const mine = data?.default ?? null;
  const groups: INamespaceGroup[] = [];
  const listed = new Set<string>(entries.map(e => e.namespace));

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

  const users = entries.filter(e => e.kind === 'user' && e.namespace !== mine);
  if (users.length) {
    groups.push({ label: 'Other users', options: users.map(e => option(e)) });
  }

  const byFlow = new Map<string, INamespaceEntry[]>();
  for (const e of entries.filter(e => e.kind === 'production')) {
    const key = e.flows?.length ? e.flows.join(', ') : 'unknown flow';
    byFlow.set(key, [...(byFlow.get(key) ?? []), e]);
  }
  for (const [flow, list] of [...byFlow.entries()].sort()) {
    list.sort((a, b) => Number(!!b.mine) - Number(!!a.mine));
    groups.push({
      label: `Production · ${flow}`,
      options: list.map(e => option(e, e.mine ? ' — my token' : ''))
    });
  }

  const tags = entries.filter(e => e.kind === 'tag');
  if (tags.length) {
    groups.push({ label: 'Tags', options: tags.map(e => option(e)) });
  }
  const system = entries.filter(e => e.kind === 'system');
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

const OWNER_PREFIXES = ['user:', 'production:'];

/** System tags with the owning namespaces (`user:`, `production:`) first. */
export function orderSystemTags(tags: readonly string[]): string[] {
  const owner = (t: string) =>
    OWNER_PREFIXES.some(p => t.startsWith(p)) ? 0 : 1;
  return [...tags].sort((a, b) => owner(a) - owner(b) || a.localeCompare(b));
}
