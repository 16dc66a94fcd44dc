/** Plain-text formatting of times, durations and states for the sidebar. Pure functions. */

import { formatClock, formatDuration } from '../common/format';

/** Run labels the server sends (`dhhera_jupyter.status.run_label`), each with a badge style. */
export const RUN_LABELS = ['queued', 'running', 'stopping', 'stopped', 'succeeded', 'failed', 'deleted'] as const;

const STEP_STATES = ['pending', 'error', 'skipped', 'omitted'];

/** The CSS class of a run or step state badge: `dhhera-badge-<label>` (`unknown` for anything else). */
export function badgeClass(label: string | null | undefined): string {
  const value = (label ?? '').toLowerCase();
  const known = (RUN_LABELS as readonly string[]).includes(value) || STEP_STATES.includes(value);
  return `dhhera-badge dhhera-badge-${known ? value : 'unknown'}`;
}

/** Milliseconds since the epoch of an ISO-8601 time, or null. */
export function parseTime(value: string | null | undefined): number | null {
  if (!value) {
    return null;
  }
  const ms = Date.parse(value);
  return Number.isFinite(ms) ? ms : null;
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

const WHOLE_SECONDS = /T\d\d:\d\d:\d\d(?:Z|[+-]\d\d:?\d\d)?$/;

/**
 * The duration from `started` to `finished` (or now) with the shared formatter; empty before it started.
 * Argo reports step times in whole seconds: a step that started and ended within the same second took
 * "< 1 s", not "0.0 s".
 */
export function durationText(started: string | null, finished: string | null, now: number): string {
  const seconds = elapsedSeconds(started, finished, now);
  if (seconds === null) {
    return '';
  }
  if (seconds === 0 && finished && WHOLE_SECONDS.test(finished) && WHOLE_SECONDS.test(started ?? '')) {
    return '< 1 s';
  }
  return formatDuration(seconds);
}

/** A start time as the sidebar shows it: `14:03:07` today, `Nov 3, 14:03:07` on another day. */
export function formatStart(value: string | null, now: number): string {
  const ms = parseTime(value);
  if (ms === null || value === null) {
    return '';
  }
  const when = new Date(ms);
  const clock = formatClock(value);
  if (when.toDateString() === new Date(now).toDateString()) {
    return clock;
  }
  return `${when.toLocaleDateString(undefined, { month: 'short', day: 'numeric' })}, ${clock}`;
}

/** The first 8 characters of an id (enough to tell runs apart in a list). */
export function shortId(id: string): string {
  return id.length > 8 ? id.slice(0, 8) : id;
}

/** The `%hera attach` line that re-opens a run's panel in a notebook. */
export function attachCommand(runId: string, project: string, defaultProject: string | null): string {
  return project && project !== defaultProject ? `%hera attach ${runId} --project ${project}` : `%hera attach ${runId}`;
}

/** `195 KB`, `1.2 MB`: a size of log text (whole KB below a megabyte, at least 1 KB). */
export function byteSize(bytes: number): string {
  if (bytes >= 1024 * 1024) {
    return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
  }
  return `${Math.max(1, Math.round(bytes / 1024))} KB`;
}

/**
 * `store://p/dataitem/table/dataset:ed478e14…` → `dataset:ed478e14`, as the notebook panel shows an entity key
 * (`dhhera_jupyter.documents.keys.short_key`); other text unchanged.
 */
export function shortKey(text: string): string {
  if (!text.startsWith('store://')) {
    return text;
  }
  const parts = text.slice('store://'.length).split('/');
  if (parts.length !== 4 || !parts.every(Boolean)) {
    return text;
  }
  const [name, ...version] = parts[3].split(':');
  const id = version.join(':');
  if (!name || (parts[3].includes(':') && !id)) {
    return text;
  }
  return id ? `${name}:${id.slice(0, 8)}` : name;
}
