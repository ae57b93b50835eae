import type { IDisposable } from '@lumino/disposable';
import { ISignal, Signal } from '@lumino/signaling';

import { api } from '../api';
import type { ICard, ICompare, Namespace } from '../types';
import { Activity } from './activity';
import type { Config } from './config';
import { IProblem, toProblem } from './errors';
import { coalesced, IChanges, touchesRun } from './live';

/** A card that every compared run's step holds (its only task's), to show side by side. */
export interface ICommonCard {
  step: string;
  /** One task per run, in the runs' order. */
  tasks: string[];
  type: string;
  id: string | null;
}

/** Card lists fetched at once (a comparison of 8 runs of 20 steps could ask 160). */
const CARD_REQUESTS_AT_ONCE = 2;

/** `items.map(fn)`, `limit` at a time. */
async function mapLimited<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<R>
): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]);
    }
  };
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, worker)
  );
  return out;
}

const sameCard = (a: ICard, b: ICard) => a.type === b.type && a.id === b.id;

/**
 * A comparison of runs (`GET compare`), re-read when one of its runs changes, and the
 * cards its steps share: a step whose only task has a card in the first run is asked for
 * in the others, and a card with the same type and id in all of them can open side by side.
 */
export class CompareModel implements IDisposable {
  constructor(options: {
    runs: readonly string[];
    namespace: Namespace;
    config: Config;
    activity?: Activity;
  }) {
    this.runs = [...options.runs];
    this.namespace = options.namespace;
    this.activity = options.activity ?? new Activity();
    this._config = options.config;
    const live = this._config.live;
    if (live) {
      this._listening = live.listen();
      live.changed.connect(this._onChanges, this);
    }
  }

  readonly runs: readonly string[];
  readonly namespace: Namespace;
  readonly activity: Activity;

  get changed(): ISignal<this, void> {
    return this._changed;
  }
  get answer(): ICompare | null {
    return this._answer;
  }
  get problem(): IProblem | null {
    return this._problem;
  }
  get loading(): boolean {
    return this._loading;
  }
  /** Show only the rows that differ (the default). */
  get onlyDifferences(): boolean {
    return this._onlyDifferences;
  }
  setOnlyDifferences(value: boolean): void {
    this._onlyDifferences = value;
    this._changed.emit();
  }
  /** The card every run's step shares, by step. */
  get cards(): ReadonlyMap<string, ICommonCard> {
    return this._cards;
  }
  get isDisposed(): boolean {
    return this._disposed;
  }

  async reload(): Promise<void> {
    this._loading = true;
    this._changed.emit();
    try {
      const answer = await this.activity.track(
        api.compare(this.runs, this.namespace)
      );
      if (this._disposed) {
        return;
      }
      this._answer = answer;
      this._problem = null;
      void this._findCards(answer);
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
    this._config.live?.changed.disconnect(this._onChanges, this);
    this._listening?.dispose();
    Signal.clearData(this);
  }

  private async _findCards(answer: ICompare): Promise<void> {
    const steps = answer.steps.filter(s => s.task.every(t => t !== null));
    const listCards = (task: string) =>
      this.activity
        .track(api.cards(task, this.namespace))
        .then(a => a.cards)
        .catch(() => [] as ICard[]);
    const firsts = await mapLimited(steps, CARD_REQUESTS_AT_ONCE, s =>
      listCards(s.task[0] as string)
    );
    const found = new Map<string, ICommonCard>();
    for (const [i, step] of steps.entries()) {
      if (!firsts[i].length || this._disposed) {
        continue;
      }
      const tasks = step.task as string[];
      const others = await mapLimited(
        tasks.slice(1),
        CARD_REQUESTS_AT_ONCE,
        listCards
      );
      const card = firsts[i].find(c =>
        others.every(o => o.some(x => sameCard(x, c)))
      );
      if (card) {
        found.set(step.name, {
          step: step.name,
          tasks,
          type: card.type,
          id: card.id
        });
      }
    }
    if (!this._disposed && this._answer === answer) {
      this._cards = found;
      this._changed.emit();
    }
  }

  private _onChanges(_: unknown, changes: IChanges): void {
    if (this._answer && this.runs.some(r => touchesRun(changes, r))) {
      this._liveReload();
    }
  }

  private _liveReload = coalesced(() => this.reload());
  private _answer: ICompare | null = null;
  private _problem: IProblem | null = null;
  private _loading = false;
  private _onlyDifferences = true;
  private _cards = new Map<string, ICommonCard>();
  private _config: Config;
  private _listening: IDisposable | null = null;
  private _disposed = false;
  private _changed = new Signal<this, void>(this);
}
