import * as React from 'react';

import type { ResultsModel } from '../../models/results';
import { DagView } from './DagView';
import { Timeline } from './Timeline';

export type ResultsView = 'graph' | 'timeline' | 'steps';

const VIEWS: { id: ResultsView; label: string }[] = [
  { id: 'graph', label: 'Graph' },
  { id: 'timeline', label: 'Timeline' },
  { id: 'steps', label: 'Steps' }
];

/**
 * How a run's steps are shown: its graph, the timeline of its tasks, or the list of steps
 * (`steps`, rendered by the caller), chosen with a row of toggle buttons.
 */
export function RunResults(props: {
  results: ResultsModel;
  view: ResultsView;
  onView: (view: ResultsView) => void;
  steps: JSX.Element;
}): JSX.Element {
  const { results, view, onView } = props;
  return (
    <section className="jp-mfns-results" aria-label="steps">
      <div
        className="jp-mfns-results-bar"
        role="tablist"
        aria-label="show the steps as"
      >
        {VIEWS.map(v => (
          <button
            key={v.id}
            role="tab"
            aria-selected={view === v.id}
            className={`jp-mfns-results-tab${view === v.id ? ' jp-mod-active' : ''}`}
            onClick={() => onView(v.id)}
          >
            {v.label}
          </button>
        ))}
      </div>
      <div role="tabpanel" aria-label={view}>
        {view === 'graph' && <DagView results={results} />}
        {view === 'timeline' && <Timeline results={results} />}
        {view === 'steps' && props.steps}
      </div>
    </section>
  );
}
