"""The DigitalHub step contract: what a container of ``digitalhub_runtime_hera.dsl.step`` runs.

On the platform the step image runs ``python step.py --entity <key> --kwargs <json>``: it creates a
run of the function (or workflow) named by the entity key, with the action and arguments of the
kwargs, waits for it, and writes ``run_id`` and each declared output as output parameters. The
diagram labels a template as a DigitalHub step, and the local runner runs it, exactly when
:func:`step_call` finds an entity key in its container.

Accepted container forms (flags as ``--flag value`` or ``--flag=value``, in any order)::

    command: [python]                 args: [step.py, --entity, K, --kwargs, J]   # what the DSL writes
    command: [python, step.py, ...]                                                # all in the command
    command: [python3]                args: [/app/step.py, --entity=K, ...]        # any path, python3
    args:    [step.py, --entity, K, ...]                                           # the image's entrypoint
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from dhhera_jupyter.documents.keys import name_and_id

STEP_SCRIPT = "step.py"
_PYTHONS = ("python", "python3")

#: Template labels the old KFP-era DSL set; read as a fallback for display (contract §5.3).
LABEL_PREFIX = "hera-digitalhub-runtime-"


@dataclass
class StepCall:
    """What a DigitalHub step runs.

    Attributes
    ----------
    key : str or None
        The ``--entity`` key as written; None when only the template labels name the function
        (such a template is drawn as a step, but cannot run: it has no ``step.py`` container).
    function, function_id : str or None
        Name and version id of the key (``f`` and ``4f96`` in ``store://demo/function/python/f:4f96``).
    action : str or None
        ``action`` of the kwargs (``job``...).
    kwargs : dict or None
        The whole ``--kwargs`` JSON object; None when absent or malformed.
    problem : str or None
        Why the kwargs cannot be used (not JSON, not an object), for the runner's error message.
    inputs, outputs : list of str
        Names of the template's declared input and output parameters.
    """

    key: str | None = None
    function: str | None = None
    function_id: str | None = None
    action: str | None = None
    kwargs: dict[str, Any] | None = None
    problem: str | None = None
    inputs: list[str] = field(default_factory=list)
    outputs: list[str] = field(default_factory=list)


def step_call(template: Mapping[str, Any]) -> StepCall | None:
    """What a template runs if it is a DigitalHub step, else None.

    Parameters
    ----------
    template : mapping
        An Argo template (after or before ``{{...}}`` substitution).

    Returns
    -------
    StepCall or None
        Filled from the container arguments, or from the template labels when the container carries
        no entity (then ``key`` is None).
    """
    call = _from_container(template.get("container"))
    if call is None:
        call = _from_labels(template)
    if call is not None:
        call.inputs = _parameter_names(template.get("inputs"))
        call.outputs = _parameter_names(template.get("outputs"))
    return call


def _words(container: Mapping[str, Any]) -> list[str] | None:
    """The words after ``step.py`` when the container runs it with python (or as the image's entrypoint)."""
    command = [str(w) for w in (container.get("command") or [])]
    words = command + [str(w) for w in (container.get("args") or [])]
    for i, word in enumerate(words):
        if word == STEP_SCRIPT or word.endswith("/" + STEP_SCRIPT):
            before = words[:i]
            if not before or (len(before) == 1 and before[0].rsplit("/", 1)[-1] in _PYTHONS):
                return words[i + 1 :]
            return None
    return None


def _flags(words: list[str]) -> dict[str, str]:
    opts: dict[str, str] = {}
    i = 0
    while i < len(words):
        word = words[i]
        if word.startswith("--"):
            name, eq, value = word[2:].partition("=")
            if not eq:
                value = words[i + 1] if i + 1 < len(words) else ""
                i += 1
            opts.setdefault(name, value)
        i += 1
    return opts


def _from_container(container: Any) -> StepCall | None:
    if not isinstance(container, Mapping):
        return None
    words = _words(container)
    if words is None:
        return None
    opts = _flags(words)
    key = opts.get("entity")
    if not key:
        return None
    name, version = name_and_id(key)
    call = StepCall(key=key, function=name, function_id=version)
    raw = opts.get("kwargs")
    if raw is None:
        call.kwargs = {}
        return call
    try:
        kwargs = json.loads(raw)
    except ValueError as exc:
        call.problem = f"the step's --kwargs is not valid JSON ({exc})"
        return call
    if not isinstance(kwargs, dict):
        call.problem = "the step's --kwargs must be a JSON object"
        return call
    call.kwargs = kwargs
    action = kwargs.get("action")
    call.action = None if action is None else str(action)
    return call


def _from_labels(template: Mapping[str, Any]) -> StepCall | None:
    metadata = template.get("metadata")
    labels = metadata.get("labels") if isinstance(metadata, Mapping) else None
    if not isinstance(labels, Mapping) or not labels.get(LABEL_PREFIX + "function"):
        return None
    return StepCall(
        function=str(labels[LABEL_PREFIX + "function"]),
        function_id=labels.get(LABEL_PREFIX + "function_id"),
        action=labels.get(LABEL_PREFIX + "action"),
    )


def _parameter_names(section: Any) -> list[str]:
    params = section.get("parameters") if isinstance(section, Mapping) else None
    return [str(p["name"]) for p in params or [] if isinstance(p, Mapping) and p.get("name") is not None]
