import { detailRows } from '../widgets/dag/details';
import type { DagModel, NodeDetails } from '../widgets/dag/types';
import { DagView } from '../widgets/dag/view';
import { type LogModel, LogPane } from '../widgets/log';
import { DebugAction, type DebugActionOptions } from './debugAction';
import { button, el, setText } from './dom';
import { badgeClass, byteSize, durationText, formatStart, shortId, shortKey } from './format';
import { LocalModel } from './localModel';
import { OutputPreviewList } from './outputPreview';
import type { CommandsLike } from './notebook';
import { countOutcomes, OUTCOMES, progressText } from './progress';
import { RetryAction } from './retryAction';
import { type ServiceActions, ServiceList } from './services';
import { StepTable } from './stepTable';
import type { RunDetails, RunGraph, RunLogs, StepRow } from './types';

export { progressText } from './progress';

/** What the run view asks the panel to do. */
export interface RunViewActions {
  stop(run: RunDetails): void;
  rerun(run: RunDetails): void;
  /** Start a retry of a failed or stopped run; `canRetry` says whether the backend retries (the local core). */
  retry?: (run: RunDetails) => void;
  canRetry?: () => boolean;
  copyId(run: RunDetails): void;
  insertAttach(run: RunDetails): void;
  canInsertAttach(): boolean;
  /** Show the DAG full size in the main area (null: the action is left out). */
  openDag: ((run: RunDetails) => void) | null;
  close(): void;
  logs(run: RunDetails, step: string | null): Promise<RunLogs>;
  /** A serve step's service (read live) and its stop. */
  services: ServiceActions;
  /** JupyterLab's commands, to insert a step output's load code into the current notebook (absent: shown to copy). */
  commands?: CommandsLike | null;
  /** The selected step's "Debug in notebook" (left out when absent). */
  debug?: DebugActionOptions;
}

/** Smallest and largest height of the sidebar's DAG canvas (px); in between it follows the graph. */
export const DAG_HEIGHT = { min: 120, max: 360 };

/** `n=3, text=hi` (values as JSON when they are not text). */
export function parametersText(parameters: Record<string, unknown>): string {
  return Object.entries(parameters ?? {})
    .map(([name, value]) => `${name}=${typeof value === 'string' ? value : JSON.stringify(value)}`)
    .join(', ');
}

/**
 * A field of the step details: label, value, how the value is drawn (a badge, an error, an id) and, when the
 * value is shortened, the whole of it (its tooltip).
 */
export type StepField = [label: string, value: string, kind?: 'state' | 'message' | 'id' | '', whole?: string];

/** Fields about how Argo ran a step: folded under "Argo", as in the notebook panel. */
const ARGO_FIELDS = ['Task', 'Run', 'Exit code', 'Function key', 'Template', 'Kind', 'Image', 'Depends'];

/** The order of the data fields (the notebook panel's): what the step is, what went in and out, when, what it said. */
const DATA_ORDER = [
  'State',
  'Function',
  'Inputs',
  'Outputs',
  'Started',
  'Duration',
  'Items',
  'Message',
  'When',
  'Loop'
];

/** What the DAG itself says about a step (template, function key, inputs, when…) minus what the run says. */
export function graphRows(details: NodeDetails | undefined): StepField[] {
  const shown = new Set(['State', 'Function', 'Action', 'Outputs']);
  return detailRows(details, undefined)
    .filter(row => !shown.has(row.label))
    .flatMap(row => row.lines.map((line): StepField => [row.label, line]));
}

