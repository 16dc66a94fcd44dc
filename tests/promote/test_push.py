"""``%hera push`` between two real local cores, through the real SDK: copy, build, run there; the bad inputs."""

from __future__ import annotations

import hashlib
import json
import socket
from pathlib import Path
from typing import Any

import pytest

from dhhera_jupyter import platform
from dhhera_jupyter.errors import DhheraError
from dhhera_jupyter.magics.push import push
from dhhera_jupyter.platform.promote import target as target_backend
from tests.promote.conftest import FUNCTIONS, TargetCore, add_pipeline
from tests.support import ipython_shell, run_python

#: Runs the pushed pipeline on the target with the SDK in a fresh interpreter pointed at the target only, and
#: hashes the dataitem as the target's store serves it.
RUN_ON_TARGET = """
import hashlib, json, os, tempfile, time
import digitalhub as dh
wf = dh.get_workflow("etl", project=os.environ["PUSH_PROJECT"])
run = wf.run("pipeline", log_info=False)
deadline = time.monotonic() + 180
while run.status.state not in ("COMPLETED", "ERROR", "STOPPED") and time.monotonic() < deadline:
    time.sleep(0.2)  # the SDK's own wait sleeps 5 s between polls
    run.refresh()
di = dh.get_dataitem(os.environ["PUSH_DATAITEM"])
path = di.download(tempfile.mkdtemp(), overwrite=True)
print(json.dumps({"state": run.status.state, "message": run.status.to_dict().get("message"),
                  "hash": hashlib.sha256(open(path, "rb").read()).hexdigest()}))
"""


def _target_side(target_core: TargetCore) -> Any:
    from dhhera_jupyter.platform.promote.calls import EntityCalls

    return EntityCalls(target_backend.client(target_backend.target(target_core.endpoint, target_core.token)))


def _source_bytes(key: str, tmp_path: Path) -> bytes:
    dh = platform.sdk()
    return Path(dh.get_dataitem(key).download(str(tmp_path / "src"), overwrite=True)).read_bytes()


def test_push_with_data_then_the_pipeline_completes_on_the_target_and_reads_the_same_bytes(
    src_project: Any, target_core: TargetCore, user_ini: Path, tmp_path: Path, capsys: Any
) -> None:
    workflow, key = add_pipeline(src_project)
    result = push("etl", "target", project=src_project.name, with_data=True)
    out = capsys.readouterr().out
    assert result.copied == 4 and result.build_run
    for line in ("function measure", "function report", "dataitem numbers", "workflow etl"):
        assert line in out
    assert f"store://{src_project.name}/workflow/hera/etl:{workflow.id}  copied" in out
    assert (
        "build    etl  completed" in out and f"%hera use target then %hera show etl --project {src_project.name}" in out
    )
    assert target_core.token not in out

    env = {**target_core.env(), "PUSH_PROJECT": src_project.name, "PUSH_DATAITEM": key}
    ran = run_python(RUN_ON_TARGET, drop=("DHCORE_", "AWS_", "S3_", "DH_NAME"), timeout=240, **env)
    assert ran["state"] == "COMPLETED", ran["message"]
    assert ran["hash"] == hashlib.sha256(_source_bytes(key, tmp_path)).hexdigest()

    # The same push again changes nothing and says so.
    again = push("etl", "target", project=src_project.name, with_data=True)
    out = capsys.readouterr().out
    assert again.copied == 0 and again.build_run is None and again.unchanged == 4
    assert out.count("unchanged") >= 4 and "Nothing to copy" in out


