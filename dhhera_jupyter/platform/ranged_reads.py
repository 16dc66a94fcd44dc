"""Bounded reads of an object in the SDK's S3 store: byte ranges only, never the whole object.

A table's head is read without downloading it: a parquet file's footer and then only the first bytes of its columns'
pages (:mod:`.parquet_pages`; pyarrow, on a file object whose every read is one ranged GET, for what that does not
decode), a csv file's first bytes. Every read counts its bytes
and stops at a budget, so a preview can never turn into a download.
"""

from __future__ import annotations

import csv
import io
import logging
import threading
from dataclasses import dataclass, field
from typing import Any

log = logging.getLogger(__name__)

#: Bytes a single head read may fetch at most (footer plus first pages); past it the preview says so.
READ_BUDGET = 4_000_000
#: Bytes of a csv file read for its head.
CSV_HEAD_BYTES = 64_000
#: Buffer of pyarrow's page reader: it then reads a column chunk page by page instead of whole.
PARQUET_BUFFER = 16_384


class BudgetExceeded(Exception):
    """A head read would fetch more than its byte budget."""


@dataclass
class Head:
    """The first rows of a table file.

    Attributes
    ----------
    columns : list of (name, type)
        Column names and their types as the file declares them.
    rows : list of list
        The first rows (plain Python values).
    total : int or None
        Rows in the whole file when the format says it (parquet), else None (csv).
    bytes_read : int
        Bytes fetched from the object store.
    """

    columns: list[tuple[str, str]]
    rows: list[list[Any]]
    total: int | None
    bytes_read: int
    notes: list[str] = field(default_factory=list)


def s3_client(store: Any) -> Any:
    """A boto3 client with the credentials the SDK's S3 ``store`` uses, for ranged GETs.

    The SDK's own client validates response checksums; an S3 server that sends the whole object's checksum with a
    ranged answer (rclone does) would then fail every ranged GET, so this client checks them only when required.
    """
    import boto3
    from botocore.config import Config

    creds = store.get_credentials(lowercase_keys=False)
    return boto3.client(
        "s3",
        endpoint_url=creds.get("AWS_ENDPOINT_URL"),
        aws_access_key_id=creds.get("AWS_ACCESS_KEY_ID"),
        aws_secret_access_key=creds.get("AWS_SECRET_ACCESS_KEY"),
        aws_session_token=creds.get("AWS_SESSION_TOKEN"),
        config=Config(
            region_name=creds.get("AWS_REGION"),
            signature_version=creds.get("S3_SIGNATURE_VERSION") or "s3v4",
            response_checksum_validation="when_required",
            retries={"max_attempts": 2},
        ),
    )


def split_s3(path: str) -> tuple[str, str]:
    """``s3://bucket/key`` -> (bucket, key)."""
    rest = path[len("s3://") :] if path.startswith("s3://") else path
    bucket, _, key = rest.partition("/")
    return bucket, key


class RangedObject(io.RawIOBase):
    """A read-only, seekable file over one S3 object; each read is one ranged GET, counted against a budget."""

    def __init__(self, client: Any, bucket: str, key: str, budget: int = READ_BUDGET) -> None:
        super().__init__()
        self._client, self._bucket, self._key = client, bucket, key
        self.size = int(client.head_object(Bucket=bucket, Key=key)["ContentLength"])
        self.budget = budget
        self.bytes_read = 0
        self.requests = 0
        self._pos = 0
        self._count = threading.Lock()  # read_range may be called from several threads (one per column)

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._pos

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._pos, io.SEEK_END: self.size}[whence]
        self._pos = max(0, base + offset)
        return self._pos

    def read_range(self, start: int, length: int) -> bytes:
        """Bytes ``start`` .. ``start + length`` (fewer at the end of the object)."""
        end = min(self.size, start + length) - 1
        if end < start:
            return b""
        with self._count:  # the budget is taken before the read, so parallel reads cannot pass it together
            if self.bytes_read + (end - start + 1) > self.budget:
                raise BudgetExceeded(f"{self.bytes_read + end - start + 1} bytes > {self.budget}")
            self.bytes_read += end - start + 1
            self.requests += 1
        body = self._client.get_object(Bucket=self._bucket, Key=self._key, Range=f"bytes={start}-{end}")["Body"]
        try:
            data = body.read(end - start + 2)  # one byte more than asked: a store that ignores Range is caught
        finally:
            body.close()
        if len(data) != end - start + 1:
            raise ValueError(f"a ranged read of {end - start + 1} bytes got {len(data)}")
        return data

    def readinto(self, buffer: Any) -> int:
        data = self.read_range(self._pos, len(buffer))
        buffer[: len(data)] = data
        self._pos += len(data)
        return len(data)

    def read(self, size: int = -1) -> bytes:
        if size is None or size < 0:
            size = self.size - self._pos
        data = self.read_range(self._pos, size)
        self._pos += len(data)
        return data


