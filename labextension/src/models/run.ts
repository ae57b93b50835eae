import type { IDisposable } from '@lumino/disposable';
import type { Poll } from '@lumino/polling';
import { ISignal, Signal } from '@lumino/signaling';

import { ApiError, api } from '../api';
import type { IRun, IStep, ITagCount, ITask, Namespace } from '../types';
import { Activity } from './activity';
import type { Config } from './config';
import { IProblem, toProblem } from './errors';
import { coalesced, IChanges, touchesRun } from './live';

/** Tasks of one expanded step. */
export interface IStepTasks {
  tasks: ITask[] | null;
  loading: boolean;
  problem: IProblem | null;
}

/** Where the run this one resumed lives, relative to the current namespace. */
export interface IOrigin {
  pathspec: string;
  state: 'checking' | 'here' | 'elsewhere' | 'missing' | 'unknown';
  /** The namespaces owning the origin run (`user:`/`production:`). */
  owners: string[];
  message?: string;
}

/**
 * One run: its steps, their tasks on demand, where it resumed from, its tags (and the
 * tags in use, to suggest). Reloaded every refresh interval while the run runs.
 */
export class RunModel implements IDisposable {
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
    this._poll = this._config.refreshPoll('jupyter-mfns:running-run', () =>
      this.reload()
    );
    // Tags changed from the CLI or a kernel, a finished run: re-read as it happens.
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
  /** Emitted with the run after its tags changed on the server. */
  get tagsChanged(): ISignal<this, IRun> {
    return this._tagsChanged;
  }

  get run(): IRun | null {
    return this._run;
  }
  get steps(): readonly IStep[] {
    return this._steps;
  }
  get loading(): boolean {
    return this._loading;
  }
  get problem(): IProblem | null {
    return this._problem;
  }
  get origin(): IOrigin | null {
    return this._origin;
  }
  /** A tag edit is on its way to the server. */
  get tagBusy(): boolean {
    return this._tagBusy;
  }
  /** Why the last tag edit failed, in the server's words. */
  get tagProblem(): IProblem | null {
    return this._tagProblem;
  }
  /** User tags of this flow's runs in the namespace, most used first. */
  get suggestions(): readonly ITagCount[] {
    return this._suggestions;
  }
  get isDisposed(): boolean {
    return this._disposed;
  }

  /** The tasks of a step, when it is expanded. */
  expansion(step: string): IStepTasks | undefined {
    return this._expanded.get(step);
  }

  /** Load the run and its steps (and re-load the tasks of expanded steps). */
  async reload(): Promise<void> {
    this._loading = true;
    this._problem = null;
    this._changed.emit();
    try {
      const object = await this.activity.track(
        api.object(this.pathspec, this.namespace)
      );
      if (this._disposed) {
        return;
      }
      if (object.type !== 'run') {
        throw new Error(`${this.pathspec} is a ${object.type}, not a run.`);
      }
      this._run = object.run;
      this._steps = object.children;
      if (
        object.run.origin_run &&
        this._origin?.pathspec !== object.run.origin_run
      ) {
        void this._checkOrigin(object.run.origin_run);
      }
      for (const step of this._expanded.keys()) {
        void this._loadTasks(step);
      }
      if (this._suggestions.length === 0) {
        void this._loadSuggestions(object.run.flow);
      }
      void (object.run.status === 'running'
        ? this._poll.start()
        : this._poll.stop());
    } catch (error) {
      this._problem = toProblem(error);
    } finally {
      this._loading = false;
      if (!this._disposed) {
        this._changed.emit();
      }
    }
  }

  /** Show the tasks of a step (a no-op when they are shown). */
  expandStep(step: string): void {
    if (!this._expanded.has(step)) {
      this.toggleStep(step);
    }
  }

  /** Show or hide the tasks of a step. */
  toggleStep(step: string): void {
    if (this._expanded.has(step)) {
      this._expanded.delete(step);
      this._changed.emit();
    } else {
      this._expanded.set(step, { tasks: null, loading: true, problem: null });
      this._changed.emit();
      void this._loadTasks(step);
    }
  }

