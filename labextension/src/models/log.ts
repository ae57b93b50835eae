/**
 * One log stream of a task, as the log view shows it: a window of numbered lines that ends
 * at the log's end (earlier lines loaded on demand), a search over the whole log on the
 * server (`GET logs?grep=`), a line to reveal (a jump, a match, the traceback), new lines
 * appended while the task runs.
 */
import { IDisposable } from '@lumino/disposable';
import { ISignal, Signal } from '@lumino/signaling';

import { api, ILogSelection } from '../api';
import type { ILogLine, ILogs, LogStream, Namespace } from '../types';
import { Activity } from './activity';
import type { Config } from './config';
import { IProblem, toProblem } from './errors';
import { firstMatchFrom, windows } from '../logRanges';

/** Lines shown first: the end of the log. */
export const FIRST_LINES = 1000;
/** Lines added by each "load earlier". */
export const EARLIER_LINES = 1000;
/** Lines loaded before a revealed line that was not loaded yet, so it is seen in context. */
export const CONTEXT_LINES = 100;
/** Where Python's traceback starts: a failed task opens on the last one in its stderr. */
export const TRACEBACK = 'Traceback (most recent call last):';

/** A search over the whole log. */
export interface ILogSearch {
  text: string;
  caseSensitive: boolean;
  /** Numbers of the matching lines (at most the server's `max_log_tail` of them). */
  lines: number[];
  /** Matching lines in the whole log (more than `lines` holds when capped). */
  matches: number;
  /** Index in `lines` of the current match, -1 for none. */
  current: number;
  loading: boolean;
  problem: IProblem | null;
}

/** A line the view should scroll to; `seq` changes with every request, even for one line. */
export interface ILogTarget {
  n: number;
  seq: number;
  why: 'line' | 'match' | 'traceback';
}

export class LogModel implements IDisposable {
  constructor(options: {
    pathspec: string;
    stream: LogStream;
    namespace: Namespace;
    config: Config;
    activity: Activity;
  }) {
    this.pathspec = options.pathspec;
    this.stream = options.stream;
    this.namespace = options.namespace;
    this._config = options.config;
    this._activity = options.activity;
  }

  readonly pathspec: string;
  readonly stream: LogStream;
  readonly namespace: Namespace;

  get changed(): ISignal<this, void> {
    return this._changed;
  }
  /** The loaded lines, consecutive, ending at the log's end. */
  get lines(): readonly ILogLine[] {
    return this._lines;
  }
  /** Number of the first loaded line (the line after the last when none is loaded). */
  get first(): number {
    return this._lines.length ? this._lines[0].n! : (this._total ?? 0) + 1;
  }
  /** Number of the last loaded line (0 when none). */
  get last(): number {
    return this.first + this._lines.length - 1;
  }
  /** Lines in the whole log, when known. */
  get total(): number | null {
    return this._total;
  }
  /** Lines before the first loaded one. */
  get earlier(): number {
    return this.first - 1;
  }
  /** The task ended: no more lines will come. */
  get finished(): boolean {
    return this._finished;
  }
  get loaded(): boolean {
    return this._loaded;
  }
  get loading(): boolean {
    return this._loading > 0;
  }
  get problem(): IProblem | null {
    return this._problem;
  }
  get search(): ILogSearch | null {
    return this._search;
  }
  get target(): ILogTarget | null {
    return this._target;
  }
  /** The whole log as a file the browser saves. */
  get downloadUrl(): string {
    return api.logDownloadUrl(this.pathspec, this.stream, this.namespace);
  }
  get isDisposed(): boolean {
    return this._disposed;
  }

  /** Load the end of the log (again), dropping earlier lines loaded before. */
  async load(): Promise<void> {
    const epoch = ++this._epoch;
    await this._track(async () => {
      await this._config.loadLimits(); // request sizes are clamped to them
      const tail = this._config.logLines(FIRST_LINES);
      let answer = await this._ask({ tail });
      if (answer.lines.some(line => line.n === null)) {
        // A remote log not counted yet: a selection walks it whole and numbers every line.
        answer = await this._ask({ from: 1, tail });
      }
      if (epoch === this._epoch) {
        this._lines = answer.lines;
        this._take(answer);
      }
    });
  }

  /** Load `count` lines before the first loaded one. */
  loadEarlier(count = EARLIER_LINES): Promise<void> {
    return this._track(() => this._loadFrom(this.first - count));
  }

  /** Scroll to line `n` (loading the lines before it when needed). */
  async reveal(n: number, why: ILogTarget['why'] = 'line'): Promise<void> {
    const line = Math.max(1, Math.min(Math.floor(n), this._total ?? n));
    if (line < this.first) {
      await this._track(() => this._loadFrom(line - CONTEXT_LINES));
    }
    this._target = { n: line, seq: ++this._targetSeq, why };
    this._emit();
  }

