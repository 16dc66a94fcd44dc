/** A run's steps counted by outcome, for the segmented progress bar and its text. Pure. */

import type { RunDetails } from './types';

/** Outcomes in the order the bar draws them (left to right) and the text lists them. */
export const OUTCOMES = ['succeeded', 'failed', 'stopped', 'omitted', 'running', 'pending'] as const;
export type Outcome = (typeof OUTCOMES)[number];

/** The outcome a step state counts as (`error` is a failure, `skipped` an omission). */
export function outcomeOf(state: string): Outcome {
  const value = state.toLowerCase();
  if (value === 'error') {
    return 'failed';
  }
  if (value === 'skipped') {
    return 'omitted';
  }
  return (OUTCOMES as readonly string[]).includes(value) ? (value as Outcome) : 'pending';
}

/** Steps per outcome; the total is the run's step count (steps not reported yet are pending). */
export function countOutcomes(run: RunDetails): Record<Outcome, number> {
  const counts: Record<Outcome, number> = { succeeded: 0, failed: 0, stopped: 0, omitted: 0, running: 0, pending: 0 };
  for (const step of run.steps) {
    counts[outcomeOf(step.state)] += 1;
  }
  counts.pending += Math.max(0, run.total - run.steps.length);
  return counts;
}

/**
 * `3 / 4 succeeded · 1 failed`: what succeeded out of all steps, then every other outcome that occurs.
 * Never "4 / 4" unless every step succeeded.
 */
export function progressText(run: RunDetails): string {
  if (run.kind === 'build') {
    return 'build';
  }
  const counts = countOutcomes(run);
  const total = Math.max(run.total, run.steps.length);
  const parts = [`${counts.succeeded} / ${total} succeeded`];
  for (const outcome of OUTCOMES) {
    if (outcome !== 'succeeded' && counts[outcome] > 0 && !(outcome === 'pending' && run.terminal)) {
      parts.push(`${counts[outcome]} ${outcome}`);
    }
  }
  if (run.terminal && counts.pending > 0) {
    parts.push(`${counts.pending} not run`);
  }
  return parts.join(' · ');
}
