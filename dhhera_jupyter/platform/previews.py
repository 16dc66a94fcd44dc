"""A step output's preview, bounded: a table's schema and first rows, an artifact's files, a model's metrics.

The one place a preview is computed (the run panel and the sidebar route both call :func:`preview_output`), through
the SDK only, so it works on a DigitalHub platform as on the local core. Nothing is ever downloaded whole:

- a table's schema and first rows come from the entity itself when the SDK stored them at log time (``spec.schema``,
  ``status.preview``: ten rows and the row count) — no object-store read at all;
- more rows than that are read from the file's head with ranged GETs (:mod:`.ranged_reads`): a parquet file's
  footer and first pages, a csv file's first bytes, within a byte budget;
- any other format is not read: the preview says so and offers the code that loads it.
"""

from __future__ import annotations

import json
import threading
from dataclasses import asdict, dataclass, field
from typing import Any

from dhhera_jupyter.documents.keys import parse_key
from dhhera_jupyter.errors import BadRequest, NotFound
from dhhera_jupyter.platform.backend import sdk
from dhhera_jupyter.platform.sdk_errors import sdk_errors

#: Rows shown by default, and at most.
DEFAULT_ROWS = 10
MAX_ROWS = 100
#: Characters of cell text a preview holds at most (all cells together), and per cell.
MAX_CELL_TEXT = 64_000
MAX_CELL = 200
#: Files listed at most; the rest are counted.
MAX_FILES = 50
#: Metrics listed at most.
MAX_METRICS = 50
#: Rows the SDK reads of a table logged from a file (``log_dataitem(source=...)``): it stores them with that number
#: as the row count, so a stored count of exactly this many rows may be the file's total or only what was read.
SDK_SOURCE_ROWS = 10

#: The SDK registers its entity builders on first use, and not thread-safely: two previews read at once in a fresh
#: process (the sidebar's thread pool, the panel's threads) would fail with a BuilderError. Reads of entities wait
#: for each other here.
_get_lock = threading.Lock()

#: Entity types that have a preview, and the SDK getter that loads them.
GETTERS = {"dataitem": "get_dataitem", "artifact": "get_artifact", "model": "get_model"}


