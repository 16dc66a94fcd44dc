import type { AnyModel } from '@anywidget/types';

import { DetailsPane, nodeTitle } from './details';
import { findNodeGroups, nodeGroupOf, svgSize } from './graph';
import { sanitizeSvg } from './sanitize';
import { applyNodeStates } from './states';
import type { DagModel } from './types';
import { PanZoom } from './viewport';

const SELECTED_CLASS = 'dhhera-selected';

/**
 * Graphviz draws in points; shown at 4/3 px per point its 11 pt labels read as 14-15 px text, the size of
 * JupyterLab's own UI. Fit never enlarges beyond that.
 */
export const READABLE_SCALE = 4 / 3;
const MIN_CANVAS = 140;
const MAX_CANVAS = 560;

/** The canvas height for a graph of `size` (points): the drawing at readable size plus margins, bounded. */
export function canvasHeight(size: { width: number; height: number } | null): number {
  if (!size) {
    return MIN_CANVAS;
  }
  return Math.round(Math.min(MAX_CANVAS, Math.max(MIN_CANVAS, size.height * READABLE_SCALE + 32)));
}

/**
 * One rendered DagWidget: toolbar, pan/zoom viewport with the SVG, details pane.
 *
 * A new `svg` rebuilds the drawing; `node_states` and `selected` only toggle classes and the pane.
 */
export class DagView {
  constructor(
    private readonly el: HTMLElement,
    private readonly model: AnyModel<DagModel>
  ) {
    this.root = document.createElement('div');
    this.root.className = 'dhhera-DagWidget';

    const toolbar = document.createElement('div');
    toolbar.className = 'dhhera-DagWidget-toolbar';
    this.titleEl = document.createElement('span');
    this.titleEl.className = 'dhhera-DagWidget-title';
    toolbar.append(
      this.titleEl,
      this.button('+', 'Zoom in', () => this.panZoom?.zoomBy(1.25)),
      this.button('−', 'Zoom out', () => this.panZoom?.zoomBy(0.8)),
      this.button('Fit', 'Fit the graph', () => this.panZoom?.fit())
    );

    this.viewport = document.createElement('div');
    this.viewport.className = 'dhhera-DagWidget-viewport';
    this.viewport.title = 'Drag to pan. Click the graph, then scroll to zoom (or Ctrl+scroll).';
    this.message = document.createElement('p');
    this.message.className = 'dhhera-DagWidget-message';
    this.details = new DetailsPane(() => this.select(''));
    this.viewport.append(this.message);
    // The details open beside the graph (below it in a narrow cell), never over it.
    const body = document.createElement('div');
    body.className = 'dhhera-DagWidget-body';
    body.append(this.viewport, this.details.node);

    this.root.append(toolbar, body);
    this.el.appendChild(this.root);

    this.viewport.addEventListener('click', this.onClick);
    this.viewport.addEventListener('keydown', this.onKeyDown);
    model.on('change:svg', this.renderSvg);
    model.on('change:node_states', this.renderStates);
    model.on('change:selected', this.renderSelection);
    model.on('change:nodes', this.renderSelection);
    model.on('change:height', this.renderFrame);
    model.on('change:title', this.renderFrame);
    model.on('change:details', this.renderSelection);
    model.on('change:placeholder', this.renderPlaceholder);

    this.renderFrame();
    this.renderSvg();
  }

  dispose(): void {
    this.model.off('change:svg', this.renderSvg);
    this.model.off('change:node_states', this.renderStates);
    this.model.off('change:selected', this.renderSelection);
    this.model.off('change:nodes', this.renderSelection);
    this.model.off('change:height', this.renderFrame);
    this.model.off('change:title', this.renderFrame);
    this.model.off('change:details', this.renderSelection);
    this.model.off('change:placeholder', this.renderPlaceholder);
    this.viewport.removeEventListener('click', this.onClick);
    this.viewport.removeEventListener('keydown', this.onKeyDown);
    this.panZoom?.dispose();
    this.root.remove();
  }

