/**
 * The outputs of the selected step in the sidebar's step details: each dataitem, artifact or model output gets
 * "Preview" (read on the click, from `/dhhera/preview`, bounded by the server) and "Insert code to load" (the load
 * code from `/dhhera/preview/code`, put into a new cell below the active cell of the current notebook).
 *
 * Cells go in through JupyterLab's commands (`./notebook`), as the sidebar's other actions do; the run panel's
 * widget asks the lab extension instead (`../cellInsertion`: below the cell that shows the panel).
 */
import { requestAPI } from '../api';
import {
  type OutputRef,
  type PreviewData,
  previewable,
  renderPreview,
  renderPreviewError
} from '../widgets/preview/render';
import { button, el } from './dom';
import { type CommandsLike, canInsertCell, insertCell } from './notebook';

/** The two reads the list makes; tests pass their own. */
export interface PreviewService {
  preview(key: string): Promise<PreviewData>;
  loadCode(key: string): Promise<string>;
}

export const previewService: PreviewService = {
  preview: key => requestAPI<PreviewData>('preview', {}, { key }),
  loadCode: async key => (await requestAPI<{ code: string }>('preview/code', {}, { key })).code
};

/** The step's outputs that have a preview (dataitems, artifacts, models), in their order. */
export function previewableOutputs(outputs: Record<string, string> | undefined): OutputRef[] {
  return Object.entries(outputs ?? {})
    .filter(([name, value]) => name !== 'run_id' && previewable(value))
    .map(([name, key]) => ({ name, key }));
}

class OutputItem {
  readonly node = el('div', 'dhhera-Preview-item');

  constructor(
    readonly output: OutputRef,
    private readonly service: PreviewService,
    private readonly commands: CommandsLike | null
  ) {
    const head = el('div', 'dhhera-Preview-head');
    const name = el('span', 'dhhera-Preview-name', output.name);
    name.title = output.key;
    this.previewButton = button(
      'dhhera-Preview-button dhhera-Preview-show',
      'Preview',
      `Preview ${output.name} (its schema and first rows, files or metrics)`,
      () => void this.toggle()
    );
    this.insertButton = button(
      'dhhera-Preview-button dhhera-Preview-insert',
      'Insert code to load',
      `Insert a cell below that loads ${output.name}`,
      () => void this.insert()
    );
    head.append(name, this.previewButton, this.insertButton);
    this.node.append(head, this.body, this.code);
    this.body.hidden = true;
    this.code.hidden = true;
  }

  private async toggle(): Promise<void> {
    if (!this.body.hidden) {
      this.body.hidden = true;
      this.previewButton.textContent = 'Preview';
      return;
    }
    this.previewButton.disabled = true;
    this.previewButton.textContent = 'Reading…';
    try {
      this.body.replaceChildren(renderPreview(await this.service.preview(this.output.key)));
    } catch (error) {
      this.body.replaceChildren(renderPreviewError((error as Error).message));
    } finally {
      this.previewButton.disabled = false;
    }
    this.body.hidden = false;
    this.previewButton.textContent = 'Hide preview';
  }

  private async insert(): Promise<void> {
    let code: string;
    try {
      code = await this.service.loadCode(this.output.key);
    } catch (error) {
      this.code.replaceChildren(renderPreviewError((error as Error).message));
      this.code.hidden = false;
      return;
    }
    if (canInsertCell(this.commands)) {
      await insertCell(this.commands, code);
      this.code.hidden = true;
      return;
    }
    const note = el('div', 'dhhera-Preview-note', 'Open a notebook to insert the cell, or copy this code:');
    this.code.replaceChildren(note, el('pre', 'dhhera-Preview-code', code));
    this.code.hidden = false;
  }

  private readonly previewButton: HTMLButtonElement;
  private readonly insertButton: HTMLButtonElement;
  private readonly body = el('div', 'dhhera-Preview-slot');
  private readonly code = el('div', 'dhhera-Preview-slot');
}

/** The previewable outputs of the selected step; a step with none shows nothing. */
export class OutputPreviewList {
  readonly node = el('div', 'dhhera-Preview dhhera-RunView-previews');

  constructor(
    private readonly commands: CommandsLike | null,
    private readonly service: PreviewService = previewService
  ) {
    this.node.setAttribute('aria-label', 'Outputs of the step');
    this.node.hidden = true;
  }

  /** Show these outputs; items whose key did not change keep their state (an open preview stays open). */
  update(outputs: Record<string, string> | undefined): void {
    const refs = previewableOutputs(outputs);
    const digest = JSON.stringify(refs);
    if (digest === this.digest) {
      return;
    }
    this.digest = digest;
    const kept = new Map(this.items.map(item => [`${item.output.name}\n${item.output.key}`, item]));
    this.items = refs.map(
      ref => kept.get(`${ref.name}\n${ref.key}`) ?? new OutputItem(ref, this.service, this.commands)
    );
    this.node.replaceChildren(...this.items.map(item => item.node));
    this.node.hidden = this.items.length === 0;
  }

  private digest = '';
  private items: OutputItem[] = [];
}
