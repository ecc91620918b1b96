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
           aux u8, gap width u8, flags u8, total u32, counts size u32
    ids    df - 1 deltas, each ``id width`` bytes (1, 2 or 4)
    weights (weight kind 1 only) df float32
    values value kind 0: none (empty values)
           value kind 1: df values of ``aux`` bytes each, concatenated
           value kind 2 (positions, :class:`index.postings.PackedPositions`):
                  df counts of ``aux`` bytes each (1, 2 or 4), taking
                  ``counts size`` bytes; then, to the record's end, the
                  ``total`` positions: a *wide* stream and, when ``gap
                  width`` is not 0, a gap stream.  Without gaps the wide
                  stream is every position; with gaps it is each posting's
                  first position, and the gaps (``gap width`` bytes each,
                  chosen when every one is below 65,536) lead to the
                  posting's next positions.  The wide stream is u32, or,
                  with flag 4, its low u16 plane then its high u8 plane
                  (every position below 2**24).
           value kind 3: df u32 byte lengths, then ``total`` bytes of values

Flags: 1 the counts, 2 the positions (both streams) are zlib-compressed
(level 1) — chosen per list where it at least halves them, as for the
characters' positions (most lists of ``text_c1`` shrink twentyfold), so a
list's decoding stays a few C calls; 4 as above.

Weight kinds: 0 every weight is 1.0; 1 stored as float32; 2 count × the
format's field boost (positional fields: Whoosh's own definition, so it is
not stored).  The term info keeps W3's struct (statistics, offset, length).

The magic distinguishes a record from W3 blocks (``WHOOSH3_HEADER_MAGIC``);
:data:`index.format.SCHEMA_VERSION` 5 introduced it.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

MAGIC = b"NsP1"
_HEADER = struct.Struct("<IIBBBBBBII")
HEADER_SIZE = len(MAGIC) + _HEADER.size

_W_ONE, _W_FLOAT, _W_COUNTS = 0, 1, 2
_V_NONE, _V_FIXED, _V_POSITIONS, _V_VARIABLE = 0, 1, 2, 3
_UINT: dict[int, np.dtype[Any]] = {1: np.dtype("u1"), 2: np.dtype("<u2"), 4: np.dtype("<u4")}
_F32 = np.dtype("<f4")
_Z_COUNTS, _Z_POSITIONS, _SPLIT = 1, 2, 4
EMPTY_WEIGHTS = np.zeros(0)
#: Compress a section only from this size on, and only where it at least halves it.
_Z_MIN = 256


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
    if positional:
        counts = np.fromiter(map(len, values), dtype=np.int64, count=df) >> 2
        positions = np.frombuffer(b"".join(values), dtype=_UINT[4])
        return encode_positions(ids, counts, positions, boost, weights)
    ida = np.asarray(ids, dtype=np.int64)
    id_width, id_bytes = _id_deltas(ida)
    parts: list[bytes] = [b"", id_bytes]
    w32 = np.asarray(weights, dtype=_F32)
    aux = 0
    total = 0
    if bool(np.all(w32 == 1.0)):
        wkind = _W_ONE
    else:
        wkind = _W_FLOAT
        parts.append(w32.tobytes())
    if fixed == 0 or not any(values):
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
    parts[0] = MAGIC + _HEADER.pack(df, int(ida[0]), id_width, wkind, vkind, aux, 0, 0, total, 0)
    return b"".join(parts)


