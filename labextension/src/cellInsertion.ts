/**
 * Cells a kernel offers (the `CellInserter` widget of `dhhera_jupyter/widgets/debug_action.py`) go below the
 * notebook cell that shows the widget. The widget dispatches a bubbling `dhhera-insert-cells` DOM event; this
 * module finds the notebook and the cell holding the event's target and inserts code cells into its model.
 * Notebooks are recognised by shape (no `@jupyterlab/notebook` dependency).
 */

/** The event the widget dispatches (the same name as `INSERT_EVENT` in Python). */
export const INSERT_EVENT = 'dhhera-insert-cells';

/** What the widget sends; `inserted` is set here so the widget can say what happened. */
export interface InsertDetail {
  cells: string[];
  inserted: number;
}

/** The part of a notebook panel used here. */
export interface NotebookLike {
  node: HTMLElement;
  content: { widgets: readonly { node: HTMLElement }[] };
  model: {
    sharedModel: {
      insertCells(
        index: number,
        cells: { cell_type: 'code'; source: string; metadata: Record<string, unknown> }[]
      ): void;
    };
  } | null;
}

function isNotebook(widget: unknown): widget is NotebookLike {
  const w = widget as Partial<NotebookLike> | null;
  return Boolean(
    w &&
    w.node instanceof HTMLElement &&
    w.content &&
    Array.isArray((w.content as { widgets?: unknown }).widgets) &&
    typeof w.model?.sharedModel?.insertCells === 'function'
  );
}

/** The notebook and the index of the cell whose DOM holds `target`, or null. */
export function cellOf(target: Node, widgets: Iterable<unknown>): { notebook: NotebookLike; index: number } | null {
  for (const widget of widgets) {
    if (!isNotebook(widget) || !widget.node.contains(target)) {
      continue;
    }
    const index = widget.content.widgets.findIndex(cell => cell.node.contains(target));
    if (index >= 0) {
      return { notebook: widget, index };
    }
  }
  return null;
}

/** Insert `cells` as code cells below cell `index`; returns how many were inserted. */
export function insertBelow(notebook: NotebookLike, index: number, cells: string[]): number {
  if (!notebook.model || !cells.length) {
    return 0;
  }
  notebook.model.sharedModel.insertCells(
    index + 1,
    cells.map(source => ({ cell_type: 'code', source, metadata: {} }))
  );
  return cells.length;
}

/**
 * Listen on `root` for offers and insert them into the notebook they come from.
 *
 * @param widgets - the main area's widgets now (JupyterLab's `shell.widgets('main')`).
 * @returns a function that stops listening.
 */
export function listenForCells(root: EventTarget, widgets: () => Iterable<unknown>): () => void {
  const handler = (event: Event): void => {
    const detail = (event as CustomEvent<InsertDetail>).detail;
    const target = event.target;
    if (!detail || !Array.isArray(detail.cells) || !(target instanceof Node)) {
      return;
    }
    const found = cellOf(target, widgets());
    if (found) {
      detail.inserted = insertBelow(found.notebook, found.index, detail.cells.map(String));
    }
  };
  root.addEventListener(INSERT_EVENT, handler);
  return () => root.removeEventListener(INSERT_EVENT, handler);
}
