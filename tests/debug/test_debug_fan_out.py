"""``%hera debug RUN STEP --item N``: one item of a fan-out step (Hera ``with_items``), on the real local core.

A step that ran once per item has one child run per item; the cells must reproduce the item asked for, and a
step whose item is not said must refuse with the items listed (the route as the magic).
"""

from __future__ import annotations

import os
from typing import Any

import pytest
from IPython.core.error import UsageError

from dhhera_jupyter.errors import BadRequest, NotFound
from dhhera_jupyter.platform.step_debug import _item_child, debug_cells, fan_items
from tests.server.conftest import *  # noqa: F403 (the route tests' server fixtures: api, jp_server_config...)
from tests.support import ipython_shell, wait_until

#: ``shout`` fails on the word its ``fail`` parameter names.
SHOUT = """
def shout(word: str = "x", fail: str = "none"):
    if word == fail:
        raise RuntimeError(f"shout was told to fail on {word}")
    return word.upper()
"""

#: ``first`` runs once, ``calm`` fans out over two items that succeed, ``each`` over three of which ``b`` fails.
FAN_OUT = """
from hera.workflows import DAG, Parameter, Workflow
from digitalhub_runtime_hera.dsl import step


def pipeline():
    with Workflow(entrypoint="dag", arguments=[Parameter(name="fail", value="b")]) as w:
        with DAG(name="dag"):
            template = {"action": "job",
                        "parameters": {"word": "{{inputs.parameters.word}}", "fail": "{{workflow.parameters.fail}}"}}
            first = step(template=template, function="shout", name="first", inputs={"word": "one"})
            calm = step(template=template, function="shout", name="calm", inputs={"word": "{{item}}"})
            calm.with_items = ["x", "y"]
            each = step(template=template, function="shout", name="each", inputs={"word": "{{item}}"})
            each.with_items = ["a", "b", "c"]
            first >> calm >> each
    return w
"""


@pytest.fixture(scope="module")
def fan_run(dh: Any) -> Any:
    """The finished fan-out run: ``first`` and ``calm`` succeeded, item ``1`` (``b``) of ``each`` failed."""
    project = dh.get_or_create_project(f"t-debug-fan-{os.urandom(3).hex()}")
    project.new_function(name="shout", kind="python", code=SHOUT, handler="shout", python_version="PYTHON3_11")
    wf = project.new_workflow(name="fan", kind="hera", code=FAN_OUT, handler="pipeline")
    build = wf.run(action="build", log_info=False)
    wait_until(lambda: build.refresh().status.state in ("COMPLETED", "ERROR"), 120, what="the build")
    assert build.status.state == "COMPLETED", build.status.to_dict()
    run = wf.run(action="pipeline", log_info=False)
    wait_until(lambda: run.refresh().status.state in ("COMPLETED", "ERROR", "STOPPED"), 120, what="the run")
    assert run.status.state == "ERROR", run.status.to_dict()
    return run


def test_item_by_index_or_value_reproduces_that_item(fan_run: Any, run_cells: Any, dh: Any) -> None:
    project = fan_run.project
    by_index, by_value = (
        debug_cells(fan_run.id, "each", project, item="2"),
        debug_cells(fan_run.id, "each", project, item="c"),
    )
    assert by_index.cells == by_value.cells and by_index.item == 2 and by_index.step == "each[2]"
    child = dh.get_run(by_index.child_run, project=project)
    assert child.spec.to_dict()["parameters"]["word"] == "c"
    assert f"# %hera debug {fan_run.id} each --item 2" in by_index.cells[0]
    assert run_cells(by_index.cells)["step_result"] == "C"
    failed = debug_cells(fan_run.id, "each", project, item="b")
    assert failed.state == "ERROR" and failed.child_run != by_index.child_run
    with pytest.raises(RuntimeError, match=r"^shout was told to fail on b$"):
        run_cells(failed.cells)


def test_without_an_item_the_only_failed_one_or_a_list_to_choose_from(fan_run: Any) -> None:
    project = fan_run.project
    chosen = debug_cells(fan_run.id, "each", project)
    assert chosen.item == 1 and chosen.state == "ERROR" and "'word': 'b'" in chosen.cells[1]
    with pytest.raises(BadRequest) as raised:
        debug_cells(fan_run.id, "calm", project)
    assert str(raised.value) == (
        f"Step 'calm' of run {fan_run.id} is a fan-out that ran 2 times; say which item to reproduce "
        f"(`%hera debug {fan_run.id} calm --item N`), one of: 0 (x, Succeeded), 1 (y, Succeeded)."
    )
    with pytest.raises(NotFound) as raised:
        debug_cells(fan_run.id, "each", project, item="z")
    assert str(raised.value) == (
        f"Step 'each' of run {fan_run.id} has no item 'z'; say its index or value, one of: "
        "0 (a, Succeeded), 1 (b, Failed), 2 (c, Succeeded)."
    )
    with pytest.raises(BadRequest, match=r"^Step 'first' of run \S+ is not a fan-out \(it ran once\)"):
        debug_cells(fan_run.id, "first", project, item="0")
    assert debug_cells(fan_run.id, "first", project).item is None


def test_an_item_node_names_its_item(fan_run: Any) -> None:
    node = next(n for n in fan_run.to_dict()["status"]["nodes"] if str(n.get("display_name")).endswith("(0:x)"))
    for name in (node["id"], node["name"]):
        debug = debug_cells(fan_run.id, name, fan_run.project)
        assert debug.item == 0 and debug.step == "calm[0]" and debug.child_run == node["run_id"]


def test_item_child_without_a_run_id_is_found_by_its_parameters(fan_run: Any) -> None:
    """DHCore leaves a node's ``run_id`` empty: the item's child is the step's child run holding its inputs."""
    from dhhera_jupyter.platform.step_debug import _snapshot

    doc = fan_run.to_dict()
    snap, graph = _snapshot(doc)
    step = snap.step("each")
    items = fan_items(doc, graph, step.id)
    assert [(i.index, i.value) for i in items] == [(0, "a"), (1, "b"), (2, "c")]
    for item in items:
        bare = type(item)(item.index, item.value, item.phase, {k: v for k, v in item.node.items() if k != "run_id"})
        assert _item_child(fan_run.id, fan_run.project, step, bare) == item.node["run_id"]


def test_magic_takes_item(fan_run: Any, capsys: Any) -> None:
    shell = ipython_shell()
    shell.run_line_magic("hera", f"debug {fan_run.id} each --item 0 --print --project {fan_run.project}")
    out = capsys.readouterr().out
    assert f"# %hera debug {fan_run.id} each --item 0" in out and "'word': 'a'" in out
    with pytest.raises(UsageError, match=r"is a fan-out that ran 2 times; say which item .* 1 \(y, Succeeded\)\.$"):
        shell.run_line_magic("hera", f"debug {fan_run.id} calm --project {fan_run.project}")


def test_route_takes_item_and_lists_the_choices(api: Any, fan_run: Any) -> None:
    project = fan_run.project
    reply = api.get(f"runs/{fan_run.id}/debug", project=project, step="each", item="c")
    assert reply.status == 200, reply.data
    assert reply.data["item"] == 2 and reply.data["cells"] == debug_cells(fan_run.id, "each", project, item="2").cells
    ambiguous = api.get(f"runs/{fan_run.id}/debug", project=project, step="calm")
    assert ambiguous.status == 400
    assert ambiguous.data["message"].endswith("one of: 0 (x, Succeeded), 1 (y, Succeeded).")