  /** Add and remove user tags; system tags stay as they are. */
  async editTags(add: string[], remove: string[]): Promise<boolean> {
    if (!this._run) {
      return false;
    }
    this._tagBusy = true;
    this._tagProblem = null;
    this._changed.emit();
    try {
      const answer = await this.activity.track(
        api.mutateTags(this.pathspec, this.namespace, add, remove)
      );
      if (this._disposed) {
        return true;
      }
      this._run = {
        ...this._run,
        tags: answer.tags,
        system_tags: answer.system_tags
      };
      this._tagsChanged.emit(this._run);
      void this._loadSuggestions(this._run.flow);
      return true;
    } catch (error) {
      this._tagProblem = toProblem(error);
      return false;
    } finally {
      this._tagBusy = false;
      this._changed.emit();
    }
  }

  /** Forget the last tag error (the user read it or typed again). */
  clearTagProblem(): void {
    if (this._tagProblem) {
      this._tagProblem = null;
      this._changed.emit();
    }
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
    if (this._run && touchesRun(changes, this.pathspec)) {
      this._liveReload();
    }
  }

  private _liveReload = coalesced(() => this.reload());

  private async _loadSuggestions(flow: string): Promise<void> {
    try {
      const answer = await api.tags(this.namespace, flow);
      if (!this._disposed) {
        this._suggestions = answer.tags;
        this._changed.emit();
      }
    } catch {
      // Autocomplete is a convenience: any typed tag can still be added.
    }
  }

  private async _loadTasks(step: string): Promise<void> {
    const current = this._expanded.get(step);
    if (!current) {
      return;
    }
    this._expanded.set(step, { ...current, loading: true });
    try {
      const object = await this.activity.track(
        api.object(`${this.pathspec}/${step}`, this.namespace)
      );
      if (object.type === 'step' && this._expanded.has(step)) {
        this._expanded.set(step, {
          tasks: object.children,
          loading: false,
          problem: null
        });
      }
    } catch (error) {
      if (this._expanded.has(step)) {
        this._expanded.set(step, {
          tasks: null,
          loading: false,
          problem: toProblem(error)
        });
      }
    }
    if (!this._disposed) {
      this._changed.emit();
    }
  }

  private async _checkOrigin(pathspec: string): Promise<void> {
    this._origin = { pathspec, state: 'checking', owners: [] };
    try {
      const object = await api.object(pathspec, this.namespace);
      this._origin = {
        pathspec,
        state: 'here',
        owners: object.run ? object.run.namespaces : []
      };
    } catch (error) {
      const problem = toProblem(error);
      if (
        error instanceof ApiError &&
        problem.reason === 'namespace_mismatch'
      ) {
        this._origin = {
          pathspec,
          state: 'elsewhere',
          owners: problem.owners ?? []
        };
      } else if (error instanceof ApiError && error.status === 404) {
        this._origin = {
          pathspec,
          state: 'missing',
          owners: [],
          message: problem.message
        };
      } else {
        this._origin = {
          pathspec,
          state: 'unknown',
          owners: [],
          message: problem.message
        };
      }
    }
    if (!this._disposed) {
      this._changed.emit();
    }
  }

  private _config: Config;
  private _poll: Poll;
  private _listening: IDisposable | null = null;
  private _suggestions: ITagCount[] = [];
  private _run: IRun | null = null;
  private _steps: IStep[] = [];
  private _loading = false;
  private _problem: IProblem | null = null;
  private _origin: IOrigin | null = null;
  private _expanded = new Map<string, IStepTasks>();
  private _tagBusy = false;
  private _tagProblem: IProblem | null = null;
  private _disposed = false;
  private _changed = new Signal<this, void>(this);
  private _tagsChanged = new Signal<this, IRun>(this);
}