/** Rows shown for a step: label, then lines (only the fields that have a value). */
export function stepRows(step: StepRow, now: number): StepField[] {
  const rows: StepField[] = [['State', step.state, 'state']];
  if (step.function) {
    rows.push(['Function', step.action ? `${step.function} · ${step.action}` : step.function]);
  }
  // The run's values (entity keys, shortened as the notebook panel does), not the DAG's Argo expressions.
  for (const [name, value] of Object.entries(step.inputs ?? {})) {
    rows.push(['Inputs', `${name} = ${shortKey(value)}`, '', value]);
  }
  for (const [name, value] of Object.entries(step.outputs ?? {})) {
    rows.push(['Outputs', `${name} = ${shortKey(value)}`, '', value]);
  }
  if (step.start) {
    rows.push(['Started', formatStart(step.start, now)]);
    rows.push(['Duration', durationText(step.start, step.end, now)]);
  }
  if (step.items) {
    rows.push(['Items', `${step.items_done} / ${step.items} done`]);
  }
  if (step.message) {
    rows.push(['Message', step.message, 'message']);
  }
  if (step.step && step.step !== step.label) {
    rows.push(['Task', step.step]);
  }
  if (step.run_id) {
    rows.push(['Run', step.run_id, 'id']);
  }
  if (step.exit_code) {
    rows.push(['Exit code', step.exit_code]);
  }
  return rows;
}

/** A step's fields split as the notebook panel shows them: the data, then Argo's internals (folded). */
export function splitFields(rows: StepField[]): { data: StepField[]; argo: StepField[] } {
  const rank = (label: string): number => {
    const index = DATA_ORDER.indexOf(label);
    return index < 0 ? DATA_ORDER.length : index;
  };
  const data = rows.filter(row => !ARGO_FIELDS.includes(row[0]));
  const argo = rows.filter(row => ARGO_FIELDS.includes(row[0]));
  data.sort((a, b) => rank(a[0]) - rank(b[0])); // stable: lines of one field keep their order
  argo.sort((a, b) => ARGO_FIELDS.indexOf(a[0]) - ARGO_FIELDS.indexOf(b[0]));
  return { data, argo };
}

/** `dt`/`dd` pairs for `fields`; a field of several lines gets its label once. Values only as text. */
export function fieldNodes(fields: StepField[]): HTMLElement[] {
  const nodes: HTMLElement[] = [];
  fields.forEach(([label, value, kind, whole], index) => {
    if (index === 0 || fields[index - 1][0] !== label) {
      nodes.push(el('dt', 'dhhera-Label', label));
    } else {
      nodes.push(el('dt', 'dhhera-Label dhhera-mod-more'));
    }
    const dd = el('dd', '');
    if (kind === 'state') {
      dd.append(el('span', badgeClass(value), value));
    } else if (kind === 'id') {
      const id = el('code', 'dhhera-Id', value);
      id.title = value;
      dd.append(id);
    } else {
      dd.textContent = value;
      if (kind === 'message') {
        dd.className = 'dhhera-RunView-stepMessage';
      }
    }
    if (whole && whole !== value) {
      dd.title = whole;
    }
    nodes.push(dd);
  });
  return nodes;
}

/** `Showing the last 195 KB of 1.2 MB.` for a log whose beginning was left out. */
export function truncatedNote(logs: RunLogs): string {
  const shown = logs.shown ?? new TextEncoder().encode(logs.text).length;
  const whole = logs.size ? ` of ${byteSize(logs.size)}` : '';
  return `Showing the last ${byteSize(shown)}${whole}; the beginning is left out.`;
}

/** Natural size of a Graphviz SVG from its markup (`viewBox`, else `width`/`height` in pt), or null. */
export function svgMarkupSize(svg: string): { width: number; height: number } | null {
  const box = /viewBox="\s*[-\d.]+[\s,]+[-\d.]+[\s,]+([\d.]+)[\s,]+([\d.]+)\s*"/.exec(svg);
  if (box) {
    return { width: Number(box[1]), height: Number(box[2]) };
  }
  const width = /\bwidth="([\d.]+)(?:pt|px)?"/.exec(svg);
  const height = /\bheight="([\d.]+)(?:pt|px)?"/.exec(svg);
  return width && height ? { width: Number(width[1]), height: Number(height[1]) } : null;
}

