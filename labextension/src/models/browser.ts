import { IDisposable } from '@lumino/disposable';
import { Poll } from '@lumino/polling';
import { ISignal, Signal } from '@lumino/signaling';

import { ApiError, api } from '../api';
import { parsePathspec, runOf } from '../pathspec';
import type { IFlow, INamespaces, IRun, Namespace } from '../types';
import { Activity } from './activity';
import { IProblem, toProblem } from './errors';
import { RunModel } from './run';
import { RunListModel } from './runs';
import { TaskModel } from './task';

/** What the panel shows below the namespace bar. */
export type Location =
  | { view: 'flows' }
  | { view: 'runs'; flow: string }
  | { view: 'run'; pathspec: string; step?: string }
  | { view: 'task'; pathspec: string };

/** User settings (schema/plugin.json). */
export interface ISettings {
  /** Runs fetched per request while scrolling. */
  pageSize: number;
  /** Seconds between checks for new runs; 0 = never. */
  refreshInterval: number;
}

export const DEFAULT_SETTINGS: ISettings = {
  pageSize: 100,
  refreshInterval: 30
};

/** What the "Go to pathspec" box found. */
export interface IGotoState {
  pathspec: string;
  pending: boolean;
  problem: IProblem | null;
}

/** A change of the panel's namespace and who made it. */
export interface INamespaceChange {
  namespace: Namespace;
  /** `user`: a choice in the panel; `kernel`: a linked kernel moved; `start`: first load. */
  source: 'user' | 'kernel' | 'start';
}

/** What is worth keeping across page reloads. */
export interface IBrowserState {
  namespace: Namespace;
  location: Location;
  tags: string[];
}

/**
 * The state of the Metaflow panel: the current namespace, its flows and where the
 * user is (flows, a flow's runs, a run, a task). Views subscribe to `changed`.
 */
export class BrowserModel implements IDisposable {
  constructor(settings: ISettings = DEFAULT_SETTINGS) {
    this._settings = settings;
    this._poll = new Poll({
      auto: false,
      factory: () => this._tick(),
      frequency: this._frequency(),
      name: 'jupyter-mfns:refresh',
      standby: 'when-hidden'
    });
  }

  readonly activity = new Activity();

  /** Emitted on any change the panel shows. */
  get changed(): ISignal<this, void> {
    return this._changed;
  }
  /** Emitted with the new namespace, and who chose it, on every switch. */
  get namespaceChanged(): ISignal<this, INamespaceChange> {
    return this._namespaceChanged;
  }

  get settings(): ISettings {
    return this._settings;
  }
  get ready(): boolean {
    return this._ready;
  }
  get namespaces(): INamespaces | null {
    return this._namespaces;
  }
  get namespace(): Namespace {
    return this._namespace;
  }
  get flows(): readonly IFlow[] | null {
    return this._flows;
  }
  get flowsProblem(): IProblem | null {
    return this._flowsProblem;
  }
  get location(): Location {
    return this._location;
  }
  get runs(): RunListModel | null {
    return this._runs;
  }
  get run(): RunModel | null {
    return this._run;
  }
  get task(): TaskModel | null {
    return this._task;
  }
  get goto(): IGotoState | null {
    return this._goto;
  }
  /** A problem with the whole panel (server unreachable, API missing...). */
  get problem(): IProblem | null {
    return this._problem;
  }
  get isDisposed(): boolean {
    return this._disposed;
  }

  /** The pathspec of what is shown, for "copy pathspec"; `null` in the flows list. */
  get currentPathspec(): string | null {
    const loc = this._location;
    switch (loc.view) {
      case 'flows':
        return null;
      case 'runs':
        return loc.flow;
      case 'run':
        return loc.step ? `${loc.pathspec}/${loc.step}` : loc.pathspec;
      case 'task':
        return loc.pathspec;
    }
  }

  /** What to save so a reload reopens the same place. */
  get state(): IBrowserState {
    return {
      namespace: this._namespace,
      location: this._location,
      tags: [...(this._runs?.tags ?? [])]
    };
  }

  /** Apply new settings (page size, refresh interval). */
  setSettings(settings: ISettings): void {
    this._settings = settings;
    if (this._runs) {
      this._runs.pageSize = settings.pageSize;
    }
    this._poll.frequency = this._frequency();
    if (this._ready) {
      void (settings.refreshInterval > 0
        ? this._poll.start()
        : this._poll.stop());
    }
    this._changed.emit();
  }

