"""Posting lists of one segment as numpy arrays, and operations on sorted doc sets.

A query touches whole posting lists (every document holding a bigram, a
character or a word), so they are read in one go rather than a posting at a
time through Whoosh's matcher interface: a list too long to inline is one
record of :mod:`index.packed` (as :mod:`index.inverter` and the codec write
it), decoded by numpy in a few calls; an inlined one comes decoded with its
term info (:mod:`index.inline`).  :class:`Postings` holds one list: segment-local
document numbers in increasing order, their weights and, for positional
fields, every position (``offsets[i]:offsets[i+1]`` are posting ``i``'s).

Doc sets are sorted ``int64`` arrays of segment-local document numbers.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from index.docsets import contains, locate
from index.packed import decode
from index.postings import PackedPositions

EMPTY = np.zeros(0, dtype=np.int64)


@dataclass
class Postings:
    """One term's posting list in one segment."""

    ids: np.ndarray  # int64, increasing
    weights: np.ndarray  # float64
    offsets: np.ndarray | None = None  # int64, len(ids) + 1; None for fields without positions
    positions: np.ndarray | None = None  # int32 (see index.packed.Decoded)

    @property
    def nbytes(self) -> int:
        extra = 0 if self.positions is None or self.offsets is None else self.positions.nbytes + self.offsets.nbytes
        return self.ids.nbytes + self.weights.nbytes + extra

    def positions_of(self, docs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``(doc, position)`` pairs of every position this term has in
        ``docs`` (each of which must hold the term), in document order."""
        assert self.positions is not None and self.offsets is not None
        idx = np.searchsorted(self.ids, docs)
        starts = self.offsets[idx]
        counts = self.offsets[idx + 1] - starts
        total = int(counts.sum())
        if total == 0:
            return EMPTY, EMPTY
        owner = np.repeat(np.arange(len(docs)), counts)
        within = np.arange(total) - np.repeat(np.cumsum(counts) - counts, counts)
        return docs[owner], self.positions[starts[owner] + within]

    def counts_of(self, docs: np.ndarray) -> np.ndarray:
        """How many positions the term has in each of ``docs`` (all holding it)."""
        assert self.offsets is not None
        idx = np.searchsorted(self.ids, docs)
        return self.offsets[idx + 1] - self.offsets[idx]

    def found_in(self, docs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``(at, weights)``: the indexes into the sorted doc set ``docs`` of
        the documents holding the term, and its weight in each.  The
        shorter array is looked up in the longer: a word is often much
        rarer than the characters that found the documents."""
        if len(self.ids) == 0 or len(docs) == 0:
            return EMPTY, np.zeros(0)
        if len(self.ids) < len(docs):
            idx, held = locate(docs, self.ids)
            return idx[held], self.weights[held]
        idx, held = locate(self.ids, docs)
        return np.flatnonzero(held), self.weights[idx[held]]


def read_postings(reader: Any, fieldname: str, term: bytes, positions: bool = True) -> Postings | None:
    """The posting list of ``term`` in one segment reader, or None if absent.

    ``reader`` is a Whoosh ``SegmentReader`` of our codec.  Deleted documents
    are still listed (callers intersect with the live set).  Without
    ``positions`` only documents and weights are read (ranking needs no more).
    """
    from whoosh.reading import TermNotFound

    try:
        info = reader.term_info(fieldname, term)
    except TermNotFound:
        return None
    fmt = reader.schema[fieldname].format
    positional = isinstance(fmt, PackedPositions)
    keep = positional and positions
    boost = float(getattr(fmt, "field_boost", 1.0))
    inline = getattr(info, "decoded", None)
    if inline is not None:
        if not keep or inline.counts is None or inline.positions is None:
            return Postings(inline.ids, inline.weights)
        offsets = np.zeros(len(inline.ids) + 1, dtype=np.int64)
        np.cumsum(inline.counts, out=offsets[1:])
        return Postings(inline.ids, inline.weights, offsets, inline.positions.astype(np.int32))
    offset, length = info.extent()
    if isinstance(length, tuple):  # W3TermInfo.from_bytes leaves it as struct's 1-tuple
        length = length[0]
    d = decode(reader._terms.record(offset, length, keep), boost, positions=keep)
    if not keep:
        return Postings(d.ids, d.weights)
    return Postings(d.ids, d.weights, d.offsets, d.positions)


# --------------------------------------------------------------------------
# Sorted doc sets


def intersect(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Sorted unique ``a ∩ b``."""
    if len(a) > len(b):
        a, b = b, a
    if len(a) == 0:
        return EMPTY
    return a[contains(b, a)]


def union(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    if len(a) == 0:
        return b
    if len(b) == 0:
        return a
    return np.union1d(a, b)


def difference(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Sorted ``a − b``."""
    if len(a) == 0 or len(b) == 0:
        return a
    return a[~contains(b, a)]
