"""DagWidget: a pipeline diagram (Graphviz SVG laid out in Python) with live step states."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, Protocol

import anywidget
import traitlets

from dhhera_jupyter.status.names import readable_expression, step_label
from dhhera_jupyter.widgets._assets import load_widget_assets

NODE_STATES = ("pending", "running", "succeeded", "failed", "skipped", "omitted", "stopped", "error")
"""States a node can show; Argo phases (``Pending``, ``Running``, ``Succeeded``...) map to them."""

_SVG_NODE = re.compile(r"<g\b[^>]*\bclass=\"node\"")


class DrawableGraph(Protocol):
    """What :meth:`DagWidget.from_graph` needs: a pipeline graph that can draw itself."""

    def to_svg(self) -> str: ...

    def to_dict(self) -> dict[str, Any]: ...


def normalise_state(state: object) -> str:
    """Return the widget state for a state or Argo phase (``"Succeeded"`` -> ``"succeeded"``).

    Raises
    ------
    traitlets.TraitError
        If ``state`` is none of :data:`NODE_STATES` in any letter case.
    """
    normalised = str(state).strip().lower()
    if normalised not in NODE_STATES:
        raise traitlets.TraitError(f"Unknown node state {state!r}; use one of: {', '.join(NODE_STATES)}.")
    return normalised


#: Node fields that describe how Argo runs a step rather than what it does: folded under "Argo" in the details.
ARGO_FIELDS = ("template", "kind", "image", "function_key", "function_id", "depends", "when", "loop", "parent")


def _readable(details: Mapping[str, Any]) -> dict[str, Any]:
    """Data first: the user's step name, its function, inputs with their values, outputs; Argo internals apart."""
    name = str(details.get("name") or details.get("id") or "")
    inputs = {str(k): readable_expression(str(v)) for k, v in dict(details.get("inputs") or {}).items()}
    kwargs = details.get("kwargs") or {}
    # The dsl passes a step's own parameters (``n``) in its kwargs, not as Argo inputs.
    for key, value in dict((kwargs.get("parameters") if isinstance(kwargs, Mapping) else None) or {}).items():
        inputs.setdefault(str(key), readable_expression(str(value)))
    # An input the template reads back (``{{inputs.parameters.di}}``) shows where it comes from, not the echo.
    argo = {key: details[key] for key in ARGO_FIELDS if details.get(key) not in (None, "", [], {})}
    if name:
        argo = {"task": name, **argo}
    return {
        **{k: v for k, v in details.items() if k not in ("kwargs", "inputs")},
        "label": step_label(name) if name else "",
        "inputs": inputs,
        "argo": argo,
    }


