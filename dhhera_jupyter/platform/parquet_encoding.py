"""The parts of the parquet format needed to decode the *start* of a page from its first bytes only.

Parquet pages are compressed whole, and a page can be a megabyte (a dictionary page of a column with a million
distinct values). A preview needs its first hundred values, which sit at its start: these decoders work on a
prefix and raise :class:`NeedMore` when the prefix is too short, so the caller fetches more bytes and tries
again. Written from the format's specifications (parquet-format's ``parquet.thrift`` and ``Encodings.md``,
Thrift's compact protocol, Snappy's ``format_description.txt``); pyarrow does not decode a page prefix.
"""

from __future__ import annotations

import struct
import zlib
from typing import Any


class NeedMore(Exception):
    """The bytes at hand end before what was asked for: fetch more and decode again."""


class Unsupported(Exception):
    """A page shape these decoders do not read (codec, encoding, nesting); the caller reads the file otherwise."""


def _varint(data: bytes | memoryview, pos: int) -> tuple[int, int]:
    """An unsigned LEB128 varint at ``pos``: (value, position after it)."""
    value = shift = 0
    while True:
        if pos >= len(data):
            raise NeedMore("varint")
        byte = data[pos]
        pos += 1
        value |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return value, pos
        shift += 7
        if shift > 63:
            raise ValueError("varint longer than 64 bits")


def _zigzag(n: int) -> int:
    return (n >> 1) ^ -(n & 1)


# ---- Thrift compact protocol (a parquet PageHeader) ------------------------------------------------------------


def _thrift_value(data: bytes, pos: int, kind: int) -> tuple[Any, int]:
    if kind in (1, 2):  # a bool field carries its value in the type nibble
        return kind == 1, pos
    if kind == 3:
        if pos >= len(data):
            raise NeedMore("byte")
        return struct.unpack_from("<b", data, pos)[0], pos + 1
    if kind in (4, 5, 6):
        raw, pos = _varint(data, pos)
        return _zigzag(raw), pos
    if kind == 7:
        if pos + 8 > len(data):
            raise NeedMore("double")
        return struct.unpack_from("<d", data, pos)[0], pos + 8
    if kind == 8:
        size, pos = _varint(data, pos)
        if pos + size > len(data):
            raise NeedMore("binary")
        return bytes(data[pos : pos + size]), pos + size
    if kind in (9, 10):
        if pos >= len(data):
            raise NeedMore("list")
        head = data[pos]
        pos += 1
        size, element = head >> 4, head & 0x0F
        if size == 15:
            size, pos = _varint(data, pos)
        items = []
        for _ in range(size):
            if element in (1, 2):  # bools in a list are one byte each
                if pos >= len(data):
                    raise NeedMore("bool")
                items.append(data[pos] == 1)
                pos += 1
            else:
                item, pos = _thrift_value(data, pos, element)
                items.append(item)
        return items, pos
    if kind == 11:
        size, pos = _varint(data, pos)
        if size == 0:
            return {}, pos
        if pos >= len(data):
            raise NeedMore("map")
        kinds = data[pos]
        pos += 1
        out = {}
        for _ in range(size):
            key, pos = _thrift_value(data, pos, kinds >> 4)
            out[key], pos = _thrift_value(data, pos, kinds & 0x0F)
        return out, pos
    if kind == 12:
        return thrift_struct(data, pos)
    raise ValueError(f"unknown thrift compact type {kind}")


def thrift_struct(data: bytes, pos: int = 0) -> tuple[dict[int, Any], int]:
    """A Thrift compact-protocol struct at ``pos``: ({field id: value}, position after it). Nested structs are
    dicts of the same shape; unknown fields are kept, so newer writers' headers read too."""
    fields: dict[int, Any] = {}
    last = 0
    while True:
        if pos >= len(data):
            raise NeedMore("struct")
        head = data[pos]
        pos += 1
        if head == 0:
            return fields, pos
        delta, kind = head >> 4, head & 0x0F
        if delta:
            field_id = last + delta
        else:
            raw, pos = _varint(data, pos)
            field_id = _zigzag(raw)
        fields[field_id], pos = _thrift_value(data, pos, kind)
        last = field_id


# ---- Decompression of a page's first bytes ----------------------------------------------------------------------


