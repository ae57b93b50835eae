import * as React from 'react';

import { formatSpan, plural } from '../../format';
import type { ResultsModel } from '../../models/results';
import type { IDagStep } from '../../types';
import { ActionsContext } from '../actions';
import { StatusIcon } from '../Status';

/** Tasks of the steps this many are listed at once (the timeline shows them all). */
const SHOWN = 200;

/** The tasks of the step chosen in the graph: status, attempts, time; click opens one. */
export function StepTasks(props: {
  results: ResultsModel;
  step: IDagStep;
}): JSX.Element {
  const { results, step } = props;
  const actions = React.useContext(ActionsContext);
  const tasks = results.tasksOf(step.name);
  return (
    <section
      className="jp-mfns-step-tasks"
      aria-label={`tasks of ${step.name}`}
    >
      <div className="jp-mfns-step-tasks-head">
        <strong className="jp-mfns-mono">{step.name}</strong>
        <span className="jp-mfns-muted">
          {step.type} · {plural(tasks.length, 'task')}
          {step.foreach_artifact
            ? ` · fans out over ${step.foreach_artifact}`
            : ''}
        </span>
        {step.doc && (
          <span className="jp-mfns-muted jp-mfns-step-doc">{step.doc}</span>
        )}
      </div>
      {tasks.length === 0 && (
        <div className="jp-mfns-empty">No task has started yet.</div>
      )}
      <ul className="jp-mfns-step-task-list">
        {tasks.slice(0, SHOWN).map(task => (
          <li key={task.pathspec}>
            <button
              className="jp-mfns-task"
              title={`Open task ${task.pathspec}`}
              onClick={() =>
                void actions.open({
                  kind: 'task',
                  pathspec: task.pathspec,
                  namespace: results.namespace
                })
              }
            >
              <StatusIcon status={task.status} />
              <span className="jp-mfns-mono">task {task.id}</span>
              {task.attempts.length > 1 && (
                <span className="jp-mfns-muted">
                  {plural(task.attempts.length, 'attempt')}
                </span>
              )}
              <span className="jp-mfns-muted jp-mfns-right">
                {formatSpan(
                  task.started_at,
                  task.finished_at,
                  task.status === 'running'
                )}
              </span>
            </button>
          </li>
        ))}
      </ul>
      {tasks.length > SHOWN && (
        <div className="jp-mfns-muted">
          {plural(tasks.length - SHOWN, 'more task')}: see the timeline.
        </div>
      )}
    </section>
  );
}
