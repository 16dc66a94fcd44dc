"""A chain of three steps that all call one function ``say``, each with its own word (DHCore's nodes name no child
run: each step must still find its own call), for the platform-mode step tests and the debug tests."""

from __future__ import annotations

from typing import Any

from tests.support import build_workflow

SAY = """
def say(word: str = "none"):
    print("the word is", word)
    return word
"""

#: The steps and the word each passes to ``say``.
WORDS = {"first": "alpha", "second": "beta", "third": "gamma"}

CHAIN = """
from hera.workflows import DAG, Workflow
from digitalhub_runtime_hera.dsl import step


def pipeline():
    with Workflow(entrypoint="dag") as w:
        with DAG(name="dag"):
            a = step(template={"action": "job", "parameters": {"word": "alpha"}}, function="say", name="first")
            b = step(template={"action": "job", "parameters": {"word": "beta"}}, function="say", name="second")
            c = step(template={"action": "job", "parameters": {"word": "gamma"}}, function="say", name="third")
            a >> b >> c
    return w
"""


def add_word_chain(project: Any) -> Any:
    """Register ``say`` and the workflow ``words`` in ``project``, build it (and wait); returns the workflow."""
    project.new_function(name="say", kind="python", code=SAY, handler="say", python_version="PYTHON3_11")
    return build_workflow(project.new_workflow(name="words", kind="hera", code=CHAIN, handler="pipeline"))
