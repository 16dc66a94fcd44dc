/** Plain-text formatting of times, durations and states for the sidebar. Pure functions. */

/** Run labels the server sends (`dhhera_jupyter.status.run_label`), each with a badge style. */
export const RUN_LABELS = ['queued', 'running', 'stopping', 'stopped', 'succeeded', 'failed', 'deleted'] as const;

/** The CSS class of a run or step state badge: `dhhera-badge-<label>` (`unknown` for anything else). */
export function badgeClass(label: string | null | undefined): string {
  const value = (label ?? '').toLowerCase();
  const known = (RUN_LABELS as readonly string[]).includes(value) || STEP_STATES.includes(value);
  return `dhhera-badge dhhera-badge-${known ? value : 'unknown'}`;
}

const STEP_STATES = ['pending', 'error', 'skipped', 'omitted'];

/** Milliseconds since the epoch of an ISO-8601 time, or null. */
export function parseTime(value: string | null | undefined): number | null {
  if (!value) {
    return null;
  }
  const ms = Date.parse(value);
  return Number.isFinite(ms) ? ms : null;
}

/** `42 s`, `3 min 05 s`, `2 h 07 min` (null for a negative or unknown duration). */
export function formatDuration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds) || seconds < 0) {
    return '';
  }
  const s = Math.floor(seconds);
  if (s < 60) {
    return `${s} s`;
  }
  if (s < 3600) {
    return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
  }
  return `${Math.floor(s / 3600)} h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')} min`;
}

/** Seconds from `started` to `finished` (or to `now` while it runs); null before it started. */
export function elapsedSeconds(started: string | null, finished: string | null, now: number): number | null {
  const start = parseTime(started);
  if (start === null) {
    return null;
  }
  const end = parseTime(finished) ?? now;
  return Math.max(0, (end - start) / 1000);
}

/** A start time as the list shows it: `14:03` today, `Nov 3, 14:03` on another day. */
export function formatStart(value: string | null, now: number): string {
  const ms = parseTime(value);
  if (ms === null) {
    return '';
  }
  const when = new Date(ms);
  const today = new Date(now);
  const time = when.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' });
  if (when.toDateString() === today.toDateString()) {
    return time;
  }
  return `${when.toLocaleDateString(undefined, { month: 'short', day: 'numeric' })}, ${time}`;
}

/** The first 8 characters of an id (enough to tell runs apart in a list). */
export function shortId(id: string): string {
  return id.length > 8 ? id.slice(0, 8) : id;
}

/** The `%hera attach` line that re-opens a run's panel in a notebook. */
export function attachCommand(runId: string, project: string, defaultProject: string | null): string {
  return project && project !== defaultProject ? `%hera attach ${runId} --project ${project}` : `%hera attach ${runId}`;
}
