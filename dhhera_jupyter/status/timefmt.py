"""The one formatter of durations and clock times (the Python twin of ``labextension/src/common/format.ts``).

Both are checked against ``labextension/src/common/format-cases.json``, so a run reads the same in
``%hera runs``, the run panel, the terminal table and the sidebar.
"""

from __future__ import annotations

import math
import re
from datetime import datetime, timezone

_ISO = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d(?::\d\d(?:\.\d+)?)?(?:Z|[+-]\d\d:?\d\d)?$", re.IGNORECASE)


def format_duration(seconds: float | None) -> str:
    """``0.4 s``, ``12.3 s`` (under a minute, one decimal), ``3 min 05 s`` (under an hour), ``1 h 02 min``.

    Returns ``""`` for None, a negative or a non-finite number.
    """
    if seconds is None or not math.isfinite(seconds) or seconds < 0:
        return ""
    # Round half up on tenths explicitly: Python's format and JavaScript's toFixed round some halves differently.
    tenths = math.floor(seconds * 10 + 0.5)
    if tenths < 600:
        return f"{tenths // 10}.{tenths % 10} s"
    whole = max(60, math.floor(seconds))
    if whole < 3600:
        return f"{whole // 60} min {whole % 60:02d} s"
    return f"{whole // 3600} h {whole % 3600 // 60:02d} min"


def parse_iso_time(value: object) -> datetime | None:
    """An aware datetime for an ISO-8601 time (UTC when it has no offset, as DHCore means it), or None."""
    if not isinstance(value, str) or not _ISO.match(value.strip()):
        return None
    text = value.strip()
    if text[-1] in "zZ":
        text = text[:-1] + "+00:00"
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)


def format_clock(value: object) -> str:
    """``HH:MM:SS`` (24-hour, the kernel's local time) of an ISO-8601 time; ``""`` when unreadable."""
    parsed = parse_iso_time(value)
    return parsed.astimezone().strftime("%H:%M:%S") if parsed is not None else ""
