import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import { truncatedNote } from '../sidebar/runView';
import { safeHref, SERVICE_INTERVAL, ServiceList } from '../sidebar/services';
import type { RunDetails, ServiceInfo } from '../sidebar/types';
import { runDetails, serviceInfo } from './sidebarFixtures';

/** A COMPLETED pipeline whose step `serve` started serve run `svc1` at `url`. */
function servedRun(url: string): RunDetails {
  const run = runDetails('p1', { prepare: 'succeeded', serve: 'succeeded' });
  run.steps[1] = { ...run.steps[1], run_id: 'svc1', service_url: url, action: 'serve' };
  return run;
}

function setup(info: ServiceInfo) {
  const answers = new Map([['svc1', info]]);
  const calls: string[] = [];
  const list = new ServiceList({
    read: async (_run, id) => {
      calls.push(`read ${id}`);
      return answers.get(id) as ServiceInfo;
    },
    stop: async (_run, id) => {
      calls.push(`stop ${id}`);
    }
  });
  document.body.append(list.node);
  return { list, calls, answers };
}

const q = <T extends Element = HTMLElement>(list: ServiceList, selector: string): T =>
  list.node.querySelector(selector) as T;

describe('ServiceList', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
    document.body.replaceChildren();
  });

  it('shows a serve step of a finished run with its URL as a link and the live state of its service', async () => {
    const { list, calls } = setup(serviceInfo('svc1', 'http://127.0.0.1:4321'));
    list.update(servedRun('http://127.0.0.1:4321'));
    await vi.advanceTimersByTimeAsync(0);

    const link = q<HTMLAnchorElement>(list, '.dhhera-Services-url');
    expect(list.node.hidden).toBe(false);
    expect(link.getAttribute('href')).toBe('http://127.0.0.1:4321/');
    expect(link.textContent).toBe('http://127.0.0.1:4321');
    expect(link.rel).toBe('noopener noreferrer');
    expect(q(list, '.dhhera-Services-name').textContent).toBe('serve');
    expect(q(list, '.dhhera-badge').textContent).toBe('running');
    expect(calls).toEqual(['read svc1']);
    await vi.advanceTimersByTimeAsync(SERVICE_INTERVAL);
    expect(calls).toEqual(['read svc1', 'read svc1']); // the run is over; the service is still read
    list.dispose();
  });

  it('asks before stopping, stops the serve run, and stops reading once it says STOPPED', async () => {
    const { list, calls, answers } = setup(serviceInfo('svc1', 'http://127.0.0.1:4321'));
    list.update(servedRun('http://127.0.0.1:4321'));
    await vi.advanceTimersByTimeAsync(0);

    q<HTMLButtonElement>(list, '.dhhera-Services-stop').click();
    const confirm = q(list, '.dhhera-Services-confirm');
    expect(confirm.hidden).toBe(false);
    expect(confirm.textContent).toContain('Stop service serve? Its URL stops answering.');
    q<HTMLButtonElement>(list, '.dhhera-Services-confirmCancel').click();
    expect(confirm.hidden).toBe(true);
    expect(calls).not.toContain('stop svc1');

    q<HTMLButtonElement>(list, '.dhhera-Services-stop').click();
    answers.set('svc1', serviceInfo('svc1', 'http://127.0.0.1:4321', {
      state: 'STOPPED', label: 'stopped', terminal: true, stoppable: false
    })); // prettier-ignore
    q<HTMLButtonElement>(list, '.dhhera-Services-confirmStop').click();
    await vi.advanceTimersByTimeAsync(0);
    expect(calls.filter(c => c === 'stop svc1')).toHaveLength(1);
    expect(q(list, '.dhhera-badge').textContent).toBe('stopped');
    expect(q<HTMLButtonElement>(list, '.dhhera-Services-stop').disabled).toBe(true);
    const reads = calls.length;
    await vi.advanceTimersByTimeAsync(SERVICE_INTERVAL * 3);
    expect(calls.length).toBe(reads);
    list.dispose();
  });

  it('never links a URL that is not http(s), and shows markup as text', async () => {
    const hostile = 'javascript:alert(1)//<b>x</b>';
    const { list } = setup(serviceInfo('svc1', hostile, { service: null }));
    list.update(servedRun(hostile));
    await vi.advanceTimersByTimeAsync(0);

    const link = q<HTMLAnchorElement>(list, '.dhhera-Services-url');
    expect(link.hasAttribute('href')).toBe(false);
    expect(link.textContent).toBe(hostile);
    expect(list.node.querySelector('b')).toBeNull();
    expect(safeHref('https://svc.example/')).toBe('https://svc.example/');
    expect(safeHref('data:text/html,x')).toBeNull();
    list.dispose();
  });

  it('reads nothing while paused (the panel is hidden) and reads again on resume', async () => {
    const { list, calls } = setup(serviceInfo('svc1', 'http://127.0.0.1:4321'));
    list.update(servedRun('http://127.0.0.1:4321'));
    await vi.advanceTimersByTimeAsync(0);
    list.pause();
    const reads = calls.length;
    await vi.advanceTimersByTimeAsync(SERVICE_INTERVAL * 3);
    list.update(servedRun('http://127.0.0.1:4321')); // a poll of the run while paused starts nothing
    await vi.advanceTimersByTimeAsync(SERVICE_INTERVAL);
    expect(calls.length).toBe(reads);
    list.resume();
    await vi.advanceTimersByTimeAsync(0);
    expect(calls.length).toBe(reads + 1);
    list.dispose();
  });

  it('is hidden for a run without serve steps', () => {
    const { list, calls } = setup(serviceInfo('svc1', 'http://127.0.0.1:1'));
    list.update(runDetails('p2', { a: 'succeeded' }));
    expect(list.node.hidden).toBe(true);
    expect(calls).toEqual([]);
    list.dispose();
  });
});

describe('truncatedNote', () => {
  it('says how much of the log is shown and of how much', () => {
    const logs = { run_id: 'r', step: null, text: 'x', truncated: true, message: null };
    expect(truncatedNote({ ...logs, shown: 199_990, size: 1_300_000 })).toBe(
      'Showing the last 195 KB of 1.2 MB; the beginning is left out.'
    );
    expect(truncatedNote(logs)).toBe('Showing the last 1 KB; the beginning is left out.');
  });
});
