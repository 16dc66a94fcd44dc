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

# The sleeps the waits ask for (the SDK's own waits sleep 5 s between two looks): what the main thread sleeps
# while a wait runs, whatever the machine's load.
sleeps, _sleep, waiting = [], time.sleep, []
def _recorded(seconds):
    if waiting:
        sleeps.append(seconds)
    _sleep(seconds)
time.sleep = _recorded

project = dh.get_or_create_project("fast-wait")
fn = project.new_function(name="nap", kind="python", handler="nap", python_version="PYTHON3_11",
                          code="import time\\ndef nap():\\n    time.sleep(1.2)\\n")
waiting.append(1)
run = fn.run("job", wait=True)
returned = datetime.now(timezone.utc)
waiting.clear()
job_sleeps, sleeps = sleeps, []
ended = next(t["time"] for t in run.status.transitions if t["status"] == "COMPLETED")
ended = datetime.strptime(ended, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=timezone.utc)
svc = project.new_function(name="svc", kind="python", handler="h", init_function="i", python_version="PYTHON3_11",
                           code="def i(context):\\n    pass\\n\\ndef h(context, event):\\n    return 'ok'\\n")
waiting.append(1)
served = svc.run("serve", wait=True)
waiting.clear()
answer = served.invoke().text
served.stop()
from digitalhub.entities.run._base.entity import Run
print(json.dumps({"state": run.status.state, "gap": (returned - ended).total_seconds(),
                  "serve_state": served.status.state, "job_sleeps": job_sleeps, "serve_sleeps": sleeps,
                  "answer": answer, "patched": Run.wait.__module__}))
"""


# One fresh interpreter per test, without the variables that would point it elsewhere.
_python = functools.partial(run_fresh_python, drop=(), timeout=180, DHHERA_PRELOAD="0")


@pytest.mark.slow
def test_wait_looks_every_tenth_of_a_second_until_the_run_ends_and_serve_waits_for_its_service(core) -> None:
    result = _python(SCRIPT)
    assert result["patched"] == "dhhera_jupyter.platform.fast_wait"
    assert result["state"] == "COMPLETED"
    # The sleeps between two looks, not wall time, prove the fast wait: the SDK's own waits sleep 5 s after a first
    # look at a run that has not ended yet (the 1.2 s nap has not), which a loaded machine cannot turn into 0.1 s.
    assert result["job_sleeps"] and set(result["job_sleeps"]) == {0.1}, result
    assert set(result["serve_sleeps"]) <= {0.1}, result
    # It returns soon after the run ended (0.1 s plus a refresh; the SDK's wait returns 5 s after its first look).
    assert -0.05 < result["gap"] < 2.5, result
    assert result["serve_state"] == "RUNNING" and result["answer"] == "ok"


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
