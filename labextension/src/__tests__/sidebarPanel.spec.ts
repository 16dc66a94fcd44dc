import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

// Lumino's drag-and-drop module (imported by @lumino/widgets) needs DragEvent, which jsdom lacks.
vi.hoisted(() => {
  const scope = globalThis as { DragEvent?: unknown; MouseEvent: typeof MouseEvent };
  scope.DragEvent ??= class DragEvent extends scope.MouseEvent {};
});

// @jupyterlab/ui-components (the LabIcon of the tab) does not load under jsdom; the icon is cosmetic here.
vi.mock('../sidebar/icon', () => ({ pipelinesIcon: undefined }));

import { Widget } from '@lumino/widgets';

import { RouteError } from '../api';
import { PipelinesPanel } from '../sidebar/panel';
import { pageMemory } from '../sidebar/projectMemory';
import { FakeService, graphOf, runDetails, runRow, workflow } from './sidebarFixtures';

function setup(commands: Parameters<typeof makePanel>[1] = null) {
  const fake = new FakeService();
  const ui = { askParameters: vi.fn(async () => ({ text: 'bye' })), copy: vi.fn() };
  const panel = makePanel(fake, commands, ui);
  return { fake, ui, panel };
}

function makePanel(
  fake: FakeService,
  commands: ConstructorParameters<typeof PipelinesPanel>[0]['commands'],
  ui: ConstructorParameters<typeof PipelinesPanel>[0]['ui']
): PipelinesPanel {
  const panel = new PipelinesPanel({ service: fake.asService(), ui, commands });
  Widget.attach(panel, document.body);
  return panel;
}

const $ = <T extends Element = HTMLElement>(panel: PipelinesPanel, selector: string): T =>
  panel.node.querySelector(selector) as T;

async function settle(ms = 0): Promise<void> {
  await vi.advanceTimersByTimeAsync(ms);
}

