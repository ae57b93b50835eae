import {
  Button,
  caretDownIcon,
  caretRightIcon
} from '@jupyterlab/ui-components';
import * as React from 'react';

import {
  formatDuration,
  formatFullTime,
  formatSpan,
  formatTime,
  plural
} from '../format';
import type { ResultsModel } from '../models/results';
import type { IOrigin, RunModel } from '../models/run';
import type { IStep, Namespace } from '../types';
import { ActionsContext } from './actions';
import { Loading, Problem } from './Problem';
import { FailureBanner } from './results/FailureBanner';
import { ParamsTable } from './results/ParamsTable';
import { ResultsView, RunResults } from './results/RunResults';
import { DetailHead, StatusIcon } from './Status';
import { TagEditor } from './TagEditor';

/** "Resumed from X", saying which namespace X lives in and offering to go there. */
function OriginLine(props: {
  origin: IOrigin;
  namespace: Namespace;
}): JSX.Element {
  const { origin, namespace } = props;
  const actions = React.useContext(ActionsContext);
  const owner = origin.owners[0];
  const open = (elsewhere?: string) => {
    const request = { kind: 'run', pathspec: origin.pathspec };
    void (elsewhere
      ? actions.switchTo(elsewhere, request)
      : actions.open({ ...request, namespace }));
  };
  let where: React.ReactNode;
  switch (origin.state) {
    case 'checking':
      where = ' (checking where it lives…)';
      break;
    case 'here':
      where = ` (${origin.owners.length ? origin.owners.join(', ') : 'this namespace'}${
        origin.owners.includes(props.namespace ?? '') ? ', this namespace' : ''
      })`;
      break;
    case 'elsewhere':
      where = (
        <>
          {' '}
          — in another namespace:{' '}
          <strong>
            {origin.owners.length ? origin.owners.join(', ') : 'unknown'}
          </strong>
        </>
      );
      break;
    case 'missing':
      where = ' — that run no longer exists';
      break;
    default:
      where = origin.message ? ` (${origin.message})` : '';
  }
  return (
    <div className="jp-mfns-origin">
      <span className="jp-mfns-field-label">Resumed from</span>
      <span>
        {origin.state === 'missing' ? (
          <code>{origin.pathspec}</code>
        ) : (
          <button
            className="jp-mfns-link jp-mfns-mono"
            title={
              origin.state === 'elsewhere' && owner
                ? `Switch to ${owner} and open ${origin.pathspec}`
                : `Open ${origin.pathspec}`
            }
            onClick={() =>
              open(origin.state === 'elsewhere' ? owner : undefined)
            }
          >
            {origin.pathspec}
          </button>
        )}
        {where}
      </span>
      {origin.state === 'elsewhere' && owner && (
        <Button
          small
          className="jp-mod-styled jp-mod-accept"
          onClick={() => open(owner)}
        >
          Open in {owner}
        </Button>
      )}
    </div>
  );
}

