import type { IDisposable } from '@lumino/disposable';
import type { Poll } from '@lumino/polling';
import { ISignal, Signal } from '@lumino/signaling';

import { ApiError, api } from '../api';
import type { IRun, IRunPage, ITagCount, Namespace } from '../types';
import { Activity } from './activity';
import type { Config } from './config';
import { IProblem, toProblem } from './errors';
import { coalesced, IChanges, touchesFlow } from './live';

/** Construction options of a {@link RunListModel}. */
export interface IRunListOptions {
  flow: string;
  namespace: Namespace;
  tags?: string[];
  /** The server's order (`sort` of `GET runs`); `null`: newest first. */
  sort?: string | null;
  config: Config;
  /** Shared with the view that shows one progress bar; a new one by default. */
  activity?: Activity;
}

/** Runs asked for when looking for new ones (at most a page). */
const CHECK_SIZE = 100;
/** Changed runs further down the list re-read one by one, at most this many at once. */
const MAX_REREAD = 20;

/**
 * The runs of one flow in one namespace carrying every tag of the filter, newest
 * first, fetched page by page as the table scrolls (`Flow(F).runs(*tags)`).
 */
export class RunListModel implements IDisposable {
  constructor(options: IRunListOptions) {
    this.flow = options.flow;
    this.namespace = options.namespace;
    this._tags = options.tags ?? [];
    this._sort = options.sort ?? null;
    this._config = options.config;
    this.activity = options.activity ?? new Activity();
    // Live updates show changes as they happen; the poll is the safety net under them.
    this._poll = this._config.refreshPoll('jupyter-mfns:new-runs', () =>
      this._checkTick()
    );
    const live = this._config.live;
    if (live) {
      this._listening = live.listen();
      live.changed.connect(this._onChanges, this);
    }
  }

  readonly activity: Activity;

  readonly flow: string;
  readonly namespace: Namespace;

  /** Emitted whenever rows, filter, loading state or errors change. */
  get changed(): ISignal<this, void> {
    return this._changed;
  }

  get tags(): readonly string[] {
    return this._tags;
  }
  /** The server's order (`-param:alpha`), `null` for newest first. */
  get sort(): string | null {
    return this._sort;
  }
  get rows(): readonly IRun[] {
    return this._rows;
  }
  /** Runs matching the filter on every page; `null` before the first answer. */
  get total(): number | null {
    return this._total;
  }
  get hasMore(): boolean {
    return this._cursor !== null;
  }
  get loading(): boolean {
    return this._loading;
  }
  get problem(): IProblem | null {
    return this._problem;
  }
  /** Runs newer than the first row that the last check found; `0` when none. */
  get newRuns(): number {
    return this._newRuns;
  }
  /** The first check page was full of unknown runs: there may be even more. */
  get newRunsAtLeast(): boolean {
    return this._newRunsAtLeast;
  }
  /** Pathspecs that appeared at the last refresh, to highlight them. */
  get fresh(): ReadonlySet<string> {
    return this._fresh;
  }
  /** Tags used by runs of this flow in the namespace, most used first. */
  get suggestions(): readonly ITagCount[] {
    return this._suggestions;
  }
  get isDisposed(): boolean {
    return this._disposed;
  }

  /** Order the runs differently (on the server) and reload. */
  setSort(sort: string | null): Promise<void> {
    if (sort === this._sort) {
      return Promise.resolve();
    }
    this._sort = sort;
    this._rows = [];
    return this.reload();
  }

  /** Replace the tag filter (runs must carry all of them) and reload. */
  setTags(tags: string[]): Promise<void> {
    this._tags = [...new Set(tags)];
    return this.reload();
  }
  addTag(tag: string): Promise<void> {
    return this._tags.includes(tag)
      ? Promise.resolve()
      : this.setTags([...this._tags, tag]);
  }
  removeTag(tag: string): Promise<void> {
    return this.setTags(this._tags.filter(t => t !== tag));
  }

