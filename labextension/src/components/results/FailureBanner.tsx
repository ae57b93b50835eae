import { Button } from '@jupyterlab/ui-components';
import * as React from 'react';

import type { IFailure, Namespace } from '../../types';
import { ActionsContext } from '../actions';

/** A failed run's first failed task: where, what it raised, and the way to its log. */
export function FailureBanner(props: {
  failure: IFailure;
  namespace: Namespace;
}): JSX.Element {
  const { failure, namespace } = props;
  const actions = React.useContext(ActionsContext);
  const [open, setOpen] = React.useState(false);
  const taskId = failure.task.split('/')[3];
  return (
    <div className="jp-mfns-failure" role="alert" aria-label="run failure">
      <div className="jp-mfns-failure-head">
        <span className="jp-mfns-failure-title">
          Failed in step{' '}
          <strong className="jp-mfns-mono">{failure.step}</strong>
          {', task '}
          <button
            className="jp-mfns-link jp-mfns-mono"
            title={`Open task ${failure.task}`}
            onClick={() =>
              void actions.open({
                kind: 'task',
                pathspec: failure.task,
                namespace
              })
            }
          >
            {taskId}
          </button>
        </span>
        <Button
          small
          className="jp-mod-styled jp-mfns-failure-log"
          title={`Open the stderr of ${failure.task}, where the traceback is`}
          onClick={() =>
            void actions.open({
              kind: 'log',
              pathspec: failure.task,
              stream: 'stderr',
              namespace
            })
          }
        >
          Open traceback in log
        </Button>
      </div>
      {failure.exception && (
        <div className="jp-mfns-failure-exception jp-mfns-mono">
          {failure.exception}
        </div>
      )}
      {failure.traceback && (
        <div>
          <button
            className="jp-mfns-link"
            aria-expanded={open}
            onClick={() => setOpen(!open)}
          >
            {open ? 'Hide traceback' : 'Show traceback'}
          </button>
          {failure.source === 'stderr' && (
            <span className="jp-mfns-muted"> (from the task’s stderr)</span>
          )}
          {open && (
            <pre className="jp-mfns-failure-traceback">{failure.traceback}</pre>
          )}
        </div>
      )}
    </div>
  );
}
