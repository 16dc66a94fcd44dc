/** The step details' "Debug in notebook": the server writes the cells (`/dhhera/runs/<id>/debug`), this inserts them. */

import { requestAPI } from '../api';
import { button, el, setText } from './dom';
import { type CommandsLike, canInsertCell, insertCell } from './notebook';
import type { RunDetails, StepRow } from './types';

/** `GET /dhhera/runs/<id>/debug?step=`: the cells that reproduce a step (the same ones `%hera debug` inserts). */
export interface DebugCells {
  run_id: string;
  step: string;
  title: string;
  state: string;
  cells: string[];
}

/** Read the cells of a step from the server extension. */
export function fetchDebugCells(project: string, runId: string, step: string): Promise<DebugCells> {
  return requestAPI<DebugCells>(`runs/${encodeURIComponent(runId)}/debug`, {}, { project, step });
}

/** What the action needs; tests pass their own. */
export interface DebugActionOptions {
  fetch: (project: string, runId: string, step: string) => Promise<DebugCells>;
  commands: CommandsLike | null;
}

/** Insert `cells` below the active cell of the current notebook, in order. */
export async function insertCells(commands: CommandsLike | null, cells: string[]): Promise<void> {
  for (const cell of cells) {
    await insertCell(commands, cell); // each insert makes the new cell active: the next goes below it
  }
}

/** A button and a one-line note, shown in the selected step's header. */
export class DebugAction {
  readonly node = el('div', 'dhhera-DebugAction');
  readonly button: HTMLButtonElement;
  readonly note = el('p', 'dhhera-DebugAction-note');

  constructor(private readonly options: DebugActionOptions) {
    this.button = button(
      'dhhera-Button dhhera-DebugAction-button',
      'Debug in notebook',
      "Insert cells into the current notebook that fetch this step's function and inputs and call it in the kernel",
      () => void this.debug()
    );
    this.note.hidden = true;
    this.note.setAttribute('role', 'status');
    this.node.append(this.button, this.note);
  }

  /** Act on `step` of `run` (a pipeline run) from now on. */
  show(run: RunDetails | null, step: StepRow | undefined): void {
    const key = run && step ? `${run.id}/${step.id}` : '';
    if (key !== this.key) {
      this.key = key;
      this.note.hidden = true;
      setText(this.note, '');
    }
    this.run = run;
    this.step = step;
    this.node.hidden = !run || run.kind !== 'pipeline' || !step;
    const notebook = canInsertCell(this.options.commands);
    this.button.disabled = this.busy || !notebook;
    this.button.title = notebook
      ? "Insert cells into the current notebook that fetch this step's function and inputs and call it in the kernel"
      : 'Open a notebook first: the cells go into the current notebook.';
  }

  /** Fetch the cells of the shown step and insert them; a refusal is shown as the server's sentence. */
  async debug(): Promise<void> {
    const { run, step } = this;
    if (!run || !step || this.busy) {
      return;
    }
    this.busy = true;
    this.button.disabled = true;
    try {
      const debug = await this.options.fetch(run.project, run.id, step.id);
      await insertCells(this.options.commands, debug.cells);
      this.say(`Inserted ${debug.cells.length} cells into the notebook to debug ${debug.title}.`);
    } catch (error) {
      this.say((error as Error).message);
    } finally {
      this.busy = false;
      this.show(this.run, this.step);
    }
  }

  private say(text: string): void {
    setText(this.note, text);
    this.note.hidden = false;
  }

  private run: RunDetails | null = null;
  private step: StepRow | undefined = undefined;
  private key = '';
  private busy = false;
}
