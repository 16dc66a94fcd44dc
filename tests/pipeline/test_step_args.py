from __future__ import annotations

import pytest

from dhhera_jupyter.documents.steps import step_call
from dhhera_jupyter.executor.pipeline import java_str


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (True, "true"),
        (None, "null"),
        (3, "3"),
        ("x", "x"),
        ({"a": 1, "b": [1, 2]}, "{a=1, b=[1, 2]}"),
        (["a", "b"], "[a, b]"),
    ],
)
def test_run_parameters_are_stringified_like_dhcore(value, text: str) -> None:
    assert java_str(value) == text


KEY = "store://p/function/python/f:1"


@pytest.mark.parametrize(
    "container",
    [
        {"command": ["python"], "args": ["step.py", "--entity", KEY, "--kwargs", '{"action": "job"}']},
        {"command": ["python", "step.py", "--kwargs", '{"action": "job"}', "--entity", KEY]},
        {"command": ["python3"], "args": ["/app/step.py", f"--entity={KEY}", '--kwargs={"action": "job"}']},
        {"args": ["step.py", "--entity", KEY, "--kwargs", '{"action": "job"}']},
    ],
    ids=["dsl", "all-in-command", "flag=value", "entrypoint"],
)
def test_every_digitalhub_step_container_form_is_recognised(container) -> None:
    call = step_call({"container": {"image": "wrapper-hera", **container}, "outputs": {"parameters": [{"name": "d"}]}})

    assert call is not None
    assert (call.key, call.function, call.function_id, call.action) == (KEY, "f", "1", "job")
    assert call.kwargs == {"action": "job"}
    assert call.outputs == ["d"]


@pytest.mark.parametrize(
    "container",
    [
        {"image": "busybox", "command": ["sh", "-c", "echo"]},
        {"image": "x", "command": ["python"], "args": ["main.py"]},
        {"image": "x", "command": ["sh", "-c"], "args": ["step.py", "--entity", KEY]},
        {"image": "x", "command": ["python"], "args": ["step.py", "--kwargs", "{}"]},
    ],
)
def test_other_containers_are_not_steps(container) -> None:
    assert step_call({"container": container}) is None


def test_bad_kwargs_json_is_named_as_the_problem() -> None:
    call = step_call({"container": {"command": ["python"], "args": ["step.py", "--entity", "k", "--kwargs", "{oops"]}})

    assert call is not None and call.kwargs is None
    assert "not valid JSON" in (call.problem or "")
