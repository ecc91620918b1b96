"""Posting lists as one numpy-readable record each: the layout of every
non-inlined list in a ``.pst`` file.

Whoosh's W3 layout cuts a list into blocks of 128 postings, each a pickled,
zlib'd tuple; reading a list of a million postings meant unpickling 8,000
blocks in Python (~0.2 s).  A record here is a few typed arrays one after
the other, so :func:`decode` is a handful of ``np.frombuffer`` and
``np.cumsum`` calls whatever the length.  Lists short enough to be inlined
in the term dictionary (``df < inlinelimit``) stay as W3 has them.

Layout (little-endian)::

    MAGIC  b"NsP1"
    header df u32, first id u32, id width u8, weight kind u8, value kind u8,
           aux u8, position width u8, total u32
    ids    df - 1 deltas, each ``id width`` bytes (1, 2 or 4)
    weights (weight kind 1 only) df float32
    values value kind 0: none (empty values)
           value kind 1: df values of ``aux`` bytes each, concatenated
           value kind 2 (positions, :class:`index.postings.PackedPositions`):
                  df counts of ``aux`` bytes each (1, 2 or 4), then the
                  ``total`` positions: as u32 when ``position width`` is 4;
                  otherwise each posting's first position as u32 (one per
                  posting with positions) and the gaps to the posting's
                  next positions, ``position width`` bytes each (chosen
                  when every gap is below 65,536)
           value kind 3: df u32 byte lengths, then ``total`` bytes of values

Weight kinds: 0 every weight is 1.0; 1 stored as float32; 2 count × the
format's field boost (positional fields: Whoosh's own definition, so it is
not stored).  The term info keeps W3's struct (statistics, offset, length).

The magic distinguishes a record from W3 blocks (``WHOOSH3_HEADER_MAGIC``);
:data:`index.format.SCHEMA_VERSION` 5 introduced it.
"""

from __future__ import annotations

import struct
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

MAGIC = b"NsP1"
_HEADER = struct.Struct("<IIBBBBBI")
HEADER_SIZE = len(MAGIC) + _HEADER.size

_W_ONE, _W_FLOAT, _W_COUNTS = 0, 1, 2
_V_NONE, _V_FIXED, _V_POSITIONS, _V_VARIABLE = 0, 1, 2, 3
_UINT: dict[int, np.dtype[Any]] = {1: np.dtype("u1"), 2: np.dtype("<u2"), 4: np.dtype("<u4")}
_F32 = np.dtype("<f4")


class RecordError(ValueError):
    """Bytes that are not a posting record of this layout."""


def _width(largest: int) -> int:
    """The narrowest unsigned width (1, 2 or 4 bytes) holding ``largest``."""
    return 1 if largest < 1 << 8 else 2 if largest < 1 << 16 else 4


def encode(ids: Sequence[int], weights: Sequence[float], values: Sequence[bytes], positional: bool,
           boost: float, fixed: int | None) -> bytes:
    """The record of one posting list.

    ``ids`` increase; ``values`` are the postings' value bytes (empty for
    formats without values); ``positional`` says they are packed ``uint32``
    positions, whose count times ``boost`` is the weight (stored anyway
    where a posting says otherwise); ``fixed`` is the format's
    ``fixed_value_size()``.
    """
    df = len(ids)
    if df == 0:
        raise ValueError("an empty posting list has no record")
    ida = np.asarray(ids, dtype=np.int64)
    deltas = np.diff(ida)
    id_width = _width(int(deltas.max())) if df > 1 else 1
    parts: list[bytes] = [b"", deltas.astype(_UINT[id_width]).tobytes()]
    w32 = np.asarray(weights, dtype=_F32)

    aux = 0
    pos_width = 4
    total = 0
    if positional:
        lengths = np.fromiter(map(len, values), dtype=np.int64, count=df)
        counts = lengths >> 2
        wkind = _W_COUNTS if np.array_equal(w32, (counts * boost).astype(_F32)) else _W_FLOAT
    elif bool(np.all(w32 == 1.0)):
        wkind = _W_ONE
    else:
        wkind = _W_FLOAT
    if wkind == _W_FLOAT:
        parts.append(w32.tobytes())

    if positional:
        vkind = _V_POSITIONS
        aux = _width(int(counts.max()))
        parts.append(counts.astype(_UINT[aux]).tobytes())
        positions = np.frombuffer(b"".join(values), dtype=_UINT[4]).astype(np.int64)
        total = len(positions)
        starts = np.zeros(df, dtype=np.int64)
        np.cumsum(counts[:-1], out=starts[1:])
        starts = starts[counts > 0]
        inner = np.ones(total, dtype=bool)  # which positions follow one of the same posting
        inner[starts] = False
        inner_gaps = np.diff(positions)[inner[1:]]
        if len(inner_gaps) and int(inner_gaps.min()) >= 0 and int(inner_gaps.max()) < 1 << 16:
            pos_width = _width(int(inner_gaps.max()))
            parts.append(positions[starts].astype(_UINT[4]).tobytes())
            parts.append(inner_gaps.astype(_UINT[pos_width]).tobytes())
        else:
            parts.append(positions.astype(_UINT[4]).tobytes())
    elif fixed == 0 or not any(values):
        vkind = _V_NONE
    else:
        sizes = set(map(len, values))
        if fixed and fixed > 0 and sizes == {fixed} and fixed < 256:
            vkind, aux = _V_FIXED, fixed
            parts.append(b"".join(values))
            total = fixed * df
        else:
            vkind = _V_VARIABLE
            parts.append(np.fromiter(map(len, values), dtype=_UINT[4], count=df).tobytes())
            data = b"".join(values)
            total = len(data)
            parts.append(data)
    parts[0] = MAGIC + _HEADER.pack(df, int(ida[0]), id_width, wkind, vkind, aux, pos_width, total)
    return b"".join(parts)


