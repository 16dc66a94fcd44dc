import { requestAPI } from '../api';
import { button, el, setText } from './dom';
import { shortId } from './format';
import type { RunDetails, StartedRun } from './types';

/**
 * `POST /dhhera/runs/<id>/retry`: a new run that re-executes only the failed, stopped and omitted steps of a
 * pipeline run and what depends on them, reusing the outputs of the steps that succeeded.
 */
export function startRetry(project: string, runId: string): Promise<StartedRun> {
  return requestAPI<StartedRun>(`runs/${encodeURIComponent(runId)}/retry`, { method: 'POST' }, { project });
}

/** Whether "Retry failed steps" is offered: a finished pipeline run that failed or was stopped, on the local core. */
export function canRetry(run: RunDetails | null, localCore: boolean): boolean {
  return run !== null && localCore && run.kind === 'pipeline' && run.terminal && run.retryable === true;
}

/** The text naming the run a retry retries (`retry of 1a2b3c4d`), empty for other runs. */
export function retryOfText(run: RunDetails | null): string {
  return run?.retry_of ? `retry of ${shortId(run.retry_of)}` : '';
}

/** The run view's "Retry failed steps" button and the "retry of …" note of a run that is a retry. */
export class RetryAction {
  readonly button: HTMLButtonElement;
  readonly note = el('span', 'dhhera-RunView-retryOf');

  constructor(onRetry: () => void) {
    this.button = button(
      'dhhera-Button dhhera-RunView-retry',
      'Retry failed steps',
      'Start a new run that re-executes only the failed, stopped and omitted steps and what depends on them',
      onRetry
    );
    this.button.hidden = true;
    this.note.hidden = true;
  }

  /** Show the button and the note for `run` (null: a run is loading). */
  update(run: RunDetails | null, localCore: boolean): void {
    this.button.hidden = !canRetry(run, localCore);
    this.button.disabled = false;
    const text = retryOfText(run);
    setText(this.note, text);
    this.note.title = run?.retry_of ? `This run retries run ${run.retry_of}` : '';
    this.note.hidden = !text;
  }
}
