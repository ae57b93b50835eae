/** Short, locale-aware wording of times, durations and sizes. */

/** "2026-11-21 14:03" in the browser's time zone. */
export function formatTime(ms: number | null): string {
  if (ms === null) {
    return '—';
  }
  const d = new Date(ms);
  const pad = (n: number) => String(n).padStart(2, '0');
  return (
    `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ` +
    `${pad(d.getHours())}:${pad(d.getMinutes())}`
  );
}

/** Full date and time, for tooltips. */
export function formatFullTime(ms: number | null): string {
  return ms === null ? '' : new Date(ms).toString();
}

/** "3 min ago", "2 h ago", "5 d ago", else the date. */
export function formatAge(ms: number, now: number = Date.now()): string {
  const seconds = Math.round((now - ms) / 1000);
  if (seconds < 45) {
    return 'just now';
  }
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) {
    return `${minutes} min ago`;
  }
  const hours = Math.round(minutes / 60);
  if (hours < 24) {
    return `${hours} h ago`;
  }
  const days = Math.round(hours / 24);
  if (days < 14) {
    return `${days} d ago`;
  }
  return formatTime(ms).slice(0, 10);
}

/** "850 ms", "12.3 s", "4 min 05 s", "2 h 07 min". */
export function formatDuration(ms: number): string {
  if (ms < 1000) {
    return `${Math.max(0, Math.round(ms))} ms`;
  }
  const seconds = ms / 1000;
  if (seconds < 60) {
    return `${seconds.toFixed(seconds < 10 ? 1 : 0)} s`;
  }
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) {
    return `${minutes} min ${String(Math.floor(seconds % 60)).padStart(2, '0')} s`;
  }
  const hours = Math.floor(minutes / 60);
  return `${hours} h ${String(minutes % 60).padStart(2, '0')} min`;
}

/** Duration of something that started and maybe ended; "running 2 min" while open. */
export function formatSpan(
  start: number,
  end: number | null,
  running: boolean
): string {
  if (end !== null) {
    return formatDuration(end - start);
  }
  return running ? `${formatDuration(Date.now() - start)}…` : '—';
}

/** "532 B", "12.4 KB", "3.1 MB". */
export function formatSize(bytes: number): string {
  if (bytes < 1024) {
    return `${bytes} B`;
  }
  const units = ['KB', 'MB', 'GB', 'TB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}

/** "1 run", "12,345 runs". */
export function plural(n: number, word: string): string {
  return `${n.toLocaleString()} ${word}${n === 1 ? '' : 's'}`;
}
