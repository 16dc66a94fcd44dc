import { afterEach, describe, expect, it } from 'vitest';

import { cellOf, INSERT_EVENT, type InsertDetail, insertBelow, listenForCells } from '../cellInsertion';
import { DebugAction, type DebugCells } from '../sidebar/debugAction';
import type { CommandsLike } from '../sidebar/notebook';
import { runDetails } from './sidebarFixtures';

/** A notebook shaped like JupyterLab's panel: cells with DOM nodes, a shared model recording insertions. */
function fakeNotebook(count: number) {
  const node = document.createElement('div');
  const cells = Array.from({ length: count }, () => ({ node: document.createElement('div') }));
  cells.forEach(cell => node.append(cell.node));
  const sources: string[] = cells.map((_, i) => `cell ${i}`);
  const notebook = {
    node,
    content: { widgets: cells },
    model: {
      sharedModel: {
        insertCells(index: number, added: { source: string }[]) {
          sources.splice(index, 0, ...added.map(c => c.source));
        }
      }
    }
  };
  document.body.append(node);
  return { notebook, cells, sources };
}

/** Commands of a notebook whose active cell receives inserted text, as JupyterLab's insert + replace do. */
function fakeCommands(open = true): CommandsLike & { cells: string[] } {
  const cells: string[] = ['first'];
  let active = 0;
  return {
    cells,
    hasCommand: () => open,
    isEnabled: () => open,
    async execute(id: string, args?: { text: string }) {
      if (id === 'notebook:insert-cell-below') {
        cells.splice(++active, 0, '');
      } else if (id === 'notebook:replace-selection') {
        cells[active] = args?.text ?? '';
      }
    }
  };
}

afterEach(() => document.body.replaceChildren());

describe('cell insertion from a kernel widget', () => {
  it('inserts the offered cells below the cell holding the widget, in order', () => {
    const { notebook, cells, sources } = fakeNotebook(3);
    const widget = document.createElement('span');
    cells[1].node.append(widget);
    const stop = listenForCells(document.body, () => [{ unrelated: true }, notebook]);
    const detail: InsertDetail = { cells: ['a = 1', 'b = 2'], inserted: 0 };
    widget.dispatchEvent(new CustomEvent(INSERT_EVENT, { bubbles: true, detail }));
    stop();
    expect(detail.inserted).toBe(2);
    expect(sources).toEqual(['cell 0', 'cell 1', 'a = 1', 'b = 2', 'cell 2']);
  });

  it('inserts nothing for a target outside every notebook', () => {
    const { notebook, sources } = fakeNotebook(1);
    const outside = document.createElement('span');
    document.body.append(outside);
    expect(cellOf(outside, [notebook])).toBeNull();
    const stop = listenForCells(document.body, () => [notebook]);
    const detail: InsertDetail = { cells: ['x'], inserted: 0 };
    outside.dispatchEvent(new CustomEvent(INSERT_EVENT, { bubbles: true, detail }));
    stop();
    expect(detail.inserted).toBe(0);
    expect(sources).toEqual(['cell 0']);
    expect(insertBelow({ ...notebook, model: null }, 0, ['x'])).toBe(0);
  });
});

describe('DebugAction (sidebar step details)', () => {
  const cells: DebugCells = {
    run_id: 'r1',
    step: 'b',
    title: "step 'b' of run r1",
    state: 'ERROR',
    cells: ['one', 'two']
  };

  it('fetches the step cells and inserts them below the active cell', async () => {
    const commands = fakeCommands();
    const asked: string[] = [];
    const action = new DebugAction({
      fetch: async (project, runId, step) => {
        asked.push(`${project}/${runId}/${step}`);
        return cells;
      },
      commands
    });
    const run = runDetails('r1', { a: 'succeeded', b: 'failed' });
    action.show(run, run.steps[1]);
    expect(action.node.hidden).toBe(false);
    await action.debug();
    expect(asked).toEqual(['dhhera/r1/b']);
    expect(commands.cells).toEqual(['first', 'one', 'two']);
    expect(action.note.textContent).toBe("Inserted 2 cells into the notebook to debug step 'b' of run r1.");
  });

  it("shows the server's sentence when the step cannot be debugged, and needs an open notebook", async () => {
    const action = new DebugAction({
      fetch: async () => {
        throw new Error("Step 'd' of run r1 has no run yet (omitted), so there is nothing to reproduce.");
      },
      commands: fakeCommands()
    });
    const run = runDetails('r1', { d: 'omitted' });
    action.show(run, run.steps[0]);
    await action.debug();
    expect(action.note.textContent).toContain('has no run yet (omitted)');
    const closed = new DebugAction({ fetch: async () => cells, commands: fakeCommands(false) });
    closed.show(run, run.steps[0]);
    expect(closed.button.disabled).toBe(true);
    expect(closed.button.title).toContain('Open a notebook first');
  });
});
