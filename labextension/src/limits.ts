/**
 * Request sizes within what this server allows (`GET status` answers its `limits`).
 *
 * The numbers are defined once, on the server; the frontend only clamps what the user
 * asked for to them. Without an answer (an old server, an error) nothing is clamped:
 * the server then says in words what it refuses.
 */
import type { ILimits } from './types';

function within(wanted: number, max: number | undefined): number {
  const value = Math.max(1, Math.floor(wanted));
  return max === undefined ? value : Math.min(value, max);
}

/** Runs per request: the page size setting, at most the server's `max_page_size`. */
export function clampPageSize(wanted: number, limits: ILimits | null): number {
  return within(wanted, limits?.max_page_size);
}

/** Log lines per request: at most the server's `max_log_tail`. */
export function clampLogLines(wanted: number, limits: ILimits | null): number {
  return within(wanted, limits?.max_log_tail);
}