@dataclass
class Preview:
    """What a preview shows; plain data (``to_dict`` gives the route's JSON).

    Attributes
    ----------
    key, type, kind, name : str
        The entity key and its parts.
    load_code : str
        Python that loads the entity in a notebook (``dh.get_dataitem(key).as_df()``, ...).
    columns : list of dict
        ``{"name", "type"}`` of a table's columns (empty for other entities).
    rows : list of list of str
        A table's first rows, every cell as text (cut at :data:`MAX_CELL` characters).
    total_rows : int or None
        Rows in the whole table when known.
    files : list of dict
        ``{"path", "size"}`` of an entity's files, at most :data:`MAX_FILES`; ``more_files`` counts the rest.
    metrics : list of dict
        ``{"name", "value"}`` of a model's (or any entity's) metrics, values as text.
    notes : list of str
        Sentences about what is left out or could not be read.
    source : str
        Where the rows came from: ``"entity"`` (stored at log time), ``"parquet"``/``"csv"`` (ranged reads), ``""``.
    bytes_read : int
        Bytes read from the object store for this preview.
    """

    key: str
    type: str
    kind: str
    name: str
    load_code: str
    columns: list[dict[str, str]] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)
    total_rows: int | None = None
    files: list[dict[str, Any]] = field(default_factory=list)
    more_files: int = 0
    metrics: list[dict[str, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    source: str = ""
    bytes_read: int = 0

    @property
    def rows_text(self) -> str:
        """``first 10 of 1,000,000 rows`` (or ``first 10 rows`` when the total is unknown)."""
        shown = len(self.rows)
        if self.total_rows is None:
            return f"first {shown} rows (total unknown)"
        if shown >= self.total_rows:
            return f"all {self.total_rows:,} rows"
        return f"first {shown} of {self.total_rows:,} rows"

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "rows_text": self.rows_text if self.columns else ""}


def load_code(key: str, type_: str | None = None, kind: str | None = None) -> str:
    """The notebook code that loads the entity ``key`` with the SDK (the key as a Python literal).

    ``type_`` and ``kind`` default to the key's own; pass the entity's when it was read (a key's kind is the
    kind it was logged with, so they agree).
    """
    parsed = parse_key(key)
    type_ = type_ or (parsed.type if parsed else "")
    kind = kind or (parsed.kind if parsed else "")
    literal = json.dumps(key)
    if type_ == "dataitem" and kind == "table":
        return f"import digitalhub as dh\n\ndf = dh.get_dataitem({literal}).as_df()\ndf.head()"
    if type_ == "dataitem":
        return f"import digitalhub as dh\n\npath = dh.get_dataitem({literal}).download()"
    if type_ == "model":
        return (
            f"import digitalhub as dh\n\nmodel = dh.get_model({literal})\nprint(model.metrics)\npath = model.download()"
        )
    return f"import digitalhub as dh\n\npath = dh.get_artifact({literal}).download()"


def check_key(key: str) -> Any:
    """The parts of ``key``; raises BadRequest unless it names a dataitem, artifact or model."""
    parsed = parse_key(key)
    if parsed is None or parsed.type not in GETTERS:
        raise BadRequest(
            f"'{key[:200]}' is not the key of a dataitem, artifact or model "
            "(store://<project>/<type>/<kind>/<name>:<id>); only those outputs have a preview."
        )
    return parsed


def _cell(value: Any) -> str:
    text = "" if value is None else value if isinstance(value, str) else json.dumps(value, default=str)
    return text if len(text) <= MAX_CELL else text[: MAX_CELL - 1] + "…"


def _bounded_rows(rows: list[list[Any]], limit: int, notes: list[str]) -> list[list[str]]:
    """At most ``limit`` rows as text, stopping before the cell text passes :data:`MAX_CELL_TEXT`."""
    out: list[list[str]] = []
    used = 0
    for row in rows[:limit]:
        cells = [_cell(v) for v in row]
        used += sum(len(c) for c in cells)
        if used > MAX_CELL_TEXT and out:
            notes.append(f"Rows after the first {len(out)} are left out: the preview holds at most 64 KB of text.")
            break
        out.append(cells)
    return out


def _stored_rows(entity: Any) -> tuple[list[str], list[list[Any]], int | None]:
    """Column names, rows and row count the SDK stored in ``status.preview`` when the table was logged."""
    preview = getattr(entity.status, "preview", None) or {}
    cols = preview.get("cols") or [] if isinstance(preview, dict) else []
    names = [str(c.get("name")) for c in cols if isinstance(c, dict)]
    values = [c.get("value") or [] for c in cols if isinstance(c, dict)]
    rows = [list(r) for r in zip(*values, strict=False)] if values else []
    total = preview.get("rows") if isinstance(preview, dict) else None
    if not isinstance(total, int) or (total == SDK_SOURCE_ROWS == len(rows)):
        return names, rows, None
    return names, rows, total


def _schema(entity: Any) -> list[dict[str, str]]:
    schema = getattr(entity.spec, "schema_", None) or getattr(entity.spec, "schema", None) or {}
    if hasattr(schema, "to_dict"):
        schema = schema.to_dict()
    elif hasattr(schema, "model_dump"):
        schema = schema.model_dump()
    fields = schema.get("fields") if isinstance(schema, dict) else None
    return [{"name": str(f.get("name")), "type": str(f.get("type") or "")} for f in fields or [] if isinstance(f, dict)]


def _format_of(path: str) -> str:
    tail = path.rsplit("/", 1)[-1].lower()
    for ext in (".parquet", ".csv"):
        if tail.endswith(ext):
            return ext[1:]
    return tail.rsplit(".", 1)[-1] if "." in tail else ""


def _table(entity: Any, out: Preview, rows: int) -> None:
    """Fill ``out`` with the table's schema and first ``rows`` rows (see the module docstring for the order)."""
    out.columns = _schema(entity)
    names, stored, total = _stored_rows(entity)
    out.total_rows = total
    if not out.columns and names:
        out.columns = [{"name": n, "type": ""} for n in names]
    if stored and (len(stored) >= rows or (total is not None and len(stored) >= total)):
        out.rows, out.source = _bounded_rows(stored, rows, out.notes), "entity"
        return
    path = str(getattr(entity.spec, "path", "") or "")
    fmt = _format_of(path)
    if not path.startswith("s3://") or fmt not in ("parquet", "csv"):
        where = f"a {fmt} file" if fmt and path.startswith("s3://") else f"'{path[:120]}'"
        out.notes.append(
            f"The rows of {where} cannot be read without downloading it, so only its schema is shown; "
            "load it with the code below."
        )
        if stored:
            out.rows, out.source = _bounded_rows(stored, rows, out.notes), "entity"
        return
    _ranged_head(entity, path, fmt, out, rows, stored)


def _ranged_head(entity: Any, path: str, fmt: str, out: Preview, rows: int, stored: list[list[Any]]) -> None:
    from digitalhub.stores.data.api import get_store

    from dhhera_jupyter.platform import ranged_reads

    with sdk_errors(not_found=_missing(out.key)):
        store = get_store(path)
    if not hasattr(store, "get_credentials"):
        out.notes.append("Its store gives no ranged reads, so only the rows stored with the entity are shown.")
        out.rows, out.source = _bounded_rows(stored, rows, out.notes), "entity"
        return
    bucket, object_key = ranged_reads.split_s3(path)
    try:
        obj = ranged_reads.RangedObject(ranged_reads.s3_client(store), bucket, object_key)
        head = ranged_reads.parquet_head(obj, rows) if fmt == "parquet" else ranged_reads.csv_head(obj, rows)
    except ranged_reads.BudgetExceeded:
        out.bytes_read = obj.bytes_read
        out.notes.append(
            f"Reading its first {rows} rows would fetch more than {ranged_reads.READ_BUDGET // 1_000_000} MB "
            "of the file (its first pages are that large), so only the rows stored with the entity are shown."
        )
        out.rows, out.source = _bounded_rows(stored, rows, out.notes), "entity"
        return
    except Exception as exc:  # noqa: BLE001 - a corrupt or foreign file: say so, keep the schema
        out.notes.append(f"Its {fmt} file could not be read ({type(exc).__name__}: {str(exc)[:160]}).")
        out.rows, out.source = _bounded_rows(stored, rows, out.notes), "entity"
        return
    out.bytes_read = head.bytes_read
    out.notes.extend(head.notes)
    if not out.columns or fmt == "parquet":
        out.columns = [{"name": n, "type": t} for n, t in head.columns]
    out.total_rows = head.total if head.total is not None else out.total_rows
    out.rows, out.source = _bounded_rows(head.rows, rows, out.notes), fmt


def _files(entity: Any, out: Preview) -> None:
    try:
        files = list(entity.files or [])
    except Exception:  # noqa: BLE001 - a backend without the files-info endpoint: the status is enough
        files = list(getattr(entity.status, "files", None) or [])
    listed = sorted(
        (
            {"path": str(f.get("path") or f.get("name") or ""), "size": f.get("size")}
            for f in files
            if isinstance(f, dict)
        ),
        key=lambda f: str(f["path"]),
    )
    out.files, out.more_files = listed[:MAX_FILES], max(0, len(listed) - MAX_FILES)
    if not listed:
        out.notes.append("The backend lists no files for it.")


def _metric_text(value: Any) -> str:
    if isinstance(value, list):
        if not value:
            return "[]"
        last = _cell(value[-1])
        return last if len(value) == 1 else f"{last} (last of {len(value)})"
    return _cell(value)


def _metrics(entity: Any, out: Preview) -> None:
    try:
        metrics = dict(entity.metrics or {})
    except Exception:  # noqa: BLE001 - metrics endpoint missing: fall back to the status
        metrics = dict(getattr(entity.status, "metrics", None) or {})
    items = sorted(metrics.items())
    out.metrics = [{"name": _cell(k), "value": _metric_text(v)} for k, v in items[:MAX_METRICS]]
    if len(items) > MAX_METRICS:
        out.notes.append(f"{len(items) - MAX_METRICS} more metrics are left out.")
    if out.type == "model" and not items:
        out.notes.append("The model has no metrics logged.")


def _missing(key: str) -> str:
    return (
        f"The output {key} no longer exists on the backend (it was deleted, or its project was); "
        "re-run the step to produce it again."
    )


def preview_output(key: str, rows: int = DEFAULT_ROWS) -> Preview:
    """The preview of the entity ``key`` (a step output): table head, files or metrics, and its load code.

    Parameters
    ----------
    key : str
        ``store://<project>/<dataitem|artifact|model>/<kind>/<name>:<id>``; without ``:<id>``, the latest version.
    rows : int
        Table rows wanted, clamped to 1..:data:`MAX_ROWS`.

    Raises
    ------
    BadRequest
        ``key`` is not a dataitem, artifact or model key.
    NotFound
        The entity was deleted.
    """
    parsed = check_key(key)
    rows = max(1, min(MAX_ROWS, int(rows)))
    dh = sdk()
    with _get_lock, sdk_errors(not_found=_missing(key)):
        if parsed.id is None:  # a key without its version: the latest version of that name, like the SDK's getters
            entity = getattr(dh, GETTERS[parsed.type])(parsed.name, project=parsed.project)
        else:
            entity = getattr(dh, GETTERS[parsed.type])(key)
    if entity is None:
        raise NotFound(_missing(key))
    key = str(entity.key)
    out = Preview(
        key=key,
        type=parsed.type,
        kind=str(entity.kind),
        name=str(entity.name),
        load_code=load_code(key, parsed.type, str(entity.kind)),
    )
    with sdk_errors(not_found=_missing(key)):
        if parsed.type == "dataitem" and entity.kind == "table":
            _table(entity, out, rows)
        else:
            _files(entity, out)
            if parsed.type == "dataitem":
                fmt = _format_of(str(getattr(entity.spec, "path", "") or ""))
                what = f"a {fmt} file" if fmt else "this dataitem"
                out.notes.append(f"The contents of {what} are not previewed; load it with the code below.")
        if parsed.type == "model":
            _metrics(entity, out)
    return out


def preview_text(preview: Preview) -> str:
    """A preview as plain text (terminal IPython): rows as a simple table, files, metrics, notes, load code."""
    lines = [f"{preview.type} {preview.name} ({preview.kind})  {preview.key}"]
    if preview.columns:
        names = [c["name"] for c in preview.columns]
        lines.append("schema: " + ", ".join(f"{c['name']}: {c['type'] or '?'}" for c in preview.columns))
        width = [min(30, max([len(n)] + [len(r[i]) for r in preview.rows if i < len(r)])) for i, n in enumerate(names)]
        lines.append("  ".join(n[:30].ljust(w) for n, w in zip(names, width, strict=False)))
        for row in preview.rows:
            lines.append("  ".join(c[:30].ljust(w) for c, w in zip(row, width, strict=False)))
        lines.append(f"({preview.rows_text})")
    for f in preview.files:
        lines.append(f"file {f['path']}  {f['size'] if f['size'] is not None else '?'} bytes")
    if preview.more_files:
        lines.append(f"… and {preview.more_files} more files")
    for m in preview.metrics:
        lines.append(f"metric {m['name']} = {m['value']}")
    lines.extend(preview.notes)
    lines.append("load it with:")
    lines.append(preview.load_code)
    return "\n".join(lines)
