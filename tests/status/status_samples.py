"""Sample Argo specs, node lists and run documents in the shapes DHCore and the local core report (contract §5.3).

Shared by tests/status and tests/run_panel (imported as a plain module: the test folders have no __init__).
"""

from __future__ import annotations

import json
import zlib
from typing import Any

from tests.support import FIXTURES  # noqa: F401  (re-exported for tests/status and tests/run_panel)


def step_template(name: str, function: str, outputs: tuple[str, ...] = ()) -> dict[str, Any]:
    """A DigitalHub step container template as the hera build produces it."""
    kwargs = json.dumps({"action": "job", "parameters": {}})
    template: dict[str, Any] = {
        "name": name,
        "container": {
            "image": "ghcr.io/scc-digitalhub/digitalhub-sdk-wrapper-hera/wrapper-hera:latest",
            "command": ["python"],
            "args": ["step.py", "--entity", f"store://demo/function/python/{function}:f{function}", "--kwargs", kwargs],
        },
    }
    if outputs:
        template["outputs"] = {"parameters": [{"name": o, "valueFrom": {"path": f"/tmp/entity_{o}"}} for o in outputs]}
    return template


def diamond_spec() -> dict[str, Any]:
    """a -> (b, c) -> d, as a DAG."""
    return {
        "entrypoint": "dag",
        "arguments": {"parameters": [{"name": "url"}]},
        "templates": [
            {
                "name": "dag",
                "dag": {
                    "tasks": [
                        {"name": "a", "template": "t-a"},
                        {"name": "b", "template": "t-b", "depends": "a"},
                        {"name": "c", "template": "t-c", "depends": "a"},
                        {"name": "d", "template": "t-d", "depends": "b && c"},
                    ]
                },
            },
            step_template("t-a", "download", ("dataset",)),
            step_template("t-b", "process"),
            step_template("t-c", "measure"),
            step_template("t-d", "report"),
        ],
    }


def nested_spec() -> dict[str, Any]:
    """A DAG whose task ``inner`` runs a nested DAG that repeats the task name ``a``."""
    return {
        "entrypoint": "main",
        "templates": [
            {
                "name": "main",
                "dag": {
                    "tasks": [
                        {"name": "a", "template": "t-a"},
                        {"name": "inner", "template": "sub", "depends": "a"},
                    ]
                },
            },
            {
                "name": "sub",
                "dag": {
                    "tasks": [
                        {"name": "a", "template": "t-b"},
                        {"name": "z", "template": "t-c", "depends": "a"},
                    ]
                },
            },
            step_template("t-a", "download"),
            step_template("t-b", "process"),
            step_template("t-c", "measure"),
        ],
    }


def steps_spec() -> dict[str, Any]:
    """Two Steps groups: ``first``, then ``left`` and ``right`` in parallel."""
    return {
        "entrypoint": "main",
        "templates": [
            {
                "name": "main",
                "steps": [
                    [{"name": "first", "template": "t-a"}],
                    [{"name": "left", "template": "t-b"}, {"name": "right", "template": "t-c"}],
                ],
            },
            step_template("t-a", "download"),
            step_template("t-b", "process"),
            step_template("t-c", "measure"),
        ],
    }


def fanout_spec() -> dict[str, Any]:
    """``split`` fans ``work`` out over three items, then ``join``."""
    return {
        "entrypoint": "dag",
        "templates": [
            {
                "name": "dag",
                "dag": {
                    "tasks": [
                        {"name": "split", "template": "t-a"},
                        {"name": "work", "template": "t-b", "depends": "split", "withItems": ["x", "y.z", "(w)"]},
                        {"name": "join", "template": "t-c", "depends": "work"},
                    ]
                },
            },
            step_template("t-a", "download"),
            step_template("t-b", "process"),
            step_template("t-c", "measure"),
        ],
    }


def node(wf: str, name: str, display: str, type_: str, state: str, **extra: Any) -> dict[str, Any]:
    """A NodeStatusDTO entry (empty fields omitted, as DHCore does)."""
    digest = zlib.crc32(name.encode())
    item = {
        "id": wf if name == wf else f"{wf}-{digest}",
        "name": name,
        "display_name": display,
        "type": type_,
        "state": state,
    }
    item.update({k: v for k, v in extra.items() if v not in (None, [], "")})
    return item


def run_doc(run_id: str, state: str, nodes: list[dict[str, Any]], **status: Any) -> dict[str, Any]:
    """A pipeline run document."""
    return {
        "id": run_id,
        "kind": "hera+pipeline:run",
        "project": "demo",
        "metadata": {"created": "2025-07-30T09:59:58Z", "updated": "2025-07-30T10:05:00Z"},
        "spec": {"workflow": f"hera://demo/wf:{run_id}", "parameters": {"url": "http://x"}},
        "status": {"state": state, "nodes": nodes, **status},
    }
