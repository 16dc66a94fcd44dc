import { detailRows } from '../widgets/dag/details';
import type { DagModel, NodeDetails } from '../widgets/dag/types';
import { DagView } from '../widgets/dag/view';
import { button, el, setText } from './dom';
import { badgeClass, elapsedSeconds, formatDuration, formatStart, shortId } from './format';
import { LocalModel } from './localModel';
import type { RunDetails, RunGraph, RunLogs, StepRow } from './types';

/** What the run view asks the panel to do. */
export interface RunViewActions {
  stop(run: RunDetails): void;
  rerun(run: RunDetails): void;
  copyId(run: RunDetails): void;
  insertAttach(run: RunDetails): void;
  canInsertAttach(): boolean;
  close(): void;
  logs(run: RunDetails, step: string | null): Promise<RunLogs>;
}

/** `2 / 3 steps`, `2 / 3 steps, 1 failed`. */
export function progressText(run: RunDetails): string {
  if (run.kind === 'build') {
    return 'build';
  }
  const failed = run.steps.filter(s => s.state === 'failed' || s.state === 'error').length;
  return `${run.done} / ${run.total} steps${failed ? `, ${failed} failed` : ''}`;
}

/** `n=3, text=hi` (values as JSON when they are not text). */
export function parametersText(parameters: Record<string, unknown>): string {
  return Object.entries(parameters ?? {})
    .map(([name, value]) => `${name}=${typeof value === 'string' ? value : JSON.stringify(value)}`)
    .join(', ');
}

/** What the DAG itself says about a step (template, function key, inputs, when…) minus what the run says. */
export function graphRows(details: NodeDetails | undefined): [string, string][] {
  const shown = new Set(['State', 'Function', 'Action', 'Outputs']);
  return detailRows(details, undefined)
    .filter(row => !shown.has(row.label))
    .flatMap(row => row.lines.map((line): [string, string] => [row.label, line]));
}

/** Rows shown for a step: label, then lines (only the fields that have a value). */
export function stepRows(step: StepRow, now: number): [string, string][] {
  const rows: [string, string][] = [['State', step.state]];
  if (step.function) {
    rows.push(['Function', step.action ? `${step.function} (${step.action})` : step.function]);
  }
  if (step.start) {
    rows.push(['Started', formatStart(step.start, now)]);
    rows.push(['Duration', formatDuration(elapsedSeconds(step.start, step.end, now))]);
  }
  if (step.items) {
    rows.push(['Items', `${step.items_done} / ${step.items} done`]);
  }
  for (const [name, value] of Object.entries(step.outputs ?? {})) {
    rows.push([`Output ${name}`, value]);
  }
  if (step.exit_code) {
    rows.push(['Exit code', step.exit_code]);
  }
  if (step.message) {
    rows.push(['Message', step.message]);
  }
  if (step.run_id) {
    rows.push(['Run', step.run_id]);
  }
  return rows;
}

/**
 * The selected run: state, progress, actions, its DAG coloured live (the notebook widget's `DagView`
 * on an in-page model) and, for the step clicked in the DAG, its details and logs.
 */
export class RunView {
  readonly node = el('section', 'dhhera-RunView');

