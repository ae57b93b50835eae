import type { IDisposable } from '@lumino/disposable';
import { Poll } from '@lumino/polling';
import { ISignal, Signal } from '@lumino/signaling';

import { api } from '../api';
import type {
  IArtifact,
  ILogLine,
  IObject,
  LogStream,
  Namespace
} from '../types';
import { Activity } from './activity';
import type { Config } from './config';
import { IProblem, toProblem } from './errors';
import { coalesced, IChanges, touchesRun } from './live';

/** Lines shown first: the end of the log. */
export const FIRST_TAIL = 500;
/** Lines added by each "load more". */
export const MORE_LINES = 2000;
/** How often a followed log is fetched again while its task runs. */
const FOLLOW_MS = 2000;

/** What is loaded of one log stream. */
export interface ILogState {
  lines: ILogLine[];
  /** Earlier lines exist beyond `tail`. */
  truncated: boolean;
  /** The task finished: the log is complete. */
  finished: boolean;
  tail: number;
  loading: boolean;
  loaded: boolean;
  problem: IProblem | null;
}

type TaskObject = Extract<IObject, { type: 'task' }>;

function emptyLog(): ILogState {
  return {
    lines: [],
    truncated: false,
    finished: false,
    tail: FIRST_TAIL,
    loading: false,
    loaded: false,
    problem: null
  };
}

/** One task: its description, the ends of its logs (followed while it runs), its artifacts. */
export class TaskModel implements IDisposable {
  constructor(options: {
    pathspec: string;
    namespace: Namespace;
    config: Config;
    activity?: Activity;
  }) {
    this.pathspec = options.pathspec;
    this.namespace = options.namespace;
    this.activity = options.activity ?? new Activity();
    this._config = options.config;
    this._poll = new Poll({
      auto: false,
      factory: () => this._followTick(),
      frequency: { interval: FOLLOW_MS, backoff: false },
      name: 'jupyter-mfns:follow-logs',
      standby: 'when-hidden'
    });
    // Its run changed (finished, failed, re-tagged): take the task's new state.
    const live = this._config.live;
    if (live) {
      this._listening = live.listen();
      live.changed.connect(this._onChanges, this);
    }
  }

  readonly pathspec: string;
  readonly namespace: Namespace;
  readonly activity: Activity;

  get changed(): ISignal<this, void> {
    return this._changed;
  }
  get object(): TaskObject | null {
    return this._object;
  }
  get problem(): IProblem | null {
    return this._problem;
  }
  get loading(): boolean {
    return this._loading;
  }
  get artifacts(): readonly IArtifact[] | null {
    return this._artifacts;
  }
  get artifactsProblem(): IProblem | null {
    return this._artifactsProblem;
  }
  /** New lines are fetched every few seconds while the task runs. */
  get follow(): boolean {
    return this._follow;
  }
  get isDisposed(): boolean {
    return this._disposed;
  }

  log(stream: LogStream): ILogState {
    return this._logs[stream];
  }

  /** Load the task, both log tails and the artifacts. */
  async load(): Promise<void> {
    this._loading = true;
    this._problem = null;
    this._changed.emit();
    try {
      const object = await this.activity.track(
        api.object(this.pathspec, this.namespace)
      );
      if (object.type !== 'task') {
        throw new Error(`${this.pathspec} is a ${object.type}, not a task.`);
      }
      this._object = object;
    } catch (error) {
      this._problem = toProblem(error);
    } finally {
      this._loading = false;
      if (!this._disposed) {
        this._changed.emit();
      }
    }
    if (this._problem || this._disposed) {
      return;
    }
    await Promise.all([
      this.loadLog('stdout'),
      this.loadLog('stderr'),
      this._loadArtifacts()
    ]);
    this.setFollow(
      this._object?.task.finished_at === null && !this._bothFinished()
    );
  }

