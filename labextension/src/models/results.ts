import { IDisposable } from '@lumino/disposable';
import type { Poll } from '@lumino/polling';
import { ISignal, Signal } from '@lumino/signaling';

import { api } from '../api';
import type { IDag, ITimelineTask, Namespace } from '../types';
import { Activity } from './activity';
import type { Config } from './config';
import { IProblem, toProblem } from './errors';

/** Tasks asked for per request (the server's own page size for `GET tasks`). */
export const TASK_PAGE = 1000;

/**
 * What a run holds beyond its record: its graph (`GET dag`) and every task (`GET tasks`,
 * page after page), re-read every refresh interval while the run runs so the timeline grows.
 */
export class ResultsModel implements IDisposable {
  constructor(options: {
    pathspec: string;
    namespace: Namespace;
    config: Config;
    activity?: Activity;
  }) {
    this.pathspec = options.pathspec;
    this.namespace = options.namespace;
    this.activity = options.activity ?? new Activity();
    this._poll = options.config.refreshPoll('jupyter-mfns:run-results', () =>
      this.reload()
    );
  }

  readonly pathspec: string;
  readonly namespace: Namespace;
  readonly activity: Activity;

  get changed(): ISignal<this, void> {
    return this._changed;
  }
  get dag(): IDag | null {
    return this._dag;
  }
  /** Every task of the run, by start time. */
  get tasks(): readonly ITimelineTask[] {
    return this._tasks;
  }
  /** The run stopped (succeeded or failed): nothing here changes any more. */
  get finished(): boolean {
    return this._finished;
  }
  get loading(): boolean {
    return this._loading;
  }
  get problem(): IProblem | null {
    return this._problem;
  }
  /** The step whose tasks are shown under the graph. */
  get selectedStep(): string | null {
    return this._selected;
  }
  get isDisposed(): boolean {
    return this._disposed;
  }

  /** The tasks of one step, by start time. */
  tasksOf(step: string): ITimelineTask[] {
    return this._tasks.filter(t => t.step === step);
  }

  select(step: string | null): void {
    this._selected = step === this._selected ? null : step;
    this._changed.emit();
  }

  /** Read the graph and every task page; poll while the run runs. */
  async reload(): Promise<void> {
    this._loading = true;
    this._changed.emit();
    try {
      const [dag, tasks] = await this.activity.track(
        Promise.all([api.dag(this.pathspec, this.namespace), this._allTasks()])
      );
      if (this._disposed) {
        return;
      }
      this._dag = dag;
      this._tasks = tasks.tasks;
      this._finished = tasks.finished;
      this._problem = null;
      void (this._finished ? this._poll.stop() : this._poll.start());
    } catch (error) {
      this._problem = toProblem(error);
    } finally {
      this._loading = false;
      if (!this._disposed) {
        this._changed.emit();
      }
    }
  }

  dispose(): void {
    if (this._disposed) {
      return;
    }
    this._disposed = true;
    this._poll.dispose();
    Signal.clearData(this);
  }

  private async _allTasks(): Promise<{
    tasks: ITimelineTask[];
    finished: boolean;
  }> {
    const tasks: ITimelineTask[] = [];
    let cursor: string | null = null;
    let finished = false;
    do {
      const page = await api.tasks(
        this.pathspec,
        this.namespace,
        TASK_PAGE,
        cursor
      );
      tasks.push(...page.tasks);
      cursor = page.next_cursor;
      finished = page.finished;
    } while (cursor !== null && !this._disposed);
    return { tasks, finished };
  }

  private _poll: Poll;
  private _dag: IDag | null = null;
  private _tasks: ITimelineTask[] = [];
  private _finished = false;
  private _loading = false;
  private _problem: IProblem | null = null;
  private _selected: string | null = null;
  private _disposed = false;
  private _changed = new Signal<this, void>(this);
}
