"""Recognise DigitalHub steps: containers running ``python step.py --entity <key> --kwargs <json>``.

``digitalhub_runtime_hera.dsl.step`` builds them; the platform's step image runs the function
named by ``--entity`` with the action and arguments in ``--kwargs``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

#: Template labels the old KFP-era DSL set; read as a fallback (dhcore-contract.md §5.3).
_LABEL_PREFIX = "hera-digitalhub-runtime-"


@dataclass
class StepCall:
    """What a DigitalHub step runs.

    Attributes
    ----------
    function : str or None
        Function name (``f`` in ``store://demo/function/python/f:4f96``).
    function_key : str or None
        The ``--entity`` key as written.
    function_id : str or None
        Version id after the colon of the key.
    action : str or None
        ``action`` of the ``--kwargs`` JSON (``job``...).
    kwargs : dict or None
        The whole ``--kwargs`` JSON, when it parses as an object.
    """

    function: str | None = None
    function_key: str | None = None
    function_id: str | None = None
    action: str | None = None
    kwargs: dict[str, Any] | None = None


def step_call(template: dict[str, Any]) -> StepCall | None:
    """Return what a template runs if it is a DigitalHub step, else None.

    Parameters
    ----------
    template : dict
        An Argo template.

    Returns
    -------
    StepCall or None
        Filled from the container arguments, or from the template labels when the arguments
        carry no entity.
    """
    call = _from_container(template.get("container"))
    if call is None:
        call = _from_labels(template)
    return call


def parse_entity_key(key: str) -> tuple[str | None, str | None]:
    """Split ``store://<project>/<entity type>/<kind>/<name>:<id>`` into ``(name, id)``.

    Parameters
    ----------
    key : str
        An entity key.

    Returns
    -------
    tuple
        Name and version id; either is None when the key does not have that part.
    """
    path = key.split("://", 1)[1] if "://" in key else key
    last = path.rstrip("/").rsplit("/", 1)[-1]
    name, colon, version = last.partition(":")
    return (name or None, (version or None) if colon else None)


def _from_container(container: Any) -> StepCall | None:
    if not isinstance(container, dict):
        return None
    words = [str(w) for w in (container.get("command") or []) + (container.get("args") or [])]
    if not any(w.endswith("step.py") for w in words):
        return None
    key = _flag(words, "--entity")
    if key is None:
        return None
    name, version = parse_entity_key(key)
    call = StepCall(function=name, function_key=key, function_id=version)
    raw = _flag(words, "--kwargs")
    if raw is not None:
        try:
            kwargs = json.loads(raw)
        except ValueError:
            kwargs = None
        if isinstance(kwargs, dict):
            call.kwargs = kwargs
            action = kwargs.get("action")
            call.action = None if action is None else str(action)
    return call


def _flag(words: list[str], flag: str) -> str | None:
    for i, word in enumerate(words):
        if word == flag and i + 1 < len(words):
            return words[i + 1]
        if word.startswith(flag + "="):
            return word[len(flag) + 1 :]
    return None


def _from_labels(template: dict[str, Any]) -> StepCall | None:
    metadata = template.get("metadata")
    labels = metadata.get("labels") if isinstance(metadata, dict) else None
    if not isinstance(labels, dict) or not labels.get(_LABEL_PREFIX + "function"):
        return None
    return StepCall(
        function=str(labels[_LABEL_PREFIX + "function"]),
        function_id=labels.get(_LABEL_PREFIX + "function_id"),
        action=labels.get(_LABEL_PREFIX + "action"),
    )
