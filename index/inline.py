"""Term infos with short posting lists inlined compactly (schema 6).

Most terms of an index are character bigrams found in a handful of
documents, and their posting lists live inside the term dictionary (the
``.trm`` file).  W3 stores such a term as a 23-byte header (total weight,
document frequency, shortest and longest field length, largest weight,
first and last document) followed by the pickled lists: about 108 bytes for
a bigram with 3.5 postings at 100,000 articles, most of it pickle framing and
statistics the lists themselves determine.  That made the ``.trm`` file 57%
of the index.

Here an inlined term info is::

    B  flags = INLINED (2; W3 uses 0 for a pointer, 1 for a pickle)
    B  shortest field length, as W3's length byte
    B  longest field length, as W3's length byte
    B  n, the number of postings (the inline limit is below 256)
    B  mode bits: IDS16 | POSITIONAL | COUNTS8 | COUNTS32 | UNIT_WEIGHTS | VALUES
    I  first document (little-endian, like everything below)
    H or I × (n-1)  the other documents, as offsets from the first
    positional fields (``PackedPositions``: weight = positions × boost):
      f  boost
      B, H or I × n  number of positions of each posting
      I × Σ  the positions, as PackedPositions stores them
    other fields:
      f × n  weights, unless every weight is 1 (UNIT_WEIGHTS)
      with VALUES: I × n value lengths, then the values

Weight total, largest weight, first and last document are recomputed on
reading, so a bigram found once costs 18 bytes instead of 57.  Term infos of
longer lists keep W3's layout (a pointer into the ``.pst`` file).

:func:`encode_inline` is used by both writers (the build's inverter and the
codec's postings writer for updates and merges); :func:`decode_inline` by
the codec's term reader and by :mod:`search.arrays`, which wants arrays.
"""

from __future__ import annotations

import struct
import sys
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

#: The flags byte of a compactly inlined term info.
INLINED = 2
IDS16 = 1
POSITIONAL = 2
COUNTS8 = 4
UNIT_WEIGHTS = 8
VALUES = 16
COUNTS32 = 32

_HEAD = struct.Struct("<BBBBBI")
_BOOST = struct.Struct("<f")
_LE = sys.byteorder == "little"
#: Postings an inlined list may hold (n is one byte).
MAX_INLINE = 255


@dataclass
class InlineList:
    """A decoded inlined posting list: ``values`` are W3's value bytes
    (``None`` for a field without values)."""

    minlength: int  # W3 length bytes
    maxlength: int
    ids: np.ndarray  # int64
    weights: np.ndarray  # float64
    counts: np.ndarray | None  # positions per posting (positional fields)
    positions: np.ndarray | None  # uint32, all postings' positions in order
    raw_values: list[bytes] | None  # values of a non-positional field with values

    def values(self) -> list[bytes] | None:
        """Per-posting value bytes (for Whoosh's matchers and merges)."""
        if self.raw_values is not None:
            return self.raw_values
        if self.positions is None or self.counts is None:
            return None
        data = self.positions.astype("<u4", copy=False).tobytes()
        ends = np.cumsum(self.counts) * 4
        starts = ends - self.counts * 4
        return [data[s:e] for s, e in zip(starts.tolist(), ends.tolist())]


def encode_inline(ids: Sequence[int], weights: Sequence[float], values: Sequence[bytes | None],
                  positional: bool, boost: float, minlength: int, maxlength: int) -> bytes:
    """The compact term info of a short posting list (see the module docstring).

    ``values`` are aligned with ``ids`` (empty or ``None`` for none);
    ``positional`` lists have ``PackedPositions`` values and weights equal
    to their number of positions times ``boost``.
    """
    n = len(ids)
    if not 0 < n <= MAX_INLINE:
        raise ValueError(f"cannot inline {n} postings")
    first = ids[0]
    offsets = [d - first for d in ids[1:]]
    mode = 0
    parts: list[bytes] = []
    if offsets and offsets[-1] < 65536:
        mode |= IDS16
        parts.append(np.asarray(offsets, dtype="<u2").tobytes())
    elif offsets:
        parts.append(np.asarray(offsets, dtype="<u4").tobytes())
    if positional:
        mode |= POSITIONAL
        counts = [len(v or b"") >> 2 for v in values]
        parts.append(_BOOST.pack(boost))
        if max(counts) < 256:
            mode |= COUNTS8
            parts.append(bytes(counts))
        elif max(counts) < 65536:
            parts.append(np.asarray(counts, dtype="<u2").tobytes())
        else:
            mode |= COUNTS32
            parts.append(np.asarray(counts, dtype="<u4").tobytes())
        parts.append(b"".join(v or b"" for v in values) if _LE else
                     np.frombuffer(b"".join(v or b"" for v in values), dtype="=u4").astype("<u4").tobytes())
    else:
        if all(w == 1.0 for w in weights):
            mode |= UNIT_WEIGHTS
        else:
            parts.append(np.asarray(weights, dtype="<f4").tobytes())
        if any(values):
            mode |= VALUES
            parts.append(np.asarray([len(v or b"") for v in values], dtype="<u4").tobytes())
            parts.append(b"".join(v or b"" for v in values))
    return _HEAD.pack(INLINED, minlength, maxlength, n, mode, first) + b"".join(parts)


