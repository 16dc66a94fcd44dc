import { describe, expect, it } from 'vitest';

import { canRetry, RetryAction, retryOfText } from '../sidebar/retryAction';
import { runDetails } from './sidebarFixtures';

const failed = runDetails(
  'run-failed-1234567890',
  { make: 'succeeded', clean: 'failed', report: 'omitted' },
  { state: 'ERROR', label: 'failed', terminal: true, retryable: true }
);

describe('Retry failed steps', () => {
  it('is offered for a finished failed pipeline run on the local core only', () => {
    expect(canRetry(failed, true)).toBe(true);
    expect(canRetry(failed, false)).toBe(false); // the platform has no retry
    expect(canRetry({ ...failed, retryable: false }, true)).toBe(false); // succeeded, or never built
    expect(canRetry({ ...failed, terminal: false }, true)).toBe(false);
    expect(canRetry({ ...failed, kind: 'build' }, true)).toBe(false);
    expect(canRetry(null, true)).toBe(false);
  });

  it('names the original of a retry, nothing for other runs', () => {
    expect(retryOfText({ ...failed, retry_of: 'abcdef0123456789' })).toBe('retry of abcdef01');
    expect(retryOfText(failed)).toBe('');
  });

  it('shows the button and the note as the run says, and calls back once per click', () => {
    const calls: string[] = [];
    const action = new RetryAction(() => calls.push('retry'));
    expect(action.button.hidden).toBe(true);
    action.update(failed, true);
    expect(action.button.hidden).toBe(false);
    expect(action.note.hidden).toBe(true);
    action.button.click();
    expect(calls).toEqual(['retry']);
    action.update({ ...failed, retryable: false, retry_of: 'abcdef0123456789' }, true);
    expect(action.button.hidden).toBe(true);
    expect(action.note.textContent).toBe('retry of abcdef01');
    expect(action.note.hidden).toBe(false);
  });
});