def is_record(raw: bytes | memoryview) -> bool:
    return bytes(raw[:4]) == MAGIC


@dataclass
class Decoded:
    """A record's arrays.  ``offsets`` (len ``df + 1``) and ``positions`` for
    positional lists (posting ``i``'s are ``positions[offsets[i]:offsets[i+1]]``),
    ``values`` (bytes per posting) for other lists with values."""

    ids: np.ndarray  # int64
    weights: np.ndarray  # float64
    offsets: np.ndarray | None = None
    positions: np.ndarray | None = None
    values: list[bytes] | None = None


def decode(raw: bytes | memoryview, boost: float = 1.0, positions: bool = True) -> Decoded:
    """The arrays of a record (see the module docstring).

    ``boost`` is the field's, for weights derived from counts.  Without
    ``positions`` a positional list's positions are not decoded (``offsets``
    still are).  Raises :class:`RecordError` on bytes of another layout.
    """
    view = memoryview(raw)
    if len(view) < HEADER_SIZE or bytes(view[:4]) != MAGIC:
        raise RecordError("not a posting record (bad magic)")
    df, first, id_width, wkind, vkind, aux, pos_width, total = _HEADER.unpack_from(view, 4)
    pos = HEADER_SIZE
    try:
        deltas = np.frombuffer(view, dtype=_UINT[id_width], count=df - 1, offset=pos)
        pos += (df - 1) * id_width
        ids = np.empty(df, dtype=np.int64)
        ids[0] = first
        ids[1:] = deltas
        np.cumsum(ids, out=ids)
        if wkind == _W_FLOAT:
            weights = np.frombuffer(view, dtype=_F32, count=df, offset=pos).astype(np.float64)
            pos += 4 * df
        else:
            weights = np.ones(df)
        out = Decoded(ids, weights)
        if vkind == _V_POSITIONS:
            counts = np.frombuffer(view, dtype=_UINT[aux], count=df, offset=pos).astype(np.int64)
            pos += aux * df
            offsets = np.zeros(df + 1, dtype=np.int64)
            np.cumsum(counts, out=offsets[1:])
            if wkind == _W_COUNTS:
                out.weights = counts * float(boost)
            out.offsets = offsets
            if positions:
                out.positions = _positions(view, pos, total, pos_width, counts, offsets)
        elif vkind == _V_FIXED:
            data = bytes(view[pos:pos + total])
            out.values = [data[i:i + aux] for i in range(0, total, aux)]
        elif vkind == _V_VARIABLE:
            lengths = np.frombuffer(view, dtype=_UINT[4], count=df, offset=pos)
            pos += 4 * df
            data = bytes(view[pos:pos + total])
            ends = np.cumsum(lengths).tolist()
            out.values = [data[a:b] for a, b in zip([0, *ends[:-1]], ends)]
    except (KeyError, ValueError) as exc:
        raise RecordError(f"damaged posting record: {exc}") from exc
    return out


def _positions(view: memoryview, pos: int, total: int, width: int, counts: np.ndarray,
               offsets: np.ndarray) -> np.ndarray:
    if width == 4:
        return np.frombuffer(view, dtype=_UINT[4], count=total, offset=pos).astype(np.int64)
    held = counts > 0
    runs = counts[held]
    starts = offsets[:-1][held]
    firsts = np.frombuffer(view, dtype=_UINT[4], count=len(runs), offset=pos)
    gaps = np.frombuffer(view, dtype=_UINT[width], count=total - len(runs), offset=pos + 4 * len(runs))
    # Each posting's run is its first position plus the running sum of its gaps.
    steps = np.zeros(total, dtype=np.int64)
    inner = np.ones(total, dtype=bool)
    inner[starts] = False
    steps[inner] = gaps
    np.cumsum(steps, out=steps)
    return steps + np.repeat(firsts.astype(np.int64) - steps[starts], runs)


def matcher_lists(raw: bytes | memoryview, format_: Any) -> tuple[list[int], list[float], Sequence[Any]]:
    """``(ids, weights, values)`` of a record as Whoosh's ``ListMatcher``
    takes them: values are bytes per posting, or ``None`` for formats
    without values (what Whoosh's merge pool accepts)."""
    d = decode(raw, float(getattr(format_, "field_boost", 1.0)))
    ids = d.ids.tolist()
    weights = d.weights.tolist()
    if d.positions is not None and d.offsets is not None:
        data = d.positions.astype(_UINT[4]).tobytes()
        bounds = (d.offsets * 4).tolist()
        values: Sequence[Any] = [data[a:b] for a, b in zip(bounds, bounds[1:])]
    elif d.values is not None:
        values = d.values
    else:
        values = (None,) * len(ids)
    return ids, weights, values
