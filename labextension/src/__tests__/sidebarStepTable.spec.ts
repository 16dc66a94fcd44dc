import { describe, expect, it, vi } from 'vitest';

import { countOutcomes, progressText } from '../sidebar/progress';
import { dagHeight, DAG_HEIGHT, svgMarkupSize } from '../sidebar/runView';
import { PAGE_SIZE, StepTable } from '../sidebar/stepTable';
import type { StepRow } from '../sidebar/types';
import { runDetails } from './sidebarFixtures';

function steps(n: number, state = (i: number) => (i % 7 === 0 ? 'failed' : 'succeeded')): StepRow[] {
  return runDetails('r', Object.fromEntries(Array.from({ length: n }, (_, i) => [`s${i}`, state(i)]))).steps;
}

const rows = (table: StepTable) => Array.from(table.node.querySelectorAll<HTMLElement>('.dhhera-StepTable-row'));

describe('StepTable', () => {
  it('draws one page of a 1000-step run, whatever the run size, and pages through it', () => {
    const table = new StepTable(() => undefined);
    table.update(steps(1000), '', Date.now());

    expect(table.rowCount).toBe(PAGE_SIZE);
    expect(table.node.querySelector('.dhhera-StepTable-page')!.textContent).toBe(`1–${PAGE_SIZE} of 1000`);
    table.node.querySelector<HTMLButtonElement>('.dhhera-StepTable-next')!.click();
    expect(rows(table)[0].dataset.stepId).toBe(`s${PAGE_SIZE}`);
    expect(table.rowCount).toBe(PAGE_SIZE);
  });

  it('patches rows in place on a poll: a one-step change keeps every row node and touches only that row', () => {
    const table = new StepTable(() => undefined);
    const before = steps(1000);
    table.update(before, '', Date.now());
    const nodes = rows(table);
    const badges = nodes.map(n => n.querySelector('.dhhera-badge')!.firstChild);

    const after = before.map((s, i) => (i === 3 ? { ...s, state: 'failed' } : s));
    table.update(after, '', Date.now());

    expect(rows(table)).toEqual(nodes);
    const changed = rows(table).map((n, i) => n.querySelector('.dhhera-badge')!.firstChild !== badges[i]);
    expect(changed.filter(Boolean)).toHaveLength(1);
    expect(rows(table)[3].querySelector('.dhhera-badge')!.textContent).toBe('failed');
  });

  it('filters by outcome and reveals a step picked in the DAG on its page', () => {
    const pick = vi.fn();
    const table = new StepTable(pick);
    table.update(steps(100), '', Date.now());
    const filter = table.node.querySelector<HTMLSelectElement>('.dhhera-StepTable-filter')!;
    filter.value = 'failed';
    filter.dispatchEvent(new Event('change'));
    expect(rows(table).map(r => r.dataset.stepId)).toEqual([
      's0',
      's7',
      's14',
      's21',
      's28',
      's35',
      's42',
      's49',
      's56',
      's63',
      's70',
      's77',
      's84',
      's91',
      's98'
    ]);

    table.reveal('s60');
    expect(filter.value).toBe('all');
    expect(rows(table).some(r => r.dataset.stepId === 's60' && r.classList.contains('dhhera-mod-selected'))).toBe(true);
    rows(table)[0].querySelector('button')!.click();
    expect(pick).toHaveBeenCalledWith('s50');
  });
});

describe('run progress', () => {
  it('counts steps by outcome and never writes a full count for a failed or stopped run', () => {
    const failed = runDetails('r', { a: 'succeeded', b: 'failed', c: 'omitted' }, { terminal: true, label: 'failed' });
    expect(countOutcomes(failed)).toMatchObject({ succeeded: 1, failed: 1, omitted: 1 });
    expect(progressText(failed)).toBe('1 / 3 succeeded · 1 failed · 1 omitted');
    const stopped = runDetails('r', { a: 'succeeded', b: 'stopped' }, { terminal: true, label: 'stopped', total: 4 });
    expect(progressText(stopped)).toBe('1 / 4 succeeded · 1 stopped · 2 not run');
  });

  it('sizes the DAG canvas to the graph fitted to the sidebar width, within bounds', () => {
    const size = svgMarkupSize('<svg width="62pt" height="188pt" viewBox="0.00 0.00 62.00 188.00">');
    expect(size).toEqual({ width: 62, height: 188 });
    expect(dagHeight(size, 230)).toBe(220);
    expect(dagHeight({ width: 4000, height: 100 }, 230)).toBe(DAG_HEIGHT.min);
    expect(dagHeight({ width: 100, height: 4000 }, 230)).toBe(DAG_HEIGHT.max);
  });
});
