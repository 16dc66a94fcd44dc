import { type Fetched, getIfChanged, requestAPI } from '../api';
import type {
  BackendInfo,
  ProjectList,
  RunDetails,
  RunGraph,
  RunLogs,
  ServiceInfo,
  StartedRun,
  WorkflowDetails,
  WorkflowList
} from './types';

const seg = encodeURIComponent;

/** The routes the sidebar calls, typed. Reads of changing data are conditional (ETag). */
export const service = {
  backend: (): Promise<BackendInfo> => requestAPI<BackendInfo>('backend'),
  startLocalCore: (): Promise<BackendInfo> => requestAPI<BackendInfo>('backend/start', { method: 'POST' }),
  projects: (): Promise<ProjectList> => requestAPI<ProjectList>('projects'),
  workflows: (project: string, etag: string | null): Promise<Fetched<WorkflowList>> =>
    getIfChanged<WorkflowList>('workflows', etag, { project }),
  workflow: (project: string, name: string): Promise<WorkflowDetails> =>
    requestAPI<WorkflowDetails>(`workflows/${seg(name)}`, {}, { project }),
  build: (project: string, name: string): Promise<StartedRun> =>
    requestAPI<StartedRun>(`workflows/${seg(name)}/build`, { method: 'POST' }, { project }),
  run: (project: string, name: string, parameters: Record<string, string>): Promise<StartedRun> =>
    requestAPI<StartedRun>(
      `workflows/${seg(name)}/run`,
      { method: 'POST', body: JSON.stringify({ parameters }) },
      { project }
    ),
  runDetails: (project: string, runId: string, etag: string | null): Promise<Fetched<RunDetails>> =>
    getIfChanged<RunDetails>(`runs/${seg(runId)}`, etag, { project }),
  graph: (project: string, runId: string): Promise<RunGraph> =>
    requestAPI<RunGraph>(`runs/${seg(runId)}/graph`, {}, { project }),
  logs: (project: string, runId: string, step?: string): Promise<RunLogs> =>
    requestAPI<RunLogs>(`runs/${seg(runId)}/logs`, {}, { project, step }),
  serviceInfo: (project: string, runId: string): Promise<ServiceInfo> =>
    requestAPI<ServiceInfo>(`runs/${seg(runId)}/service`, {}, { project }),
  stop: (project: string, runId: string): Promise<StartedRun> =>
    requestAPI<StartedRun>(`runs/${seg(runId)}/stop`, { method: 'POST' }, { project }),
  rerun: (project: string, runId: string): Promise<StartedRun> =>
    requestAPI<StartedRun>(`runs/${seg(runId)}/rerun`, { method: 'POST' }, { project })
};

/** The calls the panel makes; tests pass their own. */
export type SidebarService = typeof service;
