"""%load_ext in a fresh interpreter: instant (no SDK import) and clear when the backend is unreachable."""

from __future__ import annotations

import functools

from tests.support import run_python as run_fresh_python

# One fresh interpreter per test, without the variables that would point it elsewhere.
run_python = functools.partial(run_fresh_python, drop=("DHCORE_", "DH_", "AWS_", "S3_"))


def test_load_ext_registers_the_magics_without_importing_the_sdk_hera_or_widgets(tmp_path):
    result = run_python(
        """
        import json, sys
        from IPython.core.interactiveshell import InteractiveShell
        shell = InteractiveShell.instance()
        shell.run_line_magic("load_ext", "dhhera_jupyter")
        heavy = sorted({m.split(".")[0] for m in sys.modules} & {"digitalhub", "hera", "ipywidgets", "anywidget"})
        print(json.dumps({"heavy": heavy, "cell": bool(shell.find_cell_magic("hera_pipeline")),
                          "line": bool(shell.find_line_magic("hera"))}))
    """,
        DHHERA_PRELOAD="0",
        DHHERA_HOME=str(tmp_path / "home"),
    )

    assert result == {"heavy": [], "cell": True, "line": True}


def test_unreachable_platform_endpoint_is_one_clear_sentence(tmp_path):
    result = run_python(
        """
        import json
        from IPython.core.error import UsageError
        from IPython.core.interactiveshell import InteractiveShell
        shell = InteractiveShell.instance()
        shell.run_line_magic("load_ext", "dhhera_jupyter")
        try:
            shell.run_cell_magic("hera_pipeline", "etl", "def pipeline():\\n    pass\\n")
        except UsageError as exc:
            print(json.dumps({"type": type(exc).__name__, "message": str(exc)}))
    """,
        DHHERA_PRELOAD="0",
        DHHERA_HOME=str(tmp_path / "home"),
        DHCORE_ENDPOINT="http://127.0.0.1:9",
        DH_CONFIG=str(tmp_path / "empty.ini"),
    )

    assert result["type"] == "UsageError"
    assert result["message"] == (
        "The DigitalHub backend at http://127.0.0.1:9 does not answer (connection refused); "
        "start it, or switch to the local core with `%hera use local`."
    )


def test_the_sdk_works_in_the_cell_after_load_ext_while_the_core_starts(tmp_path):
    """No core runs: %load_ext starts one in the background, and the next cell's own ``import digitalhub`` and
    SDK call find the environment pointed at it (the cell waits for it, with a progress line)."""
    home = tmp_path / "home"
    try:
        result = run_python(
            """
            import io, json, contextlib
            from IPython.core.interactiveshell import InteractiveShell
            shell = InteractiveShell.instance()
            shell.run_line_magic("load_ext", "dhhera_jupyter")
            out = io.StringIO()
            with contextlib.redirect_stdout(out):
                cell = shell.run_cell("import digitalhub as dh\\nnames = [p.name for p in dh.list_projects()]")
            import dhhera_jupyter.platform
            dhhera_jupyter.platform.sdk()  # let the background import finish: a daemon thread cut off at exit aborts
            print(json.dumps({"ok": cell.success, "error": repr(cell.error_in_exec), "out": out.getvalue()}))
            """,
            DHHERA_HOME=str(home),
            DHHERA_PRELOAD="1",  # the default a user has (this folder's conftest turns it off)
        )
    finally:
        from dhhera_jupyter.core import control

        control.stop(home)
    assert result["ok"], result
    assert "Starting the local DigitalHub core" in result["out"]


def test_load_ext_records_the_users_dh_config_for_profiles_read_later(tmp_path):
    """Profiles of ``%hera use NAME`` come from the user's ini as it was at ``%load_ext``, even after a backend
    points ``DH_CONFIG`` at the local core's private one."""
    user_ini = tmp_path / "user.ini"
    user_ini.write_text("[DEFAULT]\n\n[work]\ndhcore_endpoint = http://127.0.0.1:9\n")
    result = run_python(
        """
        import json, os
        from IPython.core.interactiveshell import InteractiveShell
        from dhhera_jupyter.errors import DhheraError
        import importlib
        backend = importlib.import_module("dhhera_jupyter.platform.backend")
        shell = InteractiveShell.instance()
        shell.run_line_magic("load_ext", "dhhera_jupyter")
        os.environ["DH_CONFIG"] = os.path.join(os.environ["DHHERA_HOME"], "private.ini")  # as the local core's
        try:
            backend.ini_profile("nope")
        except DhheraError as exc:
            message = str(exc)
        print(json.dumps({"recorded": backend.user_config().dh_config, "message": message}))
    """,
        DHHERA_PRELOAD="0",
        DHHERA_HOME=str(tmp_path / "home"),
        DH_CONFIG=str(user_ini),
    )

    assert result["recorded"] == str(user_ini)
    assert f"nor a profile of {user_ini} (profiles: work)" in result["message"]
