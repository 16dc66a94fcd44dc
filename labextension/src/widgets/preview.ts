/**
 * The front end of `dhhera_jupyter.widgets.output_preview.OutputPreviews` (an anywidget ESM module): a step's
 * outputs, each with "Preview" (asks the kernel, which reads a bounded preview through the SDK) and "Insert code to
 * load" (asks the lab extension, through a DOM event, to put the load code in a new cell below; where no extension
 * answers, the code is shown to copy).
 */
import type { AnyModel, RenderProps } from '@anywidget/types';

import { INSERT_EVENT, type InsertDetail } from '../cellInsertion';
import { type PreviewData, renderPreview, renderPreviewError } from './preview/render';

interface OutputItem {
  name: string;
  key: string;
  load_code: string;
}

interface PreviewsModel {
  outputs: OutputItem[];
  previews: Record<string, { preview?: PreviewData; error?: string }>;
  loading: string[];
}

function button(className: string, label: string, title: string, onClick: () => void): HTMLButtonElement {
  const item = document.createElement('button');
  item.type = 'button';
  item.className = `dhhera-Preview-button ${className}`;
  item.textContent = label;
  item.title = title;
  item.addEventListener('click', event => {
    event.stopPropagation();
    onClick();
  });
  return item;
}

/** Ask the lab extension to insert `code` in a new cell below the widget's cell; false when nothing inserted it. */
export function requestInsert(from: HTMLElement, code: string): boolean {
  const detail: InsertDetail = { cells: [code], inserted: 0 };
  from.dispatchEvent(new CustomEvent(INSERT_EVENT, { bubbles: true, detail }));
  return detail.inserted > 0;
}

class PreviewList {
  readonly root = document.createElement('div');
  private readonly copied = new Set<string>();
  private readonly open = new Set<string>();

  constructor(
    el: HTMLElement,
    private readonly model: AnyModel<PreviewsModel>
  ) {
    this.root.className = 'dhhera-Preview';
    el.append(this.root);
    for (const name of ['outputs', 'previews', 'loading']) {
      model.on(`change:${name}`, this.render);
    }
    this.render();
  }

  private readonly render = (): void => {
    const outputs = this.model.get('outputs') ?? [];
    const previews = this.model.get('previews') ?? {};
    const loading = new Set(this.model.get('loading') ?? []);
    this.root.replaceChildren();
    this.root.hidden = outputs.length === 0;
    for (const output of outputs) {
      const item = document.createElement('div');
      item.className = 'dhhera-Preview-item';
      const head = document.createElement('div');
      head.className = 'dhhera-Preview-head';
      const name = document.createElement('span');
      name.className = 'dhhera-Preview-name';
      name.textContent = output.name;
      name.title = output.key;
      const shown = this.open.has(output.key) && previews[output.key];
      const previewButton = button(
        'dhhera-Preview-show',
        loading.has(output.key) ? 'Reading…' : shown ? 'Hide preview' : 'Preview',
        `Preview ${output.name} (its schema and first rows, files or metrics)`,
        () => this.toggle(output.key)
      );
      previewButton.disabled = loading.has(output.key);
      const insertButton = button(
        'dhhera-Preview-insert',
        'Insert code to load',
        `Insert a cell below that loads ${output.name}`,
        () => this.insert(output, insertButton)
      );
      head.append(name, previewButton, insertButton);
      item.append(head);
      const entry = previews[output.key];
      if (shown && entry?.error) {
        item.append(renderPreviewError(entry.error));
      } else if (shown && entry?.preview) {
        item.append(renderPreview(entry.preview));
      }
      if (this.copied.has(output.key)) {
        const note = document.createElement('div');
        note.className = 'dhhera-Preview-note';
        note.textContent = 'No JupyterLab notebook took the cell: copy this code into one.';
        const pre = document.createElement('pre');
        pre.className = 'dhhera-Preview-code';
        pre.textContent = output.load_code;
        item.append(note, pre);
      }
      this.root.append(item);
    }
  };

  private toggle(key: string): void {
    if (this.open.has(key)) {
      this.open.delete(key);
      this.render();
      return;
    }
    this.open.add(key);
    const entry = (this.model.get('previews') ?? {})[key];
    if (entry) {
      this.render();
    } else {
      this.model.send({ type: 'preview', key });
    }
  }

  private insert(output: OutputItem, from: HTMLElement): void {
    if (!requestInsert(from, output.load_code)) {
      this.copied.add(output.key);
      this.render();
    }
  }

  dispose(): void {
    for (const name of ['outputs', 'previews', 'loading']) {
      this.model.off(`change:${name}`, this.render);
    }
  }
}

function render({ model, el }: RenderProps<PreviewsModel>): () => void {
  const view = new PreviewList(el, model);
  return () => view.dispose();
}

export default { render };
