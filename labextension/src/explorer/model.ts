/**
 * The runs explorer's state for one tab: the runs (a {@link RunListModel}, sorted on the
 * server), the selection, the columns the user chose (saved in the state database), and
 * the bulk tag edit in progress.
 */
import type { IStateDB } from '@jupyterlab/statedb';
import type { IDisposable } from '@lumino/disposable';
import type { ReadonlyJSONObject } from '@lumino/coreutils';
import { ISignal, Signal } from '@lumino/signaling';

import { api } from '../api';
import type { Config } from '../models/config';
import { RunListModel } from '../models/runs';
import type { IRun, Namespace } from '../types';
import {
  applyPlan,
  IRunOutcome,
  ITagPlan,
  planTagChange,
  TagOp
} from './bulkTags';
import {
  allColumns,
  DEFAULT_PREFS,
  IColumn,
  IColumnPrefs,
  isShown,
  ISort,
  parameterNames,
  parseSort,
  readPrefs,
  sortQuery
} from './columns';
import { Selection } from './selection';

/** Where the column choice is kept (one choice for every flow's explorer). */
export const PREFS_KEY = 'jupyter-mfns:explorer-columns';

/** A bulk tag edit: its plan, how far it got, and each run's outcome once done. */
export interface IBulkJob {
  readonly plan: ITagPlan;
  readonly done: number;
  readonly outcomes: readonly IRunOutcome[] | null;
}

export class ExplorerModel implements IDisposable {
  constructor(options: {
    flow: string;
    namespace: Namespace;
    tags: string[];
    sort: string | null;
    config: Config;
    state: IStateDB | null;
    /** A run's tags changed here: lists elsewhere show it. */
    runUpdated: (run: IRun) => void;
  }) {
    this.runs = new RunListModel({
      flow: options.flow,
      namespace: options.namespace,
      tags: options.tags,
      sort: options.sort,
      config: options.config
    });
    this._state = options.state;
    this._runUpdated = options.runUpdated;
    this.runs.changed.connect(this._onRuns, this);
    void options.config.serverSorts().then(sorts => {
      this._serverSorts = sorts;
      this._changed.emit();
    });
    void this._loadPrefs();
  }

  readonly runs: RunListModel;

  /** Emitted when the selection, columns, sort support or a bulk job change. */
  get changed(): ISignal<this, void> {
    return this._changed;
  }
  get selection(): Selection {
    return this._selection;
  }
  get prefs(): IColumnPrefs {
    return this._prefs;
  }
  get sort(): ISort {
    return parseSort(this.runs.sort);
  }
  /** The server sorts listings (`sort=`); `false` until it says so. */
  get serverSorts(): boolean {
    return this._serverSorts;
  }
  get job(): IBulkJob | null {
    return this._job;
  }
  get isDisposed(): boolean {
    return this._disposed;
  }

  /** Every column offered: the built-in ones and one per parameter the runs carry. */
  get columns(): IColumn[] {
    return allColumns(this._parameters);
  }
  /** The columns shown, in order. */
  get shownColumns(): IColumn[] {
    return this.columns.filter(c => isShown(c, this._prefs));
  }

  /** The loaded runs that are selected, in list order. */
  get selectedRuns(): IRun[] {
    return this.runs.rows.filter(r => this._selection.has(r.pathspec));
  }

  select(change: (s: Selection, order: readonly string[]) => Selection): void {
    const next = change(this._selection, this._order);
    if (next !== this._selection) {
      this._selection = next;
      this._changed.emit();
    }
  }

  /** The user's column choice (kept for later sessions). */
  setPrefs(prefs: IColumnPrefs, save = true): void {
    this._prefs = prefs;
    this._changed.emit();
    if (save) {
      void this._state?.save(PREFS_KEY, prefs as unknown as ReadonlyJSONObject);
    }
  }

  setSort(sort: ISort): void {
    this._selection = Selection.empty;
    void this.runs.setSort(sortQuery(sort));
  }

  /** What adding or removing `tag` on the selected runs would change. */
  plan(op: TagOp, tag: string): ITagPlan {
    return planTagChange(this.selectedRuns, op, tag);
  }

  /**
   * Carry out a plan run by run; each run's new tags show as it is done. Resolves to
   * every run's outcome (failures included); never rejects.
   */
  async apply(plan: ITagPlan): Promise<readonly IRunOutcome[]> {
    this._job = { plan, done: 0, outcomes: null };
    this._changed.emit();
    const { namespace } = this.runs;
    const outcomes = await applyPlan(
      plan,
      (pathspec, add, remove) =>
        api.mutateTags(pathspec, namespace, add, remove),
      (outcome, done) => {
        if (outcome.result) {
          const { pathspec, tags, system_tags } = outcome.result;
          this.runs.updateTags(pathspec, tags, system_tags, false);
          const row = this.runs.rows.find(r => r.pathspec === pathspec);
          if (row) {
            this._runUpdated(row);
          }
        }
        this._job = { plan, done, outcomes: null };
        this._changed.emit();
      }
    );
    this._job = { plan, done: outcomes.length, outcomes };
    this._changed.emit();
    void this.runs.loadSuggestions();
    return outcomes;
  }

  /** Forget the last job's report. */
  dismissJob(): void {
    if (this._job?.outcomes) {
      this._job = null;
      this._changed.emit();
    }
  }

  dispose(): void {
    if (this._disposed) {
      return;
    }
    this._disposed = true;
    this.runs.dispose();
    Signal.clearData(this);
  }

  private _onRuns(): void {
    const rows = this.runs.rows;
    if (rows !== this._rows) {
      this._rows = rows;
      this._order = rows.map(r => r.pathspec);
      this._selection = this._selection.retain(new Set(this._order));
      const names = parameterNames(rows);
      if (names.join('\n') !== this._parameters.join('\n')) {
        this._parameters = names;
      }
    }
    this._changed.emit();
  }

  private async _loadPrefs(): Promise<void> {
    if (!this._state) {
      return;
    }
    try {
      const saved = await this._state.fetch(PREFS_KEY);
      if (!this._disposed && saved) {
        this.setPrefs(readPrefs(saved), false);
      }
    } catch {
      // No saved choice: the defaults.
    }
  }

  private _state: IStateDB | null;
  private _runUpdated: (run: IRun) => void;
  private _selection = Selection.empty;
  private _prefs: IColumnPrefs = DEFAULT_PREFS;
  private _serverSorts = false;
  private _job: IBulkJob | null = null;
  private _rows: readonly IRun[] = [];
  private _order: string[] = [];
  private _parameters: string[] = [];
  private _disposed = false;
  private _changed = new Signal<this, void>(this);
}
