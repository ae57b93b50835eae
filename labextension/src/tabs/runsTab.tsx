/**
 * The "runs" tab: the runs explorer of a flow in a namespace, full width: sortable and
 * resizable columns (parameters among them), the tag filter, multi-select with bulk
 * tagging, compare and copy (src/explorer/).
 */
import * as React from 'react';

import { Explorer } from '../explorer/Explorer';
import { ExplorerModel } from '../explorer/model';
import { namespaceLabel } from '../namespaces';
import {
  ITabKind,
  pathspecArg,
  stringArg,
  stringListArg,
  TabArgs
} from './registry';
import { TabView } from './view';

type RunsArgs = TabArgs & { pathspec: string; tags: string[] };

export const runsKind: ITabKind<RunsArgs> = {
  kind: 'runs',
  label: 'Metaflow Runs of a Flow',
  prompt: { label: 'Flow name', placeholder: 'PredictionFlow' },
  parse: request => {
    const ps = pathspecArg(request, [1], 'flow');
    if (typeof ps === 'string') {
      return ps;
    }
    const sort = stringArg(request, 'sort');
    return {
      pathspec: ps.flow,
      tags: stringListArg(request, 'tags'),
      ...(sort ? { sort } : {})
    };
  },
  title: args => ({
    label: args.pathspec,
    caption: `Runs of ${args.pathspec}\nin ${namespaceLabel(args.namespace)}`
  }),
  create: (args, context) => {
    // Each tab filters, sorts and selects on its own, so its list is its own.
    const model = new ExplorerModel({
      flow: args.pathspec,
      namespace: args.namespace,
      tags: args.tags,
      sort: typeof args.sort === 'string' ? args.sort : null,
      config: context.config,
      state: context.state,
      runUpdated: run => context.runUpdated(run)
    });
    void model.runs.reload();
    const { actions } = context;
    return new TabView({
      className: 'jp-mfns-runstab',
      actions,
      activity: model.runs.activity,
      signals: [model.runs.changed, model.changed],
      render: () => (
        <Explorer
          model={model}
          onSwitch={owner =>
            void actions.switchTo(owner, {
              kind: 'runs',
              pathspec: args.pathspec
            })
          }
        />
      ),
      refresh: () => void model.runs.reload(true),
      resources: [model]
    });
  }
};
