import { beforeAll, describe, expect, it } from 'vitest';

import { formatClock, formatDuration } from '../common/format';
import casesFile from '../common/format-cases.json';

interface Cases {
  durations: [number | null, string][];
  clocks: [string | null, string][];
}

// The same file drives tests/widgets/test_time_format.py: Python and TypeScript must agree.
const cases = casesFile as unknown as Cases;

describe('formatDuration', () => {
  it.each(cases.durations)('formats %s seconds as %j', (seconds, expected) => {
    expect(formatDuration(seconds)).toBe(expected);
  });
});

describe('formatClock', () => {
  beforeAll(() => {
    (globalThis as unknown as { process: { env: Record<string, string> } }).process.env.TZ = 'UTC';
  });

  it.each(cases.clocks)('formats %j as %j', (iso, expected) => {
    expect(formatClock(iso)).toBe(expected);
  });
});
