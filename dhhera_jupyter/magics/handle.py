"""What the magics and their Python twins return: the workflow, its last build run, its graph."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from dhhera_jupyter.magics import display


@dataclass(eq=False)
class PipelineHandle:
    """A pipeline as the magics left it.

    Displayed in a notebook it draws the DAG (widget, with a static SVG for saved notebooks); in a
    terminal its text shows the graph as text.

    Attributes
    ----------
    name : str
        Workflow name.
    project : str
        Project name.
    workflow : Workflow or None
        SDK workflow entity (latest version); None for a preview of an unregistered pipeline.
    created : bool
        Whether this call created a new workflow version.
    build_run : Run or None
        The build run, when the call built the workflow.
    spec : dict or None
        The Argo WorkflowSpec the graph was drawn from: the built one, or the kernel's ``Workflow.to_dict()``.
    graph : PipelineGraph or None
        The DAG; None when nothing was drawn.
    source : str
        ``"build"`` (graph from the backend's built spec) or ``"preview"`` (from the Workflow built in the kernel).
    build_arguments : tuple of str
        The ``-p`` names the handler takes as arguments (``def pipeline(url)``): build parameters, not the run's.
    """

    name: str
    project: str
    workflow: Any = None
    created: bool = False
    build_run: Any = None
    spec: dict | None = None
    graph: Any = None
    source: str = ""
    build_arguments: tuple[str, ...] = ()
    _widget: Any = field(default=None, repr=False)

    @property
    def version(self) -> str | None:
        """Id of the workflow version."""
        return getattr(self.workflow, "id", None)

    @property
    def widget(self) -> Any:
        """The DagWidget of the graph (created on first use), or None without a graph."""
        if self._widget is None and self.graph is not None:
            self._widget = display.dag_widget(self.graph, title=self.name)
        return self._widget

    def summary(self) -> str:
        """One line: workflow, version, build state, graph size."""
        if self.workflow is not None:
            version = f"version {str(self.version)[:8]}{', new' if self.created else ', unchanged'}"
            text = f"workflow '{self.name}' in project '{self.project}' ({version})"
        else:
            text = f"pipeline '{self.name}' (not registered)"
        if self.build_run is not None:
            text += f"; build {self.build_run.status.state} (run {self.build_run.id})"
        if self.graph is not None:
            edges = len(self.graph.edges)
            text += (
                f"; {len(self.graph.nodes)} step{'s' if len(self.graph.nodes) != 1 else ''}, "
                f"{edges} edge{'s' if edges != 1 else ''} ({self.source})"
            )
        return text

    def __repr__(self) -> str:
        text = f"<PipelineHandle {self.summary()}>"
        if self.graph is not None:
            text += "\n" + self.graph.to_text()
        return text

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> Any:
        if self.graph is None or display.frontend() == "text":
            return {"text/plain": repr(self)}
        return display.graph_bundle(self.graph, lambda: self.widget, repr(self))
