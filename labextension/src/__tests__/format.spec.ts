import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { beforeAll, describe, expect, it } from 'vitest';

import { formatClock, formatDuration } from '../common/format';

interface Cases {
  durations: [number | null, string][];
  clocks: [string | null, string][];
}

// The same file drives tests/widgets/test_time_format.py: Python and TypeScript must agree.
const cases = JSON.parse(readFileSync(join(__dirname, '..', 'common', 'format-cases.json'), 'utf-8')) as Cases;

describe('formatDuration', () => {
  it.each(cases.durations)('formats %s seconds as %j', (seconds, expected) => {
    expect(formatDuration(seconds)).toBe(expected);
  });
});

describe('formatClock', () => {
  beforeAll(() => {
    process.env.TZ = 'UTC';
  });

  it.each(cases.clocks)('formats %j as %j', (iso, expected) => {
    expect(formatClock(iso)).toBe(expected);
  });
});
