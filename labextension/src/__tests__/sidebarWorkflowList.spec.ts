import { describe, expect, it, vi } from 'vitest';

import { WorkflowListView, buildLabel } from '../sidebar/workflowList';
import { runRow, workflow } from './sidebarFixtures';

const now = Date.parse('2026-01-01T10:01:00Z');

function view() {
  const actions = { selectRun: vi.fn(), build: vi.fn(), run: vi.fn() };
  const list = new WorkflowListView(actions);
  document.body.appendChild(list.node);
  return { list, actions };
}

describe('WorkflowListView', () => {
  it('shows each workflow with its build state, last run and recent runs', () => {
    const { list } = view();
    list.update([workflow('etl', [runRow('run-00001', 'running'), runRow('run-00002', 'failed')])], null, now);

    const item = list.node.querySelector('[data-workflow="etl"]')!;
    expect(item.querySelector('.dhhera-Workflow-name')!.textContent).toBe('etl');
    expect(Array.from(item.querySelectorAll('.dhhera-Workflow-states .dhhera-badge')).map(b => b.textContent)).toEqual([
      'built',
      'last run running'
    ]);
    const runs = Array.from(item.querySelectorAll('.dhhera-Run'));
    expect(runs.map(r => (r as HTMLElement).dataset.runId)).toEqual(['run-00001', 'run-00002']);
    expect(runs[0].querySelector('.dhhera-Run-duration')!.textContent).toBe('1 min 00 s');
    expect(runs[1].querySelector('.dhhera-badge-failed')!.textContent).toBe('failed');
  });

  it('updates in place: the same elements survive a refresh, new runs are inserted in order', () => {
    const { list } = view();
    list.update([workflow('etl', [runRow('r2')])], null, now);
    const before = list.node.querySelector('[data-run-id="r2"]');
    (before!.querySelector('button') as HTMLButtonElement).focus();

    list.update([workflow('etl', [runRow('r3', 'running'), runRow('r2')])], null, now);

    expect(list.node.querySelector('[data-run-id="r2"]')).toBe(before);
    expect(document.activeElement).toBe(before!.querySelector('button'));
    expect(Array.from(list.node.querySelectorAll('.dhhera-Run')).map(r => (r as HTMLElement).dataset.runId)).toEqual([
      'r3',
      'r2'
    ]);
  });

  it('renders markup in names and messages as text', () => {
    const { list } = view();
    const evil = '<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>';
    list.update([workflow(evil, [runRow('r1', 'failed', { message: evil })])], null, now);

    expect(list.node.querySelector('script, img')).toBeNull();
    expect(list.node.querySelector('.dhhera-Workflow-name')!.textContent).toBe(evil);
    expect((window as unknown as { __pwned?: number }).__pwned).toBeUndefined();
  });

  it('selects a run with its button and marks it pressed; Build and Run… call their actions', () => {
    const { list, actions } = view();
    const run = runRow('r1');
    list.update([workflow('etl', [run])], null, now);

    (list.node.querySelector('.dhhera-Run-button') as HTMLButtonElement).click();
    (list.node.querySelector('.dhhera-Workflow-build') as HTMLButtonElement).click();
    (list.node.querySelector('.dhhera-Workflow-run') as HTMLButtonElement).click();
    list.update([workflow('etl', [run])], 'r1', now);

    expect(actions.selectRun).toHaveBeenCalledWith(run, 'etl');
    expect(actions.build).toHaveBeenCalledWith('etl');
    expect(actions.run).toHaveBeenCalledWith('etl');
    expect(list.node.querySelector('.dhhera-Run-button')!.getAttribute('aria-pressed')).toBe('true');
  });

  it('disables Run… until the workflow is built and Build while a build runs', () => {
    const { list } = view();
    list.update(
      [workflow('raw', [], { built: false, last_build: runRow('b1', 'running', { kind: 'build' }) })],
      null,
      now
    );

    expect((list.node.querySelector('.dhhera-Workflow-run') as HTMLButtonElement).disabled).toBe(true);
    expect((list.node.querySelector('.dhhera-Workflow-build') as HTMLButtonElement).disabled).toBe(true);
    expect(list.node.querySelector('.dhhera-RunList-empty')!.textContent).toBe('No runs yet.');
  });

  it('collapses and expands a workflow from its name button', () => {
    const { list } = view();
    list.update([workflow('etl', [runRow('r1')])], null, now);
    const toggle = list.node.querySelector('.dhhera-Workflow-toggle') as HTMLButtonElement;

    toggle.click();

    expect(toggle.getAttribute('aria-expanded')).toBe('false');
    expect((list.node.querySelector('.dhhera-RunList') as HTMLElement).hidden).toBe(true);
  });

  it('opens the last build run from the build state, and has nothing to open before a build', () => {
    const { list, actions } = view();
    const build = runRow('b1', 'failed', { kind: 'build', message: 'no function f1' });
    list.update([workflow('etl', [], { last_build: build }), workflow('raw', [], { built: false })], null, now);

    const states = list.node.querySelectorAll<HTMLButtonElement>('.dhhera-Workflow-buildState');
    states[0].click();

    expect(actions.selectRun).toHaveBeenCalledWith(build, 'etl');
    expect(states[0].textContent).toBe('build failed');
    expect(states[1].disabled).toBe(true);
  });

  it('names build states from the last build', () => {
    expect(buildLabel(workflow('w', [], { built: false })).text).toBe('not built');
    expect(buildLabel(workflow('w', [], { last_build: runRow('b', 'failed', { kind: 'build' }) })).text).toBe(
      'build failed'
    );
  });
});
