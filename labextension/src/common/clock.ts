/**
 * Clocks that tick in the browser: the kernel writes `<span class="dhhera-Clock" data-since="ISO">` once, and
 * this module keeps its text at the time elapsed since then, without a message to or from the kernel.
 *
 * A clock with `data-until` has stopped (the kernel already wrote its final text). The DagWidget front end starts
 * the ticker while it is on a page, so the run panel around it (ipywidgets HTML) ticks too.
 */
import { formatDuration, parseIsoTime } from './format';

export const CLOCK_CLASS = 'dhhera-Clock';
const TICK_MS = 250;

/** Set the text of every running clock under `root` to the duration from its `data-since` to `now` (ms). */
export function tickClocks(root: ParentNode, now: number): number {
  let ticking = 0;
  for (const clock of Array.from(root.querySelectorAll<HTMLElement>(`.${CLOCK_CLASS}[data-since]`))) {
    if (clock.dataset.until) {
      continue;
    }
    const since = parseIsoTime(clock.dataset.since);
    if (since === null) {
      continue;
    }
    const text = formatDuration(Math.max(0, (now - since) / 1000));
    if (clock.textContent !== text) {
      clock.textContent = text;
    }
    ticking += 1;
  }
  return ticking;
}

let users = 0;
let timer: ReturnType<typeof setInterval> | null = null;

/** Start ticking the clocks of the document (reference-counted); returns the function that releases it. */
export function startClockTicker(): () => void {
  users += 1;
  if (timer === null) {
    timer = setInterval(() => {
      if (document.visibilityState !== 'hidden') {
        tickClocks(document, Date.now());
      }
    }, TICK_MS);
  }
  let released = false;
  return () => {
    if (released) {
      return;
    }
    released = true;
    users -= 1;
    if (users === 0 && timer !== null) {
      clearInterval(timer);
      timer = null;
    }
  };
}