def encode_inline_lists(ids: np.ndarray, counts: np.ndarray, positions: np.ndarray, starts: np.ndarray,
                        boost: float) -> list[bytes]:
    """:func:`encode_inline` of many positional lists of a field without
    lengths at once, from arrays: list ``i`` is postings
    ``starts[i]:starts[i + 1]`` (documents ``ids``, each with ``counts``
    positions, the next ones of ``positions``).  The same bytes as
    :func:`encode_inline` per list (``tests/test_postings.py``), at a few
    slices a list instead of Python objects per posting (a build's n-gram
    fields, :mod:`index.inverter`)."""
    ids = np.asarray(ids, dtype=np.int64)
    counts = np.asarray(counts, dtype=np.int64)
    starts = np.asarray(starts, dtype=np.int64)
    if len(starts) < 2:
        return []
    sizes = np.diff(starts)
    if int(sizes.min()) <= 0 or int(sizes.max()) > MAX_INLINE:
        raise ValueError("cannot inline lists of these sizes")
    firsts = ids[starts[:-1]]
    spans = ids[starts[1:] - 1] - firsts
    most = np.maximum.reduceat(counts, starts[:-1])
    modes = np.full(len(sizes), POSITIONAL, dtype=np.int64)
    modes[(sizes > 1) & (spans < 65536)] |= IDS16
    modes[most < 256] |= COUNTS8
    modes[most >= 65536] |= COUNTS32
    offsets = ids - np.repeat(firsts, sizes)
    off16 = offsets.astype("<u2").tobytes()
    off32 = offsets.astype("<u4").tobytes()
    c8 = counts.astype(np.uint8).tobytes()
    c16 = counts.astype("<u2").tobytes()
    c32 = counts.astype("<u4").tobytes()
    data = np.asarray(positions).astype("<u4").tobytes()
    ends = np.zeros(len(counts) + 1, dtype=np.int64)
    np.cumsum(counts, out=ends[1:])
    boost_bytes = _BOOST.pack(boost)
    head = _HEAD.pack
    out: list[bytes] = []
    append = out.append
    bounds = starts.tolist()
    qs = (ends[starts] * 4).tolist()
    for i, (mode, first) in enumerate(zip(modes.tolist(), firsts.tolist())):
        p0, p1 = bounds[i], bounds[i + 1]
        n = p1 - p0
        if n == 1:
            idb = b""
        elif mode & IDS16:
            idb = off16[2 * p0 + 2:2 * p1]
        else:
            idb = off32[4 * p0 + 4:4 * p1]
        if mode & COUNTS8:
            cb = c8[p0:p1]
        elif mode & COUNTS32:
            cb = c32[4 * p0:4 * p1]
        else:
            cb = c16[2 * p0:2 * p1]
        append(b"".join((head(INLINED, 0, 0, n, mode, first), idb, boost_bytes, cb, data[qs[i]:qs[i + 1]])))
    return out


def is_inline(info: bytes) -> bool:
    return bool(info) and info[0] == INLINED


def decode_inline(info: bytes) -> InlineList:
    """Read a term info written by :func:`encode_inline`."""
    flags, minlength, maxlength, n, mode, first = _HEAD.unpack_from(info)
    if flags != INLINED:
        raise ValueError("not a compactly inlined term info")
    pos = _HEAD.size
    ids = np.empty(n, dtype=np.int64)
    ids[0] = first
    if n > 1:
        dtype = "<u2" if mode & IDS16 else "<u4"
        width = 2 if mode & IDS16 else 4
        ids[1:] = np.frombuffer(info, dtype=dtype, count=n - 1, offset=pos).astype(np.int64) + first
        pos += width * (n - 1)
    if mode & POSITIONAL:
        (boost,) = _BOOST.unpack_from(info, pos)
        pos += 4
        if mode & COUNTS8:
            counts = np.frombuffer(info, dtype=np.uint8, count=n, offset=pos).astype(np.int64)
            pos += n
        elif mode & COUNTS32:
            counts = np.frombuffer(info, dtype="<u4", count=n, offset=pos).astype(np.int64)
            pos += 4 * n
        else:
            counts = np.frombuffer(info, dtype="<u2", count=n, offset=pos).astype(np.int64)
            pos += 2 * n
        positions = np.frombuffer(info, dtype="<u4", count=int(counts.sum()), offset=pos)
        weights = counts * float(boost)
        return InlineList(minlength, maxlength, ids, weights.astype(np.float64), counts, positions, None)
    if mode & UNIT_WEIGHTS:
        weights = np.ones(n)
    else:
        weights = np.frombuffer(info, dtype="<f4", count=n, offset=pos).astype(np.float64)
        pos += 4 * n
    raw: list[bytes] | None = None
    if mode & VALUES:
        lens = np.frombuffer(info, dtype="<u4", count=n, offset=pos).tolist()
        pos += 4 * n
        raw = []
        for length in lens:
            raw.append(bytes(info[pos:pos + length]))
            pos += length
    return InlineList(minlength, maxlength, ids, weights, None, None, raw)
