"""Settings are read when used: a bad value never breaks an import, and is one sentence naming the variable."""

from __future__ import annotations

import functools

import pytest

from dhhera_jupyter import settings
from dhhera_jupyter.errors import SettingError
from tests.support import run_python as run_fresh_python

# One fresh interpreter per test, without the variables that would point it elsewhere.
run_python = functools.partial(run_fresh_python, drop=("DHCORE_", "DH_", "DHHERA_"))


def test_a_bad_poll_interval_does_not_break_load_ext(tmp_path):
    result = run_python(
        """
        import json
        from IPython.core.interactiveshell import InteractiveShell
        shell = InteractiveShell.instance()
        shell.run_line_magic("load_ext", "dhhera_jupyter")
        from dhhera_jupyter import settings
        try:
            settings.POLL_INTERVAL
            error = None
        except Exception as exc:
            error = f"{type(exc).__name__}: {exc}"
        print(json.dumps({"line": bool(shell.find_line_magic("hera")), "error": error}))
    """,
        DHHERA_PRELOAD="0",
        DHHERA_HOME=str(tmp_path / "home"),
        DHHERA_POLL_INTERVAL="fast",
        DHHERA_BUILD_TIMEOUT="soon",
    )

    assert result["line"] is True
    assert result["error"] == (
        "SettingError: DHHERA_POLL_INTERVAL is 'fast'; set it to the fastest and slowest poll interval in seconds, "
        "like 0.25,1.5, or unset it."
    )


@pytest.mark.parametrize(
    ("name", "value", "read", "needle"),
    [
        ("DHHERA_BUILD_TIMEOUT", "soon", lambda: settings.BUILD_TIMEOUT, "DHHERA_BUILD_TIMEOUT is 'soon'"),
        ("DHHERA_PROBE_TIMEOUT", "-1", lambda: settings.PROBE_TIMEOUT, "at least 0"),
        ("DHHERA_WORKERS", "0", settings.workers, "DHHERA_WORKERS is '0'; set it to a whole number of at least 1"),
        ("DHHERA_POOL", "hot", settings.pool_mode, "one of warm, cold"),
        ("DHHERA_CORE_PORT", "http", settings.core_port, "DHHERA_CORE_PORT is 'http'"),
        ("DHHERA_POLL_INTERVAL", "2,1", lambda: settings.POLL_INTERVAL, "like 0.25,1.5"),
    ],
)
def test_a_bad_value_is_one_sentence_at_use(monkeypatch, name, value, read, needle):
    monkeypatch.setenv(name, value)
    with pytest.raises(SettingError) as info:
        read()
    assert needle in str(info.value) and str(info.value).count(".") <= 3


def test_good_values_and_defaults_are_read_at_each_use(monkeypatch):
    monkeypatch.delenv("DHHERA_POLL_INTERVAL", raising=False)
    assert settings.POLL_INTERVAL == (0.25, 1.5)
    monkeypatch.setenv("DHHERA_POLL_INTERVAL", "0.1,2")
    assert settings.POLL_INTERVAL == (0.1, 2.0)
    monkeypatch.setenv("DHCORE_ENDPOINT", " http://dh.example ")
    assert settings.dhcore_endpoint() == "http://dh.example"
    with pytest.raises(AttributeError):
        settings.NO_SUCH_SETTING  # noqa: B018
