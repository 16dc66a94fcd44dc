"""Hand-written Argo workflows of every shape the graph package must draw.

DigitalHub steps have the shape ``digitalhub_runtime_hera.dsl.step`` builds (see
dhcore-contract.md §5.1): ``command: [python]``, ``args: [step.py, --entity, <key>, --kwargs, <json>]``.
"""

from __future__ import annotations

import json
from typing import Any

import yaml

IMAGE = "ghcr.io/scc-digitalhub/digitalhub-sdk-wrapper-hera/wrapper-hera:latest"

#: The recorded ``spec.build`` of dhcore-contract.md §5.1, decoded.
RECORDED_BUILD = """\
entrypoint: dag
templates:
- name: dag
  dag: {tasks: [{name: dag-op-first-e53f5f25, template: container-first-f-47297c95},
                {name: dag-op-second-f0bbfcb9, depends: dag-op-first-e53f5f25, template: container-second-f-1e5d65da}]}
- name: container-first-f-47297c95
  container:
    image: ghcr.io/scc-digitalhub/digitalhub-sdk-wrapper-hera/wrapper-hera:latest
    command: [python]
    args: [step.py, --entity, "store://demo/function/python/f:4f96aa10",
           --kwargs, '{"action": "job", "parameters": {"x": "{{workflow.parameters.url}}"}}']
- name: container-second-f-1e5d65da
  container:
    image: ghcr.io/scc-digitalhub/digitalhub-sdk-wrapper-hera/wrapper-hera:latest
    command: [python]
    args: [step.py, --entity, "store://demo/function/python/f:4f96aa10", --kwargs, '{"action": "job"}']
arguments: {parameters: [{name: url}]}
"""


def dh_template(
    name: str,
    function: str,
    action: str = "job",
    outputs: tuple[str, ...] = (),
    inputs: tuple[str, ...] = (),
    version: str = "0123abcd",
) -> dict[str, Any]:
    """A container template shaped like the ones ``dsl.step`` builds."""
    template: dict[str, Any] = {
        "name": name,
        "container": {
            "image": IMAGE,
            "command": ["python"],
            "args": [
                "step.py",
                "--entity",
                f"store://demo/function/python/{function}:{version}",
                "--kwargs",
                json.dumps({"action": action, "parameters": {}}),
            ],
        },
    }
    if inputs:
        template["inputs"] = {"parameters": [{"name": i} for i in inputs]}
    if outputs:
        template["outputs"] = {
            "artifacts": [{"name": o, "path": f"/tmp/entity_{o}"} for o in outputs],
            "parameters": [{"name": o, "valueFrom": {"path": f"/tmp/entity_{o}"}} for o in outputs],
        }
    return template


def plain_template(name: str) -> dict[str, Any]:
    return {"name": name, "container": {"image": "alpine:3", "command": ["echo", name]}}


def workflow(spec: dict[str, Any], name: str = "wf") -> dict[str, Any]:
    """Wrap a spec into a whole Workflow object."""
    return {"apiVersion": "argoproj.io/v1alpha1", "kind": "Workflow", "metadata": {"name": name}, "spec": spec}


def dag_spec(tasks: list[dict[str, Any]], extra_templates: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """A spec whose entrypoint DAG ``main`` runs ``tasks``; template ``t`` is a plain container."""
    return {
        "entrypoint": "main",
        "templates": [{"name": "main", "dag": {"tasks": tasks}}, plain_template("t"), *(extra_templates or [])],
    }


def diamond() -> dict[str, Any]:
    """a -> (b, c) -> d, with DigitalHub steps, ``dependencies`` lists and an output passed on."""
    return {
        "entrypoint": "main",
        "arguments": {"parameters": [{"name": "url"}, {"name": "n", "value": "3"}]},
        "templates": [
            {
                "name": "main",
                "dag": {
                    "tasks": [
                        {
                            "name": "a",
                            "template": "download",
                            "arguments": {"parameters": [{"name": "url", "value": "{{workflow.parameters.url}}"}]},
                        },
                        {
                            "name": "b",
                            "template": "process",
                            "dependencies": ["a"],
                            "arguments": {
                                "parameters": [{"name": "di", "value": "{{tasks.a.outputs.parameters.dataset}}"}]
                            },
                        },
                        {
                            "name": "c",
                            "template": "process",
                            "dependencies": ["a"],
                            "arguments": {
                                "parameters": [{"name": "di", "value": "{{tasks.a.outputs.parameters.dataset}}"}]
                            },
                        },
                        {"name": "d", "template": "report", "dependencies": ["b", "c"]},
                    ]
                },
            },
            dh_template("download", "download-data", outputs=("dataset",), inputs=("url",)),
            dh_template("process", "process-spire", action="job", inputs=("di",)),
            dh_template("report", "report", action="build"),
        ],
    }


def steps_spec() -> dict[str, Any]:
    """Steps groups [[s1], [s2, s3], [s4]]."""
    return {
        "entrypoint": "main",
        "templates": [
            {
                "name": "main",
                "steps": [
                    [{"name": "s1", "template": "t"}],
                    [{"name": "s2", "template": "t"}, {"name": "s3", "template": "t"}],
                    [{"name": "s4", "template": "t"}],
                ],
            },
            plain_template("t"),
        ],
    }


def nested_spec() -> dict[str, Any]:
    """A DAG running a nested DAG twice (names repeat) and a nested Steps holding a nested DAG."""
    return {
        "entrypoint": "main",
        "templates": [
            {
                "name": "main",
                "dag": {
                    "tasks": [
                        {"name": "prep", "template": "t"},
                        {"name": "left", "template": "inner-dag", "depends": "prep"},
                        {"name": "right", "template": "inner-dag", "depends": "prep"},
                        {"name": "deep", "template": "inner-steps", "depends": "left && right"},
                        {"name": "x", "template": "t", "depends": "deep"},
                    ]
                },
            },
            {
                "name": "inner-dag",
                "dag": {
                    "tasks": [
                        {"name": "x", "template": "t"},
                        {"name": "y", "template": "t", "dependencies": ["x"]},
                    ]
                },
            },
            {
                "name": "inner-steps",
                "steps": [
                    [{"name": "s1", "template": "t"}],
                    [{"name": "sub", "template": "leaf-dag"}],
                ],
            },
            {"name": "leaf-dag", "dag": {"tasks": [{"name": "z", "template": "t"}]}},
            plain_template("t"),
        ],
    }


def to_yaml(data: dict[str, Any]) -> str:
    return yaml.safe_dump(data, sort_keys=False)
