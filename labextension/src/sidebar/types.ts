/** JSON shapes of the `/dhhera/…` routes (see `dhhera_jupyter/server/`). */

/** `GET /dhhera/backend` */
export interface BackendInfo {
  mode: 'local' | 'platform';
  endpoint: string | null;
  project: string;
  healthy: boolean;
  message: string | null;
  can_start: boolean;
  versions: Record<string, string>;
}

/** `GET /dhhera/projects` */
export interface ProjectList {
  projects: string[];
  default: string;
  /** The project whose newest run is the newest of all, and that run's creation time. */
  recent: { project: string; at: string } | null;
}

/** One run in a list (`runs` and `last_build` of a workflow). */
export interface RunRow {
  id: string;
  kind: 'build' | 'pipeline';
  state: string;
  label: string;
  terminal: boolean;
  started: string | null;
  finished: string | null;
  message: string | null;
}

/** One workflow of `GET /dhhera/workflows`. */
export interface WorkflowSummary {
  name: string;
  id: string;
  built: boolean;
  last_build: RunRow | null;
  /** Recent pipeline runs, newest first (the first is the last run). */
  runs: RunRow[];
}

/** `GET /dhhera/workflows?project=` */
export interface WorkflowList {
  project: string;
  workflows: WorkflowSummary[];
  active: boolean;
  missing?: boolean;
}

/** A declared pipeline parameter (`GET /dhhera/workflows/<name>`). */
export interface ParameterSpec {
  default: string | null;
  enum: string[] | null;
}

/** `GET /dhhera/workflows/<name>` */
export interface WorkflowDetails {
  name: string;
  id: string;
  built: boolean;
  parameters: Record<string, ParameterSpec>;
}

/** One step of a run (`GET /dhhera/runs/<id>`). */
export interface StepRow {
  id: string;
  step: string;
  label: string;
  function: string | null;
  action: string | null;
  state: string;
  start: string | null;
  end: string | null;
  duration: number | null;
  inputs: Record<string, string>;
  outputs: Record<string, string>;
  run_id: string | null;
  message: string | null;
  exit_code: string | null;
  items: number;
  items_done: number;
  /** The URL of the service a serve step started (null for other steps). */
  service_url?: string | null;
}

/** `GET /dhhera/runs/<id>/service`: a serve run and its service (null until it is up). */
export interface ServiceInfo {
  run_id: string;
  function: string | null;
  state: string;
  label: string;
  terminal: boolean;
  stoppable: boolean;
  message: string | null;
  service: { url: string; name: string | null; type: string | null; ports: Record<string, unknown>[] } | null;
}

/** `GET /dhhera/runs/<id>` */
export interface RunDetails {
  id: string;
  project: string;
  workflow: string | null;
  workflow_id: string | null;
  kind: 'build' | 'pipeline';
  state: string;
  label: string;
  terminal: boolean;
  message: string | null;
  started: string | null;
  finished: string | null;
  done: number;
  total: number;
  failed_step: string | null;
  node_states: Record<string, string>;
  steps: StepRow[];
  parameters: Record<string, unknown>;
  graph: string | null;
  /** The run this run retries (`spec.retry_of`), if it is a retry. */
  retry_of?: string | null;
  /** Whether the run can be retried (a pipeline run that failed or was stopped), by its document. */
  retryable?: boolean;
}

/** `GET /dhhera/runs/<id>/graph` */
export interface RunGraph {
  digest: string;
  svg: string;
  nodes: Record<string, Record<string, unknown>>;
  node_count: number;
  title: string;
}

/** `GET /dhhera/runs/<id>/logs` */
export interface RunLogs {
  run_id: string | null;
  step: string | null;
  text: string;
  truncated: boolean;
  /** Bytes of the whole log, and of the part sent (its end). */
  size?: number;
  shown?: number;
  message: string | null;
}

/** `POST …/build`, `…/run`, `…/rerun`, `…/stop` */
export interface StartedRun {
  run_id: string;
  state: string;
  kind?: string;
}
