"""Entity keys, exec strings and ``spec.build``: one reader each, and what it refuses."""

from __future__ import annotations

import base64

import pytest

from dhhera_jupyter.documents.build import build_spec, build_text, is_built, result_spec
from dhhera_jupyter.documents.keys import EntityKey, ExecRef, name_and_id, parse_exec, parse_key, short_key
from dhhera_jupyter.errors import DocumentError, YamlRefused


def test_entity_keys_split_into_their_parts_and_back():
    key = parse_key("store://demo/dataitem/table/dataset:ed478e14aa")
    assert key == EntityKey("demo", "dataitem", "table", "dataset", "ed478e14aa")
    assert str(key) == "store://demo/dataitem/table/dataset:ed478e14aa"
    assert parse_key("store://demo/run/hera+pipeline:run/4f96") == EntityKey(
        "demo", "run", "hera+pipeline:run", "4f96", None
    )


@pytest.mark.parametrize("text", [None, 3, "", "hera://demo/etl:1", "store://demo/function/f:1", "store://a//b/c"])
def test_what_is_not_an_entity_key_reads_as_none(text):
    assert parse_key(text) is None


def test_exec_strings_split_into_their_parts():
    assert parse_exec("hera://demo/etl:4f96") == ExecRef("hera", "demo", "etl", "4f96")
    assert parse_exec("python+job://demo/etl") == ExecRef("python+job", "demo", "etl", None)
    assert parse_exec("store://demo/function/python/f:1") is None
    assert parse_exec("etl") is None


def test_names_and_short_forms():
    assert name_and_id("store://demo/function/python/f:4f96") == ("f", "4f96")
    assert name_and_id("hera://demo/etl") == ("etl", None)
    assert name_and_id("f:1") == ("f", "1")
    assert short_key("store://p/dataitem/table/dataset:ed478e14aaaa") == "dataset:ed478e14"
    assert short_key("plain text") == "plain text"


SPEC = "entrypoint: main\ntemplates:\n- name: main\n  container: {image: x}\n"


def _doc(text: str) -> dict:
    return {"spec": {"build": {"base64": base64.b64encode(text.encode()).decode(), "lang": "yaml"}}}


def test_a_build_decodes_to_its_workflow_spec():
    assert not is_built({"spec": {}}) and build_spec({"spec": {}}) is None
    assert is_built(_doc(SPEC)) and build_text(_doc(SPEC)) == SPEC
    assert build_spec(_doc(SPEC))["entrypoint"] == "main"
    whole = "apiVersion: argoproj.io/v1alpha1\nkind: Workflow\nmetadata: {name: w}\nspec:\n" + "".join(
        "  " + line + "\n" for line in SPEC.splitlines()
    )
    assert build_spec(_doc(whole))["templates"][0]["name"] == "main"


def test_an_unreadable_build_is_a_sentence_not_a_traceback():
    with pytest.raises(DocumentError, match="not an Argo workflow"):
        build_spec(_doc("- a\n- b\n"))
    with pytest.raises(YamlRefused, match="The stored build uses a YAML alias"):
        build_spec(_doc("entrypoint: &e main\ntemplates: [{name: *e, container: {image: x}}]\n"))
    with pytest.raises(DocumentError, match="not base64"):
        result_spec("%%%not base64%%%")
    assert result_spec(None) is None
