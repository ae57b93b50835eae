/** The "task" tab: a task's status and times, its stdout, stderr and artifacts. */
import * as React from 'react';

import { TaskView } from '../components/TaskView';
import { CardsModel } from '../models/cards';
import { TaskModel } from '../models/task';
import { namespaceLabel } from '../namespaces';
import type { ITabContext, ITabKind, TabArgs } from './registry';
import { pathspecArg } from './registry';
import { IShared, modelKey } from './shared';
import { TabView } from './view';

type TaskArgs = TabArgs & { pathspec: string };

/** The task's model, shared with its log tabs. */
export function sharedTask(
  pathspec: string,
  namespace: TabArgs['namespace'],
  context: ITabContext
): IShared<TaskModel> {
  return context.models.acquire(modelKey('task', namespace, pathspec), () => {
    const model = new TaskModel({
      pathspec,
      namespace,
      config: context.config
    });
    void model.load();
    return model;
  });
}

/** "train/3 · 12": the step and task first (a label may be cut), the flow in the caption. */
export function taskLabel(pathspec: string, what = ''): string {
  const [, run, step, task] = pathspec.split('/');
  return `${step}/${task}${what ? ` ${what}` : ''} · ${run}`;
}

export const taskKind: ITabKind<TaskArgs> = {
  kind: 'task',
  label: 'Metaflow Task',
  prompt: { label: 'Task pathspec', placeholder: 'PredictionFlow/12/train/3' },
  parse: request => {
    const ps = pathspecArg(request, [4], 'task (Flow/Run/Step/Task)');
    return typeof ps === 'string' ? ps : { pathspec: ps.pathspec };
  },
  title: args => ({
    label: taskLabel(args.pathspec),
    caption: `Task ${args.pathspec}\nin ${namespaceLabel(args.namespace)}`
  }),
  create: (args, context) => {
    const shared = sharedTask(args.pathspec, args.namespace, context);
    const task = shared.model;
    const cards = new CardsModel({
      pathspec: args.pathspec,
      namespace: args.namespace,
      activity: task.activity
    });
    void cards.load();
    return new TabView({
      className: 'jp-mfns-tasktab',
      actions: context.actions,
      activity: task.activity,
      signals: [task.changed, cards.changed],
      render: () => <TaskView task={task} cards={cards} />,
      refresh: () => {
        void task.load();
        void cards.load();
      },
      resources: [cards, shared]
    });
  }
};
