import { ISignal, Signal } from '@lumino/signaling';

/** Counts requests in flight so the panel can show one progress bar for all of them. */
export class Activity {
  /** Emitted when the panel goes from idle to busy or back. */
  get changed(): ISignal<this, void> {
    return this._changed;
  }

  /** True while at least one tracked request is pending. */
  get busy(): boolean {
    return this._pending > 0;
  }

  /** Follow a promise; its outcome is returned unchanged. */
  async track<T>(promise: Promise<T>): Promise<T> {
    this._pending += 1;
    if (this._pending === 1) {
      this._changed.emit();
    }
    try {
      return await promise;
    } finally {
      this._pending -= 1;
      if (this._pending === 0) {
        this._changed.emit();
      }
    }
  }

  private _pending = 0;
  private _changed = new Signal<this, void>(this);
}
