/**
 * What can be done with the selected runs: add or remove a tag on all of them (one
 * confirmation saying what will change, progress, a report per run, Undo), compare them
 * (once a "compare" tab kind is registered), copy their pathspecs.
 */
import { Dialog, Notification, showDialog } from '@jupyterlab/apputils';
import * as React from 'react';

import { ActionsContext, IActions } from '../components/actions';
import { TagInput } from '../components/TagInput';
import { plural } from '../format';
import { COMPARE_MAX, COMPARE_MIN } from '../tabs/compareArgs';
import {
  ITagPlan,
  outcomeSummary,
  planQuestion,
  planUnchanged,
  TagOp,
  undoPlan
} from './bulkTags';
import type { ExplorerModel } from './model';

/** Runs named in the confirmation; more are counted. */
const NAMED = 8;

function PlanBody(props: { plan: ITagPlan }): JSX.Element {
  const { plan } = props;
  const named = plan.change.slice(0, NAMED);
  const more = plan.change.length - named.length;
  return (
    <div className="jp-mfns-xp-confirm">
      <ul className="jp-mfns-xp-confirm-runs">
        {named.map(p => (
          <li key={p} className="jp-mfns-mono">
            {p}
          </li>
        ))}
        {more > 0 && <li>and {plural(more, 'more run')}</li>}
      </ul>
      {planUnchanged(plan) && (
        <p className="jp-mfns-muted">{planUnchanged(plan)}</p>
      )}
    </div>
  );
}

/** Ask once, then apply; the toast offers Undo of what changed. */
async function runPlan(
  model: ExplorerModel,
  plan: ITagPlan,
  undo = false
): Promise<void> {
  if (!plan.change.length) {
    Notification.info(planUnchanged(plan) || 'Nothing to change.', {
      autoClose: 4000
    });
    return;
  }
  if (!undo) {
    const verb = plan.op === 'add' ? 'Add tag' : 'Remove tag';
    const answer = await showDialog({
      title: planQuestion(plan),
      body: <PlanBody plan={plan} />,
      buttons: [Dialog.cancelButton(), Dialog.okButton({ label: verb })]
    });
    if (!answer.button.accept) {
      return;
    }
  }
  const outcomes = await model.apply(plan);
  const summary = (undo ? 'Undone: ' : '') + outcomeSummary(plan, outcomes);
  const reverse = undoPlan(plan, outcomes);
  const failed = outcomes.some(o => o.error);
  const notify = failed ? Notification.warning : Notification.success;
  notify(summary, {
    autoClose: failed ? false : 8000,
    actions:
      !undo && reverse.change.length
        ? [
            {
              label: 'Undo',
              caption: `${reverse.op === 'add' ? 'Add' : 'Remove'} “${reverse.tag}” again on ${plural(reverse.change.length, 'run')}`,
              callback: () => void runPlan(model, reverse, true)
            }
          ]
        : []
  });
}

