import * as React from 'react';

import type { BrowserModel } from '../models/browser';

interface ICrumb {
  label: string;
  title: string;
  open?: () => void;
}

function crumbs(model: BrowserModel): ICrumb[] {
  const loc = model.location;
  const list: ICrumb[] = [
    {
      label: 'Flows',
      title: 'All flows in the namespace',
      open: () => model.openFlows()
    }
  ];
  if (loc.view === 'flows') {
    return list;
  }
  const path = loc.view === 'runs' ? loc.flow : loc.pathspec;
  const [flow, run, step, task] = path.split('/');
  list.push({
    label: flow,
    title: `Runs of ${flow}`,
    open: () => model.openFlow(flow)
  });
  if (run) {
    list.push({
      label: run,
      title: `Run ${flow}/${run}`,
      open: () => model.openRun(`${flow}/${run}`)
    });
  }
  const stepName = step ?? (loc.view === 'run' ? loc.step : undefined);
  if (stepName) {
    list.push({
      label: stepName,
      title: `Step ${flow}/${run}/${stepName}`,
      open: () => model.openRun(`${flow}/${run}`, stepName)
    });
  }
  if (task) {
    list.push({ label: task, title: `Task ${path}` });
  }
  list[list.length - 1].open = undefined; // where we are
  return list;
}

/** Where the user is: Flows › Flow › Run › Step › Task, each a way back. */
export function Breadcrumbs(props: { model: BrowserModel }): JSX.Element {
  const list = crumbs(props.model);
  return (
    <nav className="jp-mfns-crumbs" aria-label="Location">
      {list.map((c, i) => (
        <React.Fragment key={i}>
          {i > 0 && <span className="jp-mfns-crumb-sep">›</span>}
          {c.open ? (
            <button
              className="jp-mfns-link jp-mfns-crumb"
              title={c.title}
              onClick={c.open}
            >
              {c.label}
            </button>
          ) : (
            <span
              className="jp-mfns-crumb jp-mod-current"
              title={c.title}
              aria-current="page"
            >
              {c.label}
            </span>
          )}
        </React.Fragment>
      ))}
    </nav>
  );
}
