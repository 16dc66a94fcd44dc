"""Steps that call the same function each find their own child run (DHCore names none in its nodes)."""

from __future__ import annotations

from typing import Any

import pytest

from dhhera_jupyter.magics.run import run
from tests.platform_mode.conftest import Platform, new_project
from tests.platform_mode.word_chain import WORDS, add_word_chain


@pytest.fixture()
def chain(sdk: Any, request: pytest.FixtureRequest) -> Any:
    project = new_project(sdk, request)
    add_word_chain(project)
    return project


def test_each_step_of_one_function_shows_its_own_logs(chain: Any, on_platform: Platform) -> None:
    panel = run("words", {}, project=chain.name, panel=True)
    try:
        panel.wait(120)
        assert panel.state == "COMPLETED"
        for step, word in WORDS.items():
            text = panel.logs(step)
            assert f"the word is {word}" in text, (step, text)
            assert text.count("the word is") == 1
    finally:
        panel.close()
