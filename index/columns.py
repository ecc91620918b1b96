"""Fixed-width per-document columns of a segment, read as numpy arrays.

A search needs whole columns at once (dates, stamps, field lengths for
BM25); Whoosh's readers give one value per call, which at a million
articles is seconds of Python on a worker's first query.  These read a
column's bytes in one piece instead, through Whoosh 2.7.4's reader
internals (``_dbfile``, ``_basepos``, ``_count``): the release is pinned
(:mod:`index.format`).
"""

from __future__ import annotations

import functools
from typing import Any

import numpy as np
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, _lenfield
from whoosh.util.numeric import byte_to_length


def _read(col: Any, n: int, dtype: np.dtype, default: Any) -> np.ndarray:
    """``n`` values of the column reader ``col``; documents past the column's
    end (Whoosh does not write trailing defaults) get ``default``."""
    out = np.full(n, default, dtype=dtype)
    count = min(int(col._count), n)
    if count:
        raw = col._dbfile.get(col._basepos, count * dtype.itemsize)
        out[:count] = np.frombuffer(raw, dtype=dtype, count=count)
    return out


def fixed_column(reader: Any, name: str, dtype: np.dtype, default: Any) -> np.ndarray:
    """A segment's fixed-width column (``NumericColumn``/``FixedBytesColumn``)
    by docnum; a segment without the column gives ``default`` throughout."""
    n = reader.doc_count_all()
    if not reader.has_column(name):
        return np.full(n, default, dtype=dtype)
    return _read(reader.column_reader(name, translate=False), n, dtype, default)


@functools.lru_cache(maxsize=1)
def _byte_lengths() -> np.ndarray:
    """Whoosh's one-byte field length, decoded: what ``doc_field_length``
    returns for each byte, NaN for 0 (where it returns None)."""
    table = np.array([np.nan] + [byte_to_length(b) for b in range(1, 256)], dtype=np.float64)
    table.flags.writeable = False
    return table


def field_lengths(reader: Any, fieldname: str, default: float) -> np.ndarray:
    """``[reader.doc_field_length(d, fieldname, default) for d in docs]`` as
    float64, in one read: a segment without the field's lengths gives
    ``default``; a length Whoosh stored as 0 gives NaN (its None)."""
    n = reader.doc_count_all()
    name = _lenfield(fieldname)
    perdoc = reader._perdoc  # the lengths column is not a schema field
    if not perdoc.has_column(name):
        return np.full(n, default, dtype=np.float64)
    col = perdoc.column_reader(name, LENGTHS_COLUMN)
    return _byte_lengths()[_read(col, n, np.dtype(np.uint8), 0)]


def date_column(reader: Any) -> np.ndarray:
    """A segment's ``date`` column (Whoosh's sortable microseconds) as
    ``uint64`` by docnum; the column's default, 2**64-1, where none."""
    return fixed_column(reader, "date", np.dtype(">u8"), np.iinfo(np.uint64).max).astype(np.uint64)


def var_bytes_column(reader: Any, name: str) -> list[bytes]:
    """A segment's ``VarBytesColumn`` as raw bytes by docnum, its data read
    in one piece; ``b""`` for a document without a value (and throughout
    when the segment has no such column)."""
    n = reader.doc_count_all()
    if not reader.has_column(name):
        return [b""] * n
    col = reader.column_reader(name, translate=False)
    offsets, lengths = col._offsets, col._lengths
    end = int((np.asarray(offsets, dtype=np.int64) + np.asarray(lengths, dtype=np.int64)).max()) if len(lengths) else 0
    data = col._dbfile.get(col._basepos, end) if end else b""
    out = [data[o:o + ln] for o, ln in zip(offsets, lengths)]
    return out + [b""] * (n - len(out))