/** The canvas height that shows a graph of `size` fitted to `width` (px), within {@link DAG_HEIGHT}. */
export function dagHeight(size: { width: number; height: number } | null, width: number): number {
  if (!size) {
    return DAG_HEIGHT.min; // no graph yet (loading) or none: a short placeholder, not an empty 360 px box
  }
  if (width <= 0) {
    return DAG_HEIGHT.max;
  }
  const scale = Math.min(1, (width - 32) / Math.max(1, size.width));
  return Math.round(Math.min(DAG_HEIGHT.max, Math.max(DAG_HEIGHT.min, size.height * scale + 32)));
}

/**
 * The selected run: state, progress by outcome, actions, its DAG coloured live (the notebook widget's
 * `DagView` on an in-page model), a paged step table, and the selected step's details and logs.
 */
export class RunView {
  readonly node = el('section', 'dhhera-RunView');

  constructor(private readonly actions: RunViewActions) {
    this.outputs = new OutputPreviewList(actions.commands ?? null);
    this.services = new ServiceList(actions.services);
    this.node.setAttribute('aria-label', 'Selected run');
    const header = el('div', 'dhhera-RunView-header');
    header.append(
      this.title,
      this.badge,
      button('dhhera-RunView-close', '×', 'Close the run view', () => actions.close())
    );
    const meta = el('div', 'dhhera-RunView-meta');
    meta.append(this.runId, this.times, this.retry.note);
    const progress = el('div', 'dhhera-RunView-progress');
    this.bar.setAttribute('role', 'img');
    progress.append(this.bar, this.progressLabel);

    const toolbar = el('div', 'dhhera-RunView-actions');
    this.stopButton = button('dhhera-Button dhhera-RunView-stop', 'Stop', 'Stop this run…', () => this.act('stop'));
    this.rerunButton = button(
      'dhhera-Button dhhera-RunView-rerun',
      'Re-run',
      'Run again with the same parameters',
      () => this.act('rerun')
    );
    this.copyButton = button('dhhera-Button dhhera-RunView-copy', 'Copy id', 'Copy the run id', () => this.act('copy'));
    this.attachButton = button(
      'dhhera-Button dhhera-RunView-attach',
      'Insert attach',
      'Insert a %hera attach cell for this run into the current notebook',
      () => this.act('attach')
    );
    this.logsButton = button(
      'dhhera-Button dhhera-RunView-logs',
      'Run logs',
      'Show the logs of the run',
      () => void this.showLogs(null)
    );
    this.openButton = button(
      'dhhera-Button dhhera-RunView-open',
      'Open DAG',
      'Open the DAG full size in the main area',
      () => this.act('open')
    );
    this.openButton.hidden = actions.openDag === null;
    // Stop asks first, inline, with the notebook panel's words.
    this.confirm.setAttribute('role', 'alertdialog');
    this.confirm.setAttribute('aria-label', 'Stop this run?');
    this.confirm.append(
      el('span', 'dhhera-RunView-confirmText', 'Stop this run? Running steps are interrupted.'),
      button('dhhera-Button dhhera-RunView-confirmStop', 'Stop the run', 'Stop the run', () => this.confirmStop()),
      button('dhhera-Button dhhera-RunView-confirmCancel', 'Cancel', 'Keep the run going', () => this.hideConfirm())
    );
    this.confirm.hidden = true;
    toolbar.append(
      this.stopButton,
      this.rerunButton,
      this.retry.button,
      this.copyButton,
      this.attachButton,
      this.logsButton,
      this.openButton
    );

    this.dagHost.className = 'dhhera-RunView-dag';
    this.dag = new DagView(this.dagHost, this.model);
    this.model.on('change:selected', this.onSelect);
    if (typeof ResizeObserver !== 'undefined') {
      this.resizeObserver = new ResizeObserver(() => this.sizeDag());
      this.resizeObserver.observe(this.node);
    }

    const stepHeader = el('div', 'dhhera-RunView-stepHeader');
    this.stepLogsButton = button(
      'dhhera-Button dhhera-RunView-stepLogs',
      'Refresh logs',
      'Read the logs of this step again',
      () => void this.showLogs(this.model.get('selected') || null)
    );
    stepHeader.append(this.stepTitle, this.stepLogsButton);
    this.debugAction = actions.debug ? new DebugAction(actions.debug) : null;
    const summary = el('summary', 'dhhera-Label', 'Argo');
    this.argo.append(summary, this.argoList);
    this.step.append(
      stepHeader,
      ...(this.debugAction ? [this.debugAction.node] : []),
      this.stepList,
      this.argo,
      this.outputs.node
    );
    this.step.hidden = true;
    this.logs.hidden = true;
    this.logNote.hidden = true;
    this.logs.append(this.logNote);
    // The notebook panel's log pane (runtime lines folded, wrapping at spaces), on an in-page model.
    this.logPane = new LogPane(this.logs, this.logModel, 'dhhera-RunView-logText');

    this.node.append(
      header,
      meta,
      progress,
      this.parameters,
      this.message,
      toolbar,
      this.confirm,
      this.services.node,
      this.dagHost,
      this.table.node,
      this.step,
      this.logs
    );
  }

