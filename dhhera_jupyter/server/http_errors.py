"""Our errors -> HTTP status codes: the one place the sidebar routes decide what a failure is."""

from __future__ import annotations

from dhhera_jupyter.errors import (
    BackendUnreachable,
    BadRequest,
    BuildError,
    Conflict,
    CoreError,
    DhheraError,
    GraphRenderError,
    NotBuilt,
    NotFound,
    PipelineError,
)

__all__ = ["BadRequest", "Conflict", "message_of", "status_of"]


#: Most specific first: the first class the error is an instance of gives the status.
_STATUS: tuple[tuple[type[BaseException], int], ...] = (
    (NotFound, 404),
    (BackendUnreachable, 503),
    (CoreError, 503),
    (Conflict, 409),
    (NotBuilt, 409),
    (BuildError, 409),
    (GraphRenderError, 500),
    (BadRequest, 400),
    (PipelineError, 400),
    (DhheraError, 400),
)


def status_of(error: BaseException) -> int:
    """The HTTP status for ``error``: 4xx/503 for our own errors, 500 for anything else."""
    for cls, status in _STATUS:
        if isinstance(error, cls):
            return status
    return 500


def message_of(error: BaseException) -> str:
    """The sentence shown to the user: ours verbatim, anything else as an internal error."""
    if isinstance(error, DhheraError):
        return str(error) or type(error).__name__
    return f"Internal error in the dhhera server extension ({type(error).__name__}: {error}); see the server log."
