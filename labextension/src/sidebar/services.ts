import { button, el, placeChildren, setText } from './dom';
import { badgeClass } from './format';
import { Poller } from './poller';
import type { RunDetails, ServiceInfo, StepRow } from './types';

/** What the services box asks for: a serve run's service, and its stop. */
export interface ServiceActions {
  read(run: RunDetails, serviceRunId: string): Promise<ServiceInfo>;
  stop(run: RunDetails, serviceRunId: string): Promise<unknown>;
}

/** Milliseconds between two reads of a live service (the pipeline may be long finished). */
export const SERVICE_INTERVAL = 2000;

/** Only `http:`/`https:` URLs become links (the server sends no other; this keeps it so). */
export function safeHref(url: string | null | undefined): string | null {
  if (!url) {
    return null;
  }
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'http:' || parsed.protocol === 'https:' ? parsed.href : null;
  } catch {
    return null;
  }
}

/** One serve step: its URL (a link), the service's state, Stop service with an inline confirmation. */
class ServiceRow {
  readonly node = el('li', 'dhhera-Services-row');
  info: ServiceInfo | null = null;

  constructor(
    readonly runId: string,
    private readonly onStop: (row: ServiceRow) => void
  ) {
    const head = el('div', 'dhhera-Services-head');
    this.stopButton = button('dhhera-Button dhhera-Services-stop', 'Stop service', 'Stop this service…', () =>
      this.askStop()
    );
    head.append(this.name, this.badge, this.stopButton);
    this.confirm.setAttribute('role', 'alertdialog');
    this.confirm.setAttribute('aria-label', 'Stop this service?');
    this.confirm.append(
      this.confirmText,
      button('dhhera-Button dhhera-Services-confirmStop', 'Stop the service', 'Stop the service', () => {
        this.confirm.hidden = true;
        this.onStop(this);
      }),
      button('dhhera-Button dhhera-Services-confirmCancel', 'Cancel', 'Keep the service running', () => {
        this.confirm.hidden = true;
      })
    );
    this.confirm.hidden = true;
    this.link.target = '_blank';
    this.link.rel = 'noopener noreferrer';
    this.message.hidden = true;
    this.node.append(head, this.link, this.message, this.confirm);
    this.node.dataset.run = runId;
    this.setState('checking', 'checking…', false);
  }

  /** Show the step (its label and the URL the pipeline recorded). */
  setStep(step: StepRow): void {
    setText(this.name, step.label || step.step);
    this.name.title = `Step ${step.step} · run ${this.runId}`;
    setText(this.confirmText, `Stop service ${step.label || step.step}? Its URL stops answering.`);
    if (!this.info?.service) {
      this.setUrl(step.service_url);
    }
  }

  /** Show what the serve run says now. */
  setInfo(info: ServiceInfo): void {
    this.info = info;
    if (info.service) {
      this.setUrl(info.service.url);
    }
    this.setState(info.label, info.label === 'running' ? 'running' : info.label, info.stoppable);
    const message = info.state === 'ERROR' && info.message ? info.message : '';
    setText(this.message, message);
    this.message.hidden = !message;
    this.node.classList.toggle('dhhera-mod-ended', info.terminal);
  }

  /** Show a failed read (the row stays; the next poll tries again). */
  setError(text: string): void {
    setText(this.message, text);
    this.message.hidden = false;
  }

  /** The stop was asked: no second one until the service says where it is. */
  stopping(): void {
    this.stopButton.disabled = true;
    this.setState('stopping', 'stopping…', false);
  }

  get terminal(): boolean {
    return this.info?.terminal ?? false;
  }

  private askStop(): void {
    this.confirm.hidden = false;
    (this.confirm.querySelector('.dhhera-Services-confirmCancel') as HTMLButtonElement | null)?.focus();
  }

  private setUrl(url: string | null | undefined): void {
    const href = safeHref(url);
    setText(this.link, url ?? '');
    if (href) {
      this.link.href = href;
    } else {
      this.link.removeAttribute('href');
    }
    this.link.title = href ? `Open ${href} in a new tab` : '';
  }