  /** Fetch a stream's tail again (the same number of lines, or more). */
  async loadLog(stream: LogStream, tail?: number): Promise<void> {
    await this._config.loadLimits(); // the tail is clamped to them
    const state = this._logs[stream];
    const wanted = this._config.logLines(tail ?? state.tail);
    this._logs[stream] = { ...state, loading: true, tail: wanted };
    this._changed.emit();
    try {
      const logs = await this.activity.track(
        api.logs(this.pathspec, stream, this.namespace, wanted)
      );
      this._logs[stream] = {
        lines: logs.lines,
        truncated: logs.truncated,
        finished: logs.finished,
        tail: wanted,
        loading: false,
        loaded: true,
        problem: null
      };
    } catch (error) {
      this._logs[stream] = {
        ...this._logs[stream],
        loading: false,
        loaded: true,
        problem: toProblem(error)
      };
    }
    if (!this._disposed) {
      this._changed.emit();
    }
  }

  /** Earlier lines can be asked for: some exist, and the server's limit allows more. */
  canLoadMore(stream: LogStream): boolean {
    const log = this._logs[stream];
    return log.truncated && this._config.logLines(log.tail + 1) > log.tail;
  }

  /** Show earlier lines of a stream. */
  loadMore(stream: LogStream): Promise<void> {
    return this.loadLog(stream, this._logs[stream].tail + MORE_LINES);
  }

  /** Follow the logs while the task runs, or stop. */
  setFollow(follow: boolean): void {
    this._follow = follow;
    if (follow) {
      void this._poll.start();
    } else {
      void this._poll.stop();
    }
    this._changed.emit();
  }

  dispose(): void {
    if (this._disposed) {
      return;
    }
    this._disposed = true;
    this._poll.dispose();
    this._config.live?.changed.disconnect(this._onChanges, this);
    this._listening?.dispose();
    Signal.clearData(this);
  }

  private _onChanges(_: unknown, changes: IChanges): void {
    const run = this.pathspec.split('/').slice(0, 2).join('/');
    if (this._object && touchesRun(changes, run)) {
      this._liveRefresh();
    }
  }

  /** The task's status (and its logs, once it ended) without a visible reload. */
  private _liveRefresh = coalesced(async () => {
    const wasRunning = this._object?.task.finished_at === null;
    await this._refreshObject();
    if (wasRunning && this._object?.task.finished_at !== null) {
      await Promise.all([this.loadLog('stdout'), this.loadLog('stderr')]);
      this.setFollow(false);
    } else if (!this._disposed) {
      this._changed.emit();
    }
  });

  private _bothFinished(): boolean {
    return this._logs.stdout.finished && this._logs.stderr.finished;
  }

  private async _followTick(): Promise<void> {
    if (this._disposed) {
      return;
    }
    await Promise.all([this.loadLog('stdout'), this.loadLog('stderr')]);
    if (this._bothFinished()) {
      // The task ended: take its final status, then stop following.
      await this._refreshObject();
      this.setFollow(false);
    }
  }

  private async _refreshObject(): Promise<void> {
    try {
      const object = await api.object(this.pathspec, this.namespace);
      if (object.type === 'task') {
        this._object = object;
      }
    } catch {
      // Keep what is shown; the next explicit refresh will tell.
    }
  }

  private async _loadArtifacts(): Promise<void> {
    try {
      const answer = await this.activity.track(
        api.artifacts(this.pathspec, this.namespace)
      );
      this._artifacts = [...answer.artifacts].sort((a, b) =>
        a.name.localeCompare(b.name)
      );
      this._artifactsProblem = null;
    } catch (error) {
      this._artifactsProblem = toProblem(error);
    }
    if (!this._disposed) {
      this._changed.emit();
    }
  }

  private _config: Config;
  private _poll: Poll;
  private _listening: IDisposable | null = null;
  private _object: TaskObject | null = null;
  private _problem: IProblem | null = null;
  private _loading = false;
  private _artifacts: IArtifact[] | null = null;
  private _artifactsProblem: IProblem | null = null;
  private _logs: Record<LogStream, ILogState> = {
    stdout: emptyLog(),
    stderr: emptyLog()
  };
  private _follow = false;
  private _disposed = false;
  private _changed = new Signal<this, void>(this);
}