  constructor(private readonly actions: RunViewActions) {
    this.node.setAttribute('aria-label', 'Selected run');
    const header = el('div', 'dhhera-RunView-header');
    header.append(
      this.title,
      this.badge,
      button('dhhera-RunView-close', '×', 'Close the run view', () => actions.close())
    );
    this.progress.max = 1;
    this.progress.value = 0;
    const meta = el('div', 'dhhera-RunView-meta');
    meta.append(this.progressBar(), this.times);

    const toolbar = el('div', 'dhhera-RunView-actions');
    this.stopButton = button('dhhera-Button dhhera-RunView-stop', 'Stop', 'Stop this run', () => this.act('stop'));
    this.rerunButton = button(
      'dhhera-Button dhhera-RunView-rerun',
      'Re-run',
      'Run again with the same parameters',
      () => this.act('rerun')
    );
    this.copyButton = button('dhhera-Button dhhera-RunView-copy', 'Copy id', 'Copy the run id', () => this.act('copy'));
    this.attachButton = button(
      'dhhera-Button dhhera-RunView-attach',
      'Insert %hera attach',
      'Insert a %hera attach cell for this run into the current notebook',
      () => this.act('attach')
    );
    this.logsButton = button(
      'dhhera-Button dhhera-RunView-logs',
      'Logs',
      'Show the logs of the run',
      () => void this.showLogs(null)
    );
    toolbar.append(this.stopButton, this.rerunButton, this.copyButton, this.attachButton, this.logsButton);

    this.dagHost.className = 'dhhera-RunView-dag';
    this.dag = new DagView(this.dagHost, this.model);
    this.model.on('change:selected', this.onSelect);

    const stepHeader = el('div', 'dhhera-RunView-stepHeader');
    this.stepLogsButton = button(
      'dhhera-Button dhhera-RunView-stepLogs',
      'Step logs',
      'Show the logs of this step',
      () => void this.showLogs(this.model.get('selected') || null)
    );
    stepHeader.append(this.stepTitle, this.stepLogsButton);
    this.step.append(stepHeader, this.stepList);
    this.step.hidden = true;
    this.logs.hidden = true;
    this.logText.setAttribute('tabindex', '0');
    this.logs.append(this.logTitle, this.logText);

    this.node.append(header, meta, this.parameters, this.message, toolbar, this.dagHost, this.step, this.logs);
  }

  /** The run shown (null while none). */
  get run(): RunDetails | null {
    return this._run;
  }

  /** Show a run that is being loaded (clears the previous one). */
  showLoading(runId: string, workflow: string | null): void {
    this._run = null;
    this.graphDigest = null;
    setText(this.title, `${workflow ?? 'run'} · ${shortId(runId)}`);
    this.title.title = runId;
    this.badge.className = badgeClass('queued');
    setText(this.badge, 'loading…');
    this.setMessage('');
    this.parameters.hidden = true;
    this.model.set('selected', '');
    this.model.set('node_states', {});
    this.model.set('svg', '');
    this.model.set('nodes', {});
    this.step.hidden = true;
    this.logs.hidden = true;
    this.dagHost.hidden = false;
    for (const b of [this.stopButton, this.rerunButton, this.copyButton, this.attachButton, this.logsButton]) {
      b.disabled = true;
    }
  }

  /** Show the run's current state (a poll result). */
  setRun(run: RunDetails, now: number): void {
    this._run = run;
    setText(this.title, `${run.workflow ?? run.kind} · ${shortId(run.id)}`);
    this.title.title = run.id;
    this.badge.className = badgeClass(run.label);
    setText(this.badge, run.label);
    this.progress.max = Math.max(1, run.total);
    this.progress.value = run.total ? run.done : run.terminal ? 1 : 0;
    setText(this.progressLabel, progressText(run));
    this.setMessage(run.state === 'ERROR' || run.state === 'STOPPED' ? (run.message ?? '') : '');
    const parameters = parametersText(run.parameters);
    setText(this.parameters, parameters ? `Parameters: ${parameters}` : '');
    this.parameters.hidden = !parameters;
    this.stopButton.disabled = run.terminal;
    this.rerunButton.disabled = !run.terminal || run.kind !== 'pipeline';
    this.copyButton.disabled = false;
    this.attachButton.disabled = run.kind !== 'pipeline' || !this.actions.canInsertAttach();
    this.logsButton.disabled = false;
    this.dagHost.hidden = run.kind === 'build';
    this.model.set('node_states', { ...run.node_states });
    this.tick(now);
  }

  /** Show the run's DAG (once per run: a layout never changes). */
  setGraph(graph: RunGraph): void {
    this.graphDigest = graph.digest;
    this.model.set('title', graph.title);
    this.model.set('nodes', graph.nodes as DagModel['nodes']);
    this.model.set('svg', graph.svg);
  }

  /** The digest of the DAG shown, if any. */
  get graphShown(): string | null {
    return this.graphDigest;
  }

  /** Say why there is no DAG (build runs, unknown builds). */
  setGraphMessage(text: string): void {
    this.model.set('svg', '');
    this.setMessage(text);
  }

  /** Show an error about the run itself (not found, backend down). */
  setError(text: string): void {
    this.setMessage(text);
    this.badge.className = badgeClass('unknown');
    setText(this.badge, 'unavailable');
  }

