"""Our exception types. Each message is one sentence a user can act on."""

from __future__ import annotations


class DhheraError(Exception):
    """Base class of every error dhhera-jupyter raises on purpose."""


class CoreError(DhheraError):
    """The local core could not be started, reached or stopped."""


class BackendUnreachable(DhheraError):
    """The DigitalHub backend (local core or platform) does not answer."""


class NotFound(DhheraError):
    """A workflow, run or project does not exist."""


class PipelineError(DhheraError):
    """A pipeline definition is invalid (handler, steps, cycle...)."""


class BuildError(DhheraError):
    """A build failed on the backend."""

    #: The build run (SDK entity), the end of its logs, and the magics' handle of the workflow, when known.
    run: object = None
    log_tail: str = ""
    handle: object = None


class GraphRenderError(DhheraError):
    """Graphviz could not draw a pipeline diagram (no engine, timeout, invalid DOT)."""


class WidgetAssetsMissing(DhheraError):
    """A widget's built front end (static/*.js, *.css) is not in the installed package."""
