/**
 * The one formatter of durations and clock times, shared by the notebook widgets and the sidebar.
 *
 * Its Python twin is `dhhera_jupyter/status/timefmt.py`; both are checked against
 * `format-cases.json`, so a run reads the same in `%hera runs`, the run panel and the sidebar.
 */

/** `0.4 s`, `12.3 s` (under a minute, one decimal), `3 min 05 s` (under an hour), `1 h 02 min`; `''` if unknown. */
export function formatDuration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds) || seconds < 0) {
    return '';
  }
  // Round half up on tenths explicitly: toFixed and Python's format round some halves differently.
  const tenths = Math.floor(seconds * 10 + 0.5);
  if (tenths < 600) {
    return `${Math.floor(tenths / 10)}.${tenths % 10} s`;
  }
  const whole = Math.max(60, Math.floor(seconds));
  if (whole < 3600) {
    return `${Math.floor(whole / 60)} min ${pad(whole % 60)} s`;
  }
  return `${Math.floor(whole / 3600)} h ${pad(Math.floor((whole % 3600) / 60))} min`;
}

/** `HH:MM:SS` (24-hour, local time) of an ISO-8601 time; a time without an offset is UTC; `''` if unreadable. */
export function formatClock(iso: string | null | undefined): string {
  const ms = parseIsoTime(iso);
  if (ms === null) {
    return '';
  }
  const when = new Date(ms);
  return `${pad(when.getHours())}:${pad(when.getMinutes())}:${pad(when.getSeconds())}`;
}

const OFFSET = /(?:Z|[+-]\d\d:?\d\d)$/i;
const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d(?::\d\d(?:\.\d+)?)?(?:Z|[+-]\d\d:?\d\d)?$/i;

/** Milliseconds since the epoch of an ISO-8601 time (UTC when it has no offset, as DHCore means it), or null. */
export function parseIsoTime(iso: string | null | undefined): number | null {
  const text = (iso ?? '').trim();
  if (!ISO.test(text)) {
    return null;
  }
  const ms = Date.parse(OFFSET.test(text) ? text : `${text}Z`);
  return Number.isFinite(ms) ? ms : null;
}

function pad(value: number): string {
  return String(value).padStart(2, '0');
}
