/**
 * Deep links: `{base_url}lab?mfns=<pathspec>` opens a flow's runs, a run or a task
 * (`&mfns-view=<kind>` for another view of it, `&mfns-<arg>=` for its arguments), and
 * `lab?mfns-compare=F/R1,F/R2` opens a comparison (the "compare" tab kind). The link
 * never carries a namespace: the reader's is used, and switching is asked first.
 */
import type { ReadonlyPartialJSONObject } from '@lumino/coreutils';

import { parsePathspec } from '../pathspec';
import type { OpenRequest, TabArgs } from './registry';

/** `?mfns=<pathspec>` */
export const LINK_PARAM = 'mfns';
/** `?mfns-view=<kind>`: a kind other than the pathspec's default one. */
export const VIEW_PARAM = 'mfns-view';
/** `?mfns-compare=F/R1,F/R2`: hook for the "compare" kind. */
export const COMPARE_PARAM = 'mfns-compare';
const ARG_PREFIX = 'mfns-';

/** The kind a bare pathspec opens: a flow's runs, a run (a step opens in it), a task. */
export function defaultKind(pathspec: string): string {
  const ps = parsePathspec(pathspec);
  const depth = typeof ps === 'string' ? 2 : ps.depth;
  return depth === 1 ? 'runs' : depth === 4 ? 'task' : 'run';
}

/** A URL's query (`?a=1&b=2`, with or without `?`) holds a deep link. */
export function hasLink(search: string): boolean {
  const query = new URLSearchParams(search);
  return query.has(LINK_PARAM) || query.has(COMPARE_PARAM);
}

/** What a URL's query asks to open (nothing when it holds no deep link). */
export function linkRequests(search: string): OpenRequest[] {
  const query = new URLSearchParams(search);
  const requests: OpenRequest[] = [];
  const compare = query.get(COMPARE_PARAM);
  if (compare) {
    const runs = compare.split(',').map(r => r.trim());
    requests.push({ kind: 'compare', runs: runs.filter(Boolean) });
  }
  const pathspec = query.get(LINK_PARAM);
  if (pathspec) {
    const args: Record<string, string | string[]> = {};
    for (const key of new Set(query.keys())) {
      if (
        key.startsWith(ARG_PREFIX) &&
        key !== VIEW_PARAM &&
        key !== COMPARE_PARAM
      ) {
        const values = query.getAll(key);
        args[key.slice(ARG_PREFIX.length)] =
          values.length === 1 ? values[0] : values;
      }
    }
    const kind = query.get(VIEW_PARAM) || defaultKind(pathspec);
    requests.push({ ...args, kind, pathspec });
  }
  return requests;
}

/** The query without its deep link, as `?...` (or `''`), to clean the address bar. */
export function withoutLink(search: string): string {
  const query = new URLSearchParams(search);
  for (const key of [...query.keys()]) {
    if (key === LINK_PARAM || key.startsWith(ARG_PREFIX)) {
      query.delete(key);
    }
  }
  const rest = query.toString();
  return rest ? `?${rest}` : '';
}

/** Keep `/` and `:` readable in links (both are legal in a query). */
function encode(value: string): string {
  return encodeURIComponent(value).replace(/%2F/g, '/').replace(/%3A/g, ':');
}

/**
 * The query (`?mfns=...`) of a link that opens a tab with these arguments, from anyone's
 * namespace: every string argument but the namespace goes in.
 */
export function linkQuery(args: TabArgs): string {
  const parts: string[] = [];
  const add = (key: string, value: string) =>
    parts.push(`${encodeURIComponent(key)}=${encode(value)}`);
  if (args.kind === 'compare') {
    const runs = (args as ReadonlyPartialJSONObject)['runs'];
    add(COMPARE_PARAM, Array.isArray(runs) ? runs.join(',') : '');
    return `?${parts.join('&')}`;
  }
  const pathspec = typeof args.pathspec === 'string' ? args.pathspec : '';
  add(LINK_PARAM, pathspec);
  if (args.kind !== defaultKind(pathspec)) {
    add(VIEW_PARAM, args.kind);
  }
  for (const [key, value] of Object.entries(args)) {
    if (['kind', 'namespace', 'pathspec'].includes(key)) {
      continue;
    }
    const values = Array.isArray(value) ? value : [value];
    for (const v of values) {
      if (typeof v === 'string') {
        add(ARG_PREFIX + key, v);
      }
    }
  }
  return `?${parts.join('&')}`;
}
