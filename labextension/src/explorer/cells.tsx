/** What each explorer column shows for one run. */
import * as React from 'react';

import { StatusIcon } from '../components/Status';
import { TagChip } from '../components/TagChip';
import { formatAge, formatFullTime, formatSpan, formatTime } from '../format';
import { orderSystemTags } from '../namespaces';
import type { IRun } from '../types';
import { formatParameter, IColumn } from './columns';

export interface ICellProps {
  run: IRun;
  onOpen: () => void;
  onTag: (tag: string) => void;
}

type Cell = (props: ICellProps) => { content: React.ReactNode; title?: string };

const CELLS: Record<string, Cell> = {
  status: ({ run }) => ({
    content: <StatusIcon status={run.status} withText />,
    title: run.status
  }),
  id: ({ run, onOpen }) => ({
    content: (
      <button
        className="jp-mfns-link jp-mfns-mono jp-mfns-xp-open"
        tabIndex={-1}
        onClick={event => {
          event.stopPropagation(); // opening is not selecting
          onOpen();
        }}
      >
        {run.id}
      </button>
    ),
    title: `Open ${run.pathspec}`
  }),
  user: ({ run }) => ({ content: run.user ?? '—', title: run.user ?? '' }),
  created: ({ run }) => ({
    content: (
      <>
        {formatTime(run.created_at)}{' '}
        <span className="jp-mfns-muted">{formatAge(run.created_at)}</span>
      </>
    ),
    title: formatFullTime(run.created_at)
  }),
  finished: ({ run }) => ({
    content: formatTime(run.finished_at),
    title: formatFullTime(run.finished_at)
  }),
  duration: ({ run }) => ({
    content: formatSpan(
      run.created_at,
      run.finished_at,
      run.status === 'running'
    )
  }),
  tags: ({ run, onTag }) => ({
    content: (
      <>
        {run.origin_run && (
          <span
            className="jp-mfns-resumed"
            title={`Resumed from ${run.origin_run}`}
          >
            ↻{' '}
          </span>
        )}
        {run.tags.map(t => (
          <TagChip
            key={t}
            tag={t}
            title={`${t} — click to filter by it`}
            onClick={() => onTag(t)}
          />
        ))}
      </>
    ),
    title: run.tags.join(', ')
  }),
  system_tags: ({ run }) => ({
    content: orderSystemTags(run).map(t => <TagChip key={t} tag={t} system />),
    title: run.system_tags.join(', ')
  })
};

/** One cell of a run's row. */
export function RunCell(props: ICellProps & { column: IColumn }): JSX.Element {
  const { column, run } = props;
  const cell = column.parameter
    ? {
        content: formatParameter(run, column.parameter),
        title: `${column.parameter} = ${formatParameter(run, column.parameter)}`
      }
    : (CELLS[column.id]?.(props) ?? { content: '' });
  return (
    <span
      className={`jp-mfns-xp-cell jp-mfns-xp-col-${column.parameter ? 'param' : column.id}`}
      role="gridcell"
      title={cell.title}
    >
      {cell.content}
    </span>
  );
}