def encode_positions(ids: Sequence[int] | np.ndarray, counts: np.ndarray, positions: np.ndarray, boost: float,
                     weights: Sequence[float] | None = None) -> bytes:
    """The record of a positional posting list given as arrays: posting
    ``i`` (document ``ids[i]``) has ``counts[i]`` positions, the next ones of
    ``positions``; its weight is ``counts[i] * boost`` unless ``weights``
    says otherwise (then stored).  :func:`encode` (updates and merges, a
    list at a time) calls this; a build encodes many lists at once with
    :func:`encode_position_records`, which must give the same bytes
    (``tests/test_packed.py``)."""
    df = len(ids)
    if df == 0:
        raise ValueError("an empty posting list has no record")
    ida = np.asarray(ids, dtype=np.int64)
    counts = np.asarray(counts, dtype=np.int64)
    id_width, id_bytes = _id_deltas(ida)
    parts: list[bytes] = [b"", id_bytes]
    flags = 0
    wkind = _W_COUNTS
    if weights is not None:
        w32 = np.asarray(weights, dtype=_F32)
        if not np.array_equal(w32, (counts * boost).astype(_F32)):
            wkind = _W_FLOAT
            parts.append(w32.tobytes())
    aux = _width(int(counts.max()))
    packed, squeezed = _squeeze(counts.astype(_UINT[aux]).tobytes())
    flags |= _Z_COUNTS if squeezed else 0
    counts_size = len(packed)
    parts.append(packed)
    positions = np.asarray(positions).astype(np.int64)
    total = len(positions)
    starts = np.zeros(df, dtype=np.int64)
    np.cumsum(counts[:-1], out=starts[1:])
    starts = starts[counts > 0]
    inner = np.ones(total, dtype=bool)  # which positions follow one of the same posting
    inner[starts] = False
    inner_gaps = np.diff(positions)[inner[1:]]
    wide = positions
    gaps = b""
    gap_width = 0
    if len(inner_gaps) and int(inner_gaps.min()) >= 0 and int(inner_gaps.max()) < 1 << 16:
        gap_width = _width(int(inner_gaps.max()))
        wide = positions[starts]
        gaps = inner_gaps.astype(_UINT[gap_width]).tobytes()
    if total and int(wide.max()) < 1 << 24:
        flags |= _SPLIT
        stream = (wide & 0xFFFF).astype(_UINT[2]).tobytes() + (wide >> 16).astype(_UINT[1]).tobytes()
    else:
        stream = wide.astype(_UINT[4]).tobytes()
    packed, squeezed = _squeeze(stream + gaps)
    flags |= _Z_POSITIONS if squeezed else 0
    parts.append(packed)
    parts[0] = MAGIC + _HEADER.pack(df, int(ida[0]), id_width, wkind, _V_POSITIONS, aux, gap_width, flags, total,
                                    counts_size)
    return b"".join(parts)


def encode_position_records(ids: np.ndarray, counts: np.ndarray, positions: np.ndarray, starts: np.ndarray,
                            boost: float) -> list[bytes]:
    """:func:`encode_positions` of many positional lists at once: list ``i``
    is postings ``starts[i]:starts[i + 1]`` (documents ``ids``, each with
    ``counts`` > 0 positions, increasing, the next ones of ``positions``),
    weights counts × ``boost``.  The same bytes as one
    :func:`encode_positions` a list (``tests/test_packed.py``): every width
    and choice is computed for all lists in a few numpy calls, and a list
    is then a few slices of shared buffers, where a call per list took
    about 40 microseconds of numpy overheads (14% of a build at 1,000,000
    articles, py-spy)."""
    ids = np.asarray(ids, dtype=np.int64)
    counts = np.asarray(counts, dtype=np.int64)
    pos = np.asarray(positions).astype(np.int64)
    starts = np.asarray(starts, dtype=np.int64)
    if len(starts) < 2:
        return []
    firsts_at = starts[:-1]
    if int(np.diff(starts).min()) <= 0 or (len(counts) and int(counts.min()) <= 0):
        raise ValueError("every list needs a posting, every posting a position")
    # documents: deltas within each list
    deltas = np.diff(ids, prepend=ids[:1])
    deltas[firsts_at] = 0
    id_w = _widths(np.maximum.reduceat(deltas, firsts_at))
    id_buf = {w: deltas.astype(_UINT[w]).tobytes() for w in (1, 2, 4)}
    # counts
    aux_w = _widths(np.maximum.reduceat(counts, firsts_at))
    count_buf = {w: counts.astype(_UINT[w]).tobytes() for w in (1, 2, 4)}
    # positions: each posting's first (pq) and the gaps after it
    ends = np.zeros(len(counts) + 1, dtype=np.int64)
    np.cumsum(counts, out=ends[1:])
    pq = ends[:-1]
    qstarts = ends[starts]  # each list's first position
    gaps = np.diff(pos, prepend=pos[:1])
    inner = np.ones(len(pos), dtype=bool)
    inner[pq] = False
    has_inner = (qstarts[1:] - qstarts[:-1]) > (starts[1:] - starts[:-1])
    gmax = np.maximum.reduceat(np.where(inner, gaps, 0), qstarts[:-1])
    gmin = np.minimum.reduceat(np.where(inner, gaps, 0 if not len(gaps) else int(gaps.max())), qstarts[:-1])
    gap_w = np.where(has_inner & (gmin >= 0) & (gmax < 1 << 16), _widths(gmax), 0)
    firsts = pos[pq]
    wide_max = np.where(gap_w > 0, np.maximum.reduceat(firsts, firsts_at), np.maximum.reduceat(pos, qstarts[:-1]))
    split = wide_max < 1 << 24
    inner_gaps = gaps[inner]
    gap_buf = {w: inner_gaps.astype(_UINT[w]).tobytes() for w in (1, 2)}
    planes = {False: _planes(pos), True: _planes(firsts)}  # all positions, or each posting's first

    out: list[bytes] = []
    pack = _HEADER.pack
    rows = zip(starts[:-1].tolist(), starts[1:].tolist(), qstarts[:-1].tolist(), qstarts[1:].tolist(),
               id_w.tolist(), aux_w.tolist(), gap_w.tolist(), split.tolist(), ids[firsts_at].tolist())
    for p0, p1, q0, q1, iw, aw, gw, sp, first in rows:
        flags = 0
        counts_part, squeezed = _squeeze(count_buf[aw][aw * p0:aw * p1])
        flags |= _Z_COUNTS if squeezed else 0
        a, b = (p0, p1) if gw else (q0, q1)
        lo16, hi8, u32 = planes[bool(gw)]
        if sp:
            flags |= _SPLIT
            stream = lo16[2 * a:2 * b] + hi8[a:b]
        else:
            stream = u32[4 * a:4 * b]
        if gw:
            stream += gap_buf[gw][gw * (q0 - p0):gw * (q1 - p1)]
        positions_part, squeezed = _squeeze(stream)
        flags |= _Z_POSITIONS if squeezed else 0
        out.append(b"".join((MAGIC, pack(p1 - p0, first, iw, _W_COUNTS, _V_POSITIONS, aw, gw, flags, q1 - q0,
                                         len(counts_part)),
                             id_buf[iw][iw * (p0 + 1):iw * p1], counts_part, positions_part)))
    return out


