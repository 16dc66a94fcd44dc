"""DagWidget.patch_node_states: a few bytes per changed node instead of the whole mapping."""

from __future__ import annotations

import json

import ipywidgets
import pytest

from dhhera_jupyter.widgets.dag import DagWidget


@pytest.fixture()
def sent(monkeypatch: pytest.MonkeyPatch) -> list[dict]:
    """Every message widgets send to the frontend (recorded at ipywidgets' single send point)."""
    messages: list[dict] = []

    def record(self, msg, buffers=None):  # noqa: ANN001 - ipywidgets signature
        messages.append(msg)

    monkeypatch.setattr(ipywidgets.Widget, "_send", record)
    return messages


def test_patch_sends_only_the_changed_nodes_and_keeps_python_state_merged(sent: list[dict]) -> None:
    w = DagWidget(svg="<svg></svg>", node_states={f"step-{i}": "Pending" for i in range(100)})
    sent.clear()
    w.patch_node_states({"step-7": "Succeeded"})
    assert w.node_states["step-7"] == "succeeded" and w.node_states["step-8"] == "pending"
    assert sent == [{"method": "custom", "content": {"type": "patch_node_states", "changes": {"step-7": "succeeded"}}}]
    assert len(json.dumps(sent[0])) < 200


def test_full_assignment_still_syncs_the_whole_mapping(sent: list[dict]) -> None:
    w = DagWidget(svg="<svg></svg>")
    sent.clear()
    w.node_states = {"a": "Running"}
    assert [m["state"]["node_states"] for m in sent if m["method"] == "update"] == [{"a": "running"}]


def test_empty_patch_sends_nothing(sent: list[dict]) -> None:
    w = DagWidget(svg="<svg></svg>")
    sent.clear()
    w.patch_node_states({})
    assert sent == []
