/** Line-number arithmetic of the log view (pure, so it is tested on its own). */

/** The match to start from: the first at or after line `from`, else the first. */
export function firstMatchFrom(lines: readonly number[], from: number): number {
  if (!lines.length) {
    return -1;
  }
  const at = lines.findIndex(n => n >= from);
  return at < 0 ? 0 : at;
}

/** Requests of at most `max` lines covering lines `from` to `to` (inclusive). */
export function windows(
  from: number,
  to: number,
  max: number
): { from: number; count: number }[] {
  const out: { from: number; count: number }[] = [];
  for (let at = Math.max(1, from); at <= to; at += max) {
    out.push({ from: at, count: Math.min(max, to - at + 1) });
  }
  return out;
}
