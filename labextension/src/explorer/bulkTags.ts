/**
 * Adding or removing one tag on many runs: what will change (for the one confirmation),
 * doing it run by run with progress, the outcome of each run, and the undo of what
 * changed. No DOM; the tag edit itself is passed in (`POST tags` in the explorer).
 */
import type { IRun, ITagMutation } from '../types';

export type TagOp = 'add' | 'remove';

/** One tag change over a selection: the runs it changes and those it leaves alone. */
export interface ITagPlan {
  readonly op: TagOp;
  readonly tag: string;
  /** Pathspecs whose tags will change. */
  readonly change: readonly string[];
  /** Pathspecs that already are as asked (already tagged, or not tagged). */
  readonly unchanged: readonly string[];
}

/** What a tag change means for these runs. */
export function planTagChange(
  runs: readonly Pick<IRun, 'pathspec' | 'tags'>[],
  op: TagOp,
  tag: string
): ITagPlan {
  const change: string[] = [];
  const unchanged: string[] = [];
  for (const run of runs) {
    const has = run.tags.includes(tag);
    (has === (op === 'remove') ? change : unchanged).push(run.pathspec);
  }
  return { op, tag, change, unchanged };
}

function runs(n: number): string {
  return `${n.toLocaleString()} run${n === 1 ? '' : 's'}`;
}

/** The confirmation's question: "Add tag “x” to 3 runs?" */
export function planQuestion(plan: ITagPlan): string {
  const n = plan.change.length;
  return plan.op === 'add'
    ? `Add tag “${plan.tag}” to ${runs(n)}?`
    : `Remove tag “${plan.tag}” from ${runs(n)}?`;
}

/** The runs a plan leaves alone, in words ("1 run already has it."), or ''. */
export function planUnchanged(plan: ITagPlan): string {
  const n = plan.unchanged.length;
  if (!n) {
    return '';
  }
  const verb = n === 1 ? 'has' : 'have';
  return plan.op === 'add'
    ? `${runs(n)} already ${verb} it.`
    : `${runs(n)} ${n === 1 ? 'does' : 'do'} not carry it.`;
}

/** How one run's edit went. */
export interface IRunOutcome {
  readonly pathspec: string;
  /** The run's tags after the edit; absent when it failed. */
  readonly result?: ITagMutation;
  /** Why it failed, in the server's words. */
  readonly error?: string;
}

export type TagMutator = (
  pathspec: string,
  add: string[],
  remove: string[]
) => Promise<ITagMutation>;

/** Edits running at once: enough to hide latency, few enough for a 2-core server. */
const CONCURRENCY = 4;

/**
 * Apply a plan run by run (a few at a time); `onOutcome` hears of each run as it is done.
 * Resolves to every run's outcome, in the plan's order; never rejects.
 */
export async function applyPlan(
  plan: ITagPlan,
  mutate: TagMutator,
  onOutcome: (outcome: IRunOutcome, done: number) => void = () => undefined
): Promise<IRunOutcome[]> {
  const add = plan.op === 'add' ? [plan.tag] : [];
  const remove = plan.op === 'remove' ? [plan.tag] : [];
  const outcomes: IRunOutcome[] = new Array(plan.change.length);
  let next = 0;
  let done = 0;
  const worker = async () => {
    while (next < plan.change.length) {
      const i = next++;
      const pathspec = plan.change[i];
      let outcome: IRunOutcome;
      try {
        outcome = { pathspec, result: await mutate(pathspec, add, remove) };
      } catch (error) {
        outcome = {
          pathspec,
          error: error instanceof Error ? error.message : String(error)
        };
      }
      outcomes[i] = outcome;
      done += 1;
      onOutcome(outcome, done);
    }
  };
  await Promise.all(
    Array.from({ length: Math.min(CONCURRENCY, plan.change.length) }, worker)
  );
  return outcomes;
}

/** The plan that undoes what a plan changed (only the runs that succeeded). */
export function undoPlan(
  plan: ITagPlan,
  outcomes: readonly IRunOutcome[]
): ITagPlan {
  return {
    op: plan.op === 'add' ? 'remove' : 'add',
    tag: plan.tag,
    change: outcomes.filter(o => o.result).map(o => o.pathspec),
    unchanged: []
  };
}

/** "Added “x” to 3 runs." / "… to 2 of 3 runs; 1 failed." */
export function outcomeSummary(
  plan: ITagPlan,
  outcomes: readonly IRunOutcome[]
): string {
  const ok = outcomes.filter(o => o.result).length;
  const failed = outcomes.length - ok;
  const verb =
    plan.op === 'add' ? `Added “${plan.tag}” to` : `Removed “${plan.tag}” from`;
  const count = failed ? `${ok} of ${runs(outcomes.length)}` : runs(ok);
  return `${verb} ${count}${failed ? `; ${failed} failed` : ''}.`;
}
