import { PromiseDelegate } from '@lumino/coreutils';
import { IDisposable } from '@lumino/disposable';
import type { Poll } from '@lumino/polling';
import { ISignal, Signal } from '@lumino/signaling';

import { ApiError, api } from '../api';
import type { IFlow, INamespaces, IRun, Namespace } from '../types';
import { Activity } from './activity';
import type { Config } from './config';
import { IProblem, toProblem } from './errors';
import { coalesced, IChanges } from './live';
import { RunListModel } from './runs';

/** What the sidebar shows below the namespace bar (runs, tasks and logs open as tabs). */
export type Location = { view: 'flows' } | { view: 'runs'; flow: string };

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
 * Read a saved state, also one saved before runs and tasks moved to tabs (its run or
 * task view becomes the flow's runs list).
 */
export function savedLocation(value: unknown): Location | null {
  if (!value || typeof value !== 'object' || !('view' in value)) {
    return null;
  }
  const loc = value as { view: unknown; flow?: unknown; pathspec?: unknown };
  if (loc.view === 'flows') {
    return { view: 'flows' };
  }
  const flow =
    typeof loc.flow === 'string'
      ? loc.flow
      : typeof loc.pathspec === 'string'
        ? loc.pathspec.split('/')[0]
        : null;
  return flow ? { view: 'runs', flow } : null;
}

/**
 * The state of the Metaflow sidebar, the navigator: the current namespace, its flows
 * and the runs of one flow. Views subscribe to `changed`.
 */
export class BrowserModel implements IDisposable {
  constructor(readonly config: Config) {
    this._poll = config.refreshPoll('jupyter-mfns:refresh', () => this._tick());
    config.live?.changed.connect(this._onChanges, this);
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
  get ready(): boolean {
    return this._ready;
  }
  /** Resolves once the current namespace is known (after {@link start}). */
  get started(): Promise<void> {
    return this._started.promise;
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
  /** A problem with the whole panel (server unreachable, API missing...). */
  get problem(): IProblem | null {
    return this._problem;
  }
  get isDisposed(): boolean {
    return this._disposed;
  }

  /** The pathspec of what is shown, for "copy pathspec"; `null` in the flows list. */
  get currentPathspec(): string | null {
    return this._location.view === 'runs' ? this._location.flow : null;
  }

  /** What to save so a reload reopens the same place. */
  get state(): IBrowserState {
    return {
      namespace: this._namespace,
      location: this._location,
      tags: [...(this._runs?.tags ?? [])]
    };
  }

  /**
   * Learn the namespaces and open the default one, or a
   * saved state; then check for new namespaces and flows every refresh interval.
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
    const location = saved ? savedLocation(saved.location) : null;
    this._namespace = saved
      ? saved.namespace
      : early !== undefined
        ? early.namespace
        : this._namespaces.default;
    this._listening = this.config.live?.listen() ?? null;
    this.config.live?.setNamespace(this._namespace);
    this._namespaceChanged.emit({
      namespace: this._namespace,
      source: 'start'
    });
    this._started.resolve();
    if (location) {
      void this.loadFlows();
      this._navigate(location, saved?.tags);
    } else {
      await this.loadFlows();
    }
    void this._poll.start();
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

  /** Switch namespace; the flow being browsed stays open, with no tag filter. */
  setNamespace(
    namespace: Namespace,
    source: INamespaceChange['source'] = 'user'
  ): void {
    if (!this._ready || namespace === this._namespace) {
      return;
    }
    this._namespace = namespace;
    this.config.live?.setNamespace(namespace);
    this._flows = null;
    void this.loadFlows();
    this._namespaceChanged.emit({ namespace, source });
    const loc = this._location;
    this._navigate(loc, [], true);
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
    this.setNamespace(namespace, 'kernel');
  }

  openFlows(): void {
    this._navigate({ view: 'flows' });
  }
  openFlow(flow: string, tags?: string[]): void {
    this._navigate({ view: 'runs', flow }, tags);
  }

  /** A run changed elsewhere (its tags were edited in a tab): show it in the list. */
  runUpdated(run: IRun): void {
    this._runs?.updateTags(run.pathspec, run.tags, run.system_tags);
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
      this._runs?.reload(true)
    ]);
  }

  dispose(): void {
    if (this._disposed) {
      return;
    }
    this._disposed = true;
    this._poll.dispose();
    this.config.live?.changed.disconnect(this._onChanges, this);
    this._listening?.dispose();
    this._runs?.dispose();
    Signal.clearData(this);
  }

  private _navigate(
    location: Location,
    tags?: string[],
    forceRuns = false
  ): void {
    this._location = location;
    const flow = location.view === 'runs' ? location.flow : null;
    // The runs list survives a visit to the flows, so coming back keeps its scroll.
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
        config: this.config,
        activity: this.activity
      });
      this._runs.changed.connect(this._forward, this);
      void this._runs.reload();
    }
    this._changed.emit();
  }

  private _forward(): void {
    this._changed.emit();
  }

  /** Live updates: runs appeared or went, so counts and newest runs move. */
  private _onChanges(_: unknown, changes: IChanges): void {
    if (changes.resync || changes.flows.size) {
      this._liveTick();
    }
  }

  private _liveTick = coalesced(() => this._tick());

  private async _tick(): Promise<void> {
    if (!this._ready || this._disposed) {
      return;
    }
    try {
      this._namespaces = await api.namespaces(); // run counts in the dropdown
      if (this._location.view === 'flows') {
        const flows = await api.flows(this._namespace);
        this._flows = flows.flows;
      }
      this._changed.emit();
    } catch (error) {
      if (error instanceof ApiError && error.reason === 'network') {
        throw error; // let the poll back off while the server is away
      }
    }
  }

  private _poll: Poll;
  private _listening: IDisposable | null = null;
  private _ready = false;
  private _started = new PromiseDelegate<void>();
  private _namespaces: INamespaces | null = null;
  private _namespace: Namespace = null;
  private _flows: IFlow[] | null = null;
  private _flowsProblem: IProblem | null = null;
  private _location: Location = { view: 'flows' };
  private _runs: RunListModel | null = null;
  private _problem: IProblem | null = null;
  private _disposed = false;
  private _changed = new Signal<this, void>(this);
  private _namespaceChanged = new Signal<this, INamespaceChange>(this);
  private _early: { namespace: Namespace } | undefined = undefined;
}

function sameTags(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every(t => b.includes(t));
}
