"""The SDK's ``Run.wait`` in a shell where ``%load_ext dhhera_jupyter`` ran, against the local core."""

from __future__ import annotations

import functools

import pytest

from tests.support import run_python as run_fresh_python

SCRIPT = """
import json, time
from datetime import datetime, timezone
from IPython.core.interactiveshell import InteractiveShell

shell = InteractiveShell.instance()
shell.run_line_magic("load_ext", "dhhera_jupyter")
import digitalhub as dh  # imported after the extension: patched by the import hook

project = dh.get_or_create_project("fast-wait")
fn = project.new_function(name="nap", kind="python", handler="nap", python_version="PYTHON3_11",
                          code="import time\\ndef nap():\\n    time.sleep(1.2)\\n")
run = fn.run("job", wait=True)
returned = datetime.now(timezone.utc)
ended = next(t["time"] for t in run.status.transitions if t["status"] == "COMPLETED")
ended = datetime.strptime(ended, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=timezone.utc)
svc = project.new_function(name="svc", kind="python", handler="h", init_function="i", python_version="PYTHON3_11",
                           code="def i(context):\\n    pass\\n\\ndef h(context, event):\\n    return 'ok'\\n")
t0 = time.perf_counter()
served = svc.run("serve", wait=True)
serve_wait = time.perf_counter() - t0
answer = served.invoke().text
served.stop()
from digitalhub.entities.run._base.entity import Run
print(json.dumps({"state": run.status.state, "gap": (returned - ended).total_seconds(),
                  "serve_state": served.status.state, "serve_wait": serve_wait, "answer": answer,
                  "patched": Run.wait.__module__}))
"""


# One fresh interpreter per test, without the variables that would point it elsewhere.
_python = functools.partial(run_fresh_python, drop=(), timeout=180, DHHERA_PRELOAD="0")


@pytest.mark.slow
def test_wait_returns_within_half_a_second_of_the_run_ending_and_serve_waits_for_its_service(core) -> None:
    result = _python(SCRIPT)
    assert result["patched"] == "dhhera_jupyter.platform.fast_wait"
    assert result["state"] == "COMPLETED"
    assert -0.05 < result["gap"] < 0.5, result
    assert result["serve_state"] == "RUNNING" and result["answer"] == "ok"
    assert result["serve_wait"] < 5  # the SDK's own serve wait sleeps 5 s after a first look


def test_the_setting_turns_it_off_and_scripts_keep_the_sdk_wait(core) -> None:
    code = """
        import json
        from IPython.core.interactiveshell import InteractiveShell
        InteractiveShell.instance().run_line_magic("load_ext", "dhhera_jupyter")
        from digitalhub.entities.run._base.entity import Run
        from digitalhub_runtime_python.entities.run._base.entity import RunBaseRun
        print(json.dumps([Run.wait.__module__, RunBaseRun.wait.__module__]))
    """
    off = _python(code, DHHERA_FAST_WAIT="0")
    assert off == ["digitalhub.entities.run._base.entity", "digitalhub_runtime_python.entities.run._base.entity"]
    script = _python(
        "import json\nfrom digitalhub.entities.run._base.entity import Run\nprint(json.dumps(Run.wait.__module__))"
    )
    assert script == "digitalhub.entities.run._base.entity"