  /**
   * Learn the namespaces and open the default one (or a saved state), then start
   * checking for new runs.
   */
  async start(saved?: IBrowserState | null): Promise<void> {
    await this.loadNamespaces();
    if (!this._namespaces) {
      return;
    }
    this._ready = true;
    const early = this._early;
    if (early !== undefined) {
      // A linked kernel spoke first: its namespace wins.
      saved = saved && saved.namespace === early.namespace ? saved : null;
    }
    if (saved) {
      this._namespace = saved.namespace;
      this._namespaceChanged.emit({
        namespace: this._namespace,
        source: 'start'
      });
      void this.loadFlows();
      this._navigate(saved.location, saved.tags);
    } else {
      this._namespace =
        early !== undefined ? early.namespace : this._namespaces.default;
      this._namespaceChanged.emit({
        namespace: this._namespace,
        source: 'start'
      });
      await this.loadFlows();
    }
    if (this._settings.refreshInterval > 0) {
      void this._poll.start();
    }
  }

  /** Fetch the list of namespaces. */
  async loadNamespaces(): Promise<void> {
    try {
      this._namespaces = await this.activity.track(api.namespaces());
      this._problem = null;
    } catch (error) {
      this._problem = toProblem(error);
    }
    this._changed.emit();
  }

  /** Fetch the flows of the current namespace. */
  async loadFlows(): Promise<void> {
    const namespace = this._namespace;
    this._flowsProblem = null;
    this._changed.emit();
    try {
      const flows = await this.activity.track(api.flows(namespace));
      if (namespace === this._namespace) {
        this._flows = flows.flows;
      }
    } catch (error) {
      if (namespace === this._namespace) {
        this._flows = null;
        this._flowsProblem = toProblem(error);
      }
    }
    this._changed.emit();
  }

  /**
   * Switch namespace. The flow being browsed stays open; runs, steps and tasks of
   * the old namespace are closed, unless `then` names what to open in the new one.
   */
  setNamespace(
    namespace: Namespace,
    then?: string,
    source: INamespaceChange['source'] = 'user'
  ): void {
    if (!this._ready) {
      return;
    }
    const changed = namespace !== this._namespace;
    this._namespace = namespace;
    this._goto = null;
    if (changed) {
      this._flows = null;
      void this.loadFlows();
      this._namespaceChanged.emit({ namespace, source });
    }
    if (then) {
      this.openPathspec(then);
      return;
    }
    const loc = this._location;
    const flow =
      loc.view === 'runs'
        ? loc.flow
        : loc.view === 'run' || loc.view === 'task'
          ? loc.pathspec.split('/')[0]
          : null;
    const tags = changed ? [] : [...(this._runs?.tags ?? [])];
    this._navigate(
      flow ? { view: 'runs', flow } : { view: 'flows' },
      tags,
      changed
    );
  }

  /**
   * A linked kernel is in `namespace`: follow it without telling the kernel back.
   * Before the panel has started, remember it so the start opens it.
   */
  applyKernelNamespace(namespace: Namespace): void {
    if (!this._ready) {
      this._early = { namespace };
      return;
    }
    if (namespace !== this._namespace) {
      this.setNamespace(namespace, undefined, 'kernel');
    }
  }

  openFlows(): void {
    this._navigate({ view: 'flows' });
  }
  openFlow(flow: string, tags?: string[]): void {
    this._navigate({ view: 'runs', flow }, tags);
  }
  openRun(pathspec: string, step?: string): void {
    this._navigate({ view: 'run', pathspec: runOf(pathspec), step });
  }
  openTask(pathspec: string): void {
    this._navigate({ view: 'task', pathspec });
  }

  /** Open a flow, run, step or task by pathspec, without asking the server first. */
  openPathspec(pathspec: string): void {
    const ps = parsePathspec(pathspec);
    if (typeof ps === 'string') {
      return;
    }
    if (ps.depth === 1) {
      this.openFlow(ps.flow);
    } else if (ps.depth === 4) {
      this.openTask(pathspec.trim());
    } else {
      this.openRun(`${ps.flow}/${ps.run}`, ps.step);
    }
  }

  /**
   * "Go to pathspec": open the object when it is in the current namespace, else say
   * which namespace owns it (see {@link switchToOwner}).
   */
  async goTo(text: string): Promise<boolean> {
    const ps = parsePathspec(text);
    const pathspec = text.trim().replace(/\/+$/, '');
    if (typeof ps === 'string') {
      this._goto = {
        pathspec,
        pending: false,
        problem: { reason: 'invalid_pathspec', message: ps }
      };
      this._changed.emit();
      return false;
    }
    this._goto = { pathspec, pending: true, problem: null };
    this._changed.emit();
    try {
      await this.activity.track(api.object(pathspec, this._namespace));
      this._goto = null;
      this.openPathspec(pathspec);
      return true;
    } catch (error) {
      this._goto = { pathspec, pending: false, problem: toProblem(error) };
      this._changed.emit();
      return false;
    }
  }

  /** One click after a namespace mismatch: switch to the owner and open the object. */
  switchToOwner(owner: string): void {
    const pathspec = this._goto?.pathspec;
    this.setNamespace(owner, pathspec);
  }