def _widths(largest: np.ndarray) -> np.ndarray:
    """:func:`_width` of each value."""
    return np.where(largest < 1 << 8, 1, np.where(largest < 1 << 16, 2, 4))


def _planes(values: np.ndarray) -> tuple[bytes, bytes, bytes]:
    """``values`` as the low u16 plane, the u8 plane above it, and as u32."""
    return ((values & 0xFFFF).astype(_UINT[2]).tobytes(), (values >> 16).astype(_UINT[1]).tobytes(),
            values.astype(_UINT[4]).tobytes())


def _id_deltas(ida: np.ndarray) -> tuple[int, bytes]:
    """The width and bytes of the document deltas of a record."""
    deltas = np.diff(ida)
    width = _width(int(deltas.max())) if len(ida) > 1 else 1
    return width, deltas.astype(_UINT[width]).tobytes()


def _squeeze(data: bytes) -> tuple[bytes, bool]:
    """``data`` zlib'd if that at least halves it, else as it is; and which."""
    if len(data) >= _Z_MIN:
        packed = zlib.compress(data, 1)
        if 2 * len(packed) <= len(data):
            return packed, True
    return data, False


def is_record(raw: bytes | memoryview) -> bool:
    return bytes(raw[:4]) == MAGIC


@dataclass
class Decoded:
    """A record's arrays.  ``offsets`` (len ``df + 1``) and ``positions`` for
    positional lists (posting ``i``'s are ``positions[offsets[i]:offsets[i+1]]``),
    ``values`` (bytes per posting) for other lists with values."""

    ids: np.ndarray  # int64
    weights: np.ndarray  # float64
    offsets: np.ndarray | None = None  # int64
    #: int32: a position is below 2**31 (the body starts at 4 * 2**19), and
    #: positions are most of what a search worker caches.
    positions: np.ndarray | None = None
    values: list[bytes] | None = None


