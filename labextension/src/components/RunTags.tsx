/** Pieces every runs list shows the same way (the sidebar's table and the explorer). */
import * as React from 'react';

import type { RunListModel } from '../models/runs';
import { namespaceLabel } from '../namespaces';
import type { IRun } from '../types';
import { TagChip } from './TagChip';

/** The resumed mark and a run's user tags, each a chip that filters by it. */
export function UserTags(props: {
  run: IRun;
  onTag: (tag: string) => void;
}): JSX.Element {
  const { run } = props;
  return (
    <>
      {run.origin_run && (
        <span
          className="jp-mfns-resumed"
          title={`Resumed from ${run.origin_run}`}
        >
          ↻
        </span>
      )}
      {run.tags.map(t => (
        <TagChip
          key={t}
          tag={t}
          title={`${t} — click to filter by it`}
          onClick={() => props.onTag(t)}
        />
      ))}
    </>
  );
}

/** What an empty list says, once the server answered (null before, or when loading). */
export function NoRuns(props: {
  runs: RunListModel;
  className?: string;
}): JSX.Element | null {
  const { runs } = props;
  if (
    runs.loading ||
    runs.problem ||
    runs.rows.length > 0 ||
    runs.total === null
  ) {
    return null;
  }
  return (
    <div className={`jp-mfns-empty ${props.className ?? ''}`}>
      No run of {runs.flow} in {namespaceLabel(runs.namespace)}
      {runs.tags.length ? ` carries every tag of: ${runs.tags.join(', ')}` : ''}
      .
    </div>
  );
}