/** The tags carried by the selected runs, with how many of them carry each. */
function selectedTags(model: ExplorerModel): [string, number][] {
  const counts = new Map<string, number>();
  for (const run of model.selectedRuns) {
    for (const tag of run.tags) {
      counts.set(tag, (counts.get(tag) ?? 0) + 1);
    }
  }
  return [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
}

function compareState(
  actions: IActions,
  n: number
): { enabled: boolean; title: string } {
  if (!actions.canOpen('compare')) {
    return {
      enabled: false,
      title: 'Comparing runs is not available in this version of jupyter-mfns.'
    };
  }
  if (n < COMPARE_MIN || n > COMPARE_MAX) {
    return {
      enabled: false,
      title: `Select ${COMPARE_MIN} to ${COMPARE_MAX} runs to compare them.`
    };
  }
  return {
    enabled: true,
    title: `Compare the ${n} selected runs side by side`
  };
}

/** The bar above the grid: the selection, what to do with it, a job's progress. */
export function SelectionBar(props: { model: ExplorerModel }): JSX.Element {
  const { model } = props;
  const { runs } = model;
  const actions = React.useContext(ActionsContext);
  const [mode, setMode] = React.useState<TagOp | null>(null);
  const selected = model.selectedRuns;
  const n = selected.length;
  const job = model.job;
  const busy = job !== null && job.outcomes === null;
  const compare = compareState(actions, n);
  const start = (op: TagOp, tag: string) => {
    setMode(null);
    void runPlan(model, model.plan(op, tag.trim()));
  };
  const failures = job?.outcomes?.filter(o => o.error) ?? [];

  return (
    <div
      className="jp-mfns-xp-actions"
      role="toolbar"
      aria-label="Selected runs"
    >
      <span className="jp-mfns-xp-selected" aria-live="polite">
        {n ? `${plural(n, 'run')} selected` : 'No run selected'}
      </span>
      <button
        className="jp-mfns-xp-button"
        disabled={!n || busy}
        aria-pressed={mode === 'add'}
        onClick={() => setMode(mode === 'add' ? null : 'add')}
      >
        Add tag…
      </button>
      <button
        className="jp-mfns-xp-button"
        disabled={!n || busy || !selectedTags(model).length}
        aria-pressed={mode === 'remove'}
        onClick={() => setMode(mode === 'remove' ? null : 'remove')}
        title={
          n && !selectedTags(model).length
            ? 'The selected runs carry no user tag'
            : undefined
        }
      >
        Remove tag…
      </button>
      <button
        className="jp-mfns-xp-button"
        disabled={!compare.enabled}
        title={compare.title}
        onClick={() =>
          void actions.open({
            kind: 'compare',
            runs: selected.map(r => r.pathspec),
            namespace: runs.namespace
          })
        }
      >
        Compare
      </button>
      <button
        className="jp-mfns-xp-button"
        disabled={!n}
        title="Copy the selected runs’ pathspecs, one per line"
        onClick={() =>
          actions.copy(
            selected.map(r => r.pathspec).join('\n'),
            n === 1 ? 'pathspec' : `${n} pathspecs`
          )
        }
      >
        Copy pathspecs
      </button>
      {n > 0 && (
        <button
          className="jp-mfns-link"
          onClick={() => model.select(s => s.clear())}
        >
          Clear selection
        </button>
      )}
      {mode === 'add' && (
        <div className="jp-mfns-xp-tagform">
          <TagInput
            suggestions={runs.suggestions.filter(s => !s.system)}
            exclude={[]}
            label={`Tag to add to ${plural(n, 'selected run')}`}
            placeholder="Tag to add…"
            onSubmit={tag => start('add', tag)}
          />
        </div>
      )}
      {mode === 'remove' && (
        <div
          className="jp-mfns-xp-tagform"
          role="group"
          aria-label="Tag to remove"
        >
          {selectedTags(model).map(([tag, count]) => (
            <button
              key={tag}
              className="jp-mfns-xp-button jp-mfns-xp-removetag"
              onClick={() => start('remove', tag)}
              title={`Remove ${tag} from the ${plural(count, 'selected run')} carrying it`}
            >
              {tag} <span className="jp-mfns-muted">({count})</span>
            </button>
          ))}
        </div>
      )}
      {busy && job && (
        <span className="jp-mfns-xp-progress" role="status">
          {job.plan.op === 'add' ? 'Adding' : 'Removing'} “{job.plan.tag}”:{' '}
          {job.done} of {job.plan.change.length}
          <progress max={job.plan.change.length} value={job.done} />
        </span>
      )}
      {failures.length > 0 && (
        <div className="jp-mfns-xp-failures" role="alert">
          <span>
            {job && outcomeSummary(job.plan, job.outcomes ?? [])} Not changed:
          </span>
          <ul>
            {failures.map(f => (
              <li key={f.pathspec}>
                <span className="jp-mfns-mono">{f.pathspec}</span>: {f.error}
              </li>
            ))}
          </ul>
          <button className="jp-mfns-link" onClick={() => model.dismissJob()}>
            Dismiss
          </button>
        </div>
      )}
    </div>
  );
}