  /** Open the run another run resumed from, switching namespace if it lives elsewhere. */
  openOrigin(pathspec: string, owner?: string): void {
    if (owner && owner !== this._namespace) {
      this.setNamespace(owner, pathspec);
    } else {
      this.openRun(pathspec);
    }
  }

  dismissGoto(): void {
    this._goto = null;
    this._changed.emit();
  }

  /** Reload everything the panel shows. */
  async refresh(): Promise<void> {
    if (!this._ready) {
      await this.start();
      return;
    }
    await Promise.all([
      this.loadNamespaces(),
      this.loadFlows(),
      this._runs?.reload(true),
      this._location.view === 'run' ? this._run?.reload() : undefined,
      this._location.view === 'task' ? this._task?.load() : undefined
    ]);
  }

  dispose(): void {
    if (this._disposed) {
      return;
    }
    this._disposed = true;
    this._poll.dispose();
    this._runs?.dispose();
    this._run?.dispose();
    this._task?.dispose();
    Signal.clearData(this);
  }

  private _navigate(
    location: Location,
    tags?: string[],
    forceRuns = false
  ): void {
    this._location = location;
    this._goto = null;
    const flow =
      location.view === 'flows'
        ? null
        : location.view === 'runs'
          ? location.flow
          : location.pathspec.split('/')[0];

    // The runs list survives visits to its runs and tasks, so "back" keeps the scroll.
    const sameList =
      this._runs &&
      this._runs.flow === flow &&
      this._runs.namespace === this._namespace &&
      (tags === undefined || sameTags(tags, this._runs.tags));
    if (flow && (!sameList || forceRuns)) {
      this._runs?.dispose();
      this._runs = new RunListModel({
        flow,
        namespace: this._namespace,
        tags: tags ?? [],
        pageSize: this._settings.pageSize,
        activity: this.activity
      });
      this._runs.changed.connect(this._forward, this);
      void this._runs.reload();
    } else if (!flow && this._runs) {
      this._runs.dispose();
      this._runs = null;
    }

    if (location.view === 'run') {
      const same =
        this._run?.pathspec === location.pathspec &&
        this._run.namespace === this._namespace;
      if (same && location.step && !this._run!.expansion(location.step)) {
        this._run!.toggleStep(location.step);
      }
      if (!same) {
        this._run?.dispose();
        this._run = new RunModel({
          pathspec: location.pathspec,
          namespace: this._namespace,
          activity: this.activity,
          expand: location.step
        });
        this._run.changed.connect(this._forward, this);
        this._run.tagsChanged.connect(this._onTagsChanged, this);
        void this._run.reload();
      }
    }
    if (location.view === 'task') {
      this._task?.dispose();
      this._task = new TaskModel({
        pathspec: location.pathspec,
        namespace: this._namespace,
        activity: this.activity
      });
      this._task.changed.connect(this._forward, this);
      void this._task.load();
    } else if (this._task) {
      this._task.dispose();
      this._task = null;
    }
    this._changed.emit();
  }

  private _forward(): void {
    this._changed.emit();
  }

  private _onTagsChanged(_: RunModel, run: IRun): void {
    this._runs?.updateTags(run.pathspec, run.tags, run.system_tags);
  }

  private _frequency(): { interval: number; backoff: boolean; max: number } {
    const seconds = this._settings.refreshInterval;
    return {
      interval: seconds > 0 ? seconds * 1000 : Poll.NEVER,
      backoff: true,
      max: Math.max(seconds * 1000 * 10, 300 * 1000)
    };
  }

  private async _tick(): Promise<void> {
    if (!this._ready || this._disposed) {
      return;
    }
    const loc = this._location;
    try {
      this._namespaces = await api.namespaces(); // run counts in the dropdown
      if (loc.view === 'flows') {
        const flows = await api.flows(this._namespace);
        this._flows = flows.flows;
        this._changed.emit();
      } else if (loc.view === 'runs') {
        await this._runs?.checkForNew();
      } else if (loc.view === 'run' && this._run?.run?.status === 'running') {
        await this._run.reload();
      }
    } catch (error) {
      if (error instanceof ApiError && error.reason === 'network') {
        throw error; // let the poll back off while the server is away
      }
    }
  }

  private _settings: ISettings;
  private _poll: Poll;
  private _ready = false;
  private _namespaces: INamespaces | null = null;
  private _namespace: Namespace = null;
  private _flows: IFlow[] | null = null;
  private _flowsProblem: IProblem | null = null;
  private _location: Location = { view: 'flows' };
  private _runs: RunListModel | null = null;
  private _run: RunModel | null = null;
  private _task: TaskModel | null = null;
  private _goto: IGotoState | null = null;
  private _problem: IProblem | null = null;
  private _disposed = false;
  private _changed = new Signal<this, void>(this);
  private _namespaceChanged = new Signal<this, INamespaceChange>(this);
  private _early: { namespace: Namespace } | undefined = undefined;
}

function sameTags(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every(t => b.includes(t));
}
