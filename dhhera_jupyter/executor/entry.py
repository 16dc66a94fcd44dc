"""What a run process executes, warm or cold: a ``module:function`` target called as ``target(run_id, project)``.

The default target, :func:`run_sdk`, does what DHCore's job container and the hera build ``wrapper.py`` do
(contract §6B): load the run with the real SDK and call ``run()``. The environment (``DHCORE_ENDPOINT``,
``PROJECT_NAME``, ``RUN_ID``, ``AWS_*``...) is prepared by :class:`~dhhera_jupyter.executor.pool.WorkerPool`.

Cold runs start this module as a program::

    python -m dhhera_jupyter.executor.entry --target dhhera_jupyter.executor.entry:run_sdk RUN_ID PROJECT
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
import traceback
from collections.abc import Callable, Sequence
from typing import Any

from dhhera_jupyter.documents.keys import parse_key
from dhhera_jupyter.documents.states import BUILD_RUN_KIND, SERVE_RUN_KIND

#: The target of every run the local core executes: the SDK's own entry point.
DEFAULT_TARGET = "dhhera_jupyter.executor.entry:run_sdk"


def run_sdk(run_id: str, project: str) -> None:
    """Execute a run with the real SDK, as DHCore's job container does.

    A run whose function has an environment (``DHHERA_FUNCTION_ENV``, prepared by the core) runs inside it; kinds
    with a runner of their own in :data:`RUNNERS` use it, every other kind the runtime's ``run.run()``.

    Parameters
    ----------
    run_id : str
        Id of the run to execute.
    project : str
        Project of the run.

    Raises
    ------
    Exception
        Whatever the SDK raises when the run fails (it has already PUT the message on the run).
    """
    environment = os.environ.get("DHHERA_FUNCTION_ENV")
    if environment:
        from dhhera_jupyter.executor.environments import activate

        activate(environment)
    import digitalhub as dh

    run = dh.get_run(run_id, project=project)
    check_inputs(run.spec.to_dict().get("inputs"))
    RUNNERS.get(run.kind, _run_runtime)(run)


def check_inputs(inputs: object) -> None:
    """Refuse run inputs that are not entity keys, naming the input and its value.

    A DigitalHub run's ``inputs`` map names to entity keys that the runtime fetches; the SDK's own error for
    anything else (``Invalid entity key format.``) names neither the input nor the value, and a URL put there
    instead of in ``parameters`` is a common slip.

    Raises
    ------
    ValueError
        When a string input does not parse as ``store://project/type/kind/name:id``.
    """
    if not isinstance(inputs, dict):
        return
    for name, value in inputs.items():
        if isinstance(value, str) and parse_key(value) is None:
            raise ValueError(
                f"Input '{name}' is {value[:200]!r}, not an entity key (store://project/type/kind/name:id); "
                "plain values such as URLs go in the run's parameters."
            )


def _run_runtime(run: Any) -> None:
    run.run()


def _run_hera_build(run: Any) -> None:
    from dhhera_jupyter.executor import hera_build

    hera_build.install()
    run.run()


def _run_service(run: Any) -> None:
    from dhhera_jupyter.executor import serve_http

    serve_http.serve(run)


#: Run kinds whose process does something else than the runtime's ``run.run()``.
RUNNERS: dict[str, Callable[[Any], None]] = {
    BUILD_RUN_KIND: _run_hera_build,
    SERVE_RUN_KIND: _run_service,
}


def resolve_target(spec: str) -> Callable[[str, str], object]:
    """Import the function named by ``module:function`` (the function part may be dotted).

    Parameters
    ----------
    spec : str
        Target, e.g. ``dhhera_jupyter.executor.entry:run_sdk``.

    Returns
    -------
    Callable[[str, str], object]
        The function, to be called with ``(run_id, project)``.

    Raises
    ------
    ValueError
        If ``spec`` is not of the form ``module:function``.
    TypeError
        If the named object is not callable.
    """
    module_name, sep, attr_path = spec.partition(":")
    if not sep or not module_name or not attr_path:
        raise ValueError(f"Run target {spec!r} must be of the form 'package.module:function'.")
    obj: object = importlib.import_module(module_name)
    for part in attr_path.split("."):
        obj = getattr(obj, part)
    if not callable(obj):
        raise TypeError(f"Run target {spec!r} is not callable.")
    return obj


def execute(target: str, run_id: str, project: str) -> int:
    """Call ``target(run_id, project)`` and turn the outcome into a process exit code.

    Parameters
    ----------
    target : str
        ``module:function`` to call.
    run_id : str
        Id of the run.
    project : str
        Project of the run.

    Returns
    -------
    int
        0 when the target returned; 1 when it raised (the traceback is printed to stderr first);
        the code of a ``SystemExit`` raised by the target.
    """
    try:
        resolve_target(target)(run_id, project)
    except SystemExit as exc:
        return exit_code_of(exc)
    except Exception:  # noqa: BLE001 - every failure of a run becomes exit code 1, like a crashed container
        traceback.print_exc()
        sys.stderr.flush()
        return 1
    return 0


def exit_code_of(exc: SystemExit) -> int:
    """Exit status the interpreter would use for ``exc`` (``sys.exit("msg")`` prints and gives 1)."""
    if exc.code is None:
        return 0
    if isinstance(exc.code, int):
        return exc.code
    print(exc.code, file=sys.stderr)
    return 1


def main(argv: Sequence[str] | None = None) -> int:
    """Command line of a cold run: execute one target and return its exit code."""
    parser = argparse.ArgumentParser(prog="python -m dhhera_jupyter.executor.entry", description=__doc__)
    parser.add_argument("--target", default=DEFAULT_TARGET, help="module:function called as f(run_id, project)")
    parser.add_argument("run_id")
    parser.add_argument("project")
    args = parser.parse_args(argv)
    # The run log is a file: flush every line so it can be followed while the run goes on.
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(line_buffering=True)
    return execute(args.target, args.run_id, args.project)


if __name__ == "__main__":
    sys.exit(main())
