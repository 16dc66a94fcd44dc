"""``%hera <subcommand>``: use, status, register, build, show."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from IPython.core.error import UsageError
from IPython.core.magic import Magics, line_magic, magics_class
from IPython.core.magic_arguments import argument, magic_arguments

from dhhera_jupyter.magics.boundary import parse_arguments, parse_parameters, plain_help, usage_errors
from dhhera_jupyter.magics.debug import debug_magic
from dhhera_jupyter.magics.preview import preview_magic
from dhhera_jupyter.magics.push import push_magic
from dhhera_jupyter.magics.retry import retry_magic
from dhhera_jupyter.magics.run import attach_magic, run_magic, runs_magic
from dhhera_jupyter.magics.run_control import logs_magic, stop_magic


@magic_arguments(name="hera use")
@argument(
    "target",
    help="'local' (start or reuse the local core), a DigitalHub's http(s):// endpoint, or a ~/.dhcore.ini profile.",
)
def _use(shell: Any, args: Any) -> None:
    """Switch the DigitalHub backend. Example: ``%hera use local`` or ``%hera use https://core.example.org``."""
    from dhhera_jupyter.magics.twins import use

    backend = use(args.target)
    where = f"the local core at {backend.endpoint}" if backend.mode == "local" else backend.endpoint
    print(f"Using {where} (project {backend.project}).")


@magic_arguments(name="hera status")
def _status(shell: Any, args: Any) -> None:
    """Say which backend, default project and versions are in use. Example: ``%hera status``."""
    from dhhera_jupyter import platform

    backend = platform.backend()
    print(backend.describe())
    if backend.mode == "local":
        from dhhera_jupyter.platform import local_core

        core = local_core.status()
        if core is not None:
            print(f"core:     {core.describe()}")
        else:
            print("core:     not running; start it with `%hera use local` (or `dhhera core start` in a terminal)")
    print(f"sdk:      {'imported' if platform.sdk_loaded() else 'not imported yet (imported on first use)'}")


@magic_arguments(name="hera register")
@argument("name", help="Workflow name.")
@argument(
    "--code-src",
    required=True,
    metavar="FILE_OR_URI",
    help="A .py file (checked in the kernel first), or a URI the backend can read (s3://, git+https://...).",
)
@argument("--handler", help="Function of the source that returns the Hera Workflow (default: found in a .py file).")
@argument("--project", help="Project (default: the backend's default project).")
@argument("--description", help="Workflow description.")
@argument("--label", dest="labels", action="append", metavar="LABEL", help="Workflow label (repeatable).")
def _register(shell: Any, args: Any) -> Any:
    """Register a pipeline kept in a file, like the SDK's new_workflow(code_src=..., handler=...).
    Example: ``%hera register etl --code-src pipeline.py --handler pipeline``."""
    from dhhera_jupyter.magics.twins import register

    return register(
        args.name,
        code_src=args.code_src,
        handler=args.handler,
        project=args.project,
        description=args.description,
        labels=args.labels,
    )


@magic_arguments(name="hera build")
@argument("name", help="Workflow registered earlier.")
@argument(
    "-p",
    "--param",
    dest="params",
    action="append",
    metavar="KEY=VALUE",
    help="A value for an argument of the handler (def pipeline(url)) (repeatable).",
)
@argument("--project", help="Project (default: the backend's default project).")
def _build(shell: Any, args: Any) -> Any:
    """Build a registered workflow and draw the DAG of the built spec. Example: ``%hera build etl -p url=http://x``."""
    from dhhera_jupyter.magics.twins import build

    return build(args.name, parse_parameters(args.params), project=args.project)


@magic_arguments(name="hera show")
@argument("name", help="Workflow built earlier.")
@argument("--project", help="Project (default: the backend's default project).")
def _show(shell: Any, args: Any) -> Any:
    """Draw the DAG of a workflow's last build. Example: ``%hera show etl``."""
    from dhhera_jupyter.magics.twins import show

    return show(args.name, project=args.project)


SUBCOMMANDS: dict[str, Callable[[Any, Any], Any]] = {
    "use": _use,
    "status": _status,
    "register": _register,
    "build": _build,
    "show": _show,
    "run": run_magic,
    "attach": attach_magic,
    "runs": runs_magic,
    "push": push_magic,
    "debug": debug_magic,
    "retry": retry_magic,
    "preview": preview_magic,
    "stop": stop_magic,
    "logs": logs_magic,
}

_OVERVIEW = """Manage Hera pipelines on DigitalHub:
%hera use|status|register|build|show|run|attach|runs|push|debug|retry|preview|stop|logs ...

Subcommands (each has a Python twin in dhhera_jupyter: use, status, register, build, show, run, attach, runs,
debug, retry, push, stop, logs):

"""


@magics_class
class HeraMagics(Magics):
    """The ``%hera`` line magic."""

    @line_magic
    @usage_errors
    def hera(self, line: str) -> Any:
        command, _, rest = line.strip().partition(" ")
        if not command:
            raise UsageError("%hera needs a subcommand: " + ", ".join(SUBCOMMANDS) + " (see %hera?).")
        sub = SUBCOMMANDS.get(command)
        if sub is None:
            raise UsageError(
                f"Unknown %hera subcommand '{command}'; use one of: {', '.join(SUBCOMMANDS)} (see %hera?)."
            )
        return sub(self.shell, parse_arguments(sub, rest))

    hera.__doc__ = plain_help(_OVERVIEW + "\n".join((sub.__doc__ or "").strip() + "\n" for sub in SUBCOMMANDS.values()))
