"""Two real local cores with their own data folders: the session's core is the source (the backend in use), a
second one, started here, is the target DigitalHub of the pushes, reached through an ini profile."""

from __future__ import annotations

import importlib
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

#: The target refuses bodies over 1 MB (the source takes 32): a big function fails the copy midway.
TARGET_MAX_BODY_MB = "1"

#: Step functions in the shape of the DigitalHub tutorials' ETL: one reads a dataitem, one reports.
FUNCTIONS = """
def measure(di):
    df = di.as_df()
    print("rows", len(df), "total", int(df["x"].sum()))
    return int(df["x"].sum())


def report(label: str = "done"):
    print("report", label)
    return label
"""

#: The pipeline reads the dataitem whose key is its parameter's default (``{key}``), then reports.
PIPELINE = """
from hera.workflows import DAG, Parameter, Workflow
from digitalhub_runtime_hera.dsl import step


def pipeline():
    with Workflow(entrypoint="dag", arguments=[Parameter(name="di", value="{key}")]) as w:
        with DAG(name="dag"):
            a = step(template={{"action": "job", "inputs": {{"di": "{{{{workflow.parameters.di}}}}"}}}},
                     function="measure", name="measure")
            b = step(template={{"action": "job", "parameters": {{"label": "{label}"}}}}, function="report",
                     name="report")
            a >> b
    return w
"""


@dataclass
class TargetCore:
    """The second core: where it answers, its token, its object store settings, and a profile naming it."""

    endpoint: str
    token: str
    home: Path
    s3: dict[str, str]
    ini: Path
    profile: str = "target"

    def env(self) -> dict[str, str]:
        """What a process needs to use the target with the SDK (as a DigitalHub workspace gives it)."""
        return {"DHCORE_ENDPOINT": self.endpoint, "DHCORE_ACCESS_TOKEN": self.token, **self.s3}


@pytest.fixture(scope="session")
def target_core(core: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[TargetCore]:
    """A second local core in its own data folder (the session's core stays the backend in use)."""
    from dhhera_jupyter.core import control

    root = tmp_path_factory.mktemp("push-target")
    saved = dict(os.environ)
    os.environ["DHHERA_CORE_MAX_BODY_MB"] = TARGET_MAX_BODY_MB
    try:
        info = control.wait_objects(control.ensure_running(root / "home"), timeout=120)
    finally:
        os.environ.clear()
        os.environ.update(saved)
    s3 = dict(info.status.get("s3") or {})
    ini = root / "user.ini"
    lines = ["[target]", f"dhcore_endpoint = {info.endpoint}", f"dhcore_access_token = {info.token}"]
    lines += [f"{k.lower()} = {v}" for k, v in s3.items()]
    ini.write_text("[DEFAULT]\n\n" + "\n".join(lines) + "\n")
    yield TargetCore(info.endpoint, info.token, root / "home", s3, ini)
    control.stop(root / "home")


@pytest.fixture()
def user_ini(target_core: TargetCore, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest) -> Path:
    """The user's ini file holds the target's profile (the SDK of the source keeps its own settings)."""
    backend = importlib.import_module("dhhera_jupyter.platform.backend")
    monkeypatch.setenv("DH_CONFIG", str(target_core.ini))
    previous = backend.record_user_config(backend.UserConfig(str(target_core.ini)))  # as %load_ext records it
    request.addfinalizer(lambda: backend.record_user_config(previous))
    return target_core.ini


@pytest.fixture()
def src_project(dh: Any, request: pytest.FixtureRequest) -> Any:
    """A fresh project on the source, named after the test (the target has no such project yet)."""
    name = re.sub(r"[^a-z0-9-]+", "-", request.node.name.lower())[:36].strip("-") or "p"
    return dh.get_or_create_project(f"push-{name}-{os.urandom(2).hex()}")


def add_pipeline(project: Any, name: str = "etl", label: str = "done", rows: int = 4) -> tuple[Any, str]:
    """Functions, a dataitem and a built workflow reading it, on the source; returns (workflow, dataitem key)."""
    import pandas as pd

    from dhhera_jupyter import platform

    for fn in ("measure", "report"):
        project.new_function(name=fn, kind="python", code=FUNCTIONS, handler=fn, python_version="PYTHON3_11")
    di = project.log_dataitem(name="numbers", kind="table", data=pd.DataFrame({"x": list(range(rows))}))
    source = PIPELINE.format(key=di.key, label=label)
    workflow, _ = platform.register_workflow(name, source=source, handler="pipeline", project=project.name)
    platform.build(workflow)
    return workflow, di.key
