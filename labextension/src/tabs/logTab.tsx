/** The "log" tab: one stream of a task, full height (its model shared with the task tab). */
import * as React from 'react';

import { LogView } from '../components/LogView';
import { namespaceLabel } from '../namespaces';
import type { LogStream } from '../types';
import { ITabKind, pathspecArg, stringArg, TabArgs } from './registry';
import { sharedTask, taskLabel } from './taskTab';
import { TabView } from './view';

type LogArgs = TabArgs & { pathspec: string; stream: LogStream };

const STREAMS: readonly LogStream[] = ['stdout', 'stderr'];

export const logKind: ITabKind<LogArgs> = {
  kind: 'log',
  label: 'Metaflow Log',
  prompt: { label: 'Task pathspec', placeholder: 'PredictionFlow/12/train/3' },
  parse: request => {
    const ps = pathspecArg(request, [4], 'task (Flow/Run/Step/Task)');
    if (typeof ps === 'string') {
      return ps;
    }
    const stream = stringArg(request, 'stream') ?? 'stdout';
    return (STREAMS as readonly string[]).includes(stream)
      ? { pathspec: ps.pathspec, stream: stream as LogStream }
      : `A log stream is stdout or stderr, not "${stream}".`;
  },
  key: args => `${args.pathspec} ${args.stream}`,
  title: args => ({
    label: taskLabel(args.pathspec, args.stream),
    caption: `${args.stream} of ${args.pathspec}\nin ${namespaceLabel(args.namespace)}`
  }),
  create: (args, context) => {
    const shared = sharedTask(args.pathspec, args.namespace, context);
    const task = shared.model;
    return new TabView({
      className: 'jp-mfns-logtab',
      actions: context.actions,
      activity: task.activity,
      signals: [task.changed],
      render: () => <LogView task={task} stream={args.stream} standalone />,
      refresh: () => void task.log(args.stream).load(),
      resources: [shared]
    });
  }
};
