"""The value format of every positional field: positions as packed ``uint32``.

:class:`PackedPositions` stores a posting's positions as little-endian
``uint32`` (4 bytes each).  Whoosh's stock ``Positions`` pickles delta lists,
which costs a pickle per posting when writing and an unpickle per posting
when a phrase is matched.  The format object is pickled into the schema, so
this import path is part of the on-disk format (see
:data:`index.format.SCHEMA_VERSION`).
"""

from __future__ import annotations

import sys
from array import array
from collections.abc import Iterable

from whoosh import formats

if array("I").itemsize != 4:  # pragma: no cover - every platform CPython supports today
    raise ImportError("index.postings needs a 4-byte array('I')")
_SWAP = sys.byteorder != "little"


def pack_positions(poslist: Iterable[int]) -> bytes:
    """Positions as the bytes of :class:`PackedPositions`."""
    a = array("I", poslist)
    if _SWAP:  # pragma: no cover - big-endian machines
        a.byteswap()
    return a.tobytes()


def unpack_positions(value: bytes) -> list[int]:
    a = array("I")
    a.frombytes(value)
    if _SWAP:  # pragma: no cover
        a.byteswap()
    return a.tolist()


class PackedPositions(formats.Positions):
    """Positions (for phrases) as packed ``uint32``; frequency = count.

    Weight is the frequency times the field boost, as with Whoosh's
    ``Positions``; only the byte layout differs.
    """

    def encode(self, poslist: Iterable[int]) -> bytes:
        return pack_positions(poslist)

    def decode_positions(self, valuestring: bytes) -> list[int]:
        return unpack_positions(valuestring)

    def decode_frequency(self, valuestring: bytes) -> int:
        return len(valuestring) >> 2

    def decode_weight(self, valuestring: bytes) -> float:
        return (len(valuestring) >> 2) * self.field_boost

    def decode_position_boosts(self, valuestring: bytes) -> list[tuple[int, float]]:
        return [(pos, 1.0) for pos in unpack_positions(valuestring)]

    def combine(self, vs: Iterable[bytes]) -> bytes:
        merged: set[int] = set()
        for v in vs:
            merged.update(unpack_positions(v))
        return pack_positions(sorted(merged))
