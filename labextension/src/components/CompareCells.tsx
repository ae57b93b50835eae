/**
 * The cells of a comparison (components/CompareView.tsx): one renderer per kind of row, and
 * which cells differ from the first run's. Render only: the rows and `differs` come from
 * the server (`GET compare`).
 */
import * as React from 'react';

import { formatDuration, formatSize } from '../format';
import type {
  ICompareCell,
  ICompareParameter,
  ICompareRow,
  ICompareStep,
  IRun,
  Status
} from '../types';
import { ActionsContext } from './actions';
import { StatusIcon } from './Status';
import { TagChip } from './TagChip';

/** Longest plain value shown whole; longer ones are cut (the tooltip has it all). */
const SHOWN_CHARS = 80;

/** A plain JSON value as text: strings as they are, anything else as compact JSON. */
export function valueText(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

export function Plain(props: { value: unknown }): JSX.Element {
  const { value } = props;
  if (value === null || value === undefined) {
    return <span className="jp-mfns-muted">—</span>;
  }
  const text = valueText(value);
  const cut =
    text.length > SHOWN_CHARS ? `${text.slice(0, SHOWN_CHARS)}…` : text;
  return (
    <span className="jp-mfns-cmp-value" title={text}>
      {cut}
    </span>
  );
}

/** Which of a row's cells differ from the first run's (by their JSON). */
export function differing(keys: readonly unknown[]): boolean[] {
  const first = JSON.stringify(keys[0] ?? null);
  return keys.map(k => JSON.stringify(k ?? null) !== first);
}

/** A run's summary value: status, failure, tags, duration, user, origin. */
export function SummaryCell(props: {
  row: ICompareRow;
  index: number;
  run: IRun;
}): JSX.Element {
  const { row, index, run } = props;
  const actions = React.useContext(ActionsContext);
  const value = row.values[index];
  switch (row.name) {
    case 'status':
      return <StatusIcon status={value as Status} withText />;
    case 'tags':
      return (
        <span className="jp-mfns-cmp-tags">
          {(value as string[]).length ? (
            (value as string[]).map(tag => <TagChip key={tag} tag={tag} />)
          ) : (
            <span className="jp-mfns-muted">none</span>
          )}
        </span>
      );
    case 'duration_ms':
      return value === null ? (
        <span className="jp-mfns-muted">—</span>
      ) : (
        <span>{formatDuration(value as number)}</span>
      );
    case 'failure':
      return run.failure ? (
        <button
          className="jp-mfns-link jp-mfns-cmp-failure"
          title={`Open the failed task ${run.failure.task}`}
          onClick={() =>
            void actions.open({ kind: 'task', pathspec: run.failure!.task })
          }
        >
          {value as string}
        </button>
      ) : (
        <span className="jp-mfns-muted">—</span>
      );
    case 'origin_run':
      return value ? (
        <button
          className="jp-mfns-link jp-mfns-mono"
          onClick={() =>
            void actions.open({ kind: 'run', pathspec: value as string })
          }
        >
          {value as string}
        </button>
      ) : (
        <span className="jp-mfns-muted">—</span>
      );
    default:
      return <Plain value={value} />;
  }
}

export function parameterKey(row: ICompareParameter, i: number): unknown {
  return row.opaque[i]
    ? ['opaque']
    : row.present[i]
      ? ['value', row.values[i]]
      : null;
}

export function ParameterCell(props: {
  row: ICompareParameter;
  index: number;
}): JSX.Element {
  const { row, index } = props;
  if (!row.present[index]) {
    return (
      <span className="jp-mfns-muted" title="This run has no such parameter">
        —
      </span>
    );
  }
  if (row.opaque[index]) {
    return (
      <span
        className="jp-mfns-muted"
        title="Its value cannot be decoded safely: compared by sha"
      >
        opaque
      </span>
    );
  }
  return <Plain value={row.values[index]} />;
}

export function StepCell(props: {
  step: ICompareStep;
  index: number;
}): JSX.Element {
  const { step, index } = props;
  const status = step.status[index];
  if (status === null) {
    return (
      <span className="jp-mfns-muted" title="This run has no such step">
        —
      </span>
    );
  }
  const duration = step.durations_ms[index];
  const tasks = step.tasks[index];
  return (
    <span className="jp-mfns-cmp-step">
      {status === 'pending' ? (
        <span className="jp-mfns-muted">not run</span>
      ) : (
        <StatusIcon status={status as Status} />
      )}
      {duration !== null && <span>{formatDuration(duration)}</span>}
      {tasks > 1 && <span className="jp-mfns-muted">{tasks} tasks</span>}
      {step.cloned[index] && (
        <span
          className="jp-mfns-cmp-badge"
          title="Cloned from the origin run by resume"
        >
          cloned
        </span>
      )}
    </span>
  );
}

/** "pandas.DataFrame" -> "DataFrame". */
function shortType(type: string): string {
  return type.split('.').pop() ?? type;
}

export function ArtifactCell(props: {
  cell: ICompareCell | null;
}): JSX.Element {
  const { cell } = props;
  if (cell === null) {
    return (
      <span
        className="jp-mfns-muted"
        title="This run's step has no such artifact"
      >
        —
      </span>
    );
  }
  const size = cell.size >= 0 ? formatSize(cell.size) : 'size unknown';
  if ('value' in cell) {
    return <Plain value={cell.value} />;
  }
  if (cell.tasks > 1) {
    return (
      <span
        className="jp-mfns-cmp-meta"
        title={`${cell.tasks} tasks, compared as a set of shas (digest ${cell.sha})`}
      >
        {cell.tasks} tasks · {size} · <code>{cell.sha.slice(0, 7)}</code>
      </span>
    );
  }
  return (
    <span
      className="jp-mfns-cmp-meta"
      title={`${cell.type}, ${size}, sha ${cell.sha}`}
    >
      {shortType(cell.type)} · {size} · <code>{cell.sha.slice(0, 7)}</code>
    </span>
  );
}