  private button(label: string, title: string, onClick: () => void): HTMLButtonElement {
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'dhhera-DagWidget-button';
    button.textContent = label;
    button.title = title;
    button.setAttribute('aria-label', title);
    button.addEventListener('click', onClick);
    return button;
  }

  private readonly renderFrame = (): void => {
    const height = this.model.get('height');
    this.viewport.style.height = height && height !== 'auto' ? height : `${canvasHeight(this.size)}px`;
    const title = this.model.get('title');
    this.titleEl.textContent = title;
    this.root.setAttribute('aria-label', title || 'Pipeline graph');
  };

  private readonly renderPlaceholder = (): void => {
    if (!this.svg && !this.model.get('svg')) {
      this.message.textContent = this.model.get('placeholder') || 'No graph.';
    }
  };

  private readonly renderSvg = (): void => {
    this.panZoom?.dispose();
    this.panZoom = null;
    this.svg?.remove();
    this.svg = null;
    this.groups = new Map();

    const markup = this.model.get('svg');
    const svg = markup ? sanitizeSvg(markup) : null;
    if (!svg) {
      this.message.textContent = markup
        ? 'The graph could not be displayed: its SVG is not valid.'
        : this.model.get('placeholder') || 'No graph.';
      this.message.hidden = false;
      this.details.hide();
      return;
    }
    this.message.hidden = true;
    const size = svgSize(svg);
    this.size = size;
    this.renderFrame();
    // Draw at the natural size; zoom is a CSS transform, so a state change never re-lays out.
    svg.setAttribute('width', String(size.width));
    svg.setAttribute('height', String(size.height));
    svg.classList.add('dhhera-DagWidget-svg');
    this.groups = findNodeGroups(svg);
    for (const [nodeId, group] of this.groups) {
      group.setAttribute('tabindex', '0');
      group.setAttribute('role', 'button');
      group.setAttribute('aria-label', `Step ${nodeTitle(nodeId, (this.model.get('nodes') ?? {})[nodeId])}`);
      group.dataset.nodeId = nodeId;
    }
    this.svg = svg;
    this.viewport.appendChild(svg);
    this.panZoom = new PanZoom(this.viewport, svg, size, READABLE_SCALE);
    this.renderStates();
    this.renderSelection();
  };

  private readonly renderStates = (): void => {
    applyNodeStates(this.groups, this.model.get('node_states') ?? {});
    this.renderSelection();
  };

  private readonly renderSelection = (): void => {
    const selected = this.model.get('selected');
    for (const [nodeId, group] of this.groups) {
      group.classList.toggle(SELECTED_CLASS, nodeId === selected);
    }
    if (selected && this.groups.has(selected) && this.model.get('details') !== 'none') {
      const details = (this.model.get('nodes') ?? {})[selected];
      const state = (this.model.get('node_states') ?? {})[selected];
      this.details.show(selected, details, state);
    } else {
      this.details.hide();
    }
  };

  private select(nodeId: string): void {
    if (this.model.get('selected') !== nodeId) {
      this.model.set('selected', nodeId);
      this.model.save_changes();
    }
    this.renderSelection();
  }

  private readonly onClick = (event: MouseEvent): void => {
    if (!this.svg) {
      return;
    }
    const group = nodeGroupOf(event.target, this.svg);
    if (group?.dataset.nodeId) {
      this.select(group.dataset.nodeId);
    }
  };

  private readonly onKeyDown = (event: KeyboardEvent): void => {
    if (event.key === 'Escape') {
      this.select('');
      return;
    }
    if ((event.key === 'Enter' || event.key === ' ') && this.svg) {
      const group = nodeGroupOf(event.target, this.svg);
      if (group?.dataset.nodeId) {
        event.preventDefault();
        this.select(group.dataset.nodeId);
      }
    }
  };

  private readonly root: HTMLElement;
  private readonly titleEl: HTMLElement;
  private readonly viewport: HTMLElement;
  private readonly message: HTMLElement;
  private readonly details: DetailsPane;
  private svg: SVGSVGElement | null = null;
  private size: { width: number; height: number } | null = null;
  private groups = new Map<string, SVGGElement>();
  private panZoom: PanZoom | null = null;
}
