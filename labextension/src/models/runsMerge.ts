/**
 * How a loaded runs list takes in what changed, without disturbing it (pure functions, so
 * that the rules can be tested alone; {@link RunListModel} applies them).
 */
import type { IRun, IRunPage } from '../types';

/** What a check of the first page means for the rows loaded so far. */
export interface ICheckMerge {
  rows: IRun[];
  /** Runs put in the list (shown as fresh). */
  added: IRun[];
  /** New runs whose place the server must say (an order other than newest first). */
  counted: number;
  /** The list was only the first page: it is that page again, with its cursor. */
  replaced: boolean;
}

/**
 * Merge a fresh first page into the loaded rows: a short list simply becomes the page; a
 * longer one keeps its rows, takes their new versions, and gets the new runs on top when
 * newest first, or counts them (another order puts them anywhere: offer a reload).
 */
export function mergeFirstPage(
  loaded: readonly IRun[],
  page: IRunPage,
  newestFirst: boolean
): ICheckMerge {
  const fresh = new Map(page.runs.map(r => [r.pathspec, r]));
  const known = new Set(loaded.map(r => r.pathspec));
  const unknown = page.runs.filter(r => !known.has(r.pathspec));
  if (loaded.length <= page.runs.length) {
    return { rows: page.runs, added: unknown, counted: 0, replaced: true };
  }
  const rows = loaded.map(r => fresh.get(r.pathspec) ?? r);
  if (!newestFirst) {
    return { rows, added: [], counted: unknown.length, replaced: false };
  }
  // Newest first: the runs above the first known one are new; they go on top.
  const firstKnown = page.runs.findIndex(r => known.has(r.pathspec));
  const added = page.runs.slice(
    0,
    firstKnown < 0 ? page.runs.length : firstKnown
  );
  return { rows: [...added, ...rows], added, counted: 0, replaced: false };
}

/**
 * Put runs read again in place (`answers[i]` for `pathspecs[i]`, `null` when gone): a run
 * that no longer carries every tag of the filter, or is gone, leaves the list.
 */
export function applyReread(
  rows: readonly IRun[],
  pathspecs: readonly string[],
  answers: readonly (IRun | null | undefined)[],
  filterTags: readonly string[]
): { rows: IRun[]; left: number } {
  let out = [...rows];
  let left = 0;
  for (const [i, pathspec] of pathspecs.entries()) {
    const run = answers[i];
    const keep =
      run &&
      filterTags.every(t => [...run.tags, ...run.system_tags].includes(t));
    if (keep) {
      out = out.map(r => (r.pathspec === pathspec ? { ...r, ...run } : r));
    } else {
      out = out.filter(r => r.pathspec !== pathspec);
      left += 1;
    }
  }
  return { rows: out, left };
}