  /** Refresh what depends on the clock (durations of running runs and steps). */
  tick(now: number): void {
    const run = this._run;
    if (!run) {
      return;
    }
    const started = formatStart(run.started, now);
    const duration = formatDuration(elapsedSeconds(run.started, run.finished, now));
    setText(this.times, [started && `started ${started}`, duration].filter(Boolean).join(' · '));
    this.renderStep(now);
  }

  dispose(): void {
    this.model.off('change:selected', this.onSelect);
    this.dag.dispose();
  }

  private progressBar(): HTMLElement {
    const wrap = el('div', 'dhhera-RunView-progress');
    this.progress.setAttribute('aria-label', 'Steps done');
    wrap.append(this.progress, this.progressLabel);
    return wrap;
  }

  private setMessage(text: string): void {
    setText(this.message, text);
    this.message.hidden = !text;
  }

  private act(what: 'stop' | 'rerun' | 'copy' | 'attach'): void {
    const run = this._run;
    if (!run) {
      return;
    }
    if (what === 'stop') {
      this.stopButton.disabled = true;
      this.actions.stop(run);
    } else if (what === 'rerun') {
      this.actions.rerun(run);
    } else if (what === 'copy') {
      this.actions.copyId(run);
    } else {
      this.actions.insertAttach(run);
    }
  }

  private readonly onSelect = (): void => {
    this.renderStep(Date.now());
  };

  private renderStep(now: number): void {
    const selected = this.model.get('selected');
    const step = this._run?.steps.find(s => s.id === selected);
    const details = (this.model.get('nodes') ?? {})[selected];
    if (!selected || (!step && !details)) {
      this.step.hidden = true;
      return;
    }
    this.step.hidden = false;
    setText(this.stepTitle, step ? step.label || step.step : selected);
    this.stepTitle.title = selected;
    this.stepLogsButton.disabled = !step;
    this.stepList.replaceChildren();
    const rows = [...(step ? stepRows(step, now) : []), ...graphRows(details)];
    for (const [label, value] of rows) {
      this.stepList.append(el('dt', '', label), el('dd', '', value));
    }
  }

  private async showLogs(step: string | null): Promise<void> {
    const run = this._run;
    if (!run) {
      return;
    }
    this.logs.hidden = false;
    setText(this.logTitle, step ? `Logs of step ${this.labelOf(step)}` : 'Logs of the run');
    setText(this.logText, 'Loading…');
    try {
      const logs = await this.actions.logs(run, step);
      const text = logs.text || logs.message || '';
      this.logText.textContent = logs.truncated ? `… (beginning cut)\n${text}` : text;
    } catch (error) {
      this.logText.textContent = (error as Error).message;
    }
  }

  private labelOf(stepId: string): string {
    return this._run?.steps.find(s => s.id === stepId)?.label ?? stepId;
  }

  private _run: RunDetails | null = null;
  private graphDigest: string | null = null;
  private readonly model = new LocalModel<DagModel>({
    svg: '',
    nodes: {},
    node_states: {},
    selected: '',
    height: '320px',
    title: ''
  });
  private readonly dagHost = document.createElement('div');
  private readonly dag: DagView;
  private readonly title = el('h3', 'dhhera-RunView-title');
  private readonly badge = el('span', 'dhhera-badge');
  private readonly progress = document.createElement('progress');
  private readonly progressLabel = el('span', 'dhhera-RunView-progressLabel');
  private readonly times = el('span', 'dhhera-RunView-times');
  private readonly message = el('p', 'dhhera-RunView-message');
  private readonly parameters = el('p', 'dhhera-RunView-parameters');
  private readonly stopButton: HTMLButtonElement;
  private readonly rerunButton: HTMLButtonElement;
  private readonly copyButton: HTMLButtonElement;
  private readonly attachButton: HTMLButtonElement;
  private readonly logsButton: HTMLButtonElement;
  private readonly stepLogsButton: HTMLButtonElement;
  private readonly step = el('div', 'dhhera-RunView-step');
  private readonly stepTitle = el('h4', 'dhhera-RunView-stepTitle');
  private readonly stepList = el('dl', 'dhhera-RunView-stepList');
  private readonly logs = el('div', 'dhhera-RunView-logs');
  private readonly logTitle = el('h4', 'dhhera-RunView-logTitle');
  private readonly logText = el('pre', 'dhhera-RunView-logText');
}
