"""The run panel's parameters form: one field per workflow argument, with its default."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import ipywidgets as w


class ParametersForm(w.VBox):
    """Fields for the workflow's arguments and a Run button.

    Parameters
    ----------
    declared : mapping
        Name -> ``{"default": str or None, "enum": list or None}`` (see
        :func:`dhhera_jupyter.platform.pipeline_runs.declared_parameters`).
    on_run : callable
        Called with ``{name: value}`` when Run is clicked (empty fields are left out).
    values : mapping, optional
        Initial values (e.g. the parameters of the run on display).
    """

    def __init__(
        self,
        declared: Mapping[str, Mapping[str, Any]],
        on_run: Callable[[dict[str, Any]], None],
        values: Mapping[str, Any] | None = None,
    ) -> None:
        self.fields: dict[str, w.ValueWidget] = {}
        style = {"description_width": "initial"}
        for name, spec in declared.items():
            default = spec.get("default")
            value = (values or {}).get(name, default)
            enum = spec.get("enum")
            if enum:
                field: w.ValueWidget = w.Dropdown(
                    options=list(enum), value=str(value) if value in enum else enum[0], description=name, style=style
                )
            else:
                field = w.Text(
                    value="" if value is None else str(value),
                    description=name,
                    style=style,
                    placeholder="required" if default is None else f"default: {default}",
                )
            self.fields[name] = field
        self.run_button = w.Button(
            description="Run", icon="play", button_style="primary", tooltip="Start a new run with these parameters"
        )
        self.run_button.on_click(lambda _b: on_run(self.values()))
        note = [] if declared else [w.HTML("<i>This pipeline takes no parameters.</i>")]
        super().__init__([*note, *self.fields.values(), self.run_button])
        self.add_class("dhhera-RunPanel-form")

    def values(self) -> dict[str, Any]:
        """The filled-in values (blank text fields are left out, so defaults apply)."""
        out: dict[str, Any] = {}
        for name, field in self.fields.items():
            value = field.value
            if isinstance(value, str) and value == "":
                continue
            out[name] = value
        return out

    def set_values(self, values: Mapping[str, Any]) -> None:
        """Fill the fields (e.g. with the parameters of a run picked from the history)."""
        for name, value in values.items():
            field = self.fields.get(name)
            if field is None:
                continue
            if isinstance(field, w.Dropdown):
                if str(value) in field.options:
                    field.value = str(value)
            else:
                field.value = "" if value is None else str(value)

    def close(self) -> None:
        for field in self.fields.values():
            field.close()
        self.run_button.close()
        for child in self.children:
            child.close()
        super().close()
