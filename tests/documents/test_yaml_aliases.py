"""YAML anchors and aliases are refused wherever user or run YAML is read: the diagram, the local core."""

from __future__ import annotations

import base64
import json
import time
import urllib.request

import pytest

from dhhera_jupyter.documents.yaml_text import load_yaml
from dhhera_jupyter.errors import PipelineError, YamlRefused
from dhhera_jupyter.graph import from_workflow


def _bomb() -> str:
    """Nine levels of nine aliases: ~400 bytes that stand for 9**9 (387 million) strings once walked."""
    lines = ["a0: &a0 [x,x,x,x,x,x,x,x,x]"]
    for level in range(1, 9):
        refs = ",".join([f"*a{level - 1}"] * 9)
        lines.append(f"a{level}: &a{level} [{refs}]")
    text = "\n".join(lines) + "\n"
    assert len(text) <= 400
    return text


def test_an_alias_bomb_is_refused_at_once_naming_the_alias():
    started = time.thread_time()  # CPU time of this thread: what another process's load cannot inflate
    with pytest.raises(YamlRefused, match=r"uses a YAML alias \(\*a0\) at line 2; aliases are refused"):
        load_yaml(_bomb(), "The build")
    assert time.thread_time() - started < 1


def test_the_diagram_refuses_a_workflow_with_aliases_as_a_pipeline_error():
    workflow = "entrypoint: main\ntemplates:\n- &t {name: main, container: {image: x}}\n- *t\n"
    with pytest.raises(PipelineError, match="The workflow text uses a YAML alias"):
        from_workflow(workflow)
    with pytest.raises(PipelineError, match="The workflow text uses a YAML alias"):
        from_workflow(_bomb())


def test_stars_and_anchors_in_plain_text_are_fine():
    doc = load_yaml("when: '{{x}} =~ \"a*\"'\nargs: ['*.csv', 'a && b']\nbase: &b {k: 1}\n")
    assert doc == {"when": '{{x}} =~ "a*"', "args": ["*.csv", "a && b"], "base": {"k": 1}}


def test_unsafe_tags_are_refused():
    with pytest.raises(YamlRefused, match="not valid YAML at line 1"):
        load_yaml("!!python/object/apply:os.system ['true']")


def _call(info, method: str, path: str, body: dict | None = None) -> tuple[dict, float]:
    data = json.dumps(body).encode() if body is not None else None
    headers = {"Authorization": f"Bearer {info.token}", "Content-Type": "application/json"}
    req = urllib.request.Request(info.endpoint + path, data=data, method=method, headers=headers)
    started = time.perf_counter()
    with urllib.request.urlopen(req, timeout=30) as resp:
        raw = resp.read()
    return (json.loads(raw) if raw else {}), time.perf_counter() - started


@pytest.mark.slow
def test_the_core_refuses_a_build_result_with_aliases_and_stays_responsive(core):
    _call(core, "POST", "/api/v1/projects", {"name": "yaml-bomb", "kind": "project"})
    run, _ = _call(
        core,
        "POST",
        "/api/v1/-/yaml-bomb/runs",
        {
            "kind": "hera+build:run",
            "spec": {"workflow": "hera://yaml-bomb/wf:nope", "local_execution": True},
            "status": {"state": "CREATED"},
        },
    )
    for state in ("BUILT", "READY", "RUNNING"):  # what the SDK reports when it runs the build itself
        run, _ = _call(core, "PUT", f"/api/v1/-/yaml-bomb/runs/{run['id']}", {**run, "status": {"state": state}})
    assert run["status"]["state"] == "RUNNING"
    encoded = base64.b64encode(_bomb().encode()).decode()

    done, took = _call(
        core,
        "PUT",
        f"/api/v1/-/yaml-bomb/runs/{run['id']}",
        {**run, "status": {"state": "COMPLETED", "results": {"workflow": encoded}}},
    )

    assert done["status"]["state"] == "ERROR"
    assert "uses a YAML alias (*a0)" in done["status"]["message"]
    assert took < 5, "the core expanded the aliases instead of refusing them"
    listed, took = _call(core, "GET", "/api/v1/-/yaml-bomb/runs")
    assert [r["id"] for r in listed["content"]] == [run["id"]] and took < 5