  /**
   * Search the whole log for `text` (case-insensitive unless told), then reveal the first
   * match at or after line `from` (the top of the view).
   */
  async find(text: string, caseSensitive = false, from = 1): Promise<void> {
    const seq = ++this._searchSeq;
    if (!text) {
      this._search = null;
      this._emit();
      return;
    }
    const pending: ILogSearch = {
      text,
      caseSensitive,
      lines: [],
      matches: 0,
      current: -1,
      loading: true,
      problem: null
    };
    this._search = pending;
    this._emit();
    try {
      const answer = await this._activity.track(
        this._ask({
          grep: text,
          grepCase: caseSensitive,
          count: this._config.logLines(Number.MAX_SAFE_INTEGER)
        })
      );
      if (seq !== this._searchSeq) {
        return;
      }
      const lines = answer.lines.map(line => line.n!);
      const current = firstMatchFrom(lines, from);
      this._search = {
        ...pending,
        lines,
        matches: answer.matches ?? lines.length,
        current,
        loading: false
      };
      this._take(answer);
      this._emit();
      if (current >= 0) {
        await this.reveal(lines[current], 'match');
      }
    } catch (error) {
      if (seq === this._searchSeq) {
        this._search = {
          ...pending,
          loading: false,
          problem: toProblem(error)
        };
        this._emit();
      }
    }
  }

  /** The next (`step` 1) or previous (-1) match, wrapping around. */
  async step(step: 1 | -1): Promise<void> {
    const search = this._search;
    if (!search || !search.lines.length) {
      return;
    }
    const count = search.lines.length;
    const current = (search.current + step + count) % count;
    this._search = { ...search, current };
    await this.reveal(search.lines[current], 'match');
  }

  /** Reveal the last Python traceback of the log; false when it has none. */
  async revealTraceback(): Promise<boolean> {
    try {
      const answer = await this._ask({ grep: TRACEBACK, tail: 1 });
      const n = answer.lines[0]?.n;
      if (n) {
        await this.reveal(n, 'traceback');
        return true;
      }
    } catch {
      // the log itself says what is wrong when it loads
    }
    return false;
  }

  /** Fetch lines written since the last loaded one (following a running task). */
  async appendNew(): Promise<void> {
    if (!this._loaded) {
      return this.load();
    }
    const epoch = this._epoch;
    const last = this.last;
    let answer: ILogs;
    try {
      answer = await this._ask({
        from: last + 1,
        count: this._config.logLines(Number.MAX_SAFE_INTEGER)
      });
    } catch (error) {
      this._problem = toProblem(error);
      this._emit();
      return;
    }
    if (epoch !== this._epoch || last !== this.last) {
      return; // reloaded meanwhile
    }
    if (answer.total_lines !== null && answer.total_lines < last) {
      return this.load(); // a new attempt started a new log
    }
    if (answer.lines.length) {
      this._lines = this._lines.concat(answer.lines);
    }
    this._take(answer);
  }

  dispose(): void {
    if (this._disposed) {
      return;
    }
    this._disposed = true;
    Signal.clearData(this);
  }

  /** Load the lines from line `from` up to the first loaded one, a window at a time. */
  private async _loadFrom(from: number): Promise<void> {
    const epoch = this._epoch;
    const first = this.first;
    const max = this._config.logLines(Number.MAX_SAFE_INTEGER);
    const earlier: ILogLine[] = [];
    for (const window of windows(from, first - 1, max)) {
      const answer = await this._ask(window);
      earlier.push(...answer.lines);
      if (answer.lines.length < window.count) {
        break;
      }
    }
    if (epoch === this._epoch && first === this.first) {
      this._lines = earlier.concat(this._lines);
      this._emit();
    }
  }

  private _ask(selection: ILogSelection): Promise<ILogs> {
    return api.logs(this.pathspec, this.stream, this.namespace, selection);
  }

  /** What every answer tells about the whole log. */
  private _take(answer: ILogs): void {
    if (answer.total_lines !== null) {
      this._total = answer.total_lines;
    }
    this._finished = answer.finished;
    this._emit();
  }

  /** Run a load with the log's loading state and problem, and the tab's progress bar. */
  private async _track(load: () => Promise<void>): Promise<void> {
    this._loading++;
    this._emit();
    try {
      await this._activity.track(load());
      this._problem = null;
    } catch (error) {
      this._problem = toProblem(error);
    } finally {
      this._loading--;
      this._loaded = true;
      this._emit();
    }
  }

  private _emit(): void {
    if (!this._disposed) {
      this._changed.emit();
    }
  }

  private _config: Config;
  private _activity: Activity;
  private _lines: ILogLine[] = [];
  private _total: number | null = null;
  private _finished = false;
  private _loaded = false;
  private _loading = 0;
  private _problem: IProblem | null = null;
  private _search: ILogSearch | null = null;
  private _searchSeq = 0;
  private _target: ILogTarget | null = null;
  private _targetSeq = 0;
  /** Grows with every reload: answers to older requests are dropped. */
  private _epoch = 0;
  private _disposed = false;
  private _changed = new Signal<this, void>(this);
}
