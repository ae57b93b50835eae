import { IDisposable } from '@lumino/disposable';
import { Poll } from '@lumino/polling';
import { ISignal, Signal } from '@lumino/signaling';

import { api } from '../api';
import {
  dataMessage,
  ICardDataMessage,
  ICardReply,
  sandboxedDocument
} from '../cardProtocol';
import type { ICard, Namespace, Status } from '../types';
import { Activity } from './activity';
import { choiceLabel, ICardChoice, pickCard } from './cardChoice';
import { IProblem, toProblem } from './errors';

/** How often a live card asks for new data while its task runs (and it is visible). */
export const LIVE_MS = 2000;

/**
 * One card of a task: its page (HTML) and, while the task runs, its live data, fetched every
 * couple of seconds while the card is visible and handed to the page (see cardProtocol.ts);
 * when the task ends, the final page once, and no more requests.
 */
export class CardModel implements IDisposable {
  constructor(options: {
    pathspec: string;
    namespace: Namespace;
    choice?: ICardChoice;
    activity?: Activity;
  }) {
    this.pathspec = options.pathspec;
    this.namespace = options.namespace;
    this.choice = options.choice ?? {};
    this.activity = options.activity ?? new Activity();
    this._poll = new Poll({
      auto: false,
      factory: () => this._tick(),
      frequency: { interval: LIVE_MS, backoff: false },
      name: 'jupyter-mfns:live-card',
      standby: () => document.hidden || !this._visible()
    });
  }

  readonly pathspec: string;
  readonly namespace: Namespace;
  readonly activity: Activity;
  /** Which card to show; set before `load` (side by side: the first column's card). */
  choice: ICardChoice;

  get changed(): ISignal<this, void> {
    return this._changed;
  }
  /** A data update to hand to the card page (the frame posts it once it is loaded). */
  get updated(): ISignal<this, ICardDataMessage> {
    return this._updated;
  }
  get card(): ICard | null {
    return this._card;
  }
  /** The task whose cards these are when the task was cloned by resume. */
  get originTask(): string | null {
    return this._origin;
  }
  /** The frame's `srcdoc`: the card's HTML and the protocol's listener. */
  get document(): string | null {
    return this._document;
  }
  get status(): Status | null {
    return this._status;
  }
  /** Updates are followed (the task runs). */
  get live(): boolean {
    return this._live;
  }
  get problem(): IProblem | null {
    return this._problem;
  }
  get isDisposed(): boolean {
    return this._disposed;
  }

  /** Whether the card is on screen (set by its frame): a hidden card asks for nothing. */
  setVisibility(visible: () => boolean): void {
    this._visible = visible;
  }

  /** Find the card, fetch its page and its task's status; follow it while the task runs. */
  async load(): Promise<void> {
    this._problem = null;
    this._changed.emit();
    try {
      const listing = await this.activity.track(
        api.cards(this.pathspec, this.namespace)
      );
      const card = pickCard(listing.cards, this.choice);
      if (!card) {
        throw new Error(
          `${this.pathspec} has no ${choiceLabel(this.choice)}` +
            (listing.cards.length ? '.' : ' (it has no cards at all).')
        );
      }
      this._card = card;
      this._origin = listing.origin_task;
      const [html, data] = await this.activity.track(
        Promise.all([
          api.cardHtml(this.pathspec, card.hash, this.namespace),
          api.cardData(this.pathspec, card.hash, this.namespace)
        ])
      );
      this._setHtml(html);
      this._status = data.status;
      this._lastData = data.payload?.created_on ?? null;
      this._setLive(!data.finished);
    } catch (error) {
      this._problem = toProblem(error);
      this._setLive(false);
    }
    this._emit();
  }

  /** What the page answered to update `seq` (replies to older updates are stale). */
  onReply(reply: ICardReply): void {
    if (reply.seq !== this._seq || this._answered === reply.seq) {
      return;
    }
    this._answered = reply.seq;
    if (reply.type === 'card-reload') {
      void this._reloadHtml();
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

  private _setHtml(html: string): void {
    if (html !== this._html) {
      this._html = html;
      this._document = sandboxedDocument(html);
    }
  }

  private _setLive(live: boolean): void {
    this._live = live;
    if (live) {
      void this._poll.start();
    } else {
      void this._poll.stop();
    }
  }

  private async _reloadHtml(): Promise<void> {
    if (!this._card) {
      return;
    }
    try {
      const html = await this.activity.track(
        api.cardHtml(this.pathspec, this._card.hash, this.namespace)
      );
      this._setHtml(html);
    } catch (error) {
      this._problem = toProblem(error);
    }
    this._emit();
  }

  private async _tick(): Promise<void> {
    if (this._disposed || !this._card) {
      return;
    }
    const data = await api.cardData(
      this.pathspec,
      this._card.hash,
      this.namespace
    );
    this._status = data.status;
    if (data.finished) {
      // the task ended: its final page replaces the live one, and nothing more is asked
      this._setLive(false);
      await this._reloadHtml();
      return;
    }
    const payload = data.payload;
    const created = payload?.created_on ?? null;
    if (payload && created !== this._lastData) {
      this._lastData = created;
      this._seq += 1;
      const token = payload.reload_token ?? '';
      this._updated.emit(dataMessage(this._seq, token, payload.data));
    }
    this._emit();
  }

  private _emit(): void {
    if (!this._disposed) {
      this._changed.emit();
    }
  }

  private _poll: Poll;
  private _visible: () => boolean = () => true;
  private _card: ICard | null = null;
  private _origin: string | null = null;
  private _html: string | null = null;
  private _document: string | null = null;
  private _status: Status | null = null;
  private _live = false;
  private _lastData: number | null = null;
  private _seq = 0;
  private _answered = 0;
  private _problem: IProblem | null = null;
  private _disposed = false;
  private _changed = new Signal<this, void>(this);
  private _updated = new Signal<this, ICardDataMessage>(this);
}
