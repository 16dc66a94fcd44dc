"""How a folded fan-out node in the sidebar's DAG shows the states of the steps it stands for."""

from __future__ import annotations

import pytest

from dhhera_jupyter.graph.model import GraphNode, PipelineGraph
from dhhera_jupyter.server.graphs import folded_states


def _drawing() -> PipelineGraph:
    nodes = [
        GraphNode(id="start", name="start", template=None, kind="container"),
        GraphNode(id="m0", name="m0", template=None, kind="container", members=["m0", "m1", "m2"]),
    ]
    return PipelineGraph(entrypoint="dag", nodes=nodes, edges=[("start", "m0")], clusters=[], parameters={}, name="")


@pytest.mark.parametrize(
    ("members", "shown"),
    [
        (("succeeded", "succeeded", "succeeded"), "succeeded"),
        (("succeeded", "pending", "pending"), "running"),
        (("succeeded", "failed", "pending"), "failed"),
        (("running", "failed", "succeeded"), "running"),
        (("stopped", "succeeded", "succeeded"), "stopped"),
        (("omitted", "omitted", "succeeded"), "succeeded"),
        (("pending", "pending", "pending"), "pending"),
    ],
)
def test_folded_node_shows_what_tells_most_about_its_members(members: tuple[str, ...], shown: str) -> None:
    states = {"start": "succeeded", **{f"m{i}": s for i, s in enumerate(members)}}

    assert folded_states(states, _drawing()) == {"start": "succeeded", "m0": shown}