def read_extent(head: bytes | memoryview, length: int, positions: bool = True) -> int:
    """How many of the ``length`` bytes of the record starting with ``head``
    (its first :data:`HEADER_SIZE` bytes at least) :func:`decode` reads:
    without ``positions``, a positional record's positions (its tail, most
    of its bytes) are not read."""
    if positions or len(head) < HEADER_SIZE or bytes(head[:4]) != MAGIC:
        return length
    df, _, id_width, wkind, vkind, _, _, _, _, counts_size = _HEADER.unpack_from(head, 4)
    if vkind != _V_POSITIONS:
        return length
    end = HEADER_SIZE + max(df - 1, 0) * id_width + (4 * df if wkind == _W_FLOAT else 0) + counts_size
    return min(length, end)


def decode(raw: bytes | memoryview, boost: float = 1.0, positions: bool = True) -> Decoded:
    """The arrays of a record (see the module docstring).

    ``boost`` is the field's, for weights derived from counts.  Without
    ``positions`` a positional list's positions are not decoded (``offsets``
    still are).  Raises :class:`RecordError` on bytes of another layout.
    """
    view = memoryview(raw)
    if len(view) < HEADER_SIZE or bytes(view[:4]) != MAGIC:
        raise RecordError("not a posting record (bad magic)")
    df, first, id_width, wkind, vkind, aux, gap_width, flags, total, counts_size = _HEADER.unpack_from(view, 4)
    if (wkind == _W_COUNTS) != (vkind == _V_POSITIONS and wkind != _W_FLOAT) or df == 0:
        raise RecordError(f"damaged posting record: weight kind {wkind}, value kind {vkind}, df {df}")
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
            weights = EMPTY_WEIGHTS if wkind == _W_COUNTS else np.ones(df)  # counts: set below
        out = Decoded(ids, weights)
        if vkind == _V_POSITIONS:
            packed = view[pos:pos + counts_size]
            pos += counts_size
            if flags & _Z_COUNTS:
                packed = memoryview(zlib.decompress(packed))
            counts = np.frombuffer(packed, dtype=_UINT[aux], count=df).astype(np.int64)
            offsets = np.zeros(df + 1, dtype=np.int64)
            np.cumsum(counts, out=offsets[1:])
            if wkind == _W_COUNTS:
                out.weights = counts * float(boost)
            out.offsets = offsets
            if positions:
                packed = view[pos:]
                if flags & _Z_POSITIONS:
                    packed = memoryview(zlib.decompress(packed))
                out.positions = _positions(packed, total, gap_width, bool(flags & _SPLIT), counts, offsets)
        elif vkind == _V_FIXED:
            data = bytes(view[pos:pos + total])
            out.values = [data[i:i + aux] for i in range(0, total, aux)]
        elif vkind == _V_VARIABLE:
            lengths = np.frombuffer(view, dtype=_UINT[4], count=df, offset=pos)
            pos += 4 * df
            data = bytes(view[pos:pos + total])
            ends = np.cumsum(lengths).tolist()
            out.values = [data[a:b] for a, b in zip([0, *ends[:-1]], ends)]
    except (KeyError, ValueError, zlib.error) as exc:
        raise RecordError(f"damaged posting record: {exc}") from exc
    return out


def _wide(view: memoryview, n: int, split: bool) -> np.ndarray:
    """``n`` positions of a wide stream (u32, or u16 + u8 planes) as int32."""
    if not split:
        return np.frombuffer(view, dtype=_UINT[4], count=n).astype(np.int32)
    out = np.frombuffer(view, dtype=_UINT[1], count=n, offset=2 * n).astype(np.int32)
    out <<= 16
    out |= np.frombuffer(view, dtype=_UINT[2], count=n)
    return out


def _positions(view: memoryview, total: int, gap_width: int, split: bool, counts: np.ndarray,
               offsets: np.ndarray) -> np.ndarray:
    if not gap_width:
        return _wide(view, total, split)
    held = counts > 0
    runs = counts[held]
    starts = offsets[:-1][held]
    firsts = _wide(view, len(runs), split)
    gaps = np.frombuffer(view, dtype=_UINT[gap_width], count=total - len(runs),
                         offset=(3 if split else 4) * len(runs))
    # Each posting's run is its first position plus the running sum of its
    # gaps.  The sum over the whole list may pass 2**31 and wrap around; the
    # differences taken below wrap back, and every result fits in int32.
    steps = np.zeros(total, dtype=np.int32)
    inner = np.ones(total, dtype=bool)
    inner[starts] = False
    steps[inner] = gaps
    np.cumsum(steps, out=steps)
    return steps + np.repeat(firsts - steps[starts], runs)


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
