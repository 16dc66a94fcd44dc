import { describe, expect, it } from 'vitest';

import { noticeFor } from '../sidebar/notices';
import type { BackendInfo, WorkflowList } from '../sidebar/types';

const local: BackendInfo = {
  mode: 'local',
  endpoint: 'http://127.0.0.1:9',
  project: 'dhhera',
  healthy: true,
  message: null,
  can_start: true,
  versions: {}
};
const empty: WorkflowList = { project: 'dhhera', workflows: [], active: false };

describe('empty and error states', () => {
  it('says how to register a workflow when the project has none', () => {
    const notice = noticeFor({ backend: local, backendError: null, list: empty, listError: null });
    expect(notice?.kind).toBe('info');
    expect(notice?.title).toBe('No workflows in project dhhera yet.');
    expect(notice?.text).toContain('%%hera_pipeline <name>');
  });

  it('offers to start the local core when it is down', () => {
    const down = { ...local, healthy: false, message: 'The local core at x is not running; start it.' };
    const notice = noticeFor({ backend: down, backendError: null, list: null, listError: null });
    expect(notice?.title).toBe('The local core is not running.');
    expect(notice?.actions).toEqual(['start-core', 'retry']);
  });

  it('offers only a retry when the platform does not answer', () => {
    const down: BackendInfo = { ...local, mode: 'platform', endpoint: 'https://dh.example', healthy: false };
    const notice = noticeFor({ backend: down, backendError: null, list: null, listError: null });
    expect(notice?.title).toBe('The DigitalHub platform at https://dh.example does not answer.');
    expect(notice?.actions).toEqual(['retry']);
  });

  it('shows the server message of a failed list, with what can be done', () => {
    const unreachable = { status: 503, message: 'The DigitalHub backend at x does not answer.' };
    expect(noticeFor({ backend: local, backendError: null, list: null, listError: unreachable })).toEqual({
      kind: 'error',
      title: 'The backend does not answer.',
      text: unreachable.message,
      actions: ['retry', 'start-core']
    });
    const unknown = { status: 404, message: "Project 'x' does not exist." };
    expect(noticeFor({ backend: local, backendError: null, list: null, listError: unknown })?.actions).toEqual([
      'choose-project'
    ]);
  });

  it('shows nothing when there are workflows and no error', () => {
    const list = {
      ...empty,
      workflows: [{ name: 'w', id: '1', built: true, last_build: null, runs: [] }]
    };
    expect(noticeFor({ backend: local, backendError: null, list, listError: null })).toBeNull();
  });
});
