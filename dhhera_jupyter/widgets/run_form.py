"""The run panel's parameters: the values of the run on display in one line, and the form (one field per workflow
argument, with its default) that starts a new run with changed ones."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from html import escape
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


def parameters_text(parameters: Mapping[str, Any]) -> str:
    """``fail=yes, n=3``: a run's parameters on one line, as the sidebar says them (values that are not text as
    JSON, ``labextension/src/sidebar/runView.ts`` ``parametersText``)."""
    return ", ".join(
        f"{name}={value if isinstance(value, str) else json.dumps(value)}" for name, value in parameters.items()
    )


class ParametersSection(w.VBox):
    """The run panel's parameters: one quiet line with the values of the run on display, and, when the panel can
    start runs of a pipeline that takes parameters, a button that opens the form to change them and run again.

    A run without parameters of a pipeline that declares none shows nothing (Re-run starts a new one).

    Parameters
    ----------
    form : ParametersForm
        The form the button opens.
    can_submit : bool
        Whether the panel starts runs (a panel attached to a run started elsewhere may not).
    """

    def __init__(self, form: ParametersForm, can_submit: bool) -> None:
        self.form = form
        self._editable = can_submit and bool(form.fields)
        self.summary = w.HTML()
        self.summary.add_class("dhhera-RunPanel-paramsText")
        self.toggle = w.Button(
            description="Change and run…", tooltip="Change the parameters and start a new run", icon="sliders"
        )
        self.toggle.add_class("dhhera-RunPanel-action")
        self.toggle.add_class("dhhera-RunPanel-paramsToggle")
        self.toggle.layout.display = "" if self._editable else "none"
        self.toggle.on_click(lambda _b: self.expand(self.form.layout.display == "none"))
        self.line = w.HBox([self.summary, self.toggle])
        self.line.add_class("dhhera-RunPanel-params")
        self.form.layout.display = "none"
        super().__init__([self.line, self.form])
        self.add_class("dhhera-RunPanel-paramsSection")
        self.show({})

    def show(self, parameters: Mapping[str, Any]) -> None:
        """Say the parameters of the run on display (hidden when there are none to say and nothing to change)."""
        text = f"Parameters: {parameters_text(parameters)}" if parameters else "No parameters."
        self.summary.value = f"<span class='dhhera-RunPanel-paramsLine'>{escape(text)}</span>"
        self.layout.display = "" if parameters or self._editable else "none"

    def expand(self, opened: bool = True) -> None:
        """Show (or hide) the form."""
        self.form.layout.display = "" if opened else "none"
        self.toggle.description = "Hide parameters" if opened else "Change and run…"

    def close(self) -> None:
        for widget in (self.summary, self.toggle, self.line):
            widget.close()
        super().close()