  /** The run shown (null while none). */
  get run(): RunDetails | null {
    return this._run;
  }

  /** The DAG's model (a second view, such as the main-area one, follows the same run and selection). */
  get dagModel(): LocalModel<DagModel> {
    return this.model;
  }

  /** The serve steps' services (for tests). */
  get serviceList(): ServiceList {
    return this.services;
  }

  /** The step table (for tests and benches). */
  get steps(): StepTable {
    return this.table;
  }

  /** Show a run that is being loaded (clears the previous one). */
  showLoading(runId: string, workflow: string | null): void {
    this._run = null;
    this.node.scrollTop = 0; // another run: start at its header, not where the last one was scrolled to
    this.graphDigest = null;
    this.graphSize = null;
    setText(this.title, workflow ?? 'run');
    this.title.title = `${workflow ?? 'run'} · ${runId}`;
    setText(this.runId, shortId(runId));
    this.runId.title = runId;
    setText(this.times, '');
    this.badge.className = badgeClass('queued');
    setText(this.badge, 'loading…');
    this.setMessage('', '');
    this.parameters.hidden = true;
    this.model.set('selected', '');
    this.model.set('node_states', {});
    this.model.set('placeholder', 'Loading the DAG…');
    this.model.set('svg', '');
    this.sizeDag();
    this.model.set('nodes', {});
    this.model.set('title', '');
    this.step.hidden = true;
    this.logs.hidden = true;
    this.logStep = undefined;
    this.dagHost.hidden = false;
    this.table.node.hidden = true;
    this.table.update([], '', Date.now());
    this.services.clear();
    this.renderBar(null);
    for (const b of [this.stopButton, this.rerunButton, this.copyButton, this.attachButton, this.logsButton]) {
      b.disabled = true;
    }
    this.openButton.disabled = true;
    this.retry.update(null, false);
    this.hideConfirm();
  }

  /** Show the run's current state (a poll result). */
  setRun(run: RunDetails, now: number): void {
    this._run = run;
    setText(this.title, run.workflow ?? run.kind);
    this.title.title = `${run.workflow ?? run.kind} · ${run.id}`;
    setText(this.runId, shortId(run.id));
    this.runId.title = run.id;
    this.badge.className = badgeClass(run.label);
    setText(this.badge, run.label);
    this.renderBar(run);
    setText(this.progressLabel, progressText(run));
    const explains = run.state === 'ERROR' || run.state === 'STOPPED';
    const message = run.message ?? '';
    // A message that only repeats the badge ("stopped") says nothing more.
    this.setMessage(explains && message.toLowerCase() !== run.label ? message : '', run.label);
    const parameters = parametersText(run.parameters);
    setText(this.parameters, parameters ? `Parameters: ${parameters}` : '');
    this.parameters.hidden = !parameters;
    this.stopButton.disabled = run.terminal || run.label === 'stopping';
    if (this.stopButton.disabled) {
      this.hideConfirm();
    }
    this.rerunButton.disabled = !run.terminal || run.kind !== 'pipeline';
    this.retry.update(run, this.actions.canRetry?.() ?? false);
    this.copyButton.disabled = false;
    this.attachButton.disabled = run.kind !== 'pipeline' || !this.actions.canInsertAttach();
    this.logsButton.disabled = false;
    this.dagHost.hidden = run.kind === 'build';
    this.openButton.disabled = run.kind !== 'pipeline' || !this.graphDigest;
    this.table.node.hidden = run.kind === 'build';
    this.model.set('node_states', { ...run.node_states });
    this.table.update(run.steps, this.model.get('selected'), now);
    this.services.update(run);
    this.renderStep(now);
    this.followLogs();
    this.tick(now);
  }

