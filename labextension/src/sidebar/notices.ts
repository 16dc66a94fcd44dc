import type { BackendInfo, WorkflowList } from './types';

/** What a notice offers to do. */
export type NoticeAction = 'retry' | 'start-core' | 'choose-project';

/** An empty or error state: what happened, what to do, and the buttons for it. */
export interface Notice {
  kind: 'info' | 'error';
  title: string;
  text: string;
  actions: NoticeAction[];
}

/** The state the panel is in, as far as notices care. */
export interface NoticeInput {
  backend: BackendInfo | null;
  backendError: string | null;
  list: WorkflowList | null;
  listError: { status: number; message: string } | null;
}

const REGISTER_HINT =
  'Register one from a notebook: run `%load_ext dhhera_jupyter`, then a cell starting with ' +
  '`%%hera_pipeline <name>` that defines a function returning a Hera Workflow.';

/**
 * The notice to show instead of (or above) the workflow list, or null when the list says it all.
 * Order: the Jupyter server, the backend, the project, then an empty project.
 */
export function noticeFor(input: NoticeInput): Notice | null {
  const { backend, backendError, list, listError } = input;
  if (backendError) {
    return {
      kind: 'error',
      title: 'The sidebar cannot reach its server extension.',
      text: backendError,
      actions: ['retry']
    };
  }
  if (backend && !backend.healthy) {
    if (backend.mode === 'local') {
      return {
        kind: 'error',
        title: 'The local core is not running.',
        text: backend.message ?? 'Start it to list and run pipelines without a cluster.',
        actions: backend.can_start ? ['start-core', 'retry'] : ['retry']
      };
    }
    return {
      kind: 'error',
      title: `The DigitalHub platform at ${backend.endpoint ?? '(no endpoint)'} does not answer.`,
      text: backend.message ?? 'Check the address and your network; the panel retries on its own.',
      actions: ['retry']
    };
  }
  if (listError) {
    if (listError.status === 404) {
      return { kind: 'error', title: 'Unknown project.', text: listError.message, actions: ['choose-project'] };
    }
    if (listError.status === 503 || listError.status === 0) {
      return {
        kind: 'error',
        title: 'The backend does not answer.',
        text: listError.message,
        actions: backend?.can_start ? ['retry', 'start-core'] : ['retry']
      };
    }
    return { kind: 'error', title: 'The workflows could not be listed.', text: listError.message, actions: ['retry'] };
  }
  if (list && list.workflows.length === 0) {
    return { kind: 'info', title: `No workflows in project ${list.project} yet.`, text: REGISTER_HINT, actions: [] };
  }
  return null;
}
