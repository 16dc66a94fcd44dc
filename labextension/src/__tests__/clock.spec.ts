import { describe, expect, it } from 'vitest';

import { tickClocks } from '../common/clock';

describe('tickClocks', () => {
  it('ticks running clocks from their start and leaves stopped ones alone', () => {
    const root = document.createElement('div');
    root.innerHTML =
      '<span class="dhhera-Clock" data-since="2026-12-01T07:00:00Z">-</span>' +
      '<span class="dhhera-Clock" data-since="2026-12-01T06:00:00Z" data-until="2026-12-01T06:00:03Z">3.0 s</span>' +
      '<span class="dhhera-Clock">no start</span>';
    const clocks = root.querySelectorAll('span');
    const start = Date.parse('2026-12-01T07:00:00Z');
    expect(tickClocks(root, start + 4_200)).toBe(1);
    expect(clocks[0].textContent).toBe('4.2 s');
    expect(tickClocks(root, start + 185_000)).toBe(1);
    expect(clocks[0].textContent).toBe('3 min 05 s');
    expect(clocks[1].textContent).toBe('3.0 s');
    expect(clocks[2].textContent).toBe('no start');
  });
});
