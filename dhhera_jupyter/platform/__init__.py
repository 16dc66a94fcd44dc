"""The one place that talks to the digitalhub SDK: backend selection, lazy import, workflows, runs.

Importing this package is cheap; the SDK is imported by the first call that needs it (:func:`sdk`),
after the environment points at the backend (the local core when no ``DHCORE_ENDPOINT`` is set).
SDK exceptions come out as our own errors (:mod:`dhhera_jupyter.errors`).
"""

from __future__ import annotations

from dhhera_jupyter.platform.backend import (
    Backend,
    UserConfig,
    backend,
    backend_pending,
    preload,
    probe,
    record_user_config,
    sdk,
    sdk_loaded,
    use,
    wait_for_backend,
)
from dhhera_jupyter.platform.logs import run_logs
from dhhera_jupyter.platform.runs import (
    TERMINAL_STATES,
    build,
    build_failure,
    built_manifest,
    list_runs,
    run_doc,
)
from dhhera_jupyter.platform.sdk_errors import sdk_errors, translate
from dhhera_jupyter.platform.workflows import (
    built_spec,
    get_project,
    get_workflow,
    list_workflows,
    register_workflow,
    workflow_source,
    workflow_versions,
)

__all__ = [
    "TERMINAL_STATES",
    "Backend",
    "UserConfig",
    "record_user_config",
    "backend",
    "build",
    "build_failure",
    "built_manifest",
    "built_spec",
    "get_project",
    "get_workflow",
    "list_runs",
    "list_workflows",
    "preload",
    "backend_pending",
    "wait_for_backend",
    "probe",
    "register_workflow",
    "run_doc",
    "run_logs",
    "sdk",
    "sdk_errors",
    "sdk_loaded",
    "translate",
    "use",
    "workflow_source",
    "workflow_versions",
]
