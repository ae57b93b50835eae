/** The "run" tab: a run's status, tags, origin, steps and tasks, full width. */
import { DisposableDelegate } from '@lumino/disposable';
import * as React from 'react';

import { CompareWithButton } from '../components/CompareWith';
import type { ResultsView } from '../components/results/RunResults';
import { RunView } from '../components/RunView';
import { ResultsModel } from '../models/results';
import { RunModel } from '../models/run';
import { namespaceLabel } from '../namespaces';
import type { IRun } from '../types';
import { ITabKind, pathspecArg, stringArg, TabArgs } from './registry';
import { modelKey } from './shared';
import { TabView } from './view';

type RunArgs = TabArgs & {
  pathspec: string;
  step?: string;
  view?: ResultsView;
};

const VIEWS: readonly ResultsView[] = ['graph', 'timeline', 'steps'];

function viewArg(value: unknown): ResultsView | undefined {
  return VIEWS.find(v => v === value);
}

export const runKind: ITabKind<RunArgs> = {
  kind: 'run',
  label: 'Metaflow Run',
  prompt: { label: 'Run pathspec', placeholder: 'PredictionFlow/12' },
  parse: request => {
    const ps = pathspecArg(request, [2, 3], 'run (Flow/Run)');
    if (typeof ps === 'string') {
      return ps;
    }
    const pathspec = `${ps.flow}/${ps.run}`;
    const step = ps.step ?? stringArg(request, 'step');
    const view = viewArg(request.view);
    const args: Omit<RunArgs, 'kind' | 'namespace'> = {
      pathspec,
      ...(step === undefined ? {} : { step }),
      ...(view === undefined ? {} : { view })
    };
    return args;
  },
  title: args => ({
    label: args.pathspec,
    caption: `Run ${args.pathspec}\nin ${namespaceLabel(args.namespace)}`
  }),
  create: (args, context) => {
    const shared = context.models.acquire(
      modelKey('run', args.namespace, args.pathspec),
      () => {
        const model = new RunModel({
          pathspec: args.pathspec,
          namespace: args.namespace,
          config: context.config
        });
        void model.reload();
        return model;
      }
    );
    const run = shared.model;
    const sharedResults = context.models.acquire(
      modelKey('results', args.namespace, args.pathspec),
      () => {
        const model = new ResultsModel({
          pathspec: args.pathspec,
          namespace: args.namespace,
          config: context.config,
          activity: run.activity
        });
        void model.reload();
        return model;
      }
    );
    const results = sharedResults.model;
    const onTags = (_: RunModel, info: IRun) => context.runUpdated(info);
    run.tagsChanged.connect(onTags);
    let view: ResultsView = args.view ?? 'graph';
    if (args.step) {
      run.expandStep(args.step);
      results.select(args.step);
    }
    const tab = new TabView({
      className: 'jp-mfns-runtab',
      actions: context.actions,
      activity: run.activity,
      signals: [run.changed, results.changed],
      render: () => (
        <RunView
          run={run}
          results={results}
          view={view}
          onView={next => {
            view = next;
            tab.update();
          }}
          headActions={
            <CompareWithButton run={run.run} namespace={run.namespace} />
          }
        />
      ),
      refresh: () => {
        void run.reload();
        void results.reload();
      },
      reopen: next => {
        if (typeof next.step === 'string') {
          run.expandStep(next.step);
          if (results.selectedStep !== next.step) {
            results.select(next.step);
          }
        }
        const nextView = viewArg(next.view);
        if (nextView) {
          view = nextView;
          tab.update();
        }
      },
      resources: [
        new DisposableDelegate(() => run.tagsChanged.disconnect(onTags)),
        shared,
        sharedResults
      ]
    });
    return tab;
  }
};
