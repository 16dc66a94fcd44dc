"""Argo workflow -> PipelineGraph -> DOT -> SVG. Pure: no SDK, no Jupyter.

>>> graph = from_workflow(workflow_yaml_or_dict)   # doctest: +SKIP
>>> svg = graph.to_svg()                           # doctest: +SKIP
"""

from __future__ import annotations

from dhhera_jupyter.graph.argo import from_workflow
from dhhera_jupyter.graph.model import GraphCluster, GraphNode, PipelineGraph
from dhhera_jupyter.graph.render import render_svg

__all__ = ["GraphCluster", "GraphNode", "PipelineGraph", "from_workflow", "render_svg"]
