import { Button, UseSignal } from '@jupyterlab/ui-components';
import * as React from 'react';

import type { BrowserModel } from '../models/browser';
import type { KernelLink } from '../models/kernelLink';
import { Breadcrumbs } from './Breadcrumbs';
import { FlowList } from './FlowList';
import { GotoBox } from './GotoBox';
import { NamespaceBar } from './NamespaceBar';
import { Loading, Problem } from './Problem';
import { RunsTable, runsKey } from './RunsTable';
import { RunView } from './RunView';
import { TaskView } from './TaskView';

/** A thin bar at the top while any request is in flight. */
function Progress(props: { model: BrowserModel }): JSX.Element {
  const activity = props.model.activity;
  return (
    <UseSignal signal={activity.changed}>
      {() => (
        <div
          className={`jp-mfns-progress${activity.busy ? ' jp-mod-busy' : ''}`}
          role="progressbar"
          aria-label="Loading"
          aria-hidden={!activity.busy}
        />
      )}
    </UseSignal>
  );
}

/** The view below the breadcrumbs, chosen by the model's location. */
function Body(props: { model: BrowserModel }): JSX.Element | null {
  const { model } = props;
  const loc = model.location;
  switch (loc.view) {
    case 'flows':
      return <FlowList model={model} />;
    case 'runs':
      return model.runs ? (
        <RunsTable key={runsKey(model.runs)} model={model} runs={model.runs} />
      ) : null;
    case 'run':
      return model.run ? <RunView model={model} run={model.run} /> : null;
    case 'task':
      return model.task ? <TaskView model={model} task={model.task} /> : null;
  }
}

/** The whole Metaflow panel. */
export function Browser(props: {
  model: BrowserModel;
  link: KernelLink | null;
}): JSX.Element {
  const { model } = props;
  const loc = model.location;
  return (
    <div className="jp-mfns-browser">
      <Progress model={model} />
      <div className="jp-mfns-top">
        <h2 className="jp-mfns-title">Metaflow</h2>
        <NamespaceBar model={model} link={props.link} />
        <GotoBox model={model} />
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
          <div className={`jp-mfns-body jp-mfns-body-${loc.view}`}>
            <Body model={model} />
          </div>
        </>
      )}
    </div>
  );
}
