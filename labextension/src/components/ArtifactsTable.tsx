import { Button, notebookIcon } from '@jupyterlab/ui-components';
import * as React from 'react';

import { formatSize } from '../format';
import type { IProblem } from '../models/errors';
import type { TaskModel } from '../models/task';
import type { IArtifact } from '../types';
import { ActionsContext } from './actions';
import { CopyButton } from './CopyButton';
import { Loading, Problem } from './Problem';
import { valueKind, valueText } from './results/values';

/** A small artifact's value, decoded on the server without unpickling; others say none. */
function ArtifactValue(props: { artifact: IArtifact }): JSX.Element {
  const { artifact } = props;
  if (!('value' in artifact)) {
    return (
      <td
        className="jp-mfns-muted jp-mfns-value"
        title="Larger or not plain data: load it into a notebook to see it"
      >
        —
      </td>
    );
  }
  const text = valueText(artifact.value);
  return (
    <td
      className={`jp-mfns-mono jp-mfns-value jp-mfns-value-${valueKind(artifact.value)}`}
      title={text}
    >
      {text}
    </td>
  );
}

/** A task's artifacts (name, type, small values, size) with "Load into notebook". */
export function ArtifactsTable(props: { task: TaskModel }): JSX.Element {
  const { task } = props;
  const actions = React.useContext(ActionsContext);
  const [pending, setPending] = React.useState<string | null>(null);
  const [problem, setProblem] = React.useState<IProblem | null>(null);
  const artifacts = task.artifacts;

  const load = async (artifact: IArtifact) => {
    setPending(artifact.name);
    setProblem(null);
    try {
      await actions.runCell(artifact.code);
    } catch (error) {
      setProblem({
        reason: 'notebook',
        message: `Could not load ${artifact.name} into a notebook: ${
          error instanceof Error ? error.message : String(error)
        }`
      });
    } finally {
      setPending(null);
    }
  };

  if (task.artifactsProblem) {
    return <Problem problem={task.artifactsProblem} />;
  }
  if (artifacts === null) {
    return <Loading what="Loading artifacts…" />;
  }
  if (artifacts.length === 0) {
    return <div className="jp-mfns-empty">This task stored no artifact.</div>;
  }
  return (
    <div role="tabpanel" aria-label="artifacts" className="jp-mfns-artifacts">
      <Problem problem={problem} onDismiss={() => setProblem(null)} />
      <table className="jp-mfns-table jp-mfns-artifacts-table">
        <colgroup>
          <col className="jp-mfns-col-name" />
          <col className="jp-mfns-col-type" />
          <col className="jp-mfns-col-value" />
          <col className="jp-mfns-col-size" />
          <col className="jp-mfns-col-actions" />
        </colgroup>
        <thead>
          <tr>
            <th scope="col">Artifact</th>
            <th scope="col">Type</th>
            <th scope="col">Value</th>
            <th scope="col" className="jp-mfns-num">
              Size
            </th>
            <th scope="col">
              <span className="jp-mfns-sr-only">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {artifacts.map(a => (
            <tr key={a.name} data-artifact={a.name}>
              <td className="jp-mfns-mono jp-mfns-artifact-name" title={a.name}>
                {a.name}
              </td>
              <td className="jp-mfns-type" title={a.type}>
                {a.type}
              </td>
              <ArtifactValue artifact={a} />
              <td
                className="jp-mfns-num"
                title={`${a.size.toLocaleString()} bytes`}
              >
                {a.size < 0 ? '—' : formatSize(a.size)}
              </td>
              <td>
                <div className="jp-mfns-row-actions">
                  <Button
                    small
                    className="jp-mfns-load"
                    disabled={pending !== null}
                    onClick={() => void load(a)}
                    aria-label={`Load ${a.name} into notebook`}
                    title={`Load into notebook: insert and run a cell that loads ${a.name} as pandas in the active notebook`}
                  >
                    {pending === a.name ? (
                      <span className="jp-mfns-spinner" />
                    ) : (
                      <notebookIcon.react
                        tag="span"
                        className="jp-mfns-load-icon"
                      />
                    )}
                    Load
                  </Button>
                  <CopyButton
                    text={`${task.pathspec}/${a.name}`}
                    label="artifact pathspec"
                  />
                </div>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
