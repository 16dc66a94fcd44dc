from __future__ import annotations

import pytest

from dhhera_jupyter.executor.pipeline import java_str, parse_step_args


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


def test_digitalhub_step_container_is_recognised() -> None:
    container = {
        "image": "wrapper-hera",
        "command": ["python"],
        "args": ["step.py", "--entity", "store://p/function/python/f:1", "--kwargs", '{"action": "job"}'],
    }
    assert parse_step_args(container) == ("store://p/function/python/f:1", {"action": "job"})


def test_other_containers_are_not_steps() -> None:
    assert parse_step_args({"image": "busybox", "command": ["sh", "-c", "echo"]}) is None
    assert parse_step_args({"image": "x", "command": ["python"], "args": ["main.py"]}) is None


def test_bad_kwargs_json_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="not valid JSON"):
        parse_step_args({"command": ["python"], "args": ["step.py", "--entity", "k", "--kwargs", "{oops"]})
