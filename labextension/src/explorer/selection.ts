/**
 * Which runs of a list are selected, as a person picks them: click, ctrl/cmd-click,
 * shift-click ranges, arrows, shift+arrows, space, ctrl+A. Pure: every operation answers
 * a new Selection.
 *
 * Keys (pathspecs), not indices, are kept, so a selection survives rows appearing above
 * it (a new run at the top) or a later page arriving. Operations take the list's keys in
 * their current order and an index into them.
 */
export class Selection {
  private constructor(
    /** The selected keys. */
    readonly keys: ReadonlySet<string>,
    /** Where a shift-range starts: the last plainly or ctrl-clicked row. */
    readonly anchor: string | null,
    /** The row the keyboard is on (shown with a focus ring). */
    readonly focus: string | null,
    /** What stays selected besides the anchor's range (a ctrl-picked set before it). */
    private readonly _base: ReadonlySet<string>
  ) {}

  static readonly empty = new Selection(new Set(), null, null, new Set());

  get size(): number {
    return this.keys.size;
  }

  has(key: string): boolean {
    return this.keys.has(key);
  }

  /** The index of the focused row in `order`, or -1. */
  focusIndex(order: readonly string[]): number {
    return this.focus === null ? -1 : order.indexOf(this.focus);
  }

  /** The selected keys in list order (selected keys no longer listed come last). */
  ordered(order: readonly string[]): string[] {
    const listed = order.filter(k => this.keys.has(k));
    const seen = new Set(listed);
    return [...listed, ...[...this.keys].filter(k => !seen.has(k))];
  }

  /** A plain click, or an arrow key: that row alone. */
  only(order: readonly string[], index: number): Selection {
    const key = at(order, index);
    if (key === null) {
      return this;
    }
    return new Selection(new Set([key]), key, key, new Set());
  }

  /** Ctrl/cmd-click or space: that row in or out, the others as they are. */
  toggle(order: readonly string[], index: number): Selection {
    const key = at(order, index);
    if (key === null) {
      return this;
    }
    const keys = new Set(this.keys);
    if (keys.has(key)) {
      keys.delete(key);
    } else {
      keys.add(key);
    }
    return new Selection(keys, key, key, new Set(keys));
  }

  /**
   * Shift-click or shift+arrow: the rows from the anchor to this one, added to what was
   * picked before the anchor (moving back shrinks the range again).
   */
  extend(order: readonly string[], index: number): Selection {
    const key = at(order, index);
    if (key === null) {
      return this;
    }
    const from = this.anchor === null ? -1 : order.indexOf(this.anchor);
    if (from < 0) {
      return this.only(order, index);
    }
    const target = order.indexOf(key);
    const keys = new Set(this._base);
    const [lo, hi] = from <= target ? [from, target] : [target, from];
    for (let i = lo; i <= hi; i++) {
      keys.add(order[i]);
    }
    return new Selection(keys, this.anchor, key, this._base);
  }

  /** Ctrl+arrow: move the keyboard's row without changing what is selected. */
  moveFocus(order: readonly string[], index: number): Selection {
    const key = at(order, index);
    return key === null
      ? this
      : new Selection(this.keys, this.anchor, key, this._base);
  }

  /** Ctrl+A: every listed row. */
  all(order: readonly string[]): Selection {
    const keys = new Set(order);
    return new Selection(keys, this.anchor, this.focus, keys);
  }

  /** Escape: nothing selected; the keyboard stays where it is. */
  clear(): Selection {
    return new Selection(new Set(), null, this.focus, new Set());
  }

  /** Forget keys that are no longer in the list (a run left the filter). */
  retain(present: ReadonlySet<string>): Selection {
    const drop = [...this.keys].filter(k => !present.has(k));
    const focusGone = this.focus !== null && !present.has(this.focus);
    if (!drop.length && !focusGone) {
      return this;
    }
    const keep = (set: ReadonlySet<string>) =>
      new Set([...set].filter(k => present.has(k)));
    const anchor =
      this.anchor !== null && present.has(this.anchor) ? this.anchor : null;
    return new Selection(
      keep(this.keys),
      anchor,
      focusGone ? null : this.focus,
      keep(this._base)
    );
  }
}

function at(order: readonly string[], index: number): string | null {
  return index >= 0 && index < order.length ? order[index] : null;
}
