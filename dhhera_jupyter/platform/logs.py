"""Bounded reads of a run's log: the tail only, never the whole log, for the sidebar and the run panel.

The local core answers ``GET .../runs/{id}/logs?tail=N`` with the last ``N`` bytes (starting at a whole line) and
says in each log object's ``status`` which slice it is (``offset``, ``size``, ``length``). A DigitalHub platform
that ignores ``tail`` sends the whole log: the slicing is then done here, so callers see the same result.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass

from dhhera_jupyter.platform.backend import backend
from dhhera_jupyter.platform.runs import _context_api, _run_missing
from dhhera_jupyter.platform.sdk_errors import sdk_errors

#: Bytes of log shown by default (what the sidebar and the run panel display).
DEFAULT_TAIL = 200_000


@dataclass(frozen=True)
class LogTail:
    """The end of a run's log.

    Attributes
    ----------
    text : str
        The last bytes of the log, decoded (invalid UTF-8 replaced), starting at a whole line when cut.
    size : int
        Size of the whole log in bytes.
    truncated : bool
        Whether ``text`` leaves out the beginning of the log.
    """

    text: str
    size: int
    truncated: bool


def run_log_tail(run_id: str, project: str | None = None, max_bytes: int | None = DEFAULT_TAIL) -> LogTail:
    """The last ``max_bytes`` of the log of run ``run_id``, read with one bounded request (``None``: all of it).

    Raises
    ------
    DhheraError
        The SDK's errors, translated (a missing run names it).
    """
    project = project or backend().project
    limit = None if max_bytes is None else max(1, int(max_bytes))
    with sdk_errors(not_found=_run_missing(run_id, project)):
        client, api = _context_api("logs", project, "run", entity_id=run_id)
        objects = client.read_object(api, params={} if limit is None else {"tail": limit})
    chunks: list[bytes] = []
    size = 0
    for obj in objects if isinstance(objects, list) else []:
        try:
            data = base64.b64decode(obj.get("content") or "")
        except (binascii.Error, ValueError):
            data = str(obj.get("content")).encode()
        status = obj.get("status") or {}
        size += int(status.get("size") or len(data)) if isinstance(status, dict) else len(data)
        if chunks and chunks[-1] and not chunks[-1].endswith(b"\n"):
            chunks[-1] += b"\n"  # log objects are joined line by line, in the backend's order
        chunks.append(data)
    data = b"".join(chunks)
    cut = limit is not None and len(data) > limit
    if limit is not None and cut:  # a backend that ignored ?tail=
        data = data[-limit:]
        newline = data.find(b"\n")
        if 0 <= newline < len(data) - 1:
            data = data[newline + 1 :]
    return LogTail(data.decode("utf-8", errors="replace"), size, cut or len(data) < size)


def run_logs(run_id: str, project: str | None = None) -> str:
    """The whole log text of run ``run_id`` (scripts: ``panel.logs(step)``); views read :func:`run_log_tail`."""
    text = run_log_tail(run_id, project, None).text
    return text if not text or text.endswith("\n") else text + "\n"
