import type { AnyModel } from '@anywidget/types';
import { describe, expect, it } from 'vitest';

import type { DagModel } from '../widgets/dag/types';
import { DagView } from '../widgets/dag/view';
import { graphvizSvg } from './svgFixture';

// The widget manager's model exists only in a browser page (the browser test drives the real
// one); this stand-in keeps the same get/set/on/off/save_changes contract.
class ModelDouble {
  saved: Partial<DagModel>[] = [];
  constructor(private state: DagModel) {}
  get<K extends keyof DagModel>(key: K): DagModel[K] {
    return this.state[key];
  }
  set<K extends keyof DagModel>(key: K, value: DagModel[K]): void {
    this.state = { ...this.state, [key]: value };
    this.pending[key] = value;
    this.emit(`change:${key}`);
  }
  save_changes(): void {
    this.saved.push(this.pending);
    this.pending = {};
  }
  on(event: string, callback: () => void): void {
    (this.handlers[event] ??= []).push(callback);
  }
  off(event?: string | null, callback?: (() => void) | null): void {
    if (event) {
      this.handlers[event] = (this.handlers[event] ?? []).filter(h => h !== callback);
    }
  }
  listenerCount(): number {
    return Object.values(this.handlers).reduce((n, list) => n + list.length, 0);
  }
  private emit(event: string): void {
    for (const handler of this.handlers[event] ?? []) {
      handler();
    }
  }
  private pending: Partial<DagModel> = {};
  private handlers: Record<string, (() => void)[]> = {};
}

function mount(overrides: Partial<DagModel> = {}) {
  const model = new ModelDouble({
    svg: graphvizSvg(['extract', 'train', 'report'], [['extract', 'train']]),
    nodes: { train: { function: 'train-model', action: 'job' } },
    node_states: {},
    selected: '',
    height: '300px',
    title: 'my pipeline',
    ...overrides
  });
  const el = document.createElement('div');
  document.body.appendChild(el);
  const view = new DagView(el, model as unknown as AnyModel<DagModel>);
  const node = (id: string) => el.querySelector<SVGGElement>(`g.node[data-node-id="${id}"]`)!;
  const pane = () => el.querySelector<HTMLElement>('.dhhera-DagDetails')!;
  return { model, el, view, node, pane };
}

describe('DagView', () => {
  it('draws the nodes as focusable buttons', () => {
    const { el, node } = mount();
    expect(el.querySelectorAll('svg g.node')).toHaveLength(3);
    expect(node('train').getAttribute('tabindex')).toBe('0');
    expect(el.querySelector('.dhhera-DagWidget-title')!.textContent).toBe('my pipeline');
    expect(el.querySelector<HTMLElement>('.dhhera-DagWidget-viewport')!.style.height).toBe('300px');
  });

  it('selects a clicked node, syncs it back and shows its details', () => {
    const { model, node, pane } = mount();
    node('train')
      .querySelector('text')!
      .dispatchEvent(new MouseEvent('click', { bubbles: true }));
    expect(model.saved).toEqual([{ selected: 'train' }]);
    expect(node('train').classList.contains('dhhera-selected')).toBe(true);
    expect(pane().hidden).toBe(false);
    expect(pane().textContent).toContain('train-model');
  });

  it('opens details with Enter and closes them with Escape', () => {
    const { model, node, pane } = mount();
    node('extract').dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true }));
    expect(model.get('selected')).toBe('extract');
    expect(pane().hidden).toBe(false);
    node('extract').dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', bubbles: true }));
    expect(model.get('selected')).toBe('');
    expect(pane().hidden).toBe(true);
  });

  it('restyles nodes on a state change without redrawing the SVG', () => {
    const { model, el, node } = mount();
    const svg = el.querySelector('svg');
    model.set('node_states', { train: 'running' });
    expect(node('train').classList.contains('dhhera-state-running')).toBe(true);
    model.set('node_states', { train: 'failed' });
    expect(node('train').classList.contains('dhhera-state-running')).toBe(false);
    expect(node('train').classList.contains('dhhera-state-failed')).toBe(true);
    expect(el.querySelector('svg')).toBe(svg);
  });

  it('says so when the SVG is invalid', () => {
    const { el } = mount({ svg: '<svg' });
    expect(el.querySelector('svg')).toBeNull();
    expect(el.querySelector('.dhhera-DagWidget-message')!.textContent).toMatch(/not valid/);
  });

  it('removes its listeners and DOM on dispose', () => {
    const { model, el, view } = mount();
    view.dispose();
    expect(model.listenerCount()).toBe(0);
    expect(el.children).toHaveLength(0);
  });
});
