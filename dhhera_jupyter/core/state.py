"""Files of the local core's data folder: token, state file (port/pid/token), private SDK config.

Everything secret is written readable by the user alone (0600, folder 0700).
"""

from __future__ import annotations

import json
import os
import secrets
from pathlib import Path
from typing import Any


def prepare_home(home: Path) -> Path:
    home.mkdir(parents=True, exist_ok=True)
    os.chmod(home, 0o700)
    return home


def write_private(path: Path, text: str) -> None:
    """Write ``text`` atomically with 0600 permissions."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(text)
    os.replace(tmp, path)


def token(home: Path) -> str:
    """The bearer token of this data folder, generated at first start."""
    path = home / "token"
    if path.exists():
        value = path.read_text().strip()
        if value:
            return value
    value = secrets.token_urlsafe(32)
    write_private(path, value + "\n")
    return value


def private_sdk_config(home: Path) -> Path:
    """An empty ini used as ``DH_CONFIG`` so a user's ``~/.dhcore.ini`` credentials never reach the local core."""
    path = home / "dhcore.ini"
    if not path.exists():
        write_private(path, "[DEFAULT]\n")
    return path


def state_path(home: Path) -> Path:
    return home / "core.json"


def read_state(home: Path) -> dict[str, Any] | None:
    try:
        return json.loads(state_path(home).read_text())
    except (OSError, ValueError):
        return None


def write_state(home: Path, state: dict[str, Any]) -> None:
    write_private(state_path(home), json.dumps(state, indent=2))


def remove_state(home: Path, pid: int | None = None) -> None:
    """Remove the state file (only if it still belongs to ``pid`` when given)."""
    current = read_state(home)
    if pid is not None and current and current.get("pid") != pid:
        return
    try:
        state_path(home).unlink()
    except FileNotFoundError:
        pass


def pid_alive(pid: int | None) -> bool:
    if not pid:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A zombie child counts as dead.
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().split(") ")[-1][:1] != "Z"
    except OSError:
        return True
