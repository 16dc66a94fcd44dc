from __future__ import annotations

import pytest

from dhhera_jupyter.core import fsm


@pytest.mark.parametrize(
    ("current", "target"),
    [
        ("CREATED", "BUILT"),
        ("BUILT", "READY"),
        ("READY", "RUNNING"),
        ("RUNNING", "RUNNING"),
        ("RUNNING", "COMPLETED"),
        ("RUNNING", "STOP"),
        ("STOP", "STOPPED"),
        ("PENDING", "COMPLETED"),
        ("RUNNING", "ERROR"),
        ("STOPPED", "ERROR"),
        ("COMPLETED", "DELETING"),
    ],
)
def test_run_fsm_allows_dhcore_transitions(current: str, target: str) -> None:
    assert fsm.run_can_go(current, target)


@pytest.mark.parametrize(
    ("current", "target"),
    [
        ("CREATED", "RUNNING"),
        ("COMPLETED", "RUNNING"),
        ("COMPLETED", "ERROR"),
        ("ERROR", "COMPLETED"),
        ("READY", "STOP"),
        ("STOPPED", "RUNNING"),
        ("DELETED", "DELETING"),
        ("READY", "COMPLETED"),
    ],
)
def test_run_fsm_refuses_what_dhcore_ignores(current: str, target: str) -> None:
    assert not fsm.run_can_go(current, target)


def test_local_extension_lets_a_queued_run_stop() -> None:
    assert not fsm.run_can_go("READY", "STOP")
    assert fsm.run_can_go("READY", "STOP", local_extension=True)


def test_material_fsm_follows_the_contract_table() -> None:
    assert fsm.material_can_go("CREATED", "UPLOADING")
    assert fsm.material_can_go("UPLOADING", "READY")
    assert fsm.material_can_go("ERROR", "UPLOADING")
    assert not fsm.material_can_go("READY", "UPLOADING")
    assert not fsm.material_can_go("UPLOADING", "CREATED")
