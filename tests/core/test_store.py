from __future__ import annotations

from pathlib import Path

import pytest

from dhhera_jupyter.core.entities import ApiError, Entities
from dhhera_jupyter.core.store import Query, Store


@pytest.fixture()
def entities(tmp_path: Path) -> Entities:
    ent = Entities(Store(tmp_path / "db.sqlite"), "http://127.0.0.1:1")
    ent.create_project({"name": "demo", "kind": "project", "spec": {}})
    return ent


def _fn(name: str, id_: str, code: str = "x") -> dict:
    return {"id": id_, "name": name, "kind": "python", "spec": {"source": {"base64": code}}}


def test_listing_shows_latest_version_per_name_newest_first(entities: Entities) -> None:
    entities.create("demo", "function", _fn("f", "a1"))
    entities.create("demo", "function", _fn("g", "b1"))
    entities.create("demo", "function", _fn("f", "a2"))
    latest = entities.list("demo", "function", {})
    assert [d["id"] for d in latest] == ["a2", "b1"]
    versions = entities.list("demo", "function", {"name": "f", "versions": "all"})
    assert [d["id"] for d in versions] == ["a2", "a1"]


def test_store_survives_reopen(tmp_path: Path) -> None:
    store = Store(tmp_path / "db.sqlite")
    Entities(store).create_project({"name": "keep", "kind": "project"})
    store.close()
    again = Store(tmp_path / "db.sqlite")
    assert again.get("project", "keep")["name"] == "keep"
    assert again.list(Query(project=None, type="project"))[0]["id"] == "keep"


def test_duplicate_id_is_refused_with_the_sdk_text(entities: Entities) -> None:
    entities.create("demo", "function", _fn("f", "a1"))
    with pytest.raises(ApiError) as err:
        entities.create("demo", "function", _fn("f", "a1"))
    assert err.value.status == 400 and "Duplicated entity" in err.value.message


def test_unknown_entity_answers_404_the_sdk_maps_to_not_exists(entities: Entities) -> None:
    with pytest.raises(ApiError) as err:
        entities.get("demo", "run", "nope")
    assert err.value.status == 404 and "No such EntityName" in err.value.message


def test_put_on_function_keeps_stored_spec(entities: Entities) -> None:
    entities.create("demo", "function", _fn("f", "a1", code="old"))
    doc = entities.update(
        "demo", "function", "a1", {"spec": {"source": {"base64": "new"}}, "metadata": {"labels": ["x"]}}
    )
    assert doc["spec"]["source"]["base64"] == "old"
    assert doc["metadata"]["labels"] == ["x"]


def test_project_embeds_latest_entities(entities: Entities) -> None:
    entities.create("demo", "function", _fn("f", "a1"))
    entities.create("demo", "function", _fn("f", "a2"))
    project = entities.get_project("demo")
    assert [f["id"] for f in project["spec"]["functions"]] == ["a2"]
    assert project["spec"]["functions"][0]["metadata"]["ref"].endswith("/api/v1/-/demo/functions/a2")


def test_task_must_name_an_existing_executable(entities: Entities) -> None:
    with pytest.raises(ApiError) as err:
        entities.create("demo", "task", {"kind": "python+job", "spec": {"function": "python://demo/f:missing"}})
    assert err.value.status == 400 and "invalid executable entity" in err.value.message
    entities.create("demo", "function", _fn("f", "a1"))
    task = entities.create("demo", "task", {"kind": "python+job", "spec": {"function": "python://demo/f:a1"}})
    assert task["key"] == f"store://demo/task/python+job/{task['id']}"


def test_fixture_shapes_round_trip(entities: Entities, fixtures_dir: Path) -> None:
    import json

    fixture = fixtures_dir / "workflow-hera.json"
    doc = json.loads(fixture.read_text())
    entities.create_project({"name": doc["project"], "kind": "project"})
    stored = entities.create(doc["project"], "workflow", doc)
    assert stored["key"] == doc["key"]
    assert stored["spec"] == doc["spec"]
    assert stored["metadata"]["version"] == doc["id"]
