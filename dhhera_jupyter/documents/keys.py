"""DigitalHub entity keys (``store://project/type/kind/name:id``) and exec strings (``kind://project/name:id``)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from dhhera_jupyter.documents.states import WORKFLOW_KIND

_EXEC = re.compile(r"^(?P<kind>[^:/]+)://(?P<project>[^/]+)/(?P<name>[^:/]+)(?::(?P<id>.+))?$")
_STORE = "store://"


@dataclass(frozen=True)
class EntityKey:
    """The parts of ``store://<project>/<type>/<kind>/<name>:<id>``.

    Runs and unversioned entities have keys without a name (``store://p/run/<kind>/<id>``); their
    ``name`` is then the id and ``id`` is None.
    """

    project: str
    type: str
    kind: str
    name: str
    id: str | None

    def __str__(self) -> str:
        tail = f"{self.name}:{self.id}" if self.id else self.name
        return f"{_STORE}{self.project}/{self.type}/{self.kind}/{tail}"


@dataclass(frozen=True)
class ExecRef:
    """The parts of an exec string ``<kind>://<project>/<name>:<id>`` (``hera://demo/etl:4f96``)."""

    kind: str
    project: str
    name: str
    id: str | None

    def __str__(self) -> str:
        return f"{self.kind}://{self.project}/{self.name}" + (f":{self.id}" if self.id else "")


def parse_key(text: object) -> EntityKey | None:
    """Split an entity key; None when ``text`` is not one."""
    if not isinstance(text, str) or not text.startswith(_STORE):
        return None
    parts = text[len(_STORE) :].split("/")
    if len(parts) != 4 or not all(parts):
        return None
    name, colon, version = parts[3].partition(":")
    if not name or (colon and not version):
        return None
    return EntityKey(parts[0], parts[1], parts[2], name, version or None)


def parse_exec(text: object) -> ExecRef | None:
    """Split an exec string; None when ``text`` is not one (an entity key is not an exec string)."""
    match = _EXEC.match(text) if isinstance(text, str) and not text.startswith(_STORE) else None
    if match is None:
        return None
    return ExecRef(match["kind"], match["project"], match["name"], match["id"])


def name_and_id(text: object) -> tuple[str | None, str | None]:
    """``(name, id)`` of an entity key or an exec string; other text is read as ``[.../]name[:id]``.

    Examples
    --------
    >>> name_and_id("store://demo/function/python/f:4f96")
    ('f', '4f96')
    >>> name_and_id("hera://demo/etl")
    ('etl', None)
    >>> name_and_id(None)
    (None, None)
    """
    key = parse_key(text)
    if key is not None:
        return key.name, key.id
    ref = parse_exec(text)
    if ref is not None:
        return ref.name, ref.id
    if not isinstance(text, str):
        return None, None
    name, colon, version = text.rstrip("/").rsplit("/", 1)[-1].partition(":")
    return name or None, (version or None) if colon else None


def workflow_key(project: str, name: str, version: str) -> str:
    """The entity key of one version of a workflow of this package's kind."""
    return str(EntityKey(project, "workflow", WORKFLOW_KIND, name, version))


def workflow_exec_prefix(project: str, name: str) -> str:
    """The start of the exec string of every version of a workflow (runs name it in ``spec.workflow``)."""
    return f"{WORKFLOW_KIND}://{project}/{name}:"


def short_key(text: str, version_chars: int = 8) -> str:
    """``store://p/dataitem/table/dataset:ed478e14...`` -> ``dataset:ed478e14``; other text unchanged."""
    key = parse_key(text)
    if key is None:
        return text
    return f"{key.name}:{key.id[:version_chars]}" if key.id else key.name
