/**
 * The front end of `dhhera_jupyter.widgets.log_view.LogView` (an anywidget ESM module): a step's log that
 * follows its tail. The kernel sends the lines once, then only what was appended (a custom message), and this
 * module keeps at most `MAX_LINES` of them.
 */
import type { AnyModel, InitializeProps, RenderProps } from '@anywidget/types';

import { appendWrappable, classifyLine, lastLines } from './log/lines';

export interface LogModel {
  text: string;
  title: string;
  note: string;
  following: boolean;
}

export const MAX_LINES = 2000;

function initialize({ model }: InitializeProps<LogModel>): () => void {
  const onCustom = (msg: unknown): void => {
    const append = msg as { type?: string; text?: string } | null;
    if (append?.type !== 'append' || typeof append.text !== 'string') {
      return;
    }
    // Kept in the model (no echo to the kernel, which holds the same text) so a saved notebook has it.
    const text = lastLines((model.get('text') ?? '') + append.text, MAX_LINES).join('\n') + '\n';
    model.set('text', text);
  };
  model.on('msg:custom', onCustom);
  return () => model.off('msg:custom', onCustom);
}

/**
 * The log pane: a head (title, note, the "runtime lines" toggle) over the lines. The notebook widget draws it on its
 * kernel model; the sidebar on an in-page model, so both show a log the same way.
 */
export class LogPane {
  constructor(
    el: HTMLElement,
    private readonly model: AnyModel<LogModel>,
    linesClass = ''
  ) {
    this.root = document.createElement('div');
    this.root.className = 'dhhera-LogView';
    const head = document.createElement('div');
    head.className = 'dhhera-LogView-head';
    this.titleEl = document.createElement('span');
    this.titleEl.className = 'dhhera-LogView-title';
    this.noteEl = document.createElement('span');
    this.noteEl.className = 'dhhera-LogView-note';
    const toggle = document.createElement('label');
    toggle.className = 'dhhera-LogView-toggle';
    this.runtimeBox = document.createElement('input');
    this.runtimeBox.type = 'checkbox';
    this.runtimeBox.addEventListener('change', this.render);
    toggle.append(this.runtimeBox, document.createTextNode(' runtime lines'));
    head.append(this.titleEl, this.noteEl, toggle);
    this.pre = document.createElement('pre');
    this.pre.className = `dhhera-LogView-lines ${linesClass}`.trim();
    this.pre.tabIndex = 0;
    this.root.append(head, this.pre);
    el.appendChild(this.root);
    model.on('change:text', this.render);
    model.on('change:title', this.render);
    model.on('change:note', this.render);
    model.on('change:following', this.render);
    this.render();
  }

  dispose(): void {
    this.model.off('change:text', this.render);
    this.model.off('change:title', this.render);
    this.model.off('change:note', this.render);
    this.model.off('change:following', this.render);
    this.root.remove();
  }

  private readonly render = (): void => {
    const atBottom = this.pre.scrollHeight - this.pre.scrollTop - this.pre.clientHeight < 24;
    const lines = lastLines(this.model.get('text') ?? '', MAX_LINES).map(classifyLine);
    const showRuntime = this.runtimeBox.checked;
    const hidden = showRuntime ? 0 : lines.filter(line => line.runtime).length;
    this.titleEl.textContent = this.model.get('title') ?? '';
    const parts = [this.model.get('note') ?? ''];
    if (this.model.get('following')) {
      parts.push('following');
    }
    if (hidden) {
      parts.push(`${hidden} runtime line${hidden === 1 ? '' : 's'} hidden`);
    }
    this.noteEl.textContent = parts.filter(Boolean).join(' · ');
    const fragment = document.createDocumentFragment();
    const shown = lines.filter(line => showRuntime || !line.runtime);
    for (const line of shown) {
      const span = document.createElement('span');
      span.className = line.runtime ? 'dhhera-LogView-line dhhera-LogView-runtime' : 'dhhera-LogView-line';
      appendWrappable(span, line.text + '\n');
      fragment.appendChild(span);
    }
    if (shown.length === 0) {
      const empty = document.createElement('span');
      empty.className = 'dhhera-LogView-empty';
      empty.textContent = lines.length ? 'Only runtime lines so far.' : 'No log lines yet.';
      fragment.appendChild(empty);
    }
    this.pre.replaceChildren(fragment);
    if (atBottom || this.model.get('following')) {
      this.pre.scrollTop = this.pre.scrollHeight;
    }
  };

  private readonly root: HTMLElement;
  private readonly titleEl: HTMLElement;
  private readonly noteEl: HTMLElement;
  private readonly runtimeBox: HTMLInputElement;
  private readonly pre: HTMLElement;
}

function render({ model, el }: RenderProps<LogModel>): () => void {
  const pane = new LogPane(el, model);
  return () => pane.dispose();
}

export default { initialize, render };
