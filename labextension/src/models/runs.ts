import { IDisposable } from '@lumino/disposable';
import type { Poll } from '@lumino/polling';
import { ISignal, Signal } from '@lumino/signaling';

import { ApiError, api } from '../api';
import type { IRun, IRunPage, ITagCount, Namespace } from '../types';
import { Activity } from './activity';
import type { Config } from './config';
import { IProblem, toProblem } from './errors';

/** Construction options of a {@link RunListModel}. */
export interface IRunListOptions {
  flow: string;
  namespace: Namespace;
  tags?: string[];
  config: Config;
  /** Shared with the view that shows one progress bar; a new one by default. */
  activity?: Activity;
}

/** Runs asked for when looking for new ones (at most a page). */
const CHECK_SIZE = 100;

/**
 * The runs of one flow in one namespace carrying every tag of the filter, newest
 * first, fetched page by page as the table scrolls (`Flow(F).runs(*tags)`).
 */
export class RunListModel implements IDisposable {
  constructor(options: IRunListOptions) {
    this.flow = options.flow;
    this.namespace = options.namespace;
    this._tags = options.tags ?? [];
    this._config = options.config;
    this.activity = options.activity ?? new Activity();
    // Look for new runs every refresh interval while the list is shown.
    this._poll = this._config.refreshPoll('jupyter-mfns:new-runs', () =>
      this._checkTick()
    );
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

  /** Append the next page, if any and if none is loading. */
  async loadMore(): Promise<void> {
    if (this._loading || this._cursor === null || this._disposed) {
      return;
    }
    const generation = this._generation;
    this._loading = true;
    this._changed.emit();
    try {
      const page = await this.activity.track(this._page(this._cursor));
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
   * Look for runs newer than the first row without disturbing the table, and
   * update the status of loaded runs that were still running.
   */
  async checkForNew(): Promise<void> {
    if (this._loading || this._disposed || this._problem) {
      return;
    }
    const generation = this._generation;
    const page = await this._page(null, CHECK_SIZE);
    if (generation !== this._generation || this._disposed) {
      return;
    }
    const known = new Map(this._rows.map((r, i) => [r.pathspec, i]));
    let count = 0;
    for (const run of page.runs) {
      if (known.has(run.pathspec)) {
        break;
      }
      count += 1;
    }
    let updated = false;
    for (const run of page.runs) {
      const index = known.get(run.pathspec);
      if (index !== undefined && this._rows[index].status !== run.status) {
        this._rows = this._rows.map((r, i) => (i === index ? run : r));
        updated = true;
      }
    }
    const atLeast = count === page.runs.length && page.next_cursor !== null;
    if (
      updated ||
      count !== this._newRuns ||
      atLeast !== this._newRunsAtLeast
    ) {
      this._newRuns = count;
      this._newRunsAtLeast = atLeast;
      this._changed.emit();
    }
  }

  /** Put a run's new tags in place after an edit. */
  updateTags(pathspec: string, tags: string[], systemTags: string[]): void {
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
    void this.loadSuggestions();
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
    Signal.clearData(this);
  }

  /** One page of runs, at most `max` (and at most the server's page size). */
  private async _page(
    cursor: string | null,
    max = Infinity
  ): Promise<IRunPage> {
    await this._config.loadLimits(); // the page size is clamped to them
    const size = Math.min(this._config.pageSize, max);
    return api.runs(this.flow, this.namespace, this._tags, size, cursor);
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
