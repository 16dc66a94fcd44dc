/**
 * The one formatter of durations and clock times, shared by the notebook widgets and the sidebar.
 * Pure functions (no DOM).
 */

/**
 * A duration as people read it: `0.4 s`, `12.3 s` under a minute (one decimal), `3 min 05 s` under an
 * hour, `1 h 02 min` beyond. A negative or non-finite number gives an empty string.
 */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) {
    return '';
  }
  const tenths = Math.round(seconds * 10) / 10;
  if (tenths < 60) {
    return `${tenths.toFixed(1)} s`;
  }
  const whole = Math.floor(tenths);
  if (whole < 3600) {
    return `${Math.floor(whole / 60)} min ${String(whole % 60).padStart(2, '0')} s`;
  }
  return `${Math.floor(whole / 3600)} h ${String(Math.floor((whole % 3600) / 60)).padStart(2, '0')} min`;
}

const pad = (n: number): string => String(n).padStart(2, '0');

/** The local wall-clock time of an ISO-8601 instant as `HH:MM:SS` (24-hour); empty when it is not a time. */
export function formatClock(iso: string): string {
  const ms = Date.parse(iso);
  if (!Number.isFinite(ms)) {
    return '';
  }
  const when = new Date(ms);
  return `${pad(when.getHours())}:${pad(when.getMinutes())}:${pad(when.getSeconds())}`;
}
