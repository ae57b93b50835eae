/**
 * The arguments of a "card" tab (pure: no DOM), see cardTab.tsx:
 * `{pathspec, hash?, type?, id?}` for one task's card, `{tasks: [...], type?, id?}` for the
 * same card of several tasks side by side (`pathspec` is then the first task).
 */
import type { ReadonlyPartialJSONObject } from '@lumino/coreutils';

import type { ICardChoice } from '../models/cardChoice';
import { parsePathspec } from '../pathspec';
import { pathspecArg, stringArg, stringListArg, TabArgs } from './registry';

/** Most tasks shown side by side (as a comparison's runs). */
export const MAX_SIDE_BY_SIDE = 8;

export type CardArgs = TabArgs & {
  pathspec: string;
  /** Two or more tasks side by side (`pathspec` is the first). */
  tasks?: string[];
  hash?: string;
  type?: string;
  id?: string;
};

export function taskList(args: CardArgs): string[] {
  return args.tasks ?? [args.pathspec];
}

export function choiceOf(args: CardArgs): ICardChoice {
  return { hash: args.hash, type: args.type, id: args.id };
}

/** "train/3 · 12", "train · 12 | 13" side by side. */
export function cardTitle(args: CardArgs): string {
  const tasks = taskList(args).map(t => t.split('/'));
  const name = args.id ?? args.type ?? 'card';
  if (tasks.length === 1) {
    const [, run, step, task] = tasks[0];
    return `${name} · ${step}/${task} · ${run}`;
  }
  const steps = [...new Set(tasks.map(t => t[2]))].join(', ');
  return `${name} · ${steps} · ${tasks.map(t => t[1]).join(' | ')}`;
}

/** One tab per tasks and card. */
export function cardKey(args: CardArgs): string {
  return JSON.stringify([
    taskList(args),
    args.hash ?? '',
    args.type ?? '',
    args.id ?? ''
  ]);
}

export function parseCardArgs(
  request: ReadonlyPartialJSONObject
): Omit<CardArgs, 'kind' | 'namespace'> | string {
  const own = {
    hash: stringArg(request, 'hash'),
    type: stringArg(request, 'type'),
    id: stringArg(request, 'id')
  };
  const picked = Object.fromEntries(
    Object.entries(own).filter(([, v]) => v !== undefined)
  ) as Pick<CardArgs, 'hash' | 'type' | 'id'>;
  const tasks = stringListArg(request, 'tasks');
  if (tasks.length <= 1) {
    const ps = tasks.length
      ? parsePathspec(tasks[0])
      : pathspecArg(request, [4], 'task (Flow/Run/Step/Task)');
    if (typeof ps === 'string') {
      return ps;
    }
    if (ps.depth !== 4) {
      return `"${ps.pathspec}" is not the pathspec of a task (Flow/Run/Step/Task).`;
    }
    return { pathspec: ps.pathspec, ...picked };
  }
  if (tasks.length > MAX_SIDE_BY_SIDE) {
    return `At most ${MAX_SIDE_BY_SIDE} cards fit side by side.`;
  }
  for (const task of tasks) {
    const ps = parsePathspec(task);
    if (typeof ps === 'string' || ps.depth !== 4) {
      return `"${task}" is not the pathspec of a task (Flow/Run/Step/Task).`;
    }
  }
  if (picked.hash) {
    return 'Side by side, name the card by type and id: a hash names one task’s card.';
  }
  return { pathspec: tasks[0], tasks, ...picked };
}
