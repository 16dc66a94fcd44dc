"""The table of run kinds the local core executes, and the protocols of the parts that execute them.

Every kind the local core can run is one :class:`RunKind` entry of :data:`KINDS`: which executor runs it, what
must exist before it starts, when it counts as running and what completes it. The run manager
(:mod:`dhhera_jupyter.core.runs`) only reads this table; the executors are plugged in by name by the daemon
(:mod:`dhhera_jupyter.core.daemon`), so ``core`` never imports ``executor``.

Adding a kind is one entry here plus, when no existing executor fits, a class implementing :class:`Executor`
registered under a new name in the daemon.

Kinds the platform runs but the local core cannot are in :data:`PLATFORM_ONLY` with the reason, so that a run of
one ends ERROR at creation with a sentence naming the kind and what it needs.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Protocol

from dhhera_jupyter.documents.states import (
    BUILD_RUN_KIND,
    COMPLETED,
    FUNCTION_BUILD_RUN_KIND,
    JOB_RUN_KIND,
    PIPELINE_RUN_KIND,
    RUNNING,
    SERVE_RUN_KIND,
    TERMINAL_RUN_STATES,
)

#: Executor names (the daemon maps each to an object implementing :class:`Executor`).
WORKER = "worker"  # a worker process of the pool: the runtime's own ``run.run()``
SERVICE = "service"  # a long-running worker process serving HTTP on 127.0.0.1 (own bound)
PIPELINE = "pipeline"  # the Argo interpreter, in threads of the core
ENVIRONMENT = "environment"  # a per-function environment built by the installer, in the core

#: What must exist before a run starts.
NEEDS_WORKFLOW_BUILD = "workflow build"  # the workflow's ``spec.build`` (a hera build ran)
NEEDS_FUNCTION_ENV = "function environment"  # the function's requirements/instructions installed

#: When a run counts as RUNNING.
RUNNING_ON_START = "start"  # when an executor takes it
RUNNING_ON_SERVICE = "service"  # when its process reports ``status.service`` (the service answers)

#: What completes a run.
COMPLETES_ON_EXIT = "exit 0"  # its process exited with code 0
COMPLETES_ON_PHASE = "workflow phase"  # the interpreted workflow Succeeded
COMPLETES_NEVER = "stop only"  # a service: it ends only when stopped (STOPPED) or when it dies (ERROR)

#: Completion hooks (run in the core under the run lock before COMPLETED is written).
STORE_WORKFLOW_BUILD = "store the Argo spec in the workflow's spec.build"
RECORD_FUNCTION_ENV = "record the environment as the function's spec.image"


@dataclass(frozen=True)
class RunKind:
    """How the local core executes one run kind.

    Attributes
    ----------
    kind : str
        The run kind, ``<function kind>+<action>:run``.
    executor : str
        Name of the executor (:data:`WORKER`, :data:`SERVICE`, :data:`PIPELINE`, :data:`ENVIRONMENT`).
    needs : tuple[str, ...]
        What must exist before it starts (:data:`NEEDS_WORKFLOW_BUILD`, :data:`NEEDS_FUNCTION_ENV`).
    running_on : str
        When it becomes RUNNING.
    completes : str
        What completes it.
    on_complete : str | None
        A hook applied just before COMPLETED (:data:`STORE_WORKFLOW_BUILD`, :data:`RECORD_FUNCTION_ENV`).
    """

    kind: str
    executor: str
    needs: tuple[str, ...] = ()
    running_on: str = RUNNING_ON_START
    completes: str = COMPLETES_ON_EXIT
    on_complete: str | None = None

    @property
    def is_service(self) -> bool:
        return self.completes == COMPLETES_NEVER


KINDS: dict[str, RunKind] = {
    entry.kind: entry
    for entry in (
        RunKind(JOB_RUN_KIND, WORKER, needs=(NEEDS_FUNCTION_ENV,)),
        RunKind(
            SERVE_RUN_KIND,
            SERVICE,
            needs=(NEEDS_FUNCTION_ENV,),
            running_on=RUNNING_ON_SERVICE,
            completes=COMPLETES_NEVER,
        ),
        RunKind(FUNCTION_BUILD_RUN_KIND, ENVIRONMENT, on_complete=RECORD_FUNCTION_ENV),
        RunKind(BUILD_RUN_KIND, WORKER, on_complete=STORE_WORKFLOW_BUILD),
        RunKind(PIPELINE_RUN_KIND, PIPELINE, needs=(NEEDS_WORKFLOW_BUILD,), completes=COMPLETES_ON_PHASE),
    )
}

#: Function kinds of the platform the local core does not execute, with what they need.
PLATFORM_ONLY: dict[str, str] = {
    "container": "a container engine (Kubernetes)",
    "dbt": "its database and the dbt runtime container",
    "kfp": "Kubeflow Pipelines",
    "ray": "a Ray cluster",
    "mlflowserve": "the platform's model-serving containers",
    "sklearnserve": "the platform's model-serving containers",
    "huggingfaceserve": "the platform's model-serving containers (KServe)",
    "kubeai-text": "KubeAI on Kubernetes",
    "kubeai-speech": "KubeAI on Kubernetes",
    "openinference": "the platform's Open Inference serving containers",
    "guardrail": "the platform's guardrail serving containers",
    "flower-client": "a Flower federation on Kubernetes",
    "flower-server": "a Flower federation on Kubernetes",
    "modelserve": "the platform's model-serving containers",
}


#: The Python package of each function kind's runtime (the SDK needs it to read such functions and their runs).
RUNTIME_PACKAGES: dict[str, str] = {
    "python": "digitalhub-runtime-python",
    "openinference": "digitalhub-runtime-python",
    "guardrail": "digitalhub-runtime-python",
    "hera": "digitalhub-runtime-hera",
    "container": "digitalhub-runtime-container",
    "dbt": "digitalhub-runtime-dbt",
    "kfp": "digitalhub-runtime-kfp",
    "ray": "digitalhub-runtime-ray",
    "flower-client": "digitalhub-runtime-flower",
    "flower-server": "digitalhub-runtime-flower",
    "mlflowserve": "digitalhub-runtime-modelserve",
    "sklearnserve": "digitalhub-runtime-modelserve",
    "huggingfaceserve": "digitalhub-runtime-modelserve",
    "kubeai-text": "digitalhub-runtime-modelserve",
    "kubeai-speech": "digitalhub-runtime-modelserve",
}

_MISSING_BUILDER = re.compile(r"Entity builder for kind '(?P<kind>[^']+)' not found")


def explain_missing_runtime(message: str) -> str:
    """``message`` plus which package to install when it says the SDK has no builder for a kind."""
    match = _MISSING_BUILDER.search(message or "")
    if match is None:
        return message
    kind = match["kind"]
    function_kind = kind.partition("+")[0]
    package = RUNTIME_PACKAGES.get(function_kind, f"digitalhub-runtime-{function_kind}")
    return (
        f"{message.rstrip('.')}. Kind '{kind}' needs the package {package}, which is not installed where the local "
        f"core runs (pip install {package})."
    )


def lookup(kind: str) -> RunKind | None:
    """The table entry of ``kind`` (``None`` when the local core cannot run it)."""
    return KINDS.get(kind)


def refusal(kind: str) -> str:
    """One sentence saying why a run of ``kind`` cannot run on the local core, and where it can."""
    function_kind, _, action = kind.partition("+")
    action = action.removesuffix(":run")
    reason = PLATFORM_ONLY.get(function_kind)
    if reason is None and kind.endswith(":run") and any(k.startswith(f"{function_kind}+") for k in KINDS):
        reason = f"the local core runs {', '.join(sorted(k for k in KINDS if k.startswith(function_kind + '+')))}"
        return (
            f"Run kind '{kind}' cannot run on the local core (action '{action}' of {function_kind} functions is not "
            f"available locally; {reason}); run it on the DigitalHub platform."
        )
    if reason is None:
        reason = f"only {', '.join(sorted(KINDS))} run locally"
    return f"Run kind '{kind}' cannot run on the local core (it needs {reason}); run it on the DigitalHub platform."


# -- protocols of the parts the daemon plugs in ------------------------------------------------


class RunCallbacks(Protocol):
    """What an executor reports back to the run manager."""

    def on_start(self, run_id: str) -> None: ...
    def on_exit(self, run_id: str, code: int) -> None: ...
    def append_log(self, run_id: str, line: str) -> None: ...


class Executor(Protocol):
    """Executes runs of the kinds whose :attr:`RunKind.executor` names it."""

    def start(self, run: dict, env: Mapping[str, str], callbacks: RunCallbacks) -> None:
        """Start (or queue) ``run``; report through ``callbacks`` from any thread."""
        ...

    def stop(self, run_id: str) -> bool:
        """Stop the run if this executor has it; False when it does not know it."""
        ...

    def shutdown(self) -> None: ...


class EnvironmentProvider(Protocol):
    """Prepares per-function environments (requirements and build instructions)."""

    def prepare(self, run: dict, log: Callable[[str], None]) -> dict[str, str]:
        """Make sure the environment ``run`` needs exists (installing it when missing, logging the installer's
        output through ``log``); return the extra process environment that puts a run inside it (empty when the
        run needs nothing). Raises ``RuntimeError`` with one sentence when the install fails."""
        ...

    def image_of(self, run: dict) -> str | None:
        """The name recorded as the function's ``spec.image`` after a successful build of ``run``."""
        ...


