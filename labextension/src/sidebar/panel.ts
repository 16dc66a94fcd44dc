import type { Message } from '@lumino/messaging';
import { Widget } from '@lumino/widgets';

import { RouteError } from '../api';
import { el } from './dom';
import { attachCommand, shortId } from './format';
import { BackendHeader, NoticeView } from './header';
import { pipelinesIcon } from './icon';
import type { SidebarUi } from './labUi';
import { fetchDebugCells } from './debugAction';
import { type CommandsLike, canInsertCell, insertCell } from './notebook';
import type { DagModel } from '../widgets/dag/types';
import type { LocalModel } from './localModel';
import { type NoticeAction, noticeFor } from './notices';
import { Poller } from './poller';
import { initialProject, pageMemory, type ProjectMemory } from './projectMemory';
import { startRetry } from './retryAction';
import { RunView } from './runView';
import type { SidebarService } from './service';
import type { BackendInfo, ProjectList, RunDetails, RunRow, WorkflowList } from './types';
import { WorkflowListView } from './workflowList';

/** The title of the sidebar panel, shown in its header and as the tab caption. */
export const PANEL_TITLE = 'DigitalHub pipelines';

/** Milliseconds between list refreshes while a run moves, and while all is quiet. */
export const LIST_INTERVAL = { active: 1500, idle: 3000 };
/** Milliseconds between polls of the selected run while it moves. */
export const RUN_INTERVAL = 1000;

/** Milliseconds an information message (copied, inserted…) stays before it clears itself. */
export const INFO_TTL = 6000;

export interface PanelOptions {
  service: SidebarService;
  ui: SidebarUi;
  /** JupyterLab's commands (to insert a cell into the current notebook); null leaves that action out. */
  commands: CommandsLike | null;
  /** Where the chosen project is remembered across reloads (default: for the life of the page). */
  memory?: ProjectMemory;
  /** Show a run's DAG full size in the main area (default: the action is left out). */
  openDag?: ((model: LocalModel<DagModel>, title: string) => void) | null;
}

/** A run's list row from what the run view read (fresher than the list while the run is selected). */
export function rowOf(run: RunDetails): RunRow {
  return {
    id: run.id,
    kind: run.kind,
    state: run.state,
    label: run.label,
    terminal: run.terminal,
    started: run.started,
    finished: run.finished,
    message: run.state === 'ERROR' ? run.message : null
  };
}

/**
 * The list with the rows of `fresher` in place of the list's own (same run id). The list is read from a
 * server-side cache refreshed every second or so; the selected run is read directly, so right after a run
 * ends the list would still say "running" for a moment without this.
 */
