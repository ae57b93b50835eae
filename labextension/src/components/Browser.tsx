import { Button } from '@jupyterlab/ui-components';
import * as React from 'react';

import type { BrowserModel } from '../models/browser';
import type { KernelLink } from '../models/kernelLink';
import { ActionsContext } from './actions';
import { Breadcrumbs } from './Breadcrumbs';
import { FlowList } from './FlowList';
import { GotoBox } from './GotoBox';
import { LiveStatus } from './LiveStatus';
import { NamespaceBar } from './NamespaceBar';
import { Loading, Problem } from './Problem';
import { Progress } from './Progress';
import { RunsTable, runsKey } from './RunsTable';

/** The flows, or one flow's runs (a run opens in a tab). */
function Body(props: { model: BrowserModel }): JSX.Element | null {
  const { model } = props;
  const actions = React.useContext(ActionsContext);
  const runs = model.runs;
  if (model.location.view === 'flows' || !runs) {
    return <FlowList model={model} />;
  }
  return (
    <RunsTable
      key={runsKey(runs)}
      runs={runs}
      onSwitch={owner => void actions.switchTo(owner)}
      onBack={() => model.openFlows()}
    />
  );
}

/** The Metaflow sidebar: the navigator (namespace, go to, flows, runs). */
export function Browser(props: {
  model: BrowserModel;
  link: KernelLink | null;
}): JSX.Element {
  const { model } = props;
  return (
    <div className="jp-mfns-browser">
      <Progress activity={model.activity} />
      <div className="jp-mfns-top">
        <h2 className="jp-mfns-title">Metaflow</h2>
        <NamespaceBar model={model} link={props.link} />
        <GotoBox disabled={!model.ready} />
        <LiveStatus live={model.config.live} quiet />
      </div>
      <Problem problem={model.problem}>
        <Button small onClick={() => void model.refresh()}>
          Retry
        </Button>
      </Problem>
      {!model.ready && !model.problem && (
        <Loading what="Reading the Metaflow store…" />
      )}
      {model.ready && (
        <>
          <Breadcrumbs model={model} />
          <div className={`jp-mfns-body jp-mfns-body-${model.location.view}`}>
            <Body model={model} />
          </div>
        </>
      )}
    </div>
  );
}
