/**
 * The "runs" tab: a flow's runs in a namespace, full width, with the tag filter. (The
 * runs explorer of issue 12 grows here: columns, sorting, multi-select.)
 */
import * as React from 'react';

import { RunsTable } from '../components/RunsTable';
import { RunListModel } from '../models/runs';
import { namespaceLabel } from '../namespaces';
import { ITabKind, pathspecArg, stringListArg, TabArgs } from './registry';
import { TabView } from './view';

type RunsArgs = TabArgs & { pathspec: string; tags: string[] };

export const runsKind: ITabKind<RunsArgs> = {
  kind: 'runs',
  label: 'Metaflow Runs of a Flow',
  prompt: { label: 'Flow name', placeholder: 'PredictionFlow' },
  parse: request => {
    const ps = pathspecArg(request, [1], 'flow');
    return typeof ps === 'string'
      ? ps
      : { pathspec: ps.flow, tags: stringListArg(request, 'tags') };
  },
  title: args => ({
    label: args.pathspec,
    caption: `Runs of ${args.pathspec}\nin ${namespaceLabel(args.namespace)}`
  }),
  create: (args, context) => {
    // Each tab filters on its own, so its list is its own.
    const runs = new RunListModel({
      flow: args.pathspec,
      namespace: args.namespace,
      tags: args.tags,
      config: context.config
    });
    void runs.reload();
    const { actions } = context;
    return new TabView({
      className: 'jp-mfns-runstab',
      actions,
      activity: runs.activity,
      signals: [runs.changed],
      render: () => (
        <div className="jp-mfns-runspage">
          <h2 className="jp-mfns-page-title">
            Runs of <span className="jp-mfns-mono">{runs.flow}</span>{' '}
            <span className="jp-mfns-muted">
              in {namespaceLabel(runs.namespace)}
            </span>
          </h2>
          <RunsTable
            runs={runs}
            onSwitch={owner =>
              void actions.switchTo(owner, {
                kind: 'runs',
                pathspec: runs.flow
              })
            }
          />
        </div>
      ),
      refresh: () => void runs.reload(true),
      resources: [runs]
    });
  }
};
