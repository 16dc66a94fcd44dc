/**
 * The front end of `dhhera_jupyter.widgets.run_progress.ProgressView` (an anywidget ESM module): the run panel's
 * progress line. The kernel sends only the counts by outcome (a few dozen bytes per change); the bar and the
 * counts are drawn here, so a one-step change in a 1000-step run sends no markup.
 */
import type { AnyModel, RenderProps } from '@anywidget/types';

import { progressParts, type ProgressModel } from './progress/parts';

class ProgressLine {
  constructor(
    el: HTMLElement,
    private readonly model: AnyModel<ProgressModel>
  ) {
    this.root = document.createElement('div');
    this.root.className = 'dhhera-RunPanel-progress';
    this.bar = document.createElement('div');
    this.bar.className = 'dhhera-RunPanel-bar';
    this.bar.setAttribute('role', 'progressbar');
    this.counts = document.createElement('div');
    this.counts.className = 'dhhera-RunPanel-counts';
    this.root.append(this.bar, this.counts);
    el.appendChild(this.root);
    model.on('change:counts', this.render);
    model.on('change:total', this.render);
    this.render();
  }

  dispose(): void {
    this.model.off('change:counts', this.render);
    this.model.off('change:total', this.render);
    this.root.remove();
  }

  private readonly render = (): void => {
    const parts = progressParts({
      counts: this.model.get('counts') ?? [],
      total: this.model.get('total') ?? 0,
      filling: this.model.get('filling') ?? [],
      not_run: this.model.get('not_run') ?? ''
    });
    this.bar.replaceChildren(
      ...parts.segments.map(([state, share]) => {
        const seg = document.createElement('div');
        seg.className = `dhhera-RunPanel-seg dhhera-state-${state}`;
        seg.style.width = `${(share * 100).toFixed(2)}%`;
        return seg;
      })
    );
    this.bar.setAttribute('aria-valuenow', String(Math.round(parts.filled * 100)));
    this.bar.setAttribute('aria-valuemin', '0');
    this.bar.setAttribute('aria-valuemax', '100');
    const items = parts.items.map(([dot, text]) => {
      const item = document.createElement('span');
      const dotEl = document.createElement('span');
      dotEl.className = `dhhera-StateDot dhhera-state-${dot}`;
      item.append(dotEl, document.createTextNode(text));
      return item;
    });
    const total = document.createElement('span');
    total.className = 'dhhera-RunPanel-total';
    total.textContent = parts.totalText;
    this.counts.replaceChildren(...items, total);
  };

  private readonly root: HTMLElement;
  private readonly bar: HTMLElement;
  private readonly counts: HTMLElement;
}

function render({ model, el }: RenderProps<ProgressModel>): () => void {
  const line = new ProgressLine(el, model);
  return () => line.dispose();
}

export default { render };
