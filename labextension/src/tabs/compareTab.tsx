/**
 * The "compare" tab: 2 to 8 runs side by side (components/CompareView.tsx).
 *
 *   mfns:open {kind: 'compare', runs: ['F/12', 'F/13']}
 *   {base_url}lab?mfns-compare=F/12,F/13   (tabs/deeplink.ts)
 *
 * Every run is checked in the namespace before the tab opens (the framework asks before
 * switching); runs of different owners compare in the global namespace (the view offers it).
 */
import * as React from 'react';

import { CompareView } from '../components/CompareView';
import { CompareModel } from '../models/compare';
import { namespaceLabel } from '../namespaces';
import { CompareArgs, compareTitle, parseCompareArgs } from './compareArgs';
import type { ITabKind } from './registry';
import { TabView } from './view';

export const compareKind: ITabKind<CompareArgs> = {
  kind: 'compare',
  label: 'Metaflow Comparison',
  prompt: {
    label: 'Runs to compare (2 to 8, separated by commas)',
    placeholder: 'PredictionFlow/12, PredictionFlow/13'
  },
  parse: parseCompareArgs,
  key: args => args.runs.join(','),
  pathspecs: args => args.runs,
  pathspec: args => args.runs.join('\n'),
  title: args => ({
    label: `Compare ${compareTitle(args.runs)}`,
    caption: `Comparison of ${args.runs.join(', ')}\nin ${namespaceLabel(args.namespace)}`
  }),
  create: (args, context) => {
    const model = new CompareModel({
      runs: args.runs,
      namespace: args.namespace,
      config: context.config
    });
    void model.reload();
    return new TabView({
      className: 'jp-mfns-comparetab',
      actions: context.actions,
      activity: model.activity,
      signals: [model.changed],
      render: () => <CompareView model={model} />,
      refresh: () => void model.reload(),
      resources: [model]
    });
  }
};