export function withFresherRows(list: WorkflowList, fresher: ReadonlyMap<string, RunRow>): WorkflowList {
  if (fresher.size === 0) {
    return list;
  }
  const patch = (row: RunRow): RunRow => {
    const other = fresher.get(row.id);
    return other && !row.terminal && (other.terminal || other.state !== row.state) ? { ...row, ...other } : row;
  };
  return {
    ...list,
    workflows: list.workflows.map(w => ({
      ...w,
      last_build: w.last_build ? patch(w.last_build) : null,
      runs: w.runs.map(patch)
    }))
  };
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * The left-sidebar panel: backend and project, the project's workflows with their recent runs
 * (refreshed with conditional requests while the panel is visible), the selected run with its live
 * DAG, and the actions build, run, stop, re-run, copy id and insert `%hera attach`.
 */
export class PipelinesPanel extends Widget {
  constructor(private readonly options: PanelOptions) {
    super();
    this.id = 'dhhera-pipelines';
    this.addClass('dhhera-PipelinesPanel');
    this.title.icon = pipelinesIcon;
    this.title.caption = PANEL_TITLE;

    const header = el('header', 'dhhera-PipelinesPanel-header', PANEL_TITLE);
    this.backendHeader = new BackendHeader({
      chooseProject: project => this.chooseProject(project),
      refresh: () => void this.refreshAll()
    });
    this.notice = new NoticeView(action => void this.onNotice(action));
    this.list = new WorkflowListView({
      selectRun: (run, workflow) => this.selectRun(run.id, workflow, run.kind),
      build: name => void this.build(name),
      run: name => void this.runWorkflow(name)
    });
    this.runView = new RunView({
      stop: run => void this.stop(run),
      rerun: run => void this.rerun(run),
      retry: run => void this.retry(run),
      canRetry: () => this.backend?.mode === 'local',
      copyId: run => this.copyId(run),
      insertAttach: run => void this.insertAttach(run),
      canInsertAttach: () => canInsertCell(this.options.commands),
      openDag: options.openDag ? () => options.openDag?.(this.runView.dagModel, 'DAG of the selected run') : null,
      close: () => this.closeRun(),
      logs: (run, step) => this.options.service.logs(run.project, run.id, step ?? undefined),
      services: {
        read: (run, serviceRunId) => this.options.service.serviceInfo(run.project, serviceRunId),
        stop: (run, serviceRunId) => this.options.service.stop(run.project, serviceRunId)
      },
      commands: this.options.commands,
      debug: { fetch: fetchDebugCells, commands: this.options.commands }
    });
    this.runView.node.hidden = true;

    this._status = el('p', 'dhhera-PipelinesPanel-status');
    this._status.setAttribute('role', 'status');
    this._body = el('div', 'dhhera-PipelinesPanel-body');
    this._body.append(this._status, this.notice.node, this.list.node);
    this.node.append(header, this.backendHeader.node, this._body, this.runView.node);
    this.setStatus('Connecting…');

    this.listPoller = new Poller(() => this.refreshList(), { interval: LIST_INTERVAL.idle, maxBackoff: 30_000 });
    this.runPoller = new Poller(() => this.refreshRun(), { interval: RUN_INTERVAL, maxBackoff: 15_000 });
    this.memory = options.memory ?? pageMemory();
  }

  /** The element that holds the panel content below the header. */
  get body(): HTMLElement {
    return this._body;
  }

  /** The project shown. */
  get currentProject(): string {
    return this.project;
  }

  /**
   * Show a one-line status message (connection state, results of actions). An information message is
   * transient: one about a run (`forRun`) clears when that run ends, any other after {@link INFO_TTL} ms.
   */
  setStatus(message: string, kind: 'info' | 'error' = 'info', forRun: string | null = null): void {
    this._status.textContent = message;
    this._status.classList.toggle('dhhera-mod-error', kind === 'error');
    this._status.setAttribute('role', kind === 'error' ? 'alert' : 'status');
    this.statusRun = kind === 'info' ? forRun : null;
    if (this.statusTimer !== null) {
      clearTimeout(this.statusTimer);
      this.statusTimer = null;
    }
    if (kind === 'info' && message && forRun === null && message !== 'Connecting…') {
      this.statusTimer = setTimeout(() => {
        this.statusTimer = null;
        if (this._status.textContent === message) {
          this.setStatus('');
        }
      }, INFO_TTL);
    }
  }

  /** Clear a run's transient message once that run has ended. */
  private runEnded(runId: string): void {
    if (this.statusRun === runId) {
      this.setStatus('');
    }
  }

  /** Start refreshing (the panel became visible). */
  start(): void {
    if (!this.started) {
      this.started = true;
      void this.connect();
    }
    this.listPoller.start();
    if (this.selected && !this.selectedTerminal) {
      this.runPoller.start();
    }
    this.runView.serviceList.resume();
  }

  /** Stop refreshing (the panel is hidden): no request while nobody looks. */
  pause(): void {
    this.listPoller.stop();
    this.runPoller.stop();
    this.runView.serviceList.pause();
  }

  dispose(): void {
    if (this.isDisposed) {
      return;
    }
    this.pause();
    if (this.statusTimer !== null) {
      clearTimeout(this.statusTimer);
    }
    document.removeEventListener('visibilitychange', this.onVisibility);
    this.runView.dispose();
    super.dispose();
  }

  protected onAfterAttach(msg: Message): void {
    super.onAfterAttach(msg);
    document.addEventListener('visibilitychange', this.onVisibility);
  }

  protected onBeforeDetach(msg: Message): void {
    document.removeEventListener('visibilitychange', this.onVisibility);
    this.pause();
    super.onBeforeDetach(msg);
  }

  protected onAfterShow(msg: Message): void {
    super.onAfterShow(msg);
    this.start();
  }

  protected onBeforeHide(msg: Message): void {
    this.pause();
    super.onBeforeHide(msg);
  }

  private readonly onVisibility = (): void => {
    if (document.hidden) {
      this.pause();
    } else if (this.isVisible) {
      this.start();
    }
  };

  // -- backend and projects ---------------------------------------------------------------

  private async connect(): Promise<void> {
    await this.refreshBackend();
    await this.refreshProjects();
    if (!this.project && this.backend) {
      this.project = this.backend.project; // no project list: the backend's default
      this.backendHeader.setProjects(this.projects, this.project);
    }
  }

  private async refreshBackend(): Promise<void> {
    this.lastBackendCheck = Date.now();
    try {
      this.backend = await this.options.service.backend();
      this.backendError = null;
    } catch (error) {
      this.backendError = messageOf(error);
    }
    this.backendHeader.setBackend(this.backend);
    this.renderNotice();
  }

  private async refreshProjects(): Promise<void> {
    try {
      const list = await this.options.service.projects();
      this.projects = list.projects;
      if (!this.project) {
        this.project = await this.openingProject(list);
      }
    } catch {
      // The list of projects is a convenience; the selector still shows the current one.
    }
    if (this.project) {
      this.backendHeader.setProjects(this.projects, this.project);
    }
  }

  /** The project to open on (see {@link initialProject}). */
  private async openingProject(list: ProjectList): Promise<string> {
    const remembered = await this.memory.load();
    return initialProject(list.projects, list.default, remembered, list.recent ?? null);
  }

  private chooseProject(project: string): void {
    if (!project || project === this.project) {
      return;
    }
    this.project = project;
    void this.memory.save({ project, at: Date.now() });
    this.fresher.clear();
    this.listData = null;
    this.listEtag = null;
    this.listError = null;
    this.list.clear();
    this.closeRun();
    void this.listPoller.refresh();
  }

  private async refreshAll(): Promise<void> {
    await this.refreshBackend();
    await this.refreshProjects();
    await this.listPoller.refresh();
    if (this.selected) {
      await this.runPoller.refresh();
    }
  }

  private async onNotice(action: NoticeAction): Promise<void> {
    if (action === 'choose-project') {
      this.backendHeader.focusProjects();
    } else if (action === 'start-core') {
      this.setStatus('Starting the local core…');
      try {
        this.backend = await this.options.service.startLocalCore();
        this.backendHeader.setBackend(this.backend);
        this.setStatus(this.backend.healthy ? 'The local core is running.' : (this.backend.message ?? ''));
      } catch (error) {
        this.setStatus(messageOf(error), 'error');
      }
      await this.refreshAll();
    } else {
      await this.refreshAll();
    }
  }

  // -- the workflow list --------------------------------------------------------------------

  private async refreshList(): Promise<number> {
    if (!this.project) {
      await this.connect();
      if (!this.project) {
        throw new Error('no project yet');
      }
    }
    const project = this.project;
    try {
      const fetched = await this.options.service.workflows(project, this.listEtag);
      if (project !== this.project) {
        return 0; // the project changed meanwhile: read the new one now
      }
      if (fetched.changed && fetched.data) {
        this.listData = fetched.data;
        this.listEtag = fetched.etag;
      }
      const recovered = this.listError !== null || (this.backend !== null && !this.backend.healthy);
      this.listError = null;
      if (recovered) {
        void this.refreshBackend();
      }
    } catch (error) {
      this.listError = {
        status: error instanceof RouteError ? error.status : 0,
        message: messageOf(error)
      };
      if (this.listError.status !== 404 && Date.now() - this.lastBackendCheck > 5000) {
        void this.refreshBackend();
      }
      this.renderList();
      throw error;
    }
    this.renderList();
    return this.listData?.active ? LIST_INTERVAL.active : LIST_INTERVAL.idle;
  }

  private renderList(): void {
    const now = Date.now();
    this.list.node.hidden = !this.listData || this.listError?.status === 404;
    if (this.listData) {
      this.forgetAgreedRows(this.listData);
      this.list.update(withFresherRows(this.listData, this.fresher).workflows, this.selected?.id ?? null, now);
      const row = this.statusRun ? this.listedRow(this.statusRun) : null;
      if (row?.terminal) {
        this.runEnded(row.id);
      }
    }
    if (this._status.textContent === 'Connecting…' && (this.listData || this.listError)) {
      this.setStatus('');
    }
    this.renderNotice();
  }

  private renderNotice(): void {
    const notice = noticeFor({
      backend: this.backend,
      backendError: this.backendError,
      list: this.listData,
      listError: this.listError
    });
    let detail = '';
    const next = this.listPoller.nextAt;
    if (notice?.kind === 'error' && next !== null) {
      detail = `Retrying in ${Math.max(1, Math.round((next - Date.now()) / 1000))} s.`;
    }
    this.notice.show(notice, detail);
  }

  /** The list's row of a run (its last build or one of its recent runs), if listed. */
  private listedRow(runId: string): RunRow | null {
    for (const w of this.listData?.workflows ?? []) {
      const row = [w.last_build, ...w.runs].find(r => r?.id === runId);
      if (row) {
        return row;
      }
    }
    return null;
  }

  /** Drop fresher rows the list has caught up with (and non-final ones of runs no longer selected). */
  private forgetAgreedRows(list: WorkflowList): void {
    if (this.fresher.size === 0 || this.listData !== list) {
      return;
    }
    for (const [id, row] of Array.from(this.fresher)) {
      const seen = this.listedRow(id);
      const stale = !row.terminal && this.selected?.id !== id;
      if (stale || (seen && (seen.state === row.state || seen.terminal))) {
        this.fresher.delete(id);
      }
    }
  }

  // -- the selected run ------------------------------------------------------------------------

  private selectRun(runId: string, workflow: string | null, kind: RunRow['kind']): void {
    this.selected = { id: runId, project: this.project, kind };
    this.selectedTerminal = false;
    this.runEtag = null;
    this.runView.node.hidden = false;
    this.runView.showLoading(runId, workflow);
    this.renderList();
    this.runPoller.stop();
    this.runPoller.start();
  }

  private closeRun(): void {
    this.selected = null;
    this.runPoller.stop();
    this.runView.serviceList.clear(); // a closed run view reads no service
    this.runView.node.hidden = true;
    this.renderList();
  }

  private async refreshRun(): Promise<number | 'stop'> {
    const selected = this.selected;
    if (!selected) {
      return 'stop';
    }
    const { service } = this.options;
    const firstRead = this.runView.run === null;
    // On the first read the DAG is fetched at the same time: a click shows the graph in one round trip.
    const graph =
      firstRead && selected.kind === 'pipeline' ? service.graph(selected.project, selected.id).catch(e => e) : null;
    let details: RunDetails | null = null;
    try {
      const fetched = await service.runDetails(selected.project, selected.id, this.runEtag);
      if (this.selected !== selected) {
        return 'stop';
      }
      if (fetched.changed && fetched.data) {
        details = fetched.data;
        this.runEtag = fetched.etag;
        this.runView.setRun(details, Date.now());
        this.noteRunRow(rowOf(details));
      } else {
        this.runView.tick(Date.now());
      }
    } catch (error) {
      if (this.selected === selected) {
        this.runView.setError(messageOf(error));
      }
      if (error instanceof RouteError && error.status === 404) {
        return 'stop';
      }
      throw error;
    }
    const run = this.runView.run;
    if (run && run.kind === 'pipeline' && run.graph && run.graph !== this.runView.graphShown) {
      const result = await (graph ?? service.graph(selected.project, selected.id).catch(e => e));
      if (this.selected === selected) {
        if (result instanceof Error) {
          this.runView.setGraphMessage(result.message);
        } else {
          this.runView.setGraph(result);
        }
      }
    } else if (run && run.kind === 'pipeline' && !run.graph) {
      this.runView.setGraphMessage('The build of this run cannot be found, so its DAG cannot be drawn.');
    }
    if (run?.terminal) {
      this.selectedTerminal = true;
      this.runEnded(run.id);
      return 'stop';
    }
    return RUN_INTERVAL;
  }

  /** Keep the list in step with the selected run: show its fresher row now and ask the list again. */
  private noteRunRow(row: RunRow): void {
    const listed = this.listedRow(row.id);
    if (listed && listed.state === row.state) {
      this.fresher.delete(row.id);
      return;
    }
    this.fresher.set(row.id, row);
    this.renderList();
    if (listed) {
      void this.listPoller.refresh();
    }
  }

  // -- actions ----------------------------------------------------------------------------------

  private async build(name: string): Promise<void> {
    try {
      const started = await this.options.service.build(this.project, name);
      this.setStatus(`Build of ${name} started (run ${shortId(started.run_id)}).`, 'info', started.run_id);
    } catch (error) {
      this.setStatus(messageOf(error), 'error');
    }
    await this.listPoller.refresh();
  }

  private async runWorkflow(name: string): Promise<void> {
    const project = this.project;
    try {
      const details = await this.options.service.workflow(project, name);
      const parameters = await this.options.ui.askParameters(name, details.parameters);
      if (parameters === null) {
        return;
      }
      const started = await this.options.service.run(project, name, parameters);
      this.setStatus(`Run of ${name} started (run ${shortId(started.run_id)}).`, 'info', started.run_id);
      await this.listPoller.refresh();
      this.selectRun(started.run_id, name, 'pipeline');
    } catch (error) {
      this.setStatus(messageOf(error), 'error');
    }
  }

  private async stop(run: RunDetails): Promise<void> {
    try {
      await this.options.service.stop(run.project, run.id);
      this.setStatus(`Stopping run ${shortId(run.id)}…`, 'info', run.id);
    } catch (error) {
      this.setStatus(messageOf(error), 'error');
    }
    this.selectedTerminal = false;
    if (this.selected?.id === run.id) {
      this.runPoller.start();
      await this.runPoller.refresh();
    }
    await this.listPoller.refresh();
  }

  private async rerun(run: RunDetails): Promise<void> {
    try {
      const started = await this.options.service.rerun(run.project, run.id);
      this.setStatus(`Run ${shortId(run.id)} started again as ${shortId(started.run_id)}.`, 'info', started.run_id);
      await this.listPoller.refresh();
      this.selectRun(started.run_id, run.workflow, 'pipeline');
    } catch (error) {
      this.setStatus(messageOf(error), 'error');
    }
  }

  private async retry(run: RunDetails): Promise<void> {
    try {
      const started = await startRetry(run.project, run.id);
      this.setStatus(`Retrying run ${shortId(run.id)} as ${shortId(started.run_id)}.`, 'info', started.run_id);
      await this.listPoller.refresh();
      this.selectRun(started.run_id, run.workflow, 'pipeline');
    } catch (error) {
      this.setStatus(messageOf(error), 'error');
    }
  }

  private copyId(run: RunDetails): void {
    this.options.ui.copy(run.id);
    this.setStatus(`Copied run id ${run.id}.`);
  }

  private async insertAttach(run: RunDetails): Promise<void> {
    const text = attachCommand(run.id, run.project, this.backend?.project ?? null);
    try {
      await insertCell(this.options.commands, text);
      this.setStatus(`Inserted "${text}" into the notebook.`);
    } catch (error) {
      this.setStatus(messageOf(error), 'error');
    }
  }

  private started = false;
  private project = '';
  private readonly memory: ProjectMemory;
  /** Rows of runs read more recently than the list (the selected run), by run id. */
  private readonly fresher = new Map<string, RunRow>();
  /** The run the current information message is about (cleared when it ends). */
  private statusRun: string | null = null;
  private statusTimer: ReturnType<typeof setTimeout> | null = null;
  private projects: string[] = [];
  private backend: BackendInfo | null = null;
  private backendError: string | null = null;
  private lastBackendCheck = 0;
  private listData: WorkflowList | null = null;
  private listEtag: string | null = null;
  private listError: { status: number; message: string } | null = null;
  private selected: { id: string; project: string; kind: RunRow['kind'] } | null = null;
  private selectedTerminal = false;
  private runEtag: string | null = null;
  private readonly listPoller: Poller;
  private readonly runPoller: Poller;
  private readonly backendHeader: BackendHeader;
  private readonly notice: NoticeView;
  private readonly list: WorkflowListView;
  private readonly runView: RunView;
  private readonly _body: HTMLElement;
  private readonly _status: HTMLElement;
}
