import * as React from 'react';

import { plural } from '../format';
import type { BrowserModel } from '../models/browser';
import { namespaceLabel } from '../namespaces';
import { leaf } from '../pathspec';
import { Loading, Problem } from './Problem';

/** The flows with a run in the namespace: run count and latest run. */
export function FlowList(props: { model: BrowserModel }): JSX.Element {
  const { model } = props;
  const flows = model.flows;
  if (model.flowsProblem) {
    return <Problem problem={model.flowsProblem} />;
  }
  if (flows === null) {
    return <Loading what="Loading flows…" />;
  }
  if (flows.length === 0) {
    return (
      <div className="jp-mfns-empty">
        No flow has a run in {namespaceLabel(model.namespace)}. Pick another
        namespace above, or run a flow.
      </div>
    );
  }
  const global = model.namespace === null;
  return (
    <ul className="jp-mfns-flows" aria-label="Flows">
      {flows.map(f => (
        <li key={f.flow} className="jp-mfns-flow" data-flow={f.flow}>
          <button
            className="jp-mfns-flow-open"
            onClick={() => model.openFlow(f.flow)}
            title={`Runs of ${f.flow} in ${namespaceLabel(model.namespace)}`}
          >
            <span className="jp-mfns-flow-name">{f.flow}</span>
            <span className="jp-mfns-muted jp-mfns-right">
              {plural(f.runs, 'run')}
            </span>
          </button>
          {f.latest_run && (
            <div className="jp-mfns-flow-latest">
              <span className="jp-mfns-muted">
                {global ? 'newest (anyone)' : 'latest run'}
              </span>
              <button
                className="jp-mfns-link jp-mfns-mono"
                onClick={() => model.openRun(f.latest_run!)}
                title={
                  global
                    ? `Open ${f.latest_run}: the newest run of anyone, which means little in the global namespace`
                    : `Open ${f.latest_run}`
                }
              >
                {leaf(f.latest_run)}
              </button>
            </div>
          )}
        </li>
      ))}
    </ul>
  );
}
