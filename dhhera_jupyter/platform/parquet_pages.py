"""The first rows of a parquet file from a few small byte ranges: its footer, then the start of each column's pages.

Why not pyarrow alone: it decodes a page only whole, and the first data page of a dictionary-encoded column needs
the column's whole dictionary page first. A table the SDK logs from pandas (snappy, dictionary encoding, one row
group of a million rows) has dictionary pages of up to 1 MB per column, so 100 rows of four columns cost 2 MB.
The first rows only ever use the first entries of a dictionary (entries are added in the order values first
appear), and the start of a snappy/gzip page decodes without its end, so this reader fetches, per column, the
first kilobytes of the dictionary page and of the first data page, and more only when the rows need it.

Flat columns of the codecs in :data:`~.parquet_encoding.PREFIX_CODECS` and the PLAIN / dictionary encodings are
read here; anything else (nested columns, ZSTD, delta encodings, decimals) raises :class:`Unsupported` and the
caller reads the head with pyarrow within its byte budget.
"""

from __future__ import annotations

import io
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from dhhera_jupyter.platform.parquet_encoding import (
    PREFIX_CODECS,
    NeedMore,
    Unsupported,
    decompress_prefix,
    plain_values,
    rle_hybrid,
    thrift_struct,
)

#: Bytes of the file's end read first: the footer of a table of a few dozen columns fits.
FOOTER_PROBE = 16_384
#: Bytes first read at the start of a page; each further read of that page fetches three times what it holds.
PAGE_PROBE = 2_048
#: A column chunk this small is fetched whole, in one read (instead of one per page start).
SMALL_CHUNK = 4 * PAGE_PROBE
#: Column chunks read at once (each read waits for the store's latency; a platform's S3 is not on loopback).
PARALLEL_COLUMNS = 8

# parquet.thrift: PageType, Encoding, and the PageHeader fields read here.
_DATA_PAGE, _INDEX_PAGE, _DICTIONARY_PAGE, _DATA_PAGE_V2 = 0, 1, 2, 3
_PLAIN, _PLAIN_DICTIONARY, _RLE, _RLE_DICTIONARY = 0, 2, 3, 8


class _Span:
    """Bytes of the object from ``start`` on, fetched in growing ranged reads, never past ``end``.

    ``held`` is the column chunk when it was fetched whole (a small chunk): then nothing more is read.
    """

    def __init__(self, obj: Any, start: int, end: int, held: tuple[int, bytes] | None = None) -> None:
        self.obj, self.start, self.end = obj, start, end
        if held is not None:
            self.data = held[1][start - held[0] : end - held[0]]
        else:
            self.data = obj.read_range(start, min(PAGE_PROBE, end - start))

    def grow(self) -> bool:
        """Fetch the next bytes (three times what is held, so four times in all, at least a probe); False when the
        span already reaches its end, or the object ends before it (a truncated file: nothing more comes)."""
        have = self.start + len(self.data)
        if have >= self.end:
            return False
        more = self.obj.read_range(have, min(max(3 * len(self.data), PAGE_PROBE), self.end - have))
        if not more:
            return False
        self.data += more
        return True


def _header(span: _Span) -> tuple[dict[int, Any], int]:
    while True:
        try:
            return thrift_struct(span.data, 0)
        except NeedMore:
            if not span.grow():
                raise ValueError("a page header runs past its column chunk") from None


def _decoded(span: _Span, decode: Any) -> Any:
    """``decode()`` again after each fetch until the span holds enough bytes."""
    while True:
        try:
            return decode()
        except NeedMore:
            if not span.grow():
                raise ValueError("a page ends before the values its header counts") from None


def _bit_width(level: int) -> int:
    return level.bit_length()


