/** The "run" tab: a run's status, tags, origin, steps and tasks, full width. */
import { DisposableDelegate } from '@lumino/disposable';
import * as React from 'react';

import { CompareWithButton } from '../components/CompareWith';
import { RunView } from '../components/RunView';
import { RunModel } from '../models/run';
import { namespaceLabel } from '../namespaces';
import type { IRun } from '../types';
import { ITabKind, pathspecArg, stringArg, TabArgs } from './registry';
import { modelKey } from './shared';
import { TabView } from './view';

type RunArgs = TabArgs & { pathspec: string; step?: string };

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
    const args: Omit<RunArgs, 'kind' | 'namespace'> =
      step === undefined ? { pathspec } : { pathspec, step };
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
    const onTags = (_: RunModel, info: IRun) => context.runUpdated(info);
    run.tagsChanged.connect(onTags);
    if (args.step) {
      run.expandStep(args.step);
    }
    return new TabView({
      className: 'jp-mfns-runtab',
      actions: context.actions,
      activity: run.activity,
      signals: [run.changed],
      render: () => (
        <>
          <CompareWithButton run={run.run} namespace={run.namespace} />
          <RunView run={run} />
        </>
      ),
      refresh: () => void run.reload(),
      reopen: next => {
        if (typeof next.step === 'string') {
          run.expandStep(next.step);
        }
      },
      resources: [
        new DisposableDelegate(() => run.tagsChanged.disconnect(onTags)),
        shared
      ]
    });
  }
};