  /** Show the run's DAG (once per run: a layout never changes). */
  setGraph(graph: RunGraph): void {
    this.graphDigest = graph.digest;
    this.graphSize = svgMarkupSize(graph.svg);
    const run = this._run;
    this.model.set('title', graph.title || (run ? `${run.workflow ?? run.kind} · ${shortId(run.id)}` : ''));
    this.model.set('nodes', graph.nodes as DagModel['nodes']);
    this.sizeDag();
    this.model.set('svg', graph.svg);
    this.openButton.disabled = this._run?.kind !== 'pipeline';
  }

  /** The digest of the DAG shown, if any. */
  get graphShown(): string | null {
    return this.graphDigest;
  }

  /** Say why there is no DAG (build runs, unknown builds). */
  setGraphMessage(text: string): void {
    this.model.set('placeholder', 'No graph.');
    this.model.set('svg', '');
    this.setMessage(text, 'info');
  }

  /** Show an error about the run itself (not found, backend down). */
  setError(text: string): void {
    this.setMessage(text, 'failed');
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
    const duration = durationText(run.started, run.finished, now);
    setText(this.times, [started && `started ${started}`, duration].filter(Boolean).join(' · '));
    this.table.tick(now);
    const selected = this.model.get('selected');
    const step = selected ? this.stepOf(selected) : undefined;
    if (step && step.start && !step.end) {
      this.renderStep(now);
    }
  }

  dispose(): void {
    this.resizeObserver?.disconnect();
    this.logPane.dispose();
    this.model.off('change:selected', this.onSelect);
    this.services.dispose();
    this.dag.dispose();
  }

  private renderBar(run: RunDetails | null): void {
    const counts = run && run.kind === 'pipeline' ? countOutcomes(run) : null;
    const total = counts ? OUTCOMES.reduce((sum, o) => sum + counts[o], 0) : 0;
    // A build, or a pipeline before its steps are known: the whole bar in the run's own state.
    const parts: [string, number][] =
      counts && total > 0
        ? OUTCOMES.filter(o => counts[o] > 0).map(o => [o, counts[o]])
        : [[run?.label ?? 'queued', 1]];
    const key = parts.map(([o]) => o).join(',');
    if (this.barKey !== key) {
      this.barKey = key;
      this.bar.replaceChildren(...parts.map(([o]) => el('span', `dhhera-RunView-segment dhhera-RunView-segment-${o}`)));
    }
    parts.forEach(([outcome, count], index) => {
      const segment = this.bar.children[index] as HTMLElement;
      if (segment.style.flexGrow !== String(count)) {
        segment.style.flexGrow = String(count); // a poll only resizes the segments it changes
      }
      const title = counts && total > 0 ? `${count} ${outcome}` : '';
      if (segment.title !== title) {
        segment.title = title;
      }
    });
    const label = run ? (counts && total > 0 ? progressText(run) : `Run ${run.label}`) : 'Loading';
    if (this.bar.getAttribute('aria-label') !== label) {
      this.bar.setAttribute('aria-label', label);
    }
  }