class _Column:
    """One flat column chunk: its first values, page by page, through ``obj`` (a ``RangedObject``)."""

    def __init__(self, obj: Any, chunk: Any, column: Any) -> None:
        if column.max_repetition_level > 0:
            raise Unsupported("nested columns")
        self.codec = str(chunk.compression).upper()
        if self.codec not in PREFIX_CODECS:
            raise Unsupported(f"{self.codec} pages")
        self.obj = obj
        self.physical = str(column.physical_type)
        self.type_length = int(getattr(column, "length", 0) or 0)
        self.max_def = int(column.max_definition_level)
        first = chunk.dictionary_page_offset if chunk.has_dictionary_page else None
        self.data_start = int(chunk.data_page_offset)
        self.start = int(first) if first is not None and 0 < first < self.data_start else self.data_start
        self.end = self.start + int(chunk.total_compressed_size)
        if self.start < 4 or self.end > obj.size:  # 4: the leading magic bytes
            raise ValueError("a column chunk lies outside the file (a truncated or corrupt file)")
        self.dictionary_start = self.start if self.start < self.data_start else None
        self._dictionary: list[Any] = []
        self._dictionary_span: _Span | None = None
        self._held = (self.start, obj.read_range(self.start, self.end - self.start)) if self._small else None

    @property
    def _small(self) -> bool:
        return self.end - self.start <= SMALL_CHUNK

    def _span(self, start: int) -> _Span:
        return _Span(self.obj, start, self.end, self._held)

    def head(self, count: int) -> list[Any]:
        """The first ``count`` values (None for nulls), or fewer when the chunk holds fewer."""
        out: list[Any] = []
        offset = self.data_start
        while len(out) < count and offset < self.end:
            span = self._span(offset)
            header, size = _header(span)
            kind, compressed = header.get(1), int(header.get(3, 0))
            if compressed < 0 or int(header.get(2, 0)) < 0:
                raise ValueError("a page header with a negative size")
            if kind == _DICTIONARY_PAGE:  # a writer that put the dictionary where data pages start
                self.dictionary_start, self._dictionary_span = offset, span
            elif kind in (_DATA_PAGE, _DATA_PAGE_V2):
                out += self._page(span, header, size, count - len(out))
            offset += size + compressed
        return out

    def _page(self, span: _Span, header: dict[int, Any], size: int, wanted: int) -> list[Any]:
        compressed, uncompressed = int(header.get(3, 0)), int(header.get(2, 0))
        if header.get(1) == _DATA_PAGE:
            info = header.get(5) or {}
            take = min(wanted, int(info.get(1, 0)))

            def body() -> tuple[bytes, int, list[int] | None]:
                data = decompress_prefix(self.codec, span.data[size : size + compressed], uncompressed)
                if not self.max_def:
                    return data, 0, None
                if len(data) < 4:
                    raise NeedMore("definition levels length")
                length = int.from_bytes(data[:4], "little")
                return data, 4 + length, rle_hybrid(data, 4, _bit_width(self.max_def), take)

        else:
            info = header.get(8) or {}
            take = min(wanted, int(info.get(1, 0)))
            levels_len, reps_len = int(info.get(5, 0)), int(info.get(6, 0))
            codec = self.codec if info.get(7, True) else "UNCOMPRESSED"

            def body() -> tuple[bytes, int, list[int] | None]:
                start = size + reps_len + levels_len
                if len(span.data) < start:
                    raise NeedMore("levels")
                width = _bit_width(self.max_def)
                levels = rle_hybrid(span.data, size + reps_len, width, take) if self.max_def else None
                data = decompress_prefix(codec, span.data[start : size + compressed], uncompressed - start + size)
                return data, 0, levels

        encoding = int(info.get(2 if header.get(1) == _DATA_PAGE else 4, _PLAIN))

        def decode() -> list[Any]:
            data, pos, levels = body()
            present = take if levels is None else sum(1 for level in levels if level == self.max_def)
            values = self._values(data, pos, encoding, present)
            if levels is None:
                return values
            it = iter(values)
            return [next(it) if level == self.max_def else None for level in levels]

        return _decoded(span, decode)

    def _values(self, data: bytes, pos: int, encoding: int, count: int) -> list[Any]:
        if count == 0:
            return []
        if encoding == _PLAIN:
            return plain_values(data, pos, self.physical, count, self.type_length)
        if encoding in (_PLAIN_DICTIONARY, _RLE_DICTIONARY):
            if pos >= len(data):
                raise NeedMore("dictionary index width")
            indexes = rle_hybrid(data, pos + 1, data[pos], count)
            entries = self._entries(max(indexes) + 1)
            return [entries[i] for i in indexes]
        if encoding == _RLE and self.physical == "BOOLEAN":  # v2 booleans: a length, then 1-bit runs
            return [bool(v) for v in rle_hybrid(data, pos + 4, 1, count)]
        raise Unsupported(f"pages in encoding {encoding}")

    def _entries(self, count: int) -> list[Any]:
        """The dictionary's first ``count`` entries (decoded from the start of the dictionary page)."""
        if len(self._dictionary) >= count:
            return self._dictionary
        if self.dictionary_start is None:
            raise ValueError("a dictionary-encoded page in a column chunk without a dictionary page")
        span = self._dictionary_span = self._dictionary_span or self._span(self.dictionary_start)
        header, size = _header(span)
        compressed, uncompressed = int(header.get(3, 0)), int(header.get(2, 0))
        total = int((header.get(7) or {}).get(1, 0))
        if count > total:
            raise ValueError(f"a dictionary index {count - 1} past the dictionary's {total} entries")

        def decode() -> list[Any]:
            data = decompress_prefix(self.codec, span.data[size : size + compressed], uncompressed)
            return plain_values(data, 0, self.physical, count, self.type_length)

        self._dictionary = _decoded(span, decode)
        return self._dictionary