/** One step, with its tasks when expanded. */
function StepItem(props: { run: RunModel; step: IStep }): JSX.Element {
  const { run, step } = props;
  const actions = React.useContext(ActionsContext);
  const expansion = run.expansion(step.name);
  const Caret = expansion ? caretDownIcon : caretRightIcon;
  return (
    <li className={`jp-mfns-step jp-mfns-step-${step.status}`}>
      <button
        className="jp-mfns-step-head"
        aria-expanded={!!expansion}
        onClick={() => run.toggleStep(step.name)}
        title={`${step.pathspec} (${step.status}) — ${expansion ? 'hide' : 'show'} tasks`}
      >
        <Caret.react tag="span" className="jp-mfns-caret" />
        {/* the step's status, seen without expanding it (a failed step stands out) */}
        <StatusIcon status={step.status} />
        <span className="jp-mfns-step-name">{step.name}</span>
        {step.status === 'failed' && (
          <span className="jp-mfns-step-failmark">failed</span>
        )}
        <span className="jp-mfns-muted">{plural(step.tasks, 'task')}</span>
        <span className="jp-mfns-muted jp-mfns-right">
          {step.finished_at !== null
            ? formatDuration(step.finished_at - step.created_at)
            : ''}
        </span>
      </button>
      {expansion && (
        <div className="jp-mfns-tasks">
          {expansion.loading && !expansion.tasks && (
            <Loading what="Loading tasks…" />
          )}
          <Problem problem={expansion.problem} />
          {expansion.tasks && (
            <ul>
              {expansion.tasks.map(task => (
                <li key={task.pathspec}>
                  <button
                    className="jp-mfns-task"
                    onClick={() =>
                      void actions.open({
                        kind: 'task',
                        pathspec: task.pathspec,
                        namespace: run.namespace
                      })
                    }
                    title={`Open task ${task.pathspec}`}
                  >
                    <StatusIcon status={task.status} />
                    <span className="jp-mfns-mono">task {task.id}</span>
                    {task.attempt > 0 && (
                      <span className="jp-mfns-muted">
                        attempt {task.attempt + 1}
                      </span>
                    )}
                    {task.origin_task && (
                      <span className="jp-mfns-muted">cloned</span>
                    )}
                    <span className="jp-mfns-muted jp-mfns-right">
                      {formatSpan(
                        task.created_at,
                        task.finished_at,
                        task.status === 'running'
                      )}
                    </span>
                  </button>
                </li>
              ))}
            </ul>
          )}
        </div>
      )}
    </li>
  );
}

/**
 * A run: a failure banner, status, times, where it resumed from, its tags and parameters,
 * then its steps as a graph, a timeline or a list.
 */
export function RunView(props: {
  run: RunModel;
  results: ResultsModel;
  view: ResultsView;
  onView: (view: ResultsView) => void;
  /** Actions shown on the run's title line (the tab's "Compare with…"). */
  headActions?: React.ReactNode;
}): JSX.Element {
  const { run, results } = props;
  const actions = React.useContext(ActionsContext);
  const info = run.run;
  if (!info) {
    return run.problem ? (
      <Problem
        problem={run.problem}
        onSwitch={owner =>
          void actions.switchTo(owner, { kind: 'run', pathspec: run.pathspec })
        }
      />
    ) : (
      <Loading what={`Loading ${run.pathspec}…`} />
    );
  }
  return (
    <div className="jp-mfns-detail jp-mfns-run">
      {info.failure && (
        <FailureBanner failure={info.failure} namespace={run.namespace} />
      )}
      <DetailHead status={info.status} pathspec={info.pathspec}>
        {props.headActions}
      </DetailHead>
      <dl className="jp-mfns-meta">
        <dt>User</dt>
        <dd>{info.user ?? '—'}</dd>
        <dt>Created</dt>
        <dd title={formatFullTime(info.created_at)}>
          {formatTime(info.created_at)}
        </dd>
        <dt>Duration</dt>
        <dd>
          {formatSpan(
            info.created_at,
            info.finished_at,
            info.status === 'running'
          )}
        </dd>
        <dt>Namespace</dt>
        <dd>{info.namespaces.join(', ') || '—'}</dd>
      </dl>
      {run.origin && (
        <OriginLine origin={run.origin} namespace={run.namespace} />
      )}
      <TagEditor run={run} suggestions={run.suggestions} />
      <Problem problem={run.problem} />
      <h3 className="jp-mfns-section">Parameters</h3>
      <ParamsTable run={info} />
      <h3 className="jp-mfns-section">Steps</h3>
      <RunResults
        results={results}
        view={props.view}
        onView={props.onView}
        steps={
          <ul className="jp-mfns-steps">
            {run.steps.map(step => (
              <StepItem key={step.name} run={run} step={step} />
            ))}
          </ul>
        }
      />
    </div>
  );
}
