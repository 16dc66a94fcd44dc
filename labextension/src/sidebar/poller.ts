/** What a tick asks for: the next delay in ms, `'stop'`, or nothing (the poller's interval). */
export type TickResult = number | 'stop' | void;

export interface PollerOptions {
  /** Milliseconds between two ticks that succeeded. */
  interval: number;
  /** Longest wait after failures (the wait doubles from `interval` up to this). */
  maxBackoff: number;
}

/**
 * Calls an async `tick` again and again while started: `interval` ms after a success, an exponential
 * backoff after failures (a backend that is down is not hammered), never two ticks at once.
 */
export class Poller {
  constructor(
    private readonly tick: () => Promise<TickResult>,
    private readonly options: PollerOptions
  ) {}

  /** Whether the poller is started. */
  get running(): boolean {
    return this._running;
  }

  /** Failures in a row (0 after a success). */
  get failures(): number {
    return this._failures;
  }

  /** When the next tick is due (`Date.now()` ms), or null when none is scheduled. */
  get nextAt(): number | null {
    return this._nextAt;
  }

  /** Start polling with a tick right away (no-op when started). */
  start(): void {
    if (this._running) {
      return;
    }
    this._running = true;
    void this.refresh();
  }

  /** Stop polling; a tick under way finishes but schedules nothing. */
  stop(): void {
    this._running = false;
    this.clear();
  }

  /** Tick now (or right after the tick under way) and resolve once done. Works when stopped too. */
  async refresh(): Promise<void> {
    this.clear();
    if (this._inflight) {
      this._again = true;
      await this._inflight;
      return;
    }
    this._inflight = this.run();
    try {
      await this._inflight;
    } finally {
      this._inflight = null;
    }
    if (this._again) {
      this._again = false;
      await this.refresh();
    }
  }

  private async run(): Promise<void> {
    let next: TickResult;
    try {
      next = await this.tick();
      this._failures = 0;
    } catch {
      this._failures += 1;
      next = Math.min(this.options.maxBackoff, this.options.interval * 2 ** this._failures);
    }
    if (!this._running || next === 'stop' || this._again) {
      if (next === 'stop') {
        this._running = false;
      }
      return;
    }
    this.schedule(typeof next === 'number' ? next : this.options.interval);
  }

  private schedule(delay: number): void {
    this.clear();
    this._nextAt = Date.now() + delay;
    this._timer = setTimeout(() => {
      this._timer = null;
      this._nextAt = null;
      void this.refresh();
    }, delay);
  }

  private clear(): void {
    if (this._timer !== null) {
      clearTimeout(this._timer);
      this._timer = null;
    }
    this._nextAt = null;
  }

  private _running = false;
  private _failures = 0;
  private _timer: ReturnType<typeof setTimeout> | null = null;
  private _nextAt: number | null = null;
  private _inflight: Promise<void> | null = null;
  private _again = false;
}
