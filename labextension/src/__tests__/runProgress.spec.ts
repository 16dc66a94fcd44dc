import { describe, expect, it } from 'vitest';

import { progressParts } from '../widgets/progress/parts';

const FILLING = ['succeeded', 'skipped', 'failed', 'error'];

describe('progressParts', () => {
  it('fills the bar only with work that finished running', () => {
    const parts = progressParts({
      counts: [
        ['succeeded', 2],
        ['failed', 1],
        ['running', 1]
      ],
      total: 4,
      filling: FILLING,
      not_run: 'not run'
    });
    expect(parts.segments).toEqual([
      ['succeeded', 0.5],
      ['failed', 0.25]
    ]);
    expect(parts.filled).toBe(0.75);
    expect(parts.items).toEqual([
      ['succeeded', '2 succeeded'],
      ['failed', '1 failed'],
      ['running', '1 running']
    ]);
    expect(parts.totalText).toBe('of 4 steps');
  });

  it('draws steps a finished run never ran with the pending dot, and never trusts a class name', () => {
    const parts = progressParts({
      counts: [
        ['not run', 3],
        ['x" onclick="y', 1]
      ],
      total: 1,
      filling: FILLING,
      not_run: 'not run'
    });
    expect(parts.items.map(([dot]) => dot)).toEqual(['pending', 'pending']);
    expect(parts.segments).toEqual([]);
    expect(parts.totalText).toBe('of 1 step');
  });
});
