import { launchIcon, ToolbarButtonComponent } from '@jupyterlab/ui-components';
import * as React from 'react';

import type { BrowserModel } from '../models/browser';
import { namespaceLabel } from '../namespaces';
import { ActionsContext } from './actions';

/** Where the panel is: Flows › Flow, and a button opening the flow's runs in a tab. */
export function Breadcrumbs(props: { model: BrowserModel }): JSX.Element {
  const { model } = props;
  const actions = React.useContext(ActionsContext);
  const loc = model.location;
  return (
    <nav className="jp-mfns-crumbs" aria-label="Location">
      {loc.view === 'flows' ? (
        <span
          className="jp-mfns-crumb jp-mod-current"
          title="All flows in the namespace"
          aria-current="page"
        >
          Flows
        </span>
      ) : (
        <>
          <button
            className="jp-mfns-link jp-mfns-crumb"
            title="All flows in the namespace"
            onClick={() => model.openFlows()}
          >
            Flows
          </button>
          <span className="jp-mfns-crumb-sep">›</span>
          <span
            className="jp-mfns-crumb jp-mod-current"
            title={`Runs of ${loc.flow}`}
            aria-current="page"
          >
            {loc.flow}
          </span>
          <ToolbarButtonComponent
            className="jp-mfns-crumb-open"
            icon={launchIcon}
            tooltip={`Open the runs of ${loc.flow} in ${namespaceLabel(model.namespace)} in a tab`}
            onClick={() =>
              void actions.open({
                kind: 'runs',
                pathspec: loc.flow,
                tags: [...(model.runs?.tags ?? [])],
                namespace: model.namespace
              })
            }
          />
        </>
      )}
    </nav>
  );
}
