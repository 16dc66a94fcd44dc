"""The Python formatter gives exactly what the TypeScript one gives, on the same cases file."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest

from dhhera_jupyter.status.timefmt import format_clock, format_duration

CASES = json.loads(
    (Path(__file__).resolve().parents[2] / "labextension" / "src" / "common" / "format-cases.json").read_text()
)


@pytest.fixture
def utc(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


@pytest.mark.parametrize(("seconds", "expected"), CASES["durations"])
def test_format_duration_matches_the_shared_cases(seconds: float | None, expected: str) -> None:
    assert format_duration(seconds) == expected


@pytest.mark.parametrize(("iso", "expected"), CASES["clocks"])
def test_format_clock_matches_the_shared_cases(utc: None, iso: str | None, expected: str) -> None:
    assert format_clock(iso) == expected


def test_format_clock_uses_the_local_time_zone(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TZ", "Asia/Kolkata")
    time.tzset()
    try:
        assert format_clock("2026-12-01T07:34:54Z") == "13:04:54"
    finally:
        monkeypatch.delenv("TZ")
        os.environ.pop("TZ", None)
        time.tzset()
