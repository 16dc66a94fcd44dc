"""A spec shaped as DigitalHub's Hera build writes it (contract §5.1), run to the exact DHCore node list."""

from __future__ import annotations

import base64
import json
import threading

import yaml
from test_argo_support import Recorder, check_nodes

from dhhera_jupyter.executor.argo import ContainerCall, ContainerResult, execute
from dhhera_jupyter.executor.argo_nodes import node_id

RUN_ID = "213ce83a-8f51-4424-bf56-13ad54595a22"  # the id of fixtures/dhcore/run-hera_pipeline_run.json
IMAGE = "ghcr.io/scc-digitalhub/digitalhub-sdk-wrapper-hera/wrapper-hera:latest"
FIRST, SECOND = "dag-op-download-e53f5f25", "dag-op-process-f0bbfcb9"
BUILD_YAML = f"""
entrypoint: dag
arguments:
  parameters:
  - name: url
templates:
- name: dag
  dag:
    tasks:
    - name: {FIRST}
      template: container-download-downloader-47297c95
    - name: {SECOND}
      depends: {FIRST}
      template: container-process-processor-1e5d65da
      arguments:
        parameters:
        - name: di
          value: '{{{{tasks.{FIRST}.outputs.parameters.dataset}}}}'
- name: container-download-downloader-47297c95
  container:
    image: {IMAGE}
    command: [python]
    args: [step.py, --entity, "store://demo/function/python/downloader:4f96", --kwargs,
           '{{"action": "job", "parameters": {{"url": "{{{{workflow.parameters.url}}}}"}}}}']
  outputs:
    artifacts:
    - name: dataset
      path: /tmp/entity_dataset
    parameters:
    - name: dataset
      valueFrom:
        path: /tmp/entity_dataset
- name: container-process-processor-1e5d65da
  inputs:
    parameters:
    - name: di
  container:
    image: {IMAGE}
    command: [python]
    args: [step.py, --entity, "store://demo/function/python/processor:9a1c", --kwargs, '{{"action": "job"}}']
"""


def step_container(call: ContainerCall) -> ContainerResult:
    """Do what the platform's step.py reports: the child run, and the entity key of each declared output."""
    args = call.template["container"]["args"]
    entity, kwargs = args[args.index("--entity") + 1], json.loads(args[args.index("--kwargs") + 1])
    name, function_id = entity.rsplit("/", 1)[1].split(":")
    outputs = {
        p["name"]: f"store://demo/dataitem/{p['name']}:1"
        for p in call.template.get("outputs", {}).get("parameters", [])
    }
    extra = {"function": name, "function_id": function_id, "action": kwargs["action"], "run_id": f"run-{name}"}
    return ContainerResult(ok=True, outputs=outputs, extra=extra)


def test_a_digitalhub_build_runs_to_the_dhcore_node_list():
    # The spec travels base64-encoded in workflow.spec.build, as DHCore stores it.
    spec = yaml.safe_load(base64.b64decode(base64.b64encode(BUILD_YAML.encode())).decode())
    recorder, calls = Recorder(RUN_ID, set()), []

    def runner(call: ContainerCall) -> ContainerResult:
        calls.append(call)
        return step_container(call)

    outcome = execute(
        spec,
        workflow_name=RUN_ID,
        parameters={"url": "https://example.org/data.csv", "param1": "100"},
        run_container=runner,
        on_update=recorder,
        stop_event=threading.Event(),
        now=lambda: "2025-07-30T10:00:00Z",
    )

    first_id, second_id = node_id(RUN_ID, f"{RUN_ID}.{FIRST}"), node_id(RUN_ID, f"{RUN_ID}.{SECOND}")
    times = {"start_time": "2025-07-30T10:00:00Z", "end_time": "2025-07-30T10:00:00Z"}
    assert outcome.phase == "Succeeded"
    assert outcome.nodes == [
        {"id": RUN_ID, "name": RUN_ID, "display_name": RUN_ID, "type": "DAG", "children": [first_id],
         "state": "Succeeded", **times},
        {"id": first_id, "name": f"{RUN_ID}.{FIRST}", "display_name": FIRST, "type": "Pod", "children": [second_id],
         "state": "Succeeded", **times, "exit_code": "0",
         "outputs": [{"name": "dataset", "value": "store://demo/dataitem/dataset:1"}],
         "function": "downloader", "function_id": "4f96", "action": "job", "run_id": "run-downloader"},
        {"id": second_id, "name": f"{RUN_ID}.{SECOND}", "display_name": SECOND, "type": "Pod",
         "state": "Succeeded", **times, "exit_code": "0",
         "inputs": [{"name": "di", "value": "store://demo/dataitem/dataset:1"}],
         "function": "processor", "function_id": "9a1c", "action": "job", "run_id": "run-processor"},
    ]  # fmt: skip
    assert json.loads(calls[0].template["container"]["args"][4]) == {
        "action": "job",
        "parameters": {"url": "https://example.org/data.csv"},
    }
    assert calls[1].inputs == {"di": "store://demo/dataitem/dataset:1"}
    assert [n["state"] for n in recorder.updates[0]] == ["Running"], "the root shows up before any step"
    for update in recorder.updates:
        check_nodes(update, RUN_ID, set())
