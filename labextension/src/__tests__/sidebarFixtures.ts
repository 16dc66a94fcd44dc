import type { Fetched } from '../api';
import { RouteError } from '../api';
import type { SidebarService } from '../sidebar/service';
import type {
  BackendInfo,
  ProjectList,
  RunDetails,
  RunGraph,
  RunRow,
  ServiceInfo,
  WorkflowList,
  WorkflowSummary
} from '../sidebar/types';
import { graphvizSvg } from './svgFixture';

export const backend: BackendInfo = {
  mode: 'local',
  endpoint: 'http://127.0.0.1:5555',
  project: 'dhhera',
  healthy: true,
  message: null,
  can_start: true,
  versions: { digitalhub: '0.15.11' }
};

export function runRow(id: string, label = 'succeeded', extra: Partial<RunRow> = {}): RunRow {
  return {
    id,
    kind: 'pipeline',
    state: label === 'running' ? 'RUNNING' : 'COMPLETED',
    label,
    terminal: label !== 'running',
    started: '2026-01-01T10:00:00Z',
    finished: label === 'running' ? null : '2026-01-01T10:00:42Z',
    message: null,
    ...extra
  };
}

export function workflow(name: string, runs: RunRow[] = [], extra: Partial<WorkflowSummary> = {}): WorkflowSummary {
  return { name, id: `${name}-v1`, built: true, last_build: null, runs, ...extra };
}

export function runDetails(id: string, states: Record<string, string>, extra: Partial<RunDetails> = {}): RunDetails {
  const steps = Object.entries(states).map(([step, state]) => ({
    id: step,
    step,
    label: step,
    function: 'hold',
    action: 'job',
    state,
    start: '2026-01-01T10:00:00Z',
    end: null,
    duration: null,
    inputs: {},
    outputs: {},
    run_id: null,
    message: null,
    exit_code: null,
    items: 0,
    items_done: 0
  }));
  const done = steps.filter(s => s.state === 'succeeded').length;
  const terminal = done === steps.length;
  return {
    id,
    project: 'dhhera',
    workflow: 'etl',
    workflow_id: 'v1',
    kind: 'pipeline',
    state: terminal ? 'COMPLETED' : 'RUNNING',
    label: terminal ? 'succeeded' : 'running',
    terminal,
    message: null,
    started: '2026-01-01T10:00:00Z',
    finished: null,
    done,
    total: steps.length,
    failed_step: null,
    node_states: { ...states },
    steps,
    parameters: {},
    graph: 'digest1',
    ...extra
  };
}

export function graphOf(ids: string[]): RunGraph {
  return {
    digest: 'digest1',
    svg: graphvizSvg(ids),
    nodes: Object.fromEntries(
      ids.map(id => [id, { function: 'hold', template: `tpl-${id}`, inputs: { gate: 'none' } }])
    ),
    node_count: ids.length,
    title: 'etl'
  };
}

/** A scripted stand-in for the server routes, recording every call. */
export class FakeService {
  calls: string[] = [];
  list: WorkflowList = { project: 'dhhera', workflows: [], active: false };
  listEtag = '"e1"';
  listError: RouteError | null = null;
  projectList: ProjectList = { projects: ['dhhera', 'other'], default: 'dhhera', recent: null };
  runs = new Map<string, RunDetails>();
  graphs = new Map<string, RunGraph>();
  /** Log text by step id (default: `log of <step>`). */
  logTexts = new Map<string, string>();
  services = new Map<string, ServiceInfo>();

  asService(): SidebarService {
    const record = <T>(name: string, value: () => T): Promise<T> => {
      this.calls.push(name);
      return Promise.resolve().then(value);
    };
    return {
      backend: () => record('backend', () => backend),
      startLocalCore: () => record('startLocalCore', () => backend),
      projects: () => record('projects', () => this.projectList),
      workflows: (project, etag): Promise<Fetched<WorkflowList>> =>
        record(`workflows ${project} ${etag}`, () => {
          if (this.listError) {
            throw this.listError;
          }
          return etag === this.listEtag
            ? { changed: false, data: null, etag }
            : { changed: true, data: this.list, etag: this.listEtag };
        }),
      workflow: (_project, name) =>
        record(`workflow ${name}`, () => ({
          name,
          id: 'v1',
          built: true,
          parameters: { text: { default: 'hi', enum: null } }
        })),
      build: (_project, name) => record(`build ${name}`, () => ({ run_id: 'b1', state: 'CREATED' })),
      run: (_project, name, parameters) =>
        record(`run ${name} ${JSON.stringify(parameters)}`, () => ({ run_id: 'new1', state: 'CREATED' })),
      runDetails: (project, runId, etag) =>
        record(`runDetails ${runId}`, () => {
          const run = this.runs.get(runId);
          if (!run) {
            throw new RouteError(404, `Run '${runId}' does not exist in project '${project}'.`);
          }
          const tag = `"${JSON.stringify(run.node_states)}"`;
          return etag === tag ? { changed: false, data: null, etag } : { changed: true, data: run, etag: tag };
        }),
      graph: (_project, runId) =>
        record(`graph ${runId}`, () => {
          const graph = this.graphs.get(runId);
          if (!graph) {
            throw new RouteError(404, 'no graph');
          }
          return graph;
        }),
      logs: (_project, runId, step) =>
        record(`logs ${runId} ${step}`, () => ({
          run_id: 'child',
          step: step ?? null,
          text: this.logTexts.get(step ?? runId) ?? (step ? `log of ${step}` : `log of ${runId}`),
          truncated: false,
          message: null
        })),
      serviceInfo: (project, runId) =>
        record(`serviceInfo ${runId}`, () => {
          const info = this.services.get(runId);
          if (!info) {
            throw new RouteError(404, `Run '${runId}' does not exist in project '${project}'.`);
          }
          return info;
        }),
      stop: (_project, runId) => record(`stop ${runId}`, () => ({ run_id: runId, state: 'STOP' })),
      rerun: (_project, runId) => record(`rerun ${runId}`, () => ({ run_id: 'again1', state: 'CREATED' }))
    };
  }
}

/** What the service route says of serve run `runId` (running at `url` unless told otherwise). */
export function serviceInfo(runId: string, url: string, extra: Partial<ServiceInfo> = {}): ServiceInfo {
  return {
    run_id: runId,
    function: 'api',
    state: 'RUNNING',
    label: 'running',
    terminal: false,
    stoppable: true,
    message: null,
    service: { url, name: 'api', type: 'NodePort', ports: [] },
    ...extra
  };
}
