import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import { Poller } from '../sidebar/poller';

describe('Poller', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('ticks at once, then every interval, until stopped', async () => {
    const tick = vi.fn(async () => undefined);
    const poller = new Poller(tick, { interval: 1000, maxBackoff: 8000 });

    poller.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(tick).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(2999);
    expect(tick).toHaveBeenCalledTimes(3);

    poller.stop();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(tick).toHaveBeenCalledTimes(3);
  });

  it('backs off exponentially while ticks fail, up to the maximum, and resets after a success', async () => {
    let fail = true;
    const times: number[] = [];
    const poller = new Poller(
      async () => {
        times.push(Date.now());
        if (fail) {
          throw new Error('down');
        }
      },
      { interval: 1000, maxBackoff: 5000 }
    );
    const t0 = Date.now();

    poller.start();
    await vi.advanceTimersByTimeAsync(2000 + 4000 + 5000 + 5000);
    fail = false;
    await vi.advanceTimersByTimeAsync(5000 + 1000);

    expect(times.map(t => t - t0)).toEqual([0, 2000, 6000, 11000, 16000, 21000, 22000]);
    expect(poller.failures).toBe(0);
  });

  it('uses the delay a tick asks for and stops when it says so', async () => {
    const results: (number | 'stop')[] = [300, 'stop'];
    const tick = vi.fn(async () => results.shift());
    const poller = new Poller(tick, { interval: 1000, maxBackoff: 8000 });

    poller.start();
    await vi.advanceTimersByTimeAsync(300);
    expect(tick).toHaveBeenCalledTimes(2);
    expect(poller.running).toBe(false);
    await vi.advanceTimersByTimeAsync(5000);
    expect(tick).toHaveBeenCalledTimes(2);
  });

  it('never runs two ticks at once: a refresh during a tick runs once more right after', async () => {
    let active = 0;
    let most = 0;
    const tick = vi.fn(async () => {
      active += 1;
      most = Math.max(most, active);
      await new Promise(resolve => setTimeout(resolve, 100));
      active -= 1;
    });
    const poller = new Poller(tick, { interval: 1000, maxBackoff: 8000 });

    poller.start();
    const refreshed = poller.refresh();
    await vi.advanceTimersByTimeAsync(250);
    await refreshed;

    expect(most).toBe(1);
    expect(tick).toHaveBeenCalledTimes(2);
    poller.stop();
  });
});
