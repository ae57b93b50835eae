import { IDisposable } from '@lumino/disposable';
import { ISignal, Signal } from '@lumino/signaling';

import { api } from '../api';
import type { ICard, Namespace } from '../types';
import { Activity } from './activity';
import { CardModel } from './card';
import { IProblem, toProblem } from './errors';

/** A task's cards, and the one shown (with its live updates) in the task's view. */
export class CardsModel implements IDisposable {
  constructor(options: {
    pathspec: string;
    namespace: Namespace;
    activity?: Activity;
  }) {
    this.pathspec = options.pathspec;
    this.namespace = options.namespace;
    this.activity = options.activity ?? new Activity();
  }

  readonly pathspec: string;
  readonly namespace: Namespace;
  readonly activity: Activity;

  /** Emitted when the list or the shown card changes. */
  get changed(): ISignal<this, void> {
    return this._changed;
  }
  /** `null` until listed. */
  get cards(): readonly ICard[] | null {
    return this._cards;
  }
  get originTask(): string | null {
    return this._origin;
  }
  get problem(): IProblem | null {
    return this._problem;
  }
  /** The card shown, once one is chosen (the first by default). */
  get selected(): CardModel | null {
    return this._selected;
  }
  get isDisposed(): boolean {
    return this._disposed;
  }

  async load(): Promise<void> {
    try {
      const listing = await this.activity.track(
        api.cards(this.pathspec, this.namespace)
      );
      this._cards = listing.cards;
      this._origin = listing.origin_task;
      this._problem = null;
    } catch (error) {
      this._problem = toProblem(error);
    }
    const kept = this._selected;
    const first = this._cards?.[0];
    if (this._disposed) {
      return;
    }
    if (kept && this._cards?.some(c => c.hash === kept.choice.hash)) {
      void kept.load(); // read the shown card again too
    } else if (first) {
      this.select(first.hash);
    }
    this._emit();
  }

  /** Show this card (the previous one stops following its task). */
  select(hash: string): void {
    if (this._selected?.choice.hash === hash) {
      return;
    }
    this._selected?.dispose();
    const card = new CardModel({
      pathspec: this.pathspec,
      namespace: this.namespace,
      choice: { hash },
      activity: this.activity
    });
    card.changed.connect(this._emit, this);
    this._selected = card;
    void card.load();
    this._emit();
  }

  dispose(): void {
    if (this._disposed) {
      return;
    }
    this._disposed = true;
    this._selected?.dispose();
    Signal.clearData(this);
  }

  private _emit(): void {
    if (!this._disposed) {
      this._changed.emit();
    }
  }

  private _cards: ICard[] | null = null;
  private _origin: string | null = null;
  private _problem: IProblem | null = null;
  private _selected: CardModel | null = null;
  private _disposed = false;
  private _changed = new Signal<this, void>(this);
}