def node_details(graph_dict: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """Node id -> details from a graph's ``to_dict()`` (``nodes`` as a list with ``id`` or a mapping).

    Each node gets a ``label`` (the name the user gave the step), ``inputs`` as readable values and an ``argo``
    mapping of the internals the details fold away.
    """
    nodes = graph_dict.get("nodes") or {}
    if isinstance(nodes, Mapping):
        return {str(node_id): _readable({"id": node_id, **dict(details)}) for node_id, details in nodes.items()}
    return {str(node["id"]): _readable(node) for node in nodes}


class DagWidget(anywidget.AnyWidget):
    """A pipeline DAG: pan, zoom, click a step for its details, steps coloured by state.

    The browser never lays the graph out: Python sends Graphviz SVG once, and a state change
    sends only ``node_states``. The display also carries the static SVG, so saved notebooks show
    the diagram where widgets do not run (nbconvert, GitHub).

    Parameters
    ----------
    svg : str
        Graphviz SVG; node groups are ``<g class="node"><title>NODE_ID</title>…``.
    nodes : mapping, optional
        Node id -> details shown when the node is clicked (``function``, ``function_key``,
        ``action``, ``template``, ``inputs``, ``outputs``, ``when``, ``loop``…).
    **kwargs
        Other traits: ``node_states``, ``selected``, ``height``, ``title``.

    Examples
    --------
    >>> w = DagWidget.from_graph(from_workflow(spec), title="etl")  # doctest: +SKIP
    >>> w.node_states = {"extract": "Succeeded", "train": "Running"}  # doctest: +SKIP
    """

    # Declared as traits (not class constants) so a missing build fails at construction with
    # our message, not at import.
    _esm = traitlets.Unicode().tag(sync=True)
    _css = traitlets.Unicode().tag(sync=True)

    svg = traitlets.Unicode("").tag(sync=True)
    nodes = traitlets.Dict().tag(sync=True)
    node_states = traitlets.Dict().tag(sync=True)
    selected = traitlets.Unicode("").tag(sync=True)
    #: CSS height of the canvas; ``auto`` sizes it to the graph (bounded).
    height = traitlets.Unicode("auto").tag(sync=True)
    title = traitlets.Unicode("").tag(sync=True)
    #: ``pane``: clicking a node opens its details beside the graph; ``none``: the host shows them (run panel).
    details = traitlets.Unicode("pane").tag(sync=True)

    def __init__(self, svg: str = "", nodes: Mapping[str, Mapping[str, Any]] | None = None, **kwargs: Any) -> None:
        assets = load_widget_assets("dag_widget")
        super().__init__(
            _esm=assets.esm,
            _css=assets.css,
            svg=svg,
            nodes={str(k): dict(v) for k, v in (nodes or {}).items()},
            **kwargs,
        )

    @classmethod
    def from_graph(cls, graph: DrawableGraph, **kwargs: Any) -> DagWidget:
        """Build the widget from a pipeline graph (``to_svg()`` and ``to_dict()``).

        Parameters
        ----------
        graph : DrawableGraph
            E.g. a :class:`dhhera_jupyter.graph.PipelineGraph`.
        **kwargs
            Other traits (``title``, ``height``, ``node_states``…).
        """
        graph_dict = graph.to_dict()
        if "title" not in kwargs and graph_dict.get("name"):
            kwargs["title"] = str(graph_dict["name"])
        return cls(svg=graph.to_svg(), nodes=node_details(graph_dict), **kwargs)

    @traitlets.validate("node_states")
    def _validate_node_states(self, proposal: dict[str, Any]) -> dict[str, str]:
        return {str(node_id): normalise_state(state) for node_id, state in proposal["value"].items()}

    def patch_node_states(self, changes: Mapping[str, object]) -> None:
        """Update some node states, sending only those to the frontend (a few bytes per changed node).

        Setting ``node_states`` re-sends the whole mapping; this sends a custom message with the
        changes, and the frontend merges them into its copy of the model.
        """
        if not changes:
            return
        delta = {str(node_id): normalise_state(state) for node_id, state in changes.items()}
        merged = {**self.node_states, **delta}
        with self._lock_property(node_states=merged):
            self.node_states = merged
        self.send({"type": "patch_node_states", "changes": delta})

    def summary(self) -> str:
        """One line for text frontends: title, step count and states."""
        count = len(self.nodes) or len(_SVG_NODE.findall(self.svg))
        text = f"DagWidget{f' {self.title!r}' if self.title else ''}: {count} step{'s' if count != 1 else ''}"
        counts: dict[str, int] = {}
        for state in self.node_states.values():
            counts[state] = counts.get(state, 0) + 1
        if counts:
            text += " (" + ", ".join(f"{n} {state}" for state, n in sorted(counts.items())) + ")"
        return text

    def _repr_mimebundle_(self, **kwargs: Any) -> tuple[dict[str, Any], dict[str, Any]] | None:
        bundle = super()._repr_mimebundle_(**kwargs)
        if bundle is None:
            return None
        data, metadata = bundle
        data = {**data, "text/plain": self.summary()}
        if self.svg:
            data["image/svg+xml"] = self.svg
        return data, metadata
