"""A workflow's build: the Argo workflow stored base64-encoded in ``spec.build`` (workflows and pipeline
runs) or in a build run's ``status.results.workflow`` (contract §5.1). Decoded here, and only here.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any

from dhhera_jupyter.documents.argo import workflow_spec
from dhhera_jupyter.documents.fields import section
from dhhera_jupyter.documents.yaml_text import load_yaml
from dhhera_jupyter.errors import DocumentError


def decode_text(encoded: object) -> str | None:
    """The text of a base64 value (None when absent, not base64 or not UTF-8)."""
    if not isinstance(encoded, (str, bytes)) or not encoded:
        return None
    try:
        return base64.b64decode(encoded, validate=False).decode("utf-8")
    except (binascii.Error, ValueError):
        return None


def is_built(doc: object) -> bool:
    """Whether a workflow or run document carries a build (``spec.build.base64``)."""
    return bool(section(section(doc, "spec"), "build").get("base64"))


def build_text(doc: object) -> str | None:
    """The Argo workflow text in a document's ``spec.build`` (a workflow or a pipeline run), if any."""
    return decode_text(section(section(doc, "spec"), "build").get("base64"))


def build_spec(doc: object) -> dict[str, Any] | None:
    """The Argo WorkflowSpec of a document's ``spec.build``: None when it has no build.

    Raises
    ------
    DocumentError
        When the build is there but is not a readable Argo workflow (bad YAML, an alias, not a mapping).
    """
    text = build_text(doc)
    if text is None:
        return None
    return _spec_of(text, "The stored build")


def result_spec(encoded: object) -> dict[str, Any] | None:
    """The Argo WorkflowSpec of a build run's ``status.results.workflow``: None when absent.

    Raises
    ------
    DocumentError
        When the value is there but is not base64 of a readable Argo workflow.
    """
    if not encoded:
        return None
    text = decode_text(encoded)
    if text is None:
        raise DocumentError("The build result is not base64-encoded UTF-8 text.")
    return _spec_of(text, "The build result")


def _spec_of(text: str, what: str) -> dict[str, Any]:
    return workflow_spec(load_yaml(text, what), what)[1]
