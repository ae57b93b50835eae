/**
 * The arguments of a "compare" tab (pure: no DOM): `{runs: ['F/12', 'F/13', ...]}`, 2 to 8
 * runs (as `GET compare` takes them), shown in the order given.
 */
import type { ReadonlyPartialJSONObject } from '@lumino/coreutils';

import { parsePathspec } from '../pathspec';
import { stringArg, stringListArg, TabArgs } from './registry';

/** Runs a comparison takes (the server's `MIN_COMPARE_RUNS`, `MAX_COMPARE_RUNS`). */
export const COMPARE_MIN = 2;
export const COMPARE_MAX = 8;

export type CompareArgs = TabArgs & { runs: string[] };

export function parseCompareArgs(
  request: ReadonlyPartialJSONObject
): Omit<CompareArgs, 'kind' | 'namespace'> | string {
  // the palette's prompt gives them as one text: "F/12, F/13"
  const typed = stringArg(request, 'pathspec');
  const listed = stringListArg(request, 'runs');
  const runs =
    listed.length || typed === undefined
      ? listed
      : typed.split(/[\s,]+/).filter(Boolean);
  if (runs.length < COMPARE_MIN || runs.length > COMPARE_MAX) {
    return `Compare ${COMPARE_MIN} to ${COMPARE_MAX} runs, not ${runs.length}.`;
  }
  const seen = new Set<string>();
  for (const run of runs) {
    const ps = parsePathspec(run);
    if (typeof ps === 'string') {
      return ps;
    }
    if (ps.depth !== 2) {
      return `"${run}" is not the pathspec of a run (Flow/Run).`;
    }
    if (seen.has(ps.pathspec)) {
      return `Run ${ps.pathspec} is named twice; compare different runs.`;
    }
    seen.add(ps.pathspec);
  }
  return { runs: [...seen] };
}

/** "CompareFlow 12 | 13", or "F/12 | G/3" when the flows differ. */
export function compareTitle(runs: readonly string[]): string {
  const flows = new Set(runs.map(r => r.split('/')[0]));
  if (flows.size === 1) {
    return `${[...flows][0]} ${runs.map(r => r.split('/')[1]).join(' | ')}`;
  }
  return runs.join(' | ');
}

/** A run's short name in a column head: its id, or `F/id` when the flows differ. */
export function runLabel(run: string, runs: readonly string[]): string {
  const flows = new Set(runs.map(r => r.split('/')[0]));
  return flows.size === 1 ? run.split('/')[1] : run;
}
