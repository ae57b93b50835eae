import * as React from 'react';

import { plural } from '../format';
import type { BrowserModel } from '../models/browser';
import { namespaceLabel } from '../namespaces';
import { leaf } from '../pathspec';
import { ActionsContext } from './actions';
import { Loading, Problem } from './Problem';

/** The flows with a run in the namespace: run count and latest run. */
export function FlowList(props: { model: BrowserModel }): JSX.Element {
  const { model } = props;
  const actions = React.useContext(ActionsContext);
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
      {flows.map(f => {
        const latest = f.latest_run;
        return (
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
            {latest && (
              <div className="jp-mfns-flow-latest">
                <span className="jp-mfns-muted">
                  {global ? 'newest (anyone)' : 'latest run'}
                </span>
                <button
                  className="jp-mfns-link jp-mfns-mono"
                  onClick={() =>
                    void actions.open({
                      kind: 'run',
                      pathspec: latest,
                      namespace: model.namespace
                    })
                  }
                  title={
                    global
                      ? `Open ${latest}: the newest run of anyone, which means little in the global namespace`
                      : `Open ${latest}`
                  }
                >
                  {leaf(latest)}
                </button>
              </div>
            )}
          </li>
        );
      })}
    </ul>
  );
}