  /** Fetch the first page again; runs not seen before are marked fresh. */
  async reload(markFresh = false): Promise<void> {
    const known = new Set(this._rows.map(r => r.pathspec));
    const generation = ++this._generation;
    this._loading = true;
    this._problem = null;
    this._cursor = null;
    this._changed.emit();
    try {
      const page = await this.activity.track(this._page(null));
      if (generation !== this._generation || this._disposed) {
        return;
      }
      this._rows = page.runs;
      this._total = page.total;
      this._cursor = page.next_cursor;
      this._newRuns = 0;
      this._newRunsAtLeast = false;
      this._fresh = markFresh
        ? new Set(page.runs.map(r => r.pathspec).filter(p => !known.has(p)))
        : new Set();
    } catch (error) {
      if (generation === this._generation) {
        this._rows = [];
        this._total = null;
        this._problem = toProblem(error);
      }
    } finally {
      if (generation === this._generation) {
        this._loading = false;
        this._changed.emit();
      }
    }
    if (markFresh || this._suggestions.length === 0) {
      void this.loadSuggestions(); // the tags of the namespace, not of the filter
    }
    if (!this._disposed) {
      void this._poll.start();
    }
  }

  /** Append the next page (of up to `wanted` runs), if any and if none is loading. */
  async loadMore(wanted?: number): Promise<void> {
    if (this._loading || this._cursor === null || this._disposed) {
      return;
    }
    const generation = this._generation;
    this._loading = true;
    this._changed.emit();
    try {
      const page = await this.activity.track(
        this._page(this._cursor, undefined, wanted)
      );
      if (generation !== this._generation || this._disposed) {
        return;
      }
      const seen = new Set(this._rows.map(r => r.pathspec));
      this._rows = [
        ...this._rows,
        ...page.runs.filter(r => !seen.has(r.pathspec))
      ];
      this._total = page.total;
      this._cursor = page.next_cursor;
    } catch (error) {
      if (generation === this._generation) {
        this._problem = toProblem(error);
      }
    } finally {
      if (generation === this._generation) {
        this._loading = false;
        this._changed.emit();
      }
    }
  }

  /**
   * Load pages until row `index` is loaded (a scroll far down, or End), asking for the
   * largest pages the server allows while far from it. A later call moves the target.
   */
  async loadUntil(index: number): Promise<void> {
    this._target = Math.max(this._target, index);
    if (this._filling) {
      return;
    }
    this._filling = true;
    try {
      while (
        !this._disposed &&
        this._cursor !== null &&
        !this._problem &&
        this._rows.length <= this._target
      ) {
        const before = this._rows.length;
        const gap = this._target - before + 1;
        await this.loadMore(gap);
        if (this._rows.length === before && !this._loading) {
          break; // nothing new (a concurrent reload): the next scroll asks again
        }
      }
    } finally {
      this._filling = false;
      this._target = -1;
    }
  }

  /**
   * Bring the list up to date without disturbing it: runs that appeared show at the top
   * (newest first) or are counted (other orders), loaded runs take their new status and
   * tags, runs that no longer carry the filter's tags leave.
   *
   * @param changed - runs (`F/R`) known to have changed; those further down than the
   *   first page are read again one by one.
   */
  async checkForNew(changed: ReadonlySet<string> = new Set()): Promise<void> {
    if (this._loading || this._disposed || this._problem) {
      return;
    }
    const generation = this._generation;
    const page = await this._page(null, CHECK_SIZE);
    if (generation !== this._generation || this._disposed || this._loading) {
      return;
    }
    const fresh = new Map(page.runs.map(r => [r.pathspec, r]));
    const known = new Set(this._rows.map(r => r.pathspec));
    const unknown = page.runs.filter(r => !known.has(r.pathspec));
    let rows: IRun[];
    let added: IRun[] = [];
    let counted = 0;
    if (this._rows.length <= page.runs.length) {
      // A short list is simply the first page again: new runs in place, gone runs gone.
      rows = page.runs;
      added = unknown;
      this._cursor = page.next_cursor;
    } else {
      rows = this._rows.map(r => fresh.get(r.pathspec) ?? r);
      if (this._sort === null) {
        // Newest first: the runs above the first known one are new; they go on top.
        const firstKnown = page.runs.findIndex(r => known.has(r.pathspec));
        added = page.runs.slice(
          0,
          firstKnown < 0 ? page.runs.length : firstKnown
        );
        rows = [...added, ...rows];
      } else {
        counted = unknown.length; // their place is the server's to say: offer a reload
      }
    }
    const reread = [...changed].filter(
      p => p.startsWith(`${this.flow}/`) && !fresh.has(p) && known.has(p)
    );
    this._rows = rows;
    this._total = page.total;
    if (added.length) {
      this._fresh = new Set(added.map(r => r.pathspec));
    }
    this._newRuns = counted;
    this._newRunsAtLeast =
      counted === page.runs.length && page.next_cursor !== null;
    this._changed.emit();
    await this._reread(reread.slice(0, MAX_REREAD), generation);
  }