  private sizeDag(): void {
    const width = this.dagHost.clientWidth || this.node.clientWidth;
    const height = `${dagHeight(this.graphSize, width)}px`;
    if (this.model.get('height') !== height) {
      this.model.set('height', height);
    }
  }

  private setMessage(text: string, label: string): void {
    setText(this.message, text);
    this.message.className = `dhhera-RunView-message dhhera-mod-${label || 'info'}`;
    this.message.hidden = !text;
  }

  private act(what: 'stop' | 'rerun' | 'copy' | 'attach' | 'open'): void {
    const run = this._run;
    if (!run) {
      return;
    }
    if (what === 'stop') {
      this.confirm.hidden = false;
      (this.confirm.querySelector('.dhhera-RunView-confirmCancel') as HTMLButtonElement | null)?.focus();
    } else if (what === 'rerun') {
      this.actions.rerun(run);
    } else if (what === 'copy') {
      this.actions.copyId(run);
    } else if (what === 'open') {
      this.actions.openDag?.(run);
    } else {
      this.actions.insertAttach(run);
    }
  }

  private confirmStop(): void {
    const run = this._run;
    this.hideConfirm();
    if (run && !run.terminal) {
      this.stopButton.disabled = true;
      this.actions.stop(run);
    }
  }

  private hideConfirm(): void {
    this.confirm.hidden = true;
  }

  private readonly onSelect = (): void => {
    const selected = this.model.get('selected');
    this.table.reveal(selected);
    this.renderStep(Date.now());
    if (selected && !this.step.hidden) {
      this.step.scrollIntoView?.({ block: 'nearest' }); // the details sit below the table: bring them into view
    }
    if (selected && this.stepOf(selected)) {
      void this.showLogs(selected);
    } else if (!selected && this.logStep) {
      this.logs.hidden = true;
      this.logStep = undefined;
      this.logModel.set('following', false);
    }
  };

  private selectStep(stepId: string): void {
    this.model.set('selected', this.model.get('selected') === stepId ? '' : stepId);
  }

  private stepOf(stepId: string): StepRow | undefined {
    return this._run?.steps.find(s => s.id === stepId);
  }

  private renderStep(now: number): void {
    const selected = this.model.get('selected');
    const step = this.stepOf(selected);
    const details = (this.model.get('nodes') ?? {})[selected];
    if (!selected || (!step && !details)) {
      this.step.hidden = true;
      return;
    }
    this.step.hidden = false;
    setText(this.stepTitle, step ? step.label || step.step : selected);
    this.stepTitle.title = selected;
    this.stepLogsButton.disabled = !step;
    this.debugAction?.show(this._run, step);
    this.outputs.update(step?.outputs);
    const own = step ? stepRows(step, now) : [];
    const hasInputs = own.some(row => row[0] === 'Inputs');
    const fromGraph = graphRows(details).filter(row => !(hasInputs && row[0] === 'Inputs'));
    const { data, argo } = splitFields([...own, ...fromGraph]);
    const key = JSON.stringify([data, argo]);
    if (key === this.stepKey) {
      return; // nothing changed: keep the DOM (and any text selection) as it is
    }
    this.stepKey = key;
    this.stepList.replaceChildren(...fieldNodes(data));
    this.argoList.replaceChildren(...fieldNodes(argo));
    this.argo.hidden = argo.length === 0;
  }

  /** A selected running step's log is read again when the run changes (bounded: the server sends its end). */
  private followLogs(): void {
    const stepId = this.logStep;
    if (stepId === undefined || this.logsLoading) {
      return;
    }
    const step = stepId === null ? null : this.stepOf(stepId);
    const moving = stepId === null ? this._run && !this._run.terminal : step && !step.end;
    const justEnded = stepId !== null && step?.end && this.logEnded !== step.end;
    if (moving || justEnded) {
      void this.showLogs(stepId, true);
    }
  }

