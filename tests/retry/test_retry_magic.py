"""``%hera retry`` in a shell (text, no widgets) on the local core, ``%hera runs`` naming the original, and
the one sentence the platform gets."""

from __future__ import annotations

from typing import Any

import pytest
from IPython.core.error import UsageError

from dhhera_jupyter.platform.retry import PLATFORM_REFUSAL
from tests.platform_mode.conftest import dhcore_platform, on_dhcore  # noqa: F401  (fixtures)
from tests.retry import retry_code as code
from tests.retry.conftest import children, function_of, new_function
from tests.support import ipython_shell

pytestmark = pytest.mark.slow


@pytest.fixture()
def shell() -> Any:
    return ipython_shell()


def test_hera_retry_waits_for_the_new_run_and_runs_lists_it_as_a_retry(shell: Any, failed_etl: Any, capsys) -> None:
    new_function(failed_etl.project, "clean", code.CLEAN_FIXED)
    original = failed_etl.failed["id"]
    handle = shell.run_line_magic("hera", f"retry {original} --project {failed_etl.name} --wait -o again")
    assert handle.state == "COMPLETED"
    assert shell.user_ns["again"] is handle and handle.run_id != original
    assert handle.nodes == {"make": "succeeded", "clean": "succeeded", "report": "succeeded", "count": "succeeded"}
    assert sorted(function_of(r) for r in children(failed_etl.name, handle.run_id)) == ["clean", "report"]
    listed = repr(shell.run_line_magic("hera", f"runs etl --project {failed_etl.name}"))
    line = next(row for row in listed.splitlines() if row.startswith(handle.run_id))
    assert f"(retry of {original[:8]})" in line and "succeeded" in line


def test_hera_retry_of_an_unknown_run_is_one_sentence(shell: Any, failed_etl: Any) -> None:
    with pytest.raises(UsageError, match=rf"^There is no run 'nope' in project '{failed_etl.name}'; list recent"):
        shell.run_line_magic("hera", f"retry nope --project {failed_etl.name}")


@pytest.mark.usefixtures("on_dhcore")
def test_hera_retry_on_the_platform_says_it_needs_the_local_core(shell: Any) -> None:
    with pytest.raises(UsageError) as caught:
        shell.run_line_magic("hera", "retry 0123456789abcdef")
    assert str(caught.value) == PLATFORM_REFUSAL
    assert PLATFORM_REFUSAL.count(". ") == 0 and "local core" in PLATFORM_REFUSAL