def test_a_different_workflow_on_the_target_is_refused_then_added_as_a_new_version_with_force(
    src_project: Any, target_core: TargetCore, user_ini: Path
) -> None:
    add_pipeline(src_project, label="first")
    push("etl", "target", project=src_project.name, quiet=True)
    changed, _ = add_pipeline(src_project, label="second")  # new function versions? no: same code; new workflow
    target = _target_side(target_core)
    before = target.find(src_project.name, "workflow", name="etl", versions="all")
    with pytest.raises(DhheraError) as err:
        push("etl", "target", project=src_project.name, quiet=True)
    message = str(err.value)
    assert "already has a workflow 'etl'" in message and "differs in code" in message and "--force" in message
    assert "Nothing was copied" in message
    assert target.find(src_project.name, "workflow", name="etl", versions="all") == before

    forced = push("etl", "target", project=src_project.name, force=True, quiet=True)
    assert forced.build_run and any("new version" in line for line in forced.lines)
    latest = target.latest(src_project.name, "workflow", "etl")
    assert latest is not None and latest["id"] == changed.id and (latest["spec"].get("build") or {}).get("base64")


def test_a_write_failing_midway_removes_what_the_push_created(
    dh: Any, src_project: Any, target_core: TargetCore, user_ini: Path
) -> None:
    """The target refuses bodies over 1 MB: the first function is copied, the big second one is refused."""
    big = FUNCTIONS + "\n# " + "x" * 1_200_000 + "\n"
    src_project.new_function(
        name="measure", kind="python", code=FUNCTIONS, handler="measure", python_version="PYTHON3_11"
    )
    src_project.new_function(name="report", kind="python", code=big, handler="report", python_version="PYTHON3_11")
    _, key = add_pipeline_only(src_project)
    with pytest.raises(DhheraError) as err:
        push("etl", "target", project=src_project.name, with_data=True, quiet=True)
    message = str(err.value)
    assert "creating function report" in message and "removed what this push had created" in message
    assert "function measure" in message and f"project {src_project.name}" in message
    assert _target_side(target_core).project(src_project.name) is None


def add_pipeline_only(project: Any) -> tuple[Any, str]:
    """The workflow and dataitem of :func:`add_pipeline` over functions already registered."""
    import pandas as pd

    from tests.promote.conftest import PIPELINE

    di = project.log_dataitem(name="numbers", kind="table", data=pd.DataFrame({"x": [1, 2]}))
    workflow, _ = platform.register_workflow(
        "etl", source=PIPELINE.format(key=di.key, label="l"), handler="pipeline", project=project.name
    )
    platform.build(workflow)
    return workflow, di.key


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_an_unreachable_endpoint_is_refused_before_anything_is_copied(src_project: Any) -> None:
    add_pipeline(src_project)
    url = f"http://127.0.0.1:{_free_port()}"
    with pytest.raises(DhheraError) as err:
        push("etl", url, project=src_project.name, token="tok-secret", quiet=True)
    assert str(err.value).startswith(f"The DigitalHub at {url} does not answer") and "Nothing was copied" in str(
        err.value
    )
    assert "tok-secret" not in str(err.value)


def test_wrong_credentials_are_named_without_the_token(src_project: Any, target_core: TargetCore) -> None:
    add_pipeline(src_project)
    with pytest.raises(DhheraError) as err:
        push("etl", target_core.endpoint, project=src_project.name, token="wrong-token-123", quiet=True)
    assert "rejected the credentials of the --token given" in str(err.value)
    assert "wrong-token-123" not in str(err.value)
    assert _target_side(target_core).project(src_project.name) is None


def test_names_that_are_not_built_workflows_are_refused(dh: Any, src_project: Any, target_core: TargetCore) -> None:
    src_project.new_function(
        name="measure", kind="python", code=FUNCTIONS, handler="measure", python_version="PYTHON3_11"
    )
    with pytest.raises(DhheraError, match="is a function of project .*, not a workflow"):
        push("measure", target_core.endpoint, project=src_project.name, token=target_core.token, quiet=True)
    with pytest.raises(DhheraError, match="Workflow 'nope' does not exist"):
        push("nope", target_core.endpoint, project=src_project.name, token=target_core.token, quiet=True)
    platform.register_workflow(
        "raw", source="def pipeline():\n    pass\n", handler="pipeline", project=src_project.name
    )
    with pytest.raises(DhheraError, match="'raw' has never been built.*%hera build raw"):
        push("raw", target_core.endpoint, project=src_project.name, token=target_core.token, quiet=True)
    assert _target_side(target_core).project(src_project.name) is None