describe('PipelinesPanel', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => {
    vi.useRealTimers();
    document.body.replaceChildren();
  });

  it('lists the workflows of the default project and re-asks with the ETag, keeping the DOM on a 304', async () => {
    const { fake, panel } = setup();
    fake.list = { project: 'dhhera', workflows: [workflow('etl', [runRow('r1')])], active: false };

    panel.start();
    await settle();
    const item = $(panel, '[data-workflow="etl"]');
    await settle(3000);

    expect(fake.calls.filter(c => c.startsWith('workflows'))).toEqual([
      'workflows dhhera null',
      'workflows dhhera "e1"'
    ]);
    expect($(panel, '[data-workflow="etl"]')).toBe(item);
    expect($(panel, '.dhhera-SidebarHeader-where').textContent).toBe('Local core · 127.0.0.1:5555');
    expect($<HTMLSelectElement>(panel, 'select').value).toBe('dhhera');
    panel.dispose();
  });

  it('polls nothing while hidden', async () => {
    const { fake, panel } = setup();
    panel.start();
    await settle();
    panel.pause();
    const before = fake.calls.length;

    await settle(60_000);

    expect(fake.calls.length).toBe(before);
    panel.dispose();
  });

  it('says the backend does not answer, offers to start the local core, and recovers', async () => {
    const { fake, panel } = setup();
    fake.listError = new RouteError(503, 'The DigitalHub backend at x does not answer (connection refused).');

    panel.start();
    await settle();
    const notice = $(panel, '.dhhera-Notice');
    expect(notice.hidden).toBe(false);
    expect($(panel, '.dhhera-Notice-title').textContent).toBe('The backend does not answer.');
    expect($(panel, '.dhhera-Notice-text').textContent).toContain('connection refused');

    fake.listError = null;
    fake.list = { project: 'dhhera', workflows: [workflow('etl')], active: false };
    $<HTMLButtonElement>(panel, '.dhhera-Notice-start-core').click();
    await settle();

    expect(fake.calls).toContain('startLocalCore');
    expect(notice.hidden).toBe(true);
    expect($(panel, '[data-workflow="etl"]')).not.toBeNull();
    panel.dispose();
  });

  it('tells what to do in an empty project', async () => {
    const { panel } = setup();
    panel.start();
    await settle();

    expect($(panel, '.dhhera-Notice-title').textContent).toBe('No workflows in project dhhera yet.');
    panel.dispose();
  });

  it('shows a selected run with its DAG coloured by state, fetched together, and follows it to the end', async () => {
    const { fake, panel } = setup();
    fake.list = { project: 'dhhera', workflows: [workflow('etl', [runRow('r1', 'running')])], active: true };
    fake.runs.set('r1', runDetails('r1', { a: 'succeeded', b: 'running', c: 'pending' }));
    fake.graphs.set('r1', graphOf(['a', 'b', 'c']));
    panel.start();
    await settle();

    $<HTMLButtonElement>(panel, '[data-run-id="r1"] button').click();
    await settle();

    const first = fake.calls.indexOf('runDetails r1');
    expect(fake.calls.slice(first - 1, first + 1).sort()).toEqual(['graph r1', 'runDetails r1']);
    const view = $(panel, '.dhhera-RunView');
    expect(view.hidden).toBe(false);
    expect(view.querySelectorAll('svg g.node')).toHaveLength(3);
    expect(view.querySelector('g.node.dhhera-state-running title')!.textContent).toBe('b');
    expect($(panel, '.dhhera-RunView-progressLabel').textContent).toBe('1 / 3 succeeded · 1 running · 1 pending');
    expect($<HTMLButtonElement>(panel, '.dhhera-RunView-stop').disabled).toBe(false);

    fake.runs.set('r1', runDetails('r1', { a: 'succeeded', b: 'succeeded', c: 'succeeded' }));
    await settle(1000);
    expect(view.querySelectorAll('g.node.dhhera-state-succeeded')).toHaveLength(3);
    expect($(panel, '.dhhera-RunView .dhhera-badge').textContent).toBe('succeeded');
    const reads = fake.calls.filter(c => c === 'runDetails r1').length;
    await settle(10_000);
    expect(fake.calls.filter(c => c === 'runDetails r1').length).toBe(reads);
    expect(fake.calls.filter(c => c === 'graph r1')).toHaveLength(1);
    panel.dispose();
  });

  it('shows a build run with its logs and without a DAG', async () => {
    const { fake, panel } = setup();
    const build = runRow('b1', 'failed', { kind: 'build' });
    fake.list = { project: 'dhhera', workflows: [workflow('etl', [], { last_build: build })], active: false };
    fake.runs.set('b1', runDetails('b1', {}, { kind: 'build', state: 'ERROR', label: 'failed', terminal: true }));
    panel.start();
    await settle();

    $<HTMLButtonElement>(panel, '.dhhera-Workflow-buildState').click();
    await settle();
    $<HTMLButtonElement>(panel, '.dhhera-RunView-logs').click();
    await settle();

    expect(fake.calls.some(c => c.startsWith('graph'))).toBe(false);
    expect($(panel, '.dhhera-RunView-dag').hidden).toBe(true);
    expect($(panel, '.dhhera-RunView-progressLabel').textContent).toBe('build');
    expect($(panel, '.dhhera-RunView-logText').textContent).toBe('log of b1\n');
    panel.dispose();
  });

  it('shows a clicked step with its details and its logs', async () => {
    const { fake, panel } = setup();
    fake.list = { project: 'dhhera', workflows: [workflow('etl', [runRow('r1')])], active: false };
    fake.runs.set('r1', runDetails('r1', { a: 'succeeded', b: 'succeeded' }));
    fake.graphs.set('r1', graphOf(['a', 'b']));
    panel.start();
    await settle();
    $<HTMLButtonElement>(panel, '[data-run-id="r1"] button').click();
    await settle();

    panel.node
      .querySelector('g.node[data-node-id="b"] title')!
      .dispatchEvent(new MouseEvent('click', { bubbles: true }));
    $<HTMLButtonElement>(panel, '.dhhera-RunView-stepLogs').click();
    await settle();

    expect($(panel, '.dhhera-RunView-stepTitle').textContent).toBe('b');
    // The notebook panel's fields: the state as its badge, the data first, Argo's internals folded apart.
    const rows = $(panel, '.dhhera-RunView-stepList').textContent;
    expect(rows).toContain('Functionhold · job');
    expect(rows).toContain('Inputsgate: none');
    expect(rows).not.toContain('tpl-b');
    expect($(panel, '.dhhera-RunView-stepList dd .dhhera-badge.dhhera-badge-succeeded').textContent).toBe('succeeded');
    expect($(panel, '.dhhera-RunView-stepList dt').className).toBe('dhhera-Label');
    expect($(panel, '.dhhera-RunView-argo summary').textContent).toBe('Argo');
    expect($(panel, '.dhhera-RunView-argoList').textContent).toContain('Templatetpl-b');
    expect($(panel, '.dhhera-RunView-logText').textContent).toBe('log of b\n');
    panel.dispose();
  });

  it("shows a step's log as the notebook panel does: runtime records folded, long paths wrappable", async () => {
    const { fake, panel } = setup();
    fake.list = { project: 'dhhera', workflows: [workflow('etl', [runRow('r1')])], active: false };
    fake.runs.set('r1', runDetails('r1', { a: 'succeeded', b: 'failed' }));
    fake.graphs.set('r1', graphOf(['a', 'b']));
    const path = '/root/.pyenv/versions/3.11.7/lib/python3.11/site-packages/digitalhub_runtime_python/runtime.py';
    fake.logTexts.set(
      'b',
      `2026-12-01 07:34:54,123 - dhcore.${path} - INFO - Executing function.\nFile "${path}", line 64, in run\n`
    );
    panel.start();
    await settle();
    $<HTMLButtonElement>(panel, '[data-run-id="r1"] button').click();
    await settle();
    panel.node
      .querySelector('g.node[data-node-id="b"] title')!
      .dispatchEvent(new MouseEvent('click', { bubbles: true }));
    await settle();

    const lines = $(panel, '.dhhera-RunView-logs .dhhera-LogView-lines');
    expect(lines.textContent).toBe(`File "${path}", line 64, in run\n`);
    expect(lines.querySelectorAll('wbr').length).toBeGreaterThan(5);
    expect($(panel, '.dhhera-RunView-logs .dhhera-LogView-note').textContent).toBe('1 runtime line hidden');
    expect($(panel, '.dhhera-RunView-logs .dhhera-LogView-title').textContent).toBe('Log of step b');
    panel.dispose();
  });

  it('runs a workflow with the parameters of the dialog and selects the new run', async () => {
    const { fake, ui, panel } = setup();
    fake.list = { project: 'dhhera', workflows: [workflow('etl')], active: false };
    fake.runs.set('new1', runDetails('new1', { a: 'pending' }));
    panel.start();
    await settle();

    $<HTMLButtonElement>(panel, '.dhhera-Workflow-run').click();
    await settle();

    expect(ui.askParameters).toHaveBeenCalledWith('etl', { text: { default: 'hi', enum: null } });
    expect(fake.calls).toContain('run etl {"text":"bye"}');
    expect(fake.calls).toContain('runDetails new1');
    expect($(panel, '.dhhera-PipelinesPanel-status').textContent).toBe('Run of etl started (run new1).');
    panel.dispose();
  });

  it('shows the server message when an action fails', async () => {
    const { fake, panel } = setup();
    fake.list = { project: 'dhhera', workflows: [workflow('etl')], active: false };
    const service = fake.asService();
    const failing = { ...service, build: () => Promise.reject(new RouteError(404, "Workflow 'etl' does not exist.")) };
    const broken = new PipelinesPanel({
      service: failing,
      ui: { askParameters: vi.fn(), copy: vi.fn() },
      commands: null,
      memory: pageMemory()
    });
    Widget.attach(broken, document.body);
    broken.start();
    await settle();

    (broken.node.querySelector('.dhhera-Workflow-build') as HTMLButtonElement).click();
    await settle();

    const status = broken.node.querySelector('.dhhera-PipelinesPanel-status')!;
    expect(status.textContent).toBe("Workflow 'etl' does not exist.");
    expect(status.getAttribute('role')).toBe('alert');
    broken.dispose();
    panel.dispose();
  });

  it('inserts a %hera attach cell through the notebook commands, or says to open a notebook', async () => {
    const executed: [string, unknown][] = [];
    let notebookOpen = true;
    const commands = {
      hasCommand: () => true,
      isEnabled: () => notebookOpen,
      execute: async (id: string, args?: unknown) => {
        executed.push([id, args]);
      }
    };
    const { fake, panel } = setup(commands);
    fake.list = { project: 'dhhera', workflows: [workflow('etl', [runRow('r1')])], active: false };
    fake.runs.set('r1', runDetails('r1', { a: 'succeeded' }));
    fake.graphs.set('r1', graphOf(['a']));
    panel.start();
    await settle();
    $<HTMLButtonElement>(panel, '[data-run-id="r1"] button').click();
    await settle();

    $<HTMLButtonElement>(panel, '.dhhera-RunView-attach').click();
    await settle();
    expect(executed).toEqual([
      ['notebook:insert-cell-below', undefined],
      ['notebook:replace-selection', { text: '%hera attach r1' }]
    ]);

    notebookOpen = false;
    $<HTMLButtonElement>(panel, '.dhhera-RunView-attach').click();
    await settle();
    expect($(panel, '.dhhera-PipelinesPanel-status').textContent).toBe(
      'Open a notebook first: the cell goes into the current notebook.'
    );
    panel.dispose();
  });

  it('opens on the most recently active project, and on the remembered choice after a reload', async () => {
    const fake = new FakeService();
    fake.projectList = { projects: ['dhhera', 'other', 'quickstart'], default: 'dhhera', recent: null };
    fake.projectList.recent = { project: 'quickstart', at: new Date(Date.now() - 60_000).toISOString() };
    const memory = pageMemory();
    const ui = { askParameters: vi.fn(), copy: vi.fn() };
    const first = new PipelinesPanel({ service: fake.asService(), ui, commands: null, memory });
    Widget.attach(first, document.body);
    first.start();
    await settle();
    expect(first.currentProject).toBe('quickstart');
    expect(fake.calls).toContain('workflows quickstart null');

    const select = first.node.querySelector<HTMLSelectElement>('select.dhhera-SidebarHeader-select')!;
    select.value = 'other';
    select.dispatchEvent(new Event('change'));
    await settle();
    first.dispose();

    const reloaded = new PipelinesPanel({ service: fake.asService(), ui, commands: null, memory });
    Widget.attach(reloaded, document.body);
    reloaded.start();
    await settle();
    expect(reloaded.currentProject).toBe('other');
    reloaded.dispose();
  });

  it('keeps the list in step with the selected run when it ends, and clears the message about it', async () => {
    const { fake, panel } = setup();
    fake.list = { project: 'dhhera', workflows: [workflow('etl')], active: false };
    fake.runs.set('new1', runDetails('new1', { a: 'running' }));
    fake.graphs.set('new1', graphOf(['a']));
    panel.start();
    await settle();
    $<HTMLButtonElement>(panel, '.dhhera-Workflow-run').click();
    fake.list = { project: 'dhhera', workflows: [workflow('etl', [runRow('new1', 'running')])], active: true };
    fake.listEtag = '"e2"';
    await settle();
    expect($(panel, '.dhhera-PipelinesPanel-status').textContent).toBe('Run of etl started (run new1).');

    // The run ends; the list (a server-side cache) still says "running" for a while.
    fake.runs.set('new1', runDetails('new1', { a: 'succeeded' }));
    await settle(1000);

    expect($(panel, '.dhhera-RunView-header .dhhera-badge').textContent).toBe('succeeded');
    expect($(panel, '[data-run-id="new1"] .dhhera-badge').textContent).toBe('succeeded');
    expect($(panel, '[data-workflow="etl"] .dhhera-Workflow-states').textContent).toContain('last run succeeded');
    expect($(panel, '.dhhera-PipelinesPanel-status').textContent).toBe('');
    panel.dispose();
  });

  it('asks before stopping a run, inline as the notebook panel does', async () => {
    const { fake, panel } = setup();
    fake.list = { project: 'dhhera', workflows: [workflow('etl', [runRow('r1', 'running')])], active: true };
    fake.runs.set('r1', runDetails('r1', { a: 'running' }));
    fake.graphs.set('r1', graphOf(['a']));
    panel.start();
    await settle();
    $<HTMLButtonElement>(panel, '[data-run-id="r1"] button').click();
    await settle();

    $<HTMLButtonElement>(panel, '.dhhera-RunView-stop').click();
    const confirm = $(panel, '.dhhera-RunView-confirm');
    expect(confirm.hidden).toBe(false);
    expect(confirm.textContent).toContain('Stop this run? Running steps are interrupted.');
    $<HTMLButtonElement>(panel, '.dhhera-RunView-confirmCancel').click();
    expect(confirm.hidden).toBe(true);
    expect(fake.calls).not.toContain('stop r1');

    $<HTMLButtonElement>(panel, '.dhhera-RunView-stop').click();
    $<HTMLButtonElement>(panel, '.dhhera-RunView-confirmStop').click();
    await settle();
    expect(fake.calls).toContain('stop r1');
    expect($(panel, '.dhhera-PipelinesPanel-status').textContent).toBe('Stopping run r1…');

    fake.runs.set('r1', runDetails('r1', { a: 'stopped' }, { state: 'STOPPED', label: 'stopped', terminal: true }));
    await settle(1000);
    expect($(panel, '.dhhera-PipelinesPanel-status').textContent).toBe('');
    expect($(panel, '.dhhera-RunView-message').className).not.toContain('failed');
    panel.dispose();
  });

  it('lists the steps of the run; a click on a row shows its details and its logs', async () => {
    const { fake, panel } = setup();
    fake.list = { project: 'dhhera', workflows: [workflow('etl', [runRow('r1')])], active: false };
    fake.runs.set('r1', runDetails('r1', { a: 'succeeded', b: 'failed' }, { terminal: true, label: 'failed' }));
    fake.graphs.set('r1', graphOf(['a', 'b']));
    panel.start();
    await settle();
    $<HTMLButtonElement>(panel, '[data-run-id="r1"] button').click();
    await settle();

    const rows = panel.node.querySelectorAll<HTMLElement>('.dhhera-StepTable-row');
    const text = (r: Element, c: string) => r.querySelector(c)!.textContent;
    expect(Array.from(rows).map(r => [text(r, '.dhhera-badge'), text(r, '.dhhera-StepTable-name')])).toEqual([
      ['succeeded', 'a'],
      ['failed', 'b']
    ]);
    rows[1].querySelector('button')!.click();
    await settle();

    expect($(panel, '.dhhera-RunView-stepTitle').textContent).toBe('b');
    expect($(panel, 'g.node[data-node-id="b"]').classList.contains('dhhera-selected')).toBe(true);
    expect($(panel, '.dhhera-RunView-logText').textContent).toBe('log of b\n');
    panel.dispose();
  });
});