def describe() -> list[dict[str, str]]:
    """The table as rows (README, ``/dhhera/status`` and the closing note print it)."""
    return [
        {
            "kind": k.kind,
            "executor": k.executor,
            "needs": ", ".join(k.needs) or "-",
            "running": "when its executor takes it" if k.running_on == RUNNING_ON_START else "when its service answers",
            "completes": k.completes,
            "on complete": k.on_complete or "-",
        }
        for k in KINDS.values()
    ]


# -- pipeline steps ------------------------------------------------------------------------------


def step_settled(run: Mapping) -> bool:
    """Whether a pipeline step waiting for ``run`` can go on: the run ended, or it is a service that is up (the
    platform's serve step waits for ``status.service``, and the service keeps running after the step)."""
    status = run.get("status") or {}
    return status.get("state") in TERMINAL_RUN_STATES or step_succeeded(run)


def step_succeeded(run: Mapping) -> bool:
    """Whether the step of ``run`` succeeded: it COMPLETED, or it is a service that is RUNNING with its service."""
    status = run.get("status") or {}
    if status.get("state") == COMPLETED:
        return True
    entry = KINDS.get(str(run.get("kind", "")))
    return bool(entry is not None and entry.is_service and status.get("state") == RUNNING and status.get("service"))


def service_url(run: Mapping) -> str | None:
    """``http://host:port`` of a serve run's service (``None`` when it has none)."""
    url = ((run.get("status") or {}).get("service") or {}).get("url")
    return f"http://{url}" if url else None
