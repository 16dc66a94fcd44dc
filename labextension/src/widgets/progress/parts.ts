/** What the progress line draws, from the counts the kernel sends (kept free of the DOM, for unit tests). */

export interface ProgressModel {
  /** `[outcome, count]` pairs, non-zero, in the kernel's order (`dhhera_jupyter.runs.progress.OUTCOMES`). */
  counts: [string, number][];
  total: number;
  /** Outcomes that take room in the bar (work that finished running). */
  filling: string[];
  /** The outcome name of steps a finished run never ran (drawn with the pending dot). */
  not_run: string;
}

export interface ProgressParts {
  /** `[state class, share of the bar]`. */
  segments: [string, number][];
  /** `[dot state class, text]`, e.g. `['succeeded', '3 succeeded']`. */
  items: [string, string][];
  totalText: string;
  /** Share of the bar filled, 0..1. */
  filled: number;
}

/** Only plain state names become class names (the kernel sends no other; this keeps it so). */
function stateClass(state: string): string {
  return /^[a-z][a-z-]*$/.test(state) ? state : 'pending';
}

export function progressParts(model: ProgressModel): ProgressParts {
  const total = Math.max(0, Number(model.total) || 0);
  const filling = new Set(model.filling);
  const counts = (Array.isArray(model.counts) ? model.counts : []).filter(
    (pair): pair is [string, number] => Array.isArray(pair) && typeof pair[0] === 'string' && Number(pair[1]) > 0
  );
  const segments: [string, number][] = total
    ? counts.filter(([state]) => filling.has(state)).map(([state, n]) => [stateClass(state), n / total])
    : [];
  const items: [string, string][] = counts.map(([state, n]) => [
    state === model.not_run ? 'pending' : stateClass(state),
    `${n} ${state}`
  ]);
  return {
    segments,
    items,
    totalText: `of ${total} ${total === 1 ? 'step' : 'steps'}`,
    filled: segments.reduce((sum, [, share]) => sum + share, 0)
  };
}
