import { describe, expect, it } from 'vitest';

import { routeUrl } from '../api';
import { attachCommand, badgeClass, elapsedSeconds, formatDuration, shortId } from '../sidebar/format';

describe('sidebar formatting', () => {
  it('writes durations in seconds, minutes and hours', () => {
    expect(formatDuration(42.7)).toBe('42 s');
    expect(formatDuration(185)).toBe('3 min 05 s');
    expect(formatDuration(7620)).toBe('2 h 07 min');
    expect(formatDuration(null)).toBe('');
    expect(formatDuration(-1)).toBe('');
  });

  it('measures a running run up to now and a finished one up to its end', () => {
    const start = '2026-01-01T10:00:00Z';
    const now = Date.parse('2026-01-01T10:00:30Z');
    expect(elapsedSeconds(start, null, now)).toBe(30);
    expect(elapsedSeconds(start, '2026-01-01T10:00:12.5Z', now)).toBe(12.5);
    expect(elapsedSeconds(null, null, now)).toBeNull();
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
