"""Our exception types. Each message is one sentence a user can act on.

The server maps them to HTTP status codes in one place (``server/http_errors.py``); the magics turn
them into ``UsageError``.
"""

from __future__ import annotations


class DhheraError(Exception):
    """Base class of every error dhhera-jupyter raises on purpose."""


class CoreError(DhheraError):
    """The local core could not be started, reached or stopped."""


class BackendUnreachable(DhheraError):
    """The DigitalHub backend (local core or platform) does not answer."""


class NotFound(DhheraError):
    """A workflow, run or project does not exist."""


class SettingError(DhheraError):
    """An environment variable of dhhera-jupyter holds a value it cannot use; the message names it."""


class BadRequest(DhheraError):
    """The request itself is malformed (invalid JSON body, missing field)."""


class Conflict(DhheraError):
    """The request is valid but the object is not in a state that allows it (stop a finished run...)."""


class NotBuilt(Conflict):
    """The workflow has no build yet, so it cannot run and has no built DAG to draw.

    Every path that needs a build (``%hera run``, ``%hera show``, ``%%hera_pipeline --run``, their twins, the
    sidebar's run route, ``%hera push``) raises this one error, so the user reads one sentence naming the
    workflow and the next step.

    Parameters
    ----------
    workflow : str
        The workflow's name.
    project : str, optional
        Its project, named in the message when given.
    consequence : str, optional
        What the missing build prevents, when it is not running the workflow (``%hera push``: the function
        versions it runs are not known); the next step is then to build and retry.
    """

    def __init__(self, workflow: str, project: str | None = None, *, consequence: str | None = None) -> None:
        where = f" in project '{project}'" if project else ""
        then = (
            f" (or run it with `%hera run {workflow} --build`, or Build in the sidebar)."
            if consequence is None
            else ", then retry."
        )
        super().__init__(
            f"Workflow '{workflow}' has never been built{where}, so {consequence or 'it cannot run'}; "
            f"build it with `%hera build {workflow}`{then}"
        )
        self.workflow = workflow
        self.project = project


class PipelineError(DhheraError):
    """A pipeline definition is invalid (handler, steps, cycle...)."""


class DocumentError(PipelineError, ValueError):
    """An Argo or DigitalHub document (workflow YAML, spec, expression) is not well formed."""


class YamlRefused(DocumentError):
    """A YAML text is not valid YAML, or uses anchors/aliases (refused: they expand without bound)."""


class ExpressionError(DocumentError):
    """A ``depends`` or ``when`` expression cannot be parsed or evaluated; the message says where."""


class UnknownTask(ExpressionError):
    """A ``depends`` expression names a task that is not in its DAG.

    Attributes
    ----------
    task : str
        The name as written, without a ``.Result`` suffix.
    """

    def __init__(self, task: str) -> None:
        super().__init__(f"'{task}' is not a task of that DAG")
        self.task = task


class BuildError(DhheraError):
    """A build failed on the backend.

    Parameters
    ----------
    message : str
        The sentence shown to the user.
    run : object, optional
        The build run (SDK entity), when known.
    log_tail : str, optional
        The end of its logs.
    handle : object, optional
        The magics' handle of the workflow.
    """

    def __init__(self, message: str, *, run: object = None, log_tail: str = "", handle: object = None) -> None:
        super().__init__(message)
        self.run = run
        self.log_tail = log_tail
        self.handle = handle


class GraphRenderError(DhheraError):
    """Graphviz could not draw a pipeline diagram (no engine, timeout, invalid DOT)."""


class WidgetAssetsMissing(DhheraError):
    """A widget's built front end (static/*.js, *.css) is not in the installed package."""