def parquet_head(obj: RangedObject, rows: int) -> Head:
    """The schema, row count and first ``rows`` rows of a parquet object, from its footer and its pages' first bytes.

    :mod:`.parquet_pages` reads them (a few kilobytes per column); a file it does not decode (nested columns,
    ZSTD pages...) is read with pyarrow instead, page by page, which needs whole pages: within the budget still.
    """
    from dhhera_jupyter.platform.parquet_pages import Unsupported, page_head, read_footer

    meta = read_footer(obj)
    columns = [(f.name, str(f.type)) for f in meta.schema_arrow]
    total = meta.metadata.num_rows
    if rows <= 0 or total <= 0 or meta.metadata.num_row_groups == 0:
        return Head(columns, [], total, obj.bytes_read)
    try:
        return Head(columns, page_head(obj, meta, rows), total, obj.bytes_read)
    except Unsupported as exc:
        why = f"{str(exc)[:120]} are not read from their first bytes"
    except (ValueError, TypeError, IndexError, KeyError) as exc:
        # A page the prefix reader finds inconsistent: pyarrow decides whether the file is readable (its error,
        # if any, is the one the preview reports).
        log.debug("parquet page prefixes did not decode; reading whole pages", exc_info=exc)
        why = "they did not decode from their first bytes"
    head = _arrow_head(obj, rows, columns, total)
    head.notes.append(f"Its first pages were read whole ({why}): {head.bytes_read / 1000:,.0f} KB of the file.")
    return head


def _arrow_head(obj: RangedObject, rows: int, columns: list[tuple[str, str]], total: int) -> Head:
    """The first rows through pyarrow's own reader: the first pages of as many row groups as they need, read whole."""
    import pyarrow.parquet as pq  # type: ignore[import-untyped]

    reader = pq.ParquetFile(obj, buffer_size=PARQUET_BUFFER, pre_buffer=False)
    head: list[list[Any]] = []
    # Batches stop at row-group ends: small row groups take several batches (each group's pages read whole).
    for batch in reader.iter_batches(batch_size=rows, use_threads=False):
        head += [[record.get(name) for name, _ in columns] for record in batch.slice(0, rows - len(head)).to_pylist()]
        if len(head) >= rows:
            break
    return Head(columns, head, total, obj.bytes_read)


def csv_head(obj: RangedObject, rows: int, head_bytes: int = CSV_HEAD_BYTES) -> Head:
    """The header and first ``rows`` rows of a csv object from one ranged GET of its first bytes."""
    data = obj.read_range(0, head_bytes)
    whole = len(data) >= obj.size
    text = data.decode("utf-8", errors="replace")
    if not whole:
        text = text[: text.rfind("\n") + 1]  # the last line may be cut
    records = list(csv.reader(io.StringIO(text)))
    notes: list[str] = []
    if not records:
        return Head([], [], 0 if whole else None, obj.bytes_read, ["The file's first bytes hold no csv row."])
    header, body = records[0], records[1:]
    total = len(body) if whole else None
    return Head([(name, "string") for name in header], body[:rows], total, obj.bytes_read, notes)
