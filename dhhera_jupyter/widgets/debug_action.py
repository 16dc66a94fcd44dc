"""Putting generated cells into the notebook from the kernel, and the run panel's "Debug in notebook" action.

:class:`CellInserter` is a tiny widget: when the kernel offers it cells, its view dispatches a
``dhhera-insert-cells`` DOM event from where it is drawn; the JupyterLab extension
(``labextension/src/cellInsertion.ts``) inserts them below the notebook cell holding the view and says how many
it inserted. Only a live offer inserts (``pending`` is cleared once the view handled it, and that state is what a
saved notebook keeps), so reopening a notebook inserts nothing. Where nothing handles the event (a frontend
without the extension) the view shows the code to copy; readers without widgets get it as text.
"""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING, Any

import anywidget
import ipywidgets as w
import traitlets

if TYPE_CHECKING:
    from dhhera_jupyter.platform.step_debug import DebugCells
    from dhhera_jupyter.runs.watched import WatchedRun

#: The DOM event the lab extension listens for (``labextension/src/cellInsertion.ts``).
INSERT_EVENT = "dhhera-insert-cells"

_ESM = """
const EVENT = "__EVENT__";
function text(el, tag, value, cls) {
  const node = document.createElement(tag);
  node.textContent = value;
  if (cls) node.className = cls;
  el.appendChild(node);
  return node;
}
function draw(model, el) {
  el.replaceChildren();
  const cells = model.get('cells') || [];
  const inserted = model.get('inserted');
  if (!cells.length) return;
  if (inserted > 0) {
    text(el, 'div', `Inserted ${inserted} cell${inserted === 1 ? '' : 's'} below to debug ${model.get('title')}.`,
      'dhhera-CellInserter-done');
    return;
  }
  text(el, 'div', `Copy these cells into the notebook to debug ${model.get('title')}:`, 'dhhera-CellInserter-copy');
  cells.forEach(cell => text(el, 'pre', cell, 'dhhera-CellInserter-code'));
}
function offer(model, el) {
  if (!model.get('pending')) return;
  const started = Date.now();
  const fire = () => {
    if (!el.isConnected && Date.now() - started < 5000) { requestAnimationFrame(fire); return; }
    const detail = { cells: model.get('cells') || [], inserted: 0 };
    el.dispatchEvent(new CustomEvent(EVENT, { bubbles: true, detail }));
    model.set('pending', false);
    model.set('inserted', detail.inserted);
    model.save_changes();
    draw(model, el);
  };
  fire();
}
export default {
  render({ model, el }) {
    el.classList.add('dhhera-CellInserter');
    draw(model, el);
    offer(model, el);
    const again = () => { draw(model, el); offer(model, el); };
    model.on('change:token', again);
    return () => model.off('change:token', again);
  }
};
""".replace("__EVENT__", INSERT_EVENT)


class CellInserter(anywidget.AnyWidget):
    """Offers code cells to the notebook that shows it (see the module docstring).

    Attributes
    ----------
    cells : list of str
        The code cells offered last.
    title : str
        What they are for (``step 'b' of run 1a2b``), for the status line.
    pending : bool
        True from an offer until a view handled it.
    inserted : int
        How many cells the notebook inserted for the last offer (0: not inserted; the code is shown instead).
    """

    _esm = traitlets.Unicode(_ESM).tag(sync=True)
    cells = traitlets.List(traitlets.Unicode()).tag(sync=True)
    title = traitlets.Unicode("").tag(sync=True)
    pending = traitlets.Bool(False).tag(sync=True)
    inserted = traitlets.Int(0).tag(sync=True)
    token = traitlets.Int(0).tag(sync=True)

    def offer(self, cells: list[str], title: str) -> None:
        """Offer ``cells`` (each a code cell's source) to the notebook showing this widget."""
        with self.hold_sync():
            self.cells = list(cells)
            self.title = title
            self.inserted = 0
            self.pending = True
            self.token += 1

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        bundle = super()._repr_mimebundle_(**kwargs)
        text = "\n\n".join(self.cells)
        if isinstance(bundle, tuple):
            data, metadata = bundle
            return {**data, "text/plain": text}, metadata
        return {**(bundle or {}), "text/plain": text}


def cells_widget(debug: DebugCells) -> CellInserter:
    """A :class:`CellInserter` already offering ``debug``'s cells (what ``%hera debug`` displays)."""
    widget = CellInserter()
    widget.offer(debug.cells, debug.title)
    return widget


class DebugAction(w.VBox):
    """The step pane's "Debug in notebook" button: inserts the cells of the selected step below the panel."""

    def __init__(self) -> None:
        self.button = w.Button(
            description="Debug in notebook",
            icon="bug",
            tooltip="Insert cells below that fetch this step's function and inputs and call it in this kernel",
            layout=w.Layout(width="auto"),
        )
        self.button.add_class("dhhera-RunPanel-action")  # the toolbar buttons' look, sized to its label
        self.button.add_class("dhhera-DebugAction-button")
        self.problem = w.HTML()
        self.inserter = CellInserter()
        self.run: WatchedRun | None = None
        self.step_id: str | None = None
        self.button.on_click(lambda _button: self.insert())
        super().__init__([self.button, self.problem, self.inserter])
        self.add_class("dhhera-DebugAction")

    def show(self, run: WatchedRun | None, step_id: str | None) -> None:
        """Act on ``step_id`` of ``run`` from now on (a new selection clears the last message)."""
        if (run, step_id) != (self.run, self.step_id):
            self.problem.value = ""
        self.run, self.step_id = run, step_id

    def insert(self) -> None:
        """Generate the cells of the selected step and offer them to the notebook; a problem is shown as one line."""
        from dhhera_jupyter.errors import DhheraError
        from dhhera_jupyter.platform.step_debug import debug_cells

        if self.run is None or self.step_id is None:
            return
        try:
            debug = debug_cells(self.run.run_id, self.step_id, self.run.project)
        except DhheraError as exc:
            self.problem.value = f"<span class='dhhera-RunPanel-message'>{escape(str(exc))}</span>"
            return
        self.problem.value = ""
        self.inserter.offer(debug.cells, debug.title)

    def close(self) -> None:
        for widget in (self.button, self.problem, self.inserter):
            widget.close()
        super().close()
