"""Validation of every body the local core is asked to store, before anything is stored.

The models type the fields the core itself reads (DHCore's DTOs carry many more: they are kept as they are).
A failed check answers 400 with a sentence naming the field, e.g. ``Invalid run: 'spec' must be a JSON object,
not a string.``; the handler never runs, so nothing is half-written.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, StrictBool, StrictInt, StrictStr, ValidationError

from dhhera_jupyter.core.entities import ApiError
from dhhera_jupyter.core.names import name_problem, project_problem

#: Deepest JSON nesting accepted in a body; DHCore documents nest a few levels, Argo specs a dozen.
MAX_DEPTH = 64

_Str = StrictStr | None


class _Open(BaseModel):
    # Unknown fields are the client's business and are stored as sent; known ones must have their type.
    model_config = ConfigDict(extra="allow", strict=True)


class Metadata(_Open):
    name: _Str = None
    project: _Str = None
    version: _Str = None
    description: _Str = None
    created: _Str = None
    updated: _Str = None
    created_by: _Str = None
    updated_by: _Str = None
    labels: list[StrictStr] | None = None
    embedded: StrictBool | None = None
    relationships: list[dict[str, Any]] | None = None


class Status(_Open):
    state: _Str = None
    message: _Str = None
    transitions: list[dict[str, Any]] | None = None
    nodes: list[dict[str, Any]] | None = None
    results: dict[str, Any] | None = None
    metrics: dict[str, Any] | None = None
    files: list[dict[str, Any]] | None = None


class RunSpec(_Open):
    task: _Str = None
    function: _Str = None
    workflow: _Str = None
    local_execution: StrictBool | None = None
    parameters: dict[str, Any] | None = None
    inputs: dict[str, Any] | None = None


class TaskSpec(_Open):
    function: _Str = None
    workflow: _Str = None


class ExecutableSpec(_Open):
    source: dict[str, Any] | None = None
    build: dict[str, Any] | None = None


#: Spec models of the types whose spec the core reads; the others only need an object.
_SPECS: dict[str, type[_Open]] = {"run": RunSpec, "task": TaskSpec, "function": ExecutableSpec}
_SPECS["workflow"] = ExecutableSpec


class Entity(_Open):
    id: _Str = None
    name: _Str = None
    kind: _Str = None
    project: _Str = None
    user: _Str = None
    key: _Str = None
    description: _Str = None
    metadata: Metadata | None = None
    spec: dict[str, Any] | None = None
    status: Status | None = None


class FileInfo(_Open):
    path: _Str = None
    name: _Str = None
    size: StrictInt | None = None


_NOUNS = {"dict_type": "a JSON object", "model_type": "a JSON object", "list_type": "a list"}
_NOUNS |= {"string_type": "a string", "bool_type": "true or false", "int_type": "a whole number"}


def _json_type(value: object) -> str:
    if value is None:
        return "null"
    return {dict: "a JSON object", list: "a list", str: "a string", bool: "a boolean"}.get(
        type(value), "a number" if isinstance(value, (int, float)) else type(value).__name__
    )


def _first_problem(exc: ValidationError, prefix: str = "") -> str:
    err = exc.errors()[0]
    where = prefix + ".".join(str(p) for p in err["loc"])
    expected = _NOUNS.get(err["type"])
    if expected:
        return f"'{where}' must be {expected}, not {_json_type(err.get('input'))}"
    return f"'{where}': {err['msg']}"


def depth(value: Any, limit: int = MAX_DEPTH) -> int:
    """Nesting depth of a decoded JSON value, counting stops once past ``limit``."""
    level, todo = 0, [(value, 1)]
    while todo:
        node, d = todo.pop()
        if isinstance(node, dict):
            node = list(node.values())
        elif not isinstance(node, list):
            continue
        level = max(level, d)
        if level > limit:
            return level
        todo.extend((child, d + 1) for child in node if isinstance(child, (dict, list)))
    return level


def check_body_shape(body: Any) -> None:
    """Refuse bodies nested deeper than :data:`MAX_DEPTH` (they would exhaust the recursion of later steps)."""
    if depth(body) > MAX_DEPTH:
        raise ApiError(400, f"The request body is nested more than {MAX_DEPTH} levels deep; flatten it.")


def entity(type_: str, body: Any, *, creating: bool) -> dict:
    """Check a body written to ``/{type}s`` (or ``/projects``); returns it unchanged when it is valid.

    Raises
    ------
    ApiError
        400 naming the first bad field.
    """
    if not isinstance(body, dict):
        raise ApiError(400, f"Invalid {type_}: the request body must be a JSON object, not {_json_type(body)}.")
    try:
        Entity.model_validate(body)
        spec_model = _SPECS.get(type_)
        if spec_model is not None and body.get("spec") is not None:
            try:
                spec_model.model_validate(body["spec"])
            except ValidationError as exc:
                raise ApiError(400, f"Invalid {type_}: {_first_problem(exc, prefix='spec.')}.") from None
    except ValidationError as exc:
        raise ApiError(400, f"Invalid {type_}: {_first_problem(exc)}.") from None
    if creating:
        if type_ == "project":
            name = body.get("name") or body.get("id")
            problem = project_problem(name)
            if problem:
                raise ApiError(400, f"Invalid project name {name!r}: {problem}.")
        for key in ("id", "name"):
            if body.get(key) is not None:
                problem = name_problem(body[key]) if type_ != "project" else None
                if problem:
                    raise ApiError(400, f"Invalid {type_} {key} {body[key]!r}: it {problem}.")
    return body


def secrets(body: Any) -> dict[str, str]:
    """Secret values: a JSON object of name -> string (numbers and booleans are written as text)."""
    if not isinstance(body, dict):
        raise ApiError(400, "Secret values must be a JSON object of name -> value.")
    out: dict[str, str] = {}
    for key, value in body.items():
        problem = name_problem(key)
        if problem:
            raise ApiError(400, f"Invalid secret name {key!r}: it {problem}.")
        if isinstance(value, bool):
            value = str(value).lower()
        if not isinstance(value, (str, int, float)):
            raise ApiError(400, f"Secret '{key}' must be a string, not {_json_type(value)}.")
        out[key] = str(value)
    return out


def metric(name: str, body: Any) -> float | list[float]:
    """A metric value: a number or a list of numbers."""
    try:
        if isinstance(body, list):
            return [_number(v) for v in body]
        return _number(body)
    except TypeError:
        raise ApiError(400, f"Metric '{name}' must be a number or a list of numbers.") from None


def _number(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError
    return value


def files(body: Any) -> list[dict]:
    """The ``files/info`` list of an entity: a list of JSON objects."""
    if not isinstance(body, list):
        raise ApiError(400, f"File info must be a list of JSON objects, not {_json_type(body)}.")
    for i, item in enumerate(body):
        try:
            FileInfo.model_validate(item)
        except ValidationError as exc:
            raise ApiError(400, f"Invalid file info [{i}]: {_first_problem(exc)}.") from None
    return body