def test_a_function_version_deleted_since_the_build_is_named(
    dh: Any, src_project: Any, target_core: TargetCore
) -> None:
    add_pipeline(src_project)
    report = dh.get_function("report", project=src_project.name)
    dh.delete_function(report.key)
    with pytest.raises(DhheraError) as err:
        push("etl", target_core.endpoint, project=src_project.name, token=target_core.token, quiet=True)
    assert f"runs function 'report' version {report.id}, which no longer exists" in str(err.value)
    assert "%hera build etl" in str(err.value)


def test_the_magic_prints_one_line_per_entity(
    src_project: Any, target_core: TargetCore, user_ini: Path, capsys: Any
) -> None:
    from IPython.core.error import UsageError

    shell = ipython_shell()
    add_pipeline(src_project)
    shell.run_line_magic("hera", f"push etl --to target --project {src_project.name}")
    out = capsys.readouterr().out
    assert "dataitem numbers" in out and "not copied" in out and "--with-data copies it" in out
    assert "Pushed 'etl'" in out and json.dumps(target_core.token) not in out
    with pytest.raises(UsageError, match="neither an http"):
        shell.run_line_magic("hera", f"push etl --to nowhere --project {src_project.name}")


def test_with_data_without_the_targets_store_settings_and_the_backend_in_use_are_refused(
    src_project: Any, target_core: TargetCore
) -> None:
    add_pipeline(src_project)
    with pytest.raises(DhheraError) as err:
        push("etl", target_core.endpoint, project=src_project.name, token=target_core.token, with_data=True, quiet=True)
    assert "--with-data needs the object store" in str(err.value) and "AWS_ENDPOINT_URL" in str(err.value)
    assert target_core.token not in str(err.value)
    with pytest.raises(DhheraError, match="is the backend in use; push copies to another DigitalHub"):
        push("etl", platform.backend().endpoint, project=src_project.name, quiet=True)
    assert _target_side(target_core).project(src_project.name) is None


#: A pipeline that builds on the source but not on the target (as one needing a setting the target lacks).
FRAGILE = """
import os
from hera.workflows import DAG, Workflow
from digitalhub_runtime_hera.dsl import step


def pipeline():
    if os.environ["DHCORE_ENDPOINT"] == "{target}":
        raise RuntimeError("this pipeline needs a setting the target lacks")
    with Workflow(entrypoint="dag") as w:
        with DAG(name="dag"):
            step(template={"action": "job"}, function="report", name="report")
    return w
"""


def test_a_build_failing_on_the_target_removes_the_copies_and_the_build(
    src_project: Any, target_core: TargetCore
) -> None:
    src_project.new_function(
        name="report", kind="python", code=FUNCTIONS, handler="report", python_version="PYTHON3_11"
    )
    target = _target_side(target_core)
    target.create_project({"id": src_project.name, "name": src_project.name, "kind": "project", "spec": {}})
    workflow, _ = platform.register_workflow(
        "etl", source=FRAGILE.replace("{target}", target_core.endpoint), handler="pipeline", project=src_project.name
    )
    platform.build(workflow)
    with pytest.raises(DhheraError) as err:
        push("etl", target_core.endpoint, project=src_project.name, token=target_core.token, quiet=True)
    message = str(err.value)
    assert "The build of workflow 'etl'" in message and "ended ERROR" in message and "the target lacks" in message
    assert (
        "removed what this push had created (its build run, its build task, workflow etl, function report)" in message
    )
    for type_ in ("workflow", "function", "run", "task"):
        assert target.find(src_project.name, type_) == [], type_