def _snappy_prefix(data: bytes, want: int) -> bytes:
    """The first ``want`` bytes (or as many as ``data`` holds) of a raw Snappy block whose start is ``data``.

    Snappy copies only refer backwards, so a block's start decodes without its end.
    """
    total, pos = _varint(data, 0)
    want = min(want, total)
    out = bytearray()
    n = len(data)
    while len(out) < want and pos < n:
        tag = data[pos]
        kind = tag & 3
        if kind == 0:  # literal
            length = tag >> 2
            if length >= 60:
                extra = length - 59
                if pos + 1 + extra > n:
                    break
                length = int.from_bytes(data[pos + 1 : pos + 1 + extra], "little")
                pos += extra
            length += 1
            pos += 1
            take = min(length, n - pos)
            out += data[pos : pos + take]
            pos += take
            if take < length:
                break
            continue
        if kind == 1:
            if pos + 2 > n:
                break
            length, offset = 4 + ((tag >> 2) & 7), ((tag >> 5) << 8) | data[pos + 1]
            pos += 2
        else:
            width = 2 if kind == 2 else 4
            if pos + 1 + width > n:
                break
            length, offset = (tag >> 2) + 1, int.from_bytes(data[pos + 1 : pos + 1 + width], "little")
            pos += 1 + width
        if offset == 0 or offset > len(out):
            raise ValueError("snappy copy before the start of the block")
        start = len(out) - offset
        for i in range(length):  # byte by byte: a copy may overlap what it writes
            out.append(out[start + i])
    return bytes(out[:want]) if len(out) > want else bytes(out)


#: Parquet codecs (``CompressionCodec``) whose page start decodes from a prefix.
PREFIX_CODECS = ("UNCOMPRESSED", "SNAPPY", "GZIP")


def decompress_prefix(codec: str, data: bytes, want: int) -> bytes:
    """Up to ``want`` bytes of the page body compressed as ``codec`` whose first bytes are ``data``.

    Raises
    ------
    Unsupported
        A codec whose stream does not decode from a prefix here (ZSTD, LZ4, BROTLI need their whole page).
    """
    if want <= 0:  # zlib reads 0 as "no limit": a corrupt header must not inflate the whole prefix
        return b""
    if codec == "UNCOMPRESSED":
        return data[:want]
    if codec == "SNAPPY":
        return _snappy_prefix(data, want)
    if codec == "GZIP":
        try:
            return zlib.decompressobj(wbits=47).decompress(data, want)  # 47: gzip or zlib header, detected
        except zlib.error as exc:
            raise ValueError(f"gzip page: {exc}") from None
    raise Unsupported(f"{codec} pages")


# ---- Values -------------------------------------------------------------------------------------------------------


def rle_hybrid(data: bytes, pos: int, bit_width: int, count: int) -> list[int]:
    """The first ``count`` values of an RLE / bit-packed hybrid run sequence starting at ``pos`` (no length prefix).

    Raises NeedMore when ``data`` ends before ``count`` values.
    """
    out: list[int] = []
    width_bytes = (bit_width + 7) // 8
    mask = (1 << bit_width) - 1
    while len(out) < count:
        header, pos = _varint(data, pos)
        if header & 1:  # bit-packed: groups of 8 values, least significant bit first
            values = (header >> 1) * 8
            take = min(values, count - len(out))
            need = (take * bit_width + 7) // 8
            if pos + need > len(data):
                raise NeedMore("bit-packed run")
            packed = int.from_bytes(data[pos : pos + need], "little")
            out.extend((packed >> (i * bit_width)) & mask for i in range(take))
            pos += (header >> 1) * bit_width
        else:
            run = header >> 1
            if pos + width_bytes > len(data):
                raise NeedMore("rle run")
            value = int.from_bytes(data[pos : pos + width_bytes], "little")
            pos += width_bytes
            out.extend([value] * min(run, count - len(out)))
    return out


_FIXED = {"INT32": ("<i", 4), "INT64": ("<q", 8), "FLOAT": ("<f", 4), "DOUBLE": ("<d", 8)}


def plain_values(data: bytes, pos: int, physical: str, count: int, type_length: int = 0) -> list[Any]:
    """The first ``count`` PLAIN-encoded values of a ``physical`` type at ``pos`` (NeedMore when ``data`` is short)."""
    if physical in _FIXED:
        fmt, size = _FIXED[physical]
        if pos + size * count > len(data):
            raise NeedMore("plain values")
        return list(struct.unpack_from(f"<{count}{fmt[1]}", data, pos))
    if physical == "BOOLEAN":
        need = (count + 7) // 8
        if pos + need > len(data):
            raise NeedMore("plain booleans")
        return [bool((data[pos + i // 8] >> (i % 8)) & 1) for i in range(count)]
    if physical == "BYTE_ARRAY":
        out = []
        for _ in range(count):
            if pos + 4 > len(data):
                raise NeedMore("byte array length")
            size = int.from_bytes(data[pos : pos + 4], "little")
            pos += 4
            if pos + size > len(data):
                raise NeedMore("byte array")
            out.append(bytes(data[pos : pos + size]))
            pos += size
        return out
    if physical == "FIXED_LEN_BYTE_ARRAY" and type_length > 0:
        if pos + type_length * count > len(data):
            raise NeedMore("fixed-length byte arrays")
        return [bytes(data[pos + i * type_length : pos + (i + 1) * type_length]) for i in range(count)]
    raise Unsupported(f"{physical} values")