  private async showLogs(step: string | null, quiet = false): Promise<void> {
    const run = this._run;
    if (!run) {
      return;
    }
    this.logs.hidden = false;
    const switched = this.logStep !== step;
    this.logStep = step;
    this.logModel.set('title', step ? `Log of step ${this.labelOf(step)}` : 'Log of the run');
    const stepRow = step ? this.stepOf(step) : undefined;
    this.logModel.set('following', step ? stepRow?.state === 'running' : !run.terminal);
    if (switched) {
      this.logModel.set('text', '');
    }
    if (!quiet || switched) {
      this.logModel.set('note', 'loading…');
    }
    this.logsLoading = true;
    try {
      const logs = await this.actions.logs(run, step);
      if (this.logStep !== step) {
        return;
      }
      // The pane keeps the view at the end when it was there (or follows a running step).
      this.logModel.set('text', logs.text || logs.message || '');
      this.logModel.set('note', '');
      setText(this.logNote, logs.truncated ? truncatedNote(logs) : '');
      this.logNote.hidden = !logs.truncated;
      this.logEnded = step ? (this.stepOf(step)?.end ?? null) : null;
    } catch (error) {
      this.logModel.set('note', (error as Error).message);
    } finally {
      this.logsLoading = false;
    }
  }

  private labelOf(stepId: string): string {
    return this.stepOf(stepId)?.label ?? stepId;
  }

  private _run: RunDetails | null = null;
  private graphDigest: string | null = null;
  private graphSize: { width: number; height: number } | null = null;
  private stepKey = '';
  private barKey = '';
  /** The step whose logs are shown (null: the run's; undefined: none). */
  private logStep: string | null | undefined = undefined;
  private logEnded: string | null = null;
  private logsLoading = false;
  private readonly model = new LocalModel<DagModel>({
    svg: '',
    nodes: {},
    node_states: {},
    selected: '',
    height: `${DAG_HEIGHT.min}px`,
    title: '',
    placeholder: 'Loading the DAG…'
  });
  private readonly resizeObserver: ResizeObserver | null = null;
  private readonly dagHost = document.createElement('div');
  private readonly dag: DagView;
  private readonly table = new StepTable(id => this.selectStep(id));
  private readonly title = el('h3', 'dhhera-RunView-title');
  private readonly badge = el('span', 'dhhera-badge');
  private readonly runId = el('code', 'dhhera-RunView-id');
  private readonly bar = el('div', 'dhhera-RunView-bar');
  private readonly progressLabel = el('span', 'dhhera-RunView-progressLabel');
  private readonly times = el('span', 'dhhera-RunView-times');
  private readonly message = el('p', 'dhhera-RunView-message');
  private readonly parameters = el('p', 'dhhera-RunView-parameters');
  private readonly stopButton: HTMLButtonElement;
  private readonly rerunButton: HTMLButtonElement;
  private readonly copyButton: HTMLButtonElement;
  private readonly attachButton: HTMLButtonElement;
  private readonly logsButton: HTMLButtonElement;
  private readonly openButton: HTMLButtonElement;
  private readonly stepLogsButton: HTMLButtonElement;
  private readonly confirm = el('div', 'dhhera-RunView-confirm');
  private readonly step = el('div', 'dhhera-RunView-step');
  private readonly stepTitle = el('h4', 'dhhera-RunView-stepTitle');
  private readonly stepList = el('dl', 'dhhera-RunView-stepList');
  private readonly outputs: OutputPreviewList;
  private readonly argo = el('details', 'dhhera-RunView-argo');
  private readonly argoList = el('dl', 'dhhera-RunView-argoList');
  private readonly logs = el('div', 'dhhera-RunView-logs');
  private readonly logNote = el('p', 'dhhera-RunView-logNote');
  private readonly logModel = new LocalModel<LogModel>({ text: '', title: '', note: '', following: false });
  private readonly logPane: LogPane;
  private readonly services: ServiceList;
  private readonly debugAction: DebugAction | null;
  private readonly retry = new RetryAction(() => {
    if (this._run) {
      this.retry.button.disabled = true; // one retry per click
      this.actions.retry?.(this._run);
    }
  });
}
