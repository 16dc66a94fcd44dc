import { describe, expect, it } from 'vitest';

import { routeUrl } from '../api';
import { formatClock, formatDuration } from '../common/format';
import {
  attachCommand,
  badgeClass,
  durationText,
  elapsedSeconds,
  formatStart,
  shortId,
  shortKey
} from '../sidebar/format';

describe('sidebar formatting', () => {
  it('writes durations with the shared formatter: tenths under a minute, then minutes, then hours', () => {
    expect(formatDuration(0.44)).toBe('0.4 s');
    expect(formatDuration(12.34)).toBe('12.3 s');
    expect(formatDuration(59.97)).toBe('1 min 00 s');
    expect(formatDuration(185)).toBe('3 min 05 s');
    expect(formatDuration(3720)).toBe('1 h 02 min');
    expect(formatDuration(-1)).toBe('');
    expect(formatDuration(Number.NaN)).toBe('');
  });

  it('writes clock times as 24-hour local HH:MM:SS, the same in the list and the run view', () => {
    const local = new Date(2026, 0, 1, 19, 5, 9).toISOString();
    expect(formatClock(local)).toBe('19:05:09');
    expect(formatClock('not a time')).toBe('');
    expect(formatStart(local, new Date(2026, 0, 1, 20, 0, 0).getTime())).toBe('19:05:09');
    expect(formatStart(local, new Date(2026, 0, 3, 8, 0, 0).getTime())).toMatch(/, 19:05:09$/);
  });

  it('measures a running run up to now and a finished one up to its end', () => {
    const start = '2026-01-01T10:00:00Z';
    const now = Date.parse('2026-01-01T10:00:30Z');
    expect(elapsedSeconds(start, null, now)).toBe(30);
    expect(elapsedSeconds(start, '2026-01-01T10:00:12.5Z', now)).toBe(12.5);
    expect(elapsedSeconds(null, null, now)).toBeNull();
    expect(durationText(start, '2026-01-01T10:00:01.1Z', now)).toBe('1.1 s');
    expect(durationText(null, null, now)).toBe('');
    expect(durationText(start, start, now)).toBe('< 1 s'); // Argo's whole-second times
    expect(durationText('2026-01-01T10:00:00.100Z', '2026-01-01T10:00:00.100Z', now)).toBe('0.0 s');
  });

  it('gives known states their badge class and anything else the unknown one', () => {
    expect(badgeClass('succeeded')).toBe('dhhera-badge dhhera-badge-succeeded');
    expect(badgeClass('FAILED')).toBe('dhhera-badge dhhera-badge-failed');
    expect(badgeClass('x" onclick="y')).toBe('dhhera-badge dhhera-badge-unknown');
  });

  it('writes the attach command with --project only for another project than the default', () => {
    expect(attachCommand('abc', 'dhhera', 'dhhera')).toBe('%hera attach abc');
    expect(attachCommand('abc', 'demo', 'dhhera')).toBe('%hera attach abc --project demo');
    expect(shortId('0123456789abcdef')).toBe('01234567');
  });

  it('builds route URLs under /dhhera with encoded query arguments, leaving empty ones out', () => {
    expect(routeUrl('http://h/base/', 'runs/r1/logs', { project: 'p q', step: 'a/b', x: '' })).toBe(
      'http://h/base/dhhera/runs/r1/logs?project=p%20q&step=a%2Fb'
    );
    expect(routeUrl('http://h/', 'backend')).toBe('http://h/dhhera/backend');
  });
});

describe('shortKey', () => {
  it('shows an entity key as the notebook panel does and leaves other text alone', () => {
    expect(shortKey('store://p/dataitem/table/dataset:ed478e14d4c44bfcb4e474b4d2586fd4')).toBe('dataset:ed478e14');
    expect(shortKey('store://p/dataitem/table/dataset')).toBe('dataset');
    expect(shortKey('store://p/dataitem/table')).toBe('store://p/dataitem/table');
    expect(shortKey('dataset:6fad8649')).toBe('dataset:6fad8649');
  });
});
