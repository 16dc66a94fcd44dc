"""The per-step table of the run panel: one small widget per row, so a changed step re-sends one row only."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from html import escape

import ipywidgets as w

from dhhera_jupyter.documents import keys
from dhhera_jupyter.status import StepStatus, step_label
from dhhera_jupyter.status.timefmt import format_clock, format_duration

_HEAD = ("function", "action", "state", "start", "duration", "outputs", "child run")


def state_dot(state: str, extra: str = "") -> str:
    """A dot in the state's colour (the shared palette, ``states.css``) and the state name, escaped."""
    return f'<span class="dhhera-StateDot dhhera-state-{escape(state)}"></span>{escape(state)}{escape(extra)}'


def state_pill(state: str, text: str | None = None) -> str:
    """The state badge (a pill in the state's colour, ``states.css``) the header, the step pane, the services and the
    sidebar share; ``text`` (default: the state) is what it says. Escaped."""
    said = escape(state if text is None else text)
    return f'<span class="dhhera-StateBadge dhhera-state-{escape(state)}">{said}</span>'


def clock_html(start: str | None, end: str | None, duration: float | None) -> str:
    """A step's duration; while it runs, a clock the browser ticks from ``start`` (no kernel traffic)."""
    if start and not end:
        return f'<span class="dhhera-Clock" data-since="{escape(start, quote=True)}">…</span>'
    return escape(format_duration(duration))


def row_html(step: StepStatus) -> str:
    """One table row (without the step button), every value escaped.

    Outputs and the child run are cut with an ellipsis by the stylesheet; their cell's tooltip holds them whole.
    """
    shown = [(k, v) for k, v in step.outputs if k != "run_id"]
    outputs = ", ".join(f"<code>{escape(k)}</code> {escape(short_key(v))}" for k, v in shown)
    whole = escape("\n".join(f"{k} = {v}" for k, v in shown), quote=True)
    extra = f" {step.items_done}/{step.items}" if step.items else ""
    ran = step.state not in ("skipped", "omitted")  # Argo stamps times on steps it never ran
    child = step.run_id or ""  # whole in the text (a click selects it for copying), cut with an ellipsis on screen
    cells = [
        ("", escape(step.function or "")),
        ("", escape(step.action or "")),
        ("", state_dot(step.state, extra)),
        ("", escape(format_clock(step.start)) if ran else ""),
        ("", clock_html(step.start, step.end, step.duration) if ran else ""),
        (f' class="dhhera-RunPanel-outputs" title="{whole}"' if shown else "", outputs),
        (f' class="dhhera-RunPanel-child" title="{escape(child, quote=True)}"' if child else "", escape(child)),
    ]
    return '<div class="dhhera-RunPanel-row">' + "".join(f"<div{a}>{c}</div>" for a, c in cells) + "</div>"


def short_key(value: str) -> str:
    """``store://p/dataitem/table/dataset:ed478e14...`` -> ``dataset:ed478e14`` (the full key is the tooltip)."""
    short = keys.short_key(value)
    return _short(short, 48) if short == value else short


def _short(text: str, size: int) -> str:
    return text if len(text) <= size else text[: size - 1] + "…"


class StepTable(w.VBox):
    """Rows of steps; clicking a step's name selects it.

    Parameters
    ----------
    on_select : callable
        Called with the step id when a step's button is clicked.
    """

    def __init__(self, on_select: Callable[[str], None]) -> None:
        head = "".join(f"<div>{escape(h)}</div>" for h in _HEAD)
        self._header = w.HBox(
            [
                w.HTML("<div class='dhhera-RunPanel-head-step'>step</div>"),
                w.HTML(f'<div class="dhhera-RunPanel-row">{head}</div>', layout=w.Layout(flex="1")),
            ]
        )
        self._header.add_class("dhhera-RunPanel-head")
        self._on_select = on_select
        self._buttons: dict[str, w.Button] = {}
        self._cells: dict[str, w.HTML] = {}
        self._rows: dict[str, w.HBox] = {}
        self._selected: str | None = None
        super().__init__([self._header])
        self.add_class("dhhera-RunPanel-table")

    @property
    def step_ids(self) -> list[str]:
        """Ids of the rows, in order."""
        return list(self._buttons)

    def set_steps(self, steps: Iterable[StepStatus]) -> None:
        """Show exactly these steps (rows are reused by id; only changed cells are re-sent)."""
        steps = list(steps)
        ids = [s.id for s in steps]
        if ids != list(self._buttons):
            for step in steps:
                if step.id not in self._buttons:
                    label = step_label(step.step)
                    button = w.Button(description=label, tooltip=f"{label}: details and logs ({step.id})")
                    button.add_class("dhhera-RunPanel-step")
                    button.on_click(lambda _b, sid=step.id: self._on_select(sid))
                    self._buttons[step.id] = button
                    self._cells[step.id] = w.HTML(layout=w.Layout(flex="1"))
                    row = w.HBox([button, self._cells[step.id]])
                    row.add_class("dhhera-RunPanel-tr")
                    self._rows[step.id] = row
            for sid in [s for s in self._buttons if s not in ids]:
                for widget in (self._buttons.pop(sid), self._cells.pop(sid), self._rows.pop(sid)):
                    widget.close()
            self.children = [self._header, *(self._rows[i] for i in ids)]
        self.update(steps)

    def update(self, steps: Iterable[StepStatus]) -> None:
        """Re-render only the given rows."""
        for step in steps:
            cell = self._cells.get(step.id)
            if cell is not None:
                cell.value = row_html(step)  # traitlets sends nothing when the text is the same

    def select(self, step_id: str | None) -> None:
        """Highlight the row of ``step_id`` (None: no row), in JupyterLab's selection colour."""
        if self._selected == step_id:
            return
        if self._selected in self._rows:
            self._rows[self._selected].remove_class("dhhera-selected")
        self._selected = step_id
        if step_id in self._rows:
            self._rows[step_id].add_class("dhhera-selected")

    def close(self) -> None:
        for widget in [*self._buttons.values(), *self._cells.values(), *self._rows.values(), *self._header.children]:
            widget.close()
        self._header.close()
        super().close()