def read_footer(obj: Any) -> Any:
    """The file's metadata as a pyarrow ``ParquetFile`` over its footer bytes only (one ranged read, two for a
    footer longer than :data:`FOOTER_PROBE`). Only its metadata and schema may be used: it holds no data pages."""
    import pyarrow.parquet as pq  # type: ignore[import-untyped]

    tail_len = min(obj.size, FOOTER_PROBE)
    tail = obj.read_range(obj.size - tail_len, tail_len)
    if len(tail) < 12 or tail[-4:] != b"PAR1":
        raise ValueError("the file does not end with a parquet footer")
    meta_len = int.from_bytes(tail[-8:-4], "little")
    if meta_len + 8 > obj.size - 4:
        raise ValueError("the parquet footer is longer than the file")
    if meta_len + 8 > len(tail):
        missing = meta_len + 8 - len(tail)
        tail = obj.read_range(obj.size - tail_len - missing, missing) + tail
    return pq.ParquetFile(io.BytesIO(b"PAR1" + tail[-(meta_len + 8) :]))


_PHYSICAL_ARROW = {
    "BOOLEAN": "bool_",
    "INT32": "int32",
    "INT64": "int64",
    "FLOAT": "float32",
    "DOUBLE": "float64",
    "BYTE_ARRAY": "binary",
    "FIXED_LEN_BYTE_ARRAY": "binary",
}


def _as_arrow_type(values: list[Any], physical: str, target: Any) -> Any:
    """The values as an arrow array of the column's declared type (``int64`` -> timestamp, binary -> string...)."""
    import pyarrow as pa

    if physical not in _PHYSICAL_ARROW:
        raise Unsupported(f"{physical} values")
    if pa.types.is_null(target):  # a column of nulls only (pandas writes it as INT32)
        return pa.nulls(len(values))
    array = pa.array(values, type=getattr(pa, _PHYSICAL_ARROW[physical])())
    if pa.types.is_dictionary(target):  # a pandas categorical: its values are what a preview shows
        target = target.value_type
    if array.type == target:
        return array
    try:
        return array.cast(target)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        raise Unsupported(f"{target} columns") from None


def page_head(obj: Any, meta: Any, rows: int) -> list[list[Any]]:
    """The first ``rows`` rows of the parquet file ``obj`` whose footer is ``meta`` (see :func:`read_footer`).

    Raises
    ------
    Unsupported
        A column this reader does not decode; read the head otherwise.
    ValueError
        A page that contradicts its header (a corrupt file).
    """
    schema, arrow = meta.schema, meta.schema_arrow
    if len(schema) != len(arrow):
        raise Unsupported("nested columns")
    columns: list[list[Any]] = [[] for _ in arrow]
    left, group = rows, 0
    with ThreadPoolExecutor(max_workers=min(PARALLEL_COLUMNS, max(1, len(arrow)))) as pool:
        while left > 0 and group < meta.metadata.num_row_groups:
            row_group = meta.metadata.row_group(group)
            take = min(left, row_group.num_rows)

            def column_head(i: int, row_group: Any = row_group, take: int = take) -> list[Any]:
                return _Column(obj, row_group.column(i), schema.column(i)).head(take)

            for i, values in enumerate(pool.map(column_head, range(len(arrow)))):
                if len(values) != take:
                    raise ValueError(f"column '{arrow[i].name}' holds fewer values than its row group's rows")
                columns[i] += values
            left, group = left - take, group + 1
    arrays = [_as_arrow_type(v, str(schema.column(i).physical_type), arrow[i].type) for i, v in enumerate(columns)]
    return [list(row) for row in zip(*(a.to_pylist() for a in arrays), strict=True)] if arrays else []
