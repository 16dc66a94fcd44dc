"""``GET /dhhera/runs/<id>/debug?step=``: the sidebar gets the same cells as ``%hera debug``, errors as one sentence."""

from __future__ import annotations

from typing import Any

from dhhera_jupyter.platform.step_debug import debug_cells
from tests.server.conftest import *  # noqa: F403 (the route tests' server fixtures: api, jp_server_config...)


def test_route_returns_the_cells_of_the_magic(api: Any, failed_diamond: Any) -> None:
    project = failed_diamond.project
    reply = api.get(f"runs/{failed_diamond.id}/debug", project=project, step="b")
    assert reply.status == 200, reply.data
    assert reply.data["cells"] == debug_cells(failed_diamond.id, "b", project).cells
    assert reply.data["step"] == "b" and reply.data["state"] == "ERROR"


def test_route_errors_are_one_sentence(api: Any, failed_diamond: Any) -> None:
    project = failed_diamond.project
    missing = api.get(f"runs/{failed_diamond.id}/debug", project=project, step="zzz")
    assert missing.status == 404
    assert missing.data["message"] == f"Run {failed_diamond.id} has no step 'zzz'; its steps are: a, b, c, d."
    assert api.get(f"runs/{failed_diamond.id}/debug", project=project).status == 400
    unauthenticated = api.get(f"runs/{failed_diamond.id}/debug", headers={"Authorization": ""}, step="b")
    assert unauthenticated.status == 403
