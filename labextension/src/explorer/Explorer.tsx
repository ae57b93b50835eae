/** The runs explorer: a flow's runs, full width (the "runs" tab). */
import * as React from 'react';

import { Loading, Problem } from '../components/Problem';
import { TagFilter } from '../components/TagFilter';
import { plural } from '../format';
import { namespaceLabel } from '../namespaces';
import { ColumnChooser } from './ColumnChooser';
import { Grid } from './Grid';
import type { ExplorerModel } from './model';
import { SelectionBar } from './SelectionBar';

/** "1,234 runs" / "300 of 10,000 runs loaded", and the new-runs offer of other orders. */
function Summary(props: { model: ExplorerModel }): JSX.Element {
  const { runs } = props.model;
  const total = runs.total;
  const shown = runs.rows.length;
  return (
    <span className="jp-mfns-xp-summary" aria-live="polite">
      {total === null
        ? ''
        : shown < total
          ? `${shown.toLocaleString()} of ${plural(total, 'run')} loaded`
          : plural(total, 'run')}
      {runs.tags.length > 0 && total !== null ? ' with all tags' : ''}
      {runs.newRuns > 0 && (
        <button
          className="jp-mfns-newruns"
          onClick={() => void runs.reload(true)}
          title="New runs arrived; in this order they may go anywhere: read the list again"
        >
          {plural(runs.newRuns, 'new run')}
          {runs.newRunsAtLeast ? '+' : ''} — show
        </button>
      )}
    </span>
  );
}

export function Explorer(props: {
  model: ExplorerModel;
  onSwitch: (owner: string) => void;
}): JSX.Element {
  const { model } = props;
  const { runs } = model;
  return (
    <div className="jp-mfns-xp">
      <h2 className="jp-mfns-page-title">
        Runs of <span className="jp-mfns-mono">{runs.flow}</span>{' '}
        <span className="jp-mfns-muted">
          in {namespaceLabel(runs.namespace)}
        </span>
      </h2>
      <div className="jp-mfns-xp-filterbar">
        <TagFilter runs={runs} />
        <Summary model={model} />
        <ColumnChooser model={model} />
      </div>
      <SelectionBar model={model} />
      <Problem problem={runs.problem} onSwitch={props.onSwitch} />
      <div className="jp-mfns-xp-body">
        <Grid model={model} />
        {!runs.loading &&
          !runs.problem &&
          runs.rows.length === 0 &&
          runs.total !== null && (
            <div className="jp-mfns-empty jp-mfns-xp-empty">
              No run of {runs.flow} in {namespaceLabel(runs.namespace)}
              {runs.tags.length
                ? ` carries every tag of: ${runs.tags.join(', ')}`
                : ''}
              .
            </div>
          )}
        {runs.loading && runs.rows.length === 0 && (
          <Loading what="Loading runs…" />
        )}
      </div>
    </div>
  );
}