  /** Read changed runs again; a run that left the filter leaves the list. */
  private async _reread(
    pathspecs: string[],
    generation: number
  ): Promise<void> {
    const answers = await Promise.all(
      pathspecs.map(p => api.object(p, this.namespace).catch(() => null))
    );
    if (generation !== this._generation || this._disposed) {
      return;
    }
    let rows = this._rows;
    for (const [i, pathspec] of pathspecs.entries()) {
      const run = answers[i]?.run;
      const keep =
        run &&
        this._tags.every(t => [...run.tags, ...run.system_tags].includes(t));
      rows = keep
        ? rows.map(r => (r.pathspec === pathspec ? { ...r, ...run } : r))
        : rows.filter(r => r.pathspec !== pathspec);
      if (!keep && this._total !== null) {
        this._total = Math.max(0, this._total - 1);
      }
    }
    if (rows !== this._rows) {
      this._rows = rows;
      this._changed.emit();
    }
  }

  /** Put a run's new tags in place after an edit (and refresh the tags to suggest). */
  updateTags(
    pathspec: string,
    tags: string[],
    systemTags: string[],
    suggest = true
  ): void {
    let hit = false;
    this._rows = this._rows.map(r => {
      if (r.pathspec !== pathspec) {
        return r;
      }
      hit = true;
      return { ...r, tags, system_tags: systemTags };
    });
    if (hit) {
      this._changed.emit();
    }
    if (suggest) {
      void this.loadSuggestions();
    }
  }

  /** Fetch the tags used in this namespace and flow, for autocomplete. */
  async loadSuggestions(): Promise<void> {
    try {
      const tags = await api.tags(this.namespace, this.flow);
      if (!this._disposed) {
        this._suggestions = tags.tags;
        this._changed.emit();
      }
    } catch {
      // Autocomplete is a convenience: the filter still takes any typed tag.
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

  /**
   * One page of runs: the page size setting, at most `max`; up to `wanted` (a jump far
   * down) within the server's largest page.
   */
  private async _page(
    cursor: string | null,
    max = Infinity,
    wanted = 0
  ): Promise<IRunPage> {
    const limits = await this._config.loadLimits(); // the page size is clamped to them
    const largest = limits?.max_page_size ?? this._config.pageSize;
    const size = Math.min(
      Math.max(this._config.pageSize, Math.min(wanted, largest)),
      max
    );
    return api.runs(
      this.flow,
      this.namespace,
      this._tags,
      size,
      cursor,
      this._sort
    );
  }

  /** Live updates: re-check when this flow's runs changed (one check at a time). */
  private _onChanges(_: unknown, changes: IChanges): void {
    if (touchesFlow(changes, this.flow)) {
      changes.runs.forEach(run => this._changedRuns.add(run));
      this._liveCheck();
    }
  }

  private _liveCheck = coalesced(async () => {
    const changed = this._changedRuns;
    this._changedRuns = new Set();
    await this._whenIdle(); // a page on its way would make the check moot
    if (this._problem) {
      await this.reload(true); // e.g. the flow's first run in this namespace
    } else {
      await this.checkForNew(changed);
    }
  });

  /** Resolves once no page is loading. */
  private _whenIdle(): Promise<void> {
    if (!this._loading || this._disposed) {
      return Promise.resolve();
    }
    return new Promise(resolve => {
      const check = () => {
        if (!this._loading || this._disposed) {
          this._changed.disconnect(check);
          resolve();
        }
      };
      this._changed.connect(check);
    });
  }

  private async _checkTick(): Promise<void> {
    try {
      await this.checkForNew();
    } catch (error) {
      if (error instanceof ApiError && error.reason === 'network') {
        throw error; // let the poll back off while the server is away
      }
    }
  }

  private _sort: string | null;
  private _listening: IDisposable | null = null;
  private _changedRuns = new Set<string>();
  private _target = -1;
  private _filling = false;

  private _tags: string[];
  private _config: Config;
  private _poll: Poll;
  private _rows: IRun[] = [];
  private _total: number | null = null;
  private _cursor: string | null = null;
  private _loading = false;
  private _problem: IProblem | null = null;
  private _newRuns = 0;
  private _newRunsAtLeast = false;
  private _fresh: ReadonlySet<string> = new Set();
  private _suggestions: ITagCount[] = [];
  private _generation = 0;
  private _disposed = false;
  private _changed = new Signal<this, void>(this);
}