  private setState(label: string, text: string, stoppable: boolean): void {
    this.badge.className = badgeClass(label === 'checking' ? 'queued' : label);
    setText(this.badge, text);
    this.stopButton.disabled = !stoppable;
    if (!stoppable) {
      this.confirm.hidden = true;
    }
  }

  private readonly name = el('span', 'dhhera-Services-name');
  private readonly badge = el('span', 'dhhera-badge');
  private readonly link = el('a', 'dhhera-Services-url');
  private readonly message = el('p', 'dhhera-Services-message');
  private readonly stopButton: HTMLButtonElement;
  private readonly confirm = el('div', 'dhhera-Services-confirm');
  private readonly confirmText = el('span', 'dhhera-Services-confirmText');
}

/**
 * The services a run's serve steps started. A pipeline is COMPLETED as soon as its serve step's service is
 * up, while the service keeps RUNNING: each service is read from its own run until it stops.
 */
export class ServiceList {
  readonly node = el('section', 'dhhera-Services');

  constructor(private readonly actions: ServiceActions) {
    this.node.setAttribute('aria-label', 'Services');
    this.node.append(el('h4', 'dhhera-Label dhhera-Services-title', 'Services'), this.list);
    this.node.hidden = true;
    this.poller = new Poller(() => this.poll(), { interval: SERVICE_INTERVAL, maxBackoff: 15_000 });
  }

  /** The rows shown, by serve run id (for tests). */
  get rows(): ReadonlyMap<string, ServiceRow> {
    return this.byRun;
  }

  /** Show the serve steps of `run` (a poll of the run); reads each service that is not known to be over. */
  update(run: RunDetails): void {
    if (this.run?.id !== run.id) {
      this.clear();
    }
    this.run = run;
    const steps = run.steps.filter(s => s.service_url && s.run_id);
    const rows = steps.map(step => {
      const runId = step.run_id as string;
      let row = this.byRun.get(runId);
      if (!row) {
        row = new ServiceRow(runId, r => void this.stop(r));
        this.byRun.set(runId, row);
      }
      row.setStep(step);
      return row;
    });
    placeChildren(
      this.list,
      rows.map(r => r.node)
    );
    this.node.hidden = rows.length === 0;
    if (rows.some(r => !r.terminal) && !this.poller.running && !this.paused) {
      this.poller.start();
    }
  }

  /** Stop reading (the panel is hidden: no request while nobody looks). */
  pause(): void {
    this.paused = true;
    this.poller.stop();
  }

  /** Read again after {@link pause}, if a service has not ended. */
  resume(): void {
    this.paused = false;
    if ([...this.byRun.values()].some(r => !r.terminal)) {
      this.poller.start();
    }
  }

  /** Forget the rows (another run is shown) and stop reading. */
  clear(): void {
    this.poller.stop();
    this.run = null;
    this.byRun.clear();
    this.list.replaceChildren();
    this.node.hidden = true;
  }

  dispose(): void {
    this.clear();
  }

  /** Read every service that has not ended; `'stop'` once all have. */
  private async poll(): Promise<number | 'stop'> {
    const run = this.run;
    const live = [...this.byRun.values()].filter(r => !r.terminal);
    if (!run || live.length === 0) {
      return 'stop';
    }
    await Promise.all(
      live.map(async row => {
        try {
          const info = await this.actions.read(run, row.runId);
          if (this.run === run || this.run?.id === run.id) {
            row.setInfo(info);
          }
        } catch (error) {
          row.setError((error as Error).message);
        }
      })
    );
    return [...this.byRun.values()].every(r => r.terminal) ? 'stop' : SERVICE_INTERVAL;
  }

  private async stop(row: ServiceRow): Promise<void> {
    const run = this.run;
    if (!run) {
      return;
    }
    row.stopping();
    try {
      await this.actions.stop(run, row.runId);
    } catch (error) {
      row.setError((error as Error).message);
    }
    this.poller.stop();
    if (!this.paused) {
      this.poller.start(); // read it again now, then until it says it stopped
    }
  }

  private run: RunDetails | null = null;
  private paused = false;
  private readonly byRun = new Map<string, ServiceRow>();
  private readonly list = el('ul', 'dhhera-Services-list');
  private readonly poller: Poller;
}
