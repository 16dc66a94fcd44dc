"""Argo node names read into task paths."""

from __future__ import annotations

from dhhera_jupyter.status.names import NodeName, base_display_name, parse_node_name


def test_root_node_has_an_empty_path() -> None:
    assert parse_node_name("880e...", "880e...") == NodeName(())


def test_dag_task_name_from_the_contract_example_is_its_task() -> None:
    assert parse_node_name("880e....dag-op-first-e53f5f25", "880e...") == NodeName(("dag-op-first-e53f5f25",))


def test_steps_names_drop_the_group_index() -> None:
    assert parse_node_name("wf[0]", "wf") == NodeName((), group=True)
    assert parse_node_name("wf[1].left", "wf") == NodeName(("left",))
    assert parse_node_name("wf[0].outer[2].inner", "wf") == NodeName(("outer", "inner"))


def test_fan_out_items_and_retries_are_instances_of_their_task() -> None:
    assert parse_node_name("wf.work(0:x)", "wf") == NodeName(("work",), instance=True)
    assert parse_node_name("wf.work(2:(w))", "wf") == NodeName(("work",), instance=True)
    assert parse_node_name("wf.work(1:y.z)", "wf") == NodeName(("work",), instance=True)
    assert parse_node_name("wf.a(1)", "wf") == NodeName(("a",), instance=True)


def test_a_task_inside_a_fanned_out_nested_dag_keeps_its_full_path() -> None:
    assert parse_node_name("wf.outer(0:a).inner", "wf") == NodeName(("outer", "inner"))


def test_names_of_another_workflow_or_malformed_names_give_none() -> None:
    assert parse_node_name("other.a", "wf") is None
    assert parse_node_name("wf.a(0:x", "wf") is None
    assert parse_node_name("wf..a", "wf") is None
    assert parse_node_name("wfx", "wf") is None


def test_display_name_suffixes_are_dropped() -> None:
    assert base_display_name("work(0:x)") == "work"
    assert base_display_name("a(1)") == "a"
    assert base_display_name("plain") == "plain"
