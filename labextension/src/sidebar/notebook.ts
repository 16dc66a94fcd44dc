/** Inserting a cell into the current notebook through JupyterLab commands (no notebook package needed). */

/** The part of JupyterLab's command registry used here. */
export interface CommandsLike {
  hasCommand(id: string): boolean;
  isEnabled(id: string): boolean;
  execute(id: string, args?: { text: string }): Promise<unknown>;
}

const INSERT = 'notebook:insert-cell-below';
const REPLACE = 'notebook:replace-selection';

/** Whether a notebook is open and current, so a cell can be inserted into it. */
export function canInsertCell(commands: CommandsLike | null): boolean {
  return Boolean(commands && commands.hasCommand(INSERT) && commands.isEnabled(INSERT) && commands.hasCommand(REPLACE));
}

/**
 * Insert a code cell holding `text` below the active cell of the current notebook.
 *
 * @throws Error when no notebook is open.
 */
export async function insertCell(commands: CommandsLike | null, text: string): Promise<void> {
  if (!commands || !canInsertCell(commands)) {
    throw new Error('Open a notebook first: the cell goes into the current notebook.');
  }
  await commands.execute(INSERT);
  await commands.execute(REPLACE, { text });
}
