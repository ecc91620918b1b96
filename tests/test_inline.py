"""Compactly inlined posting lists (since schema 6): what is written reads back."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from index.codec import TermInfo
from index.inline import decode_inline, encode_inline, encode_inline_lists
from index.postings import pack_positions


@st.composite
def posting_lists(draw: st.DrawFn) -> tuple[list[int], list[list[int]], bool, float]:
    n = draw(st.integers(1, 15))
    first = draw(st.integers(0, 2**32 - 70_000 * 15 - 1))
    gaps = draw(st.lists(st.integers(1, 70_000), min_size=n - 1, max_size=n - 1))
    ids = [first]
    for g in gaps:
        ids.append(ids[-1] + g)
    positions = draw(st.lists(st.lists(st.integers(0, 2**32 - 1), min_size=1, max_size=300),
                              min_size=n, max_size=n))
    boost = draw(st.sampled_from([1.0, 1.5, 2.0, 3.0]))
    return ids, positions, draw(st.booleans()), boost


@given(posting_lists(), st.integers(0, 255), st.integers(0, 255))
def test_positional_lists_round_trip(data: tuple[list[int], list[list[int]], bool, float],
                                     minlen: int, maxlen: int) -> None:
    ids, positions, _, boost = data
    values = [pack_positions(p) for p in positions]
    weights = [len(p) * boost for p in positions]
    blob = encode_inline(ids, weights, values, True, boost, minlen, maxlen)
    d = decode_inline(blob)
    assert d.ids.tolist() == ids
    assert d.weights.tolist() == weights
    assert d.values() == values
    assert (d.minlength, d.maxlength) == (minlen, maxlen)
    info = TermInfo.from_bytes(blob)
    assert info.doc_frequency() == len(ids)
    assert info.weight() == sum(weights)
    assert (info.min_id(), info.max_id()) == (ids[0], ids[-1])
    assert info.to_bytes() == blob
    assert info.inlined_postings() == (tuple(ids), tuple(weights), tuple(values))


@given(st.lists(st.integers(0, 10_000), min_size=1, max_size=15, unique=True),
       st.booleans(), st.booleans())
def test_lists_without_positions_round_trip(docs: list[int], unit: bool, with_values: bool) -> None:
    ids = sorted(docs)
    weights = [1.0 if unit else float(i % 7 + 1) / 4 for i in range(len(ids))]
    values = [bytes([i % 256]) * (i % 3) if with_values else b"" for i in range(len(ids))]
    d = decode_inline(encode_inline(ids, weights, values, False, 1.0, 0, 0))
    assert d.ids.tolist() == ids
    assert d.weights.tolist() == weights
    assert d.values() == (values if any(values) else None)


def test_a_bigram_found_once_is_small() -> None:
    blob = encode_inline([123_456], [1.0], [pack_positions([4 << 19 | 77])], True, 1.0, 0, 0)
    assert len(blob) == 18  # header 9, boost 4, count 1, one position 4
    assert decode_inline(blob).positions is not None
    assert np.array_equal(decode_inline(blob).positions, [4 << 19 | 77])


@given(st.lists(posting_lists(), min_size=1, max_size=4))
def test_lists_inlined_together_are_inlined_alone(lists: list[tuple[list[int], list[list[int]], bool, float]]) -> None:
    """A build inlines an n-gram field's short lists in bulk (index/inverter.py):
    the same bytes as one :func:`encode_inline` a list."""
    ids = [d for data in lists for d in data[0]]
    counts = [len(p) for data in lists for p in data[1]]
    positions = [q for data in lists for p in data[1] for q in p]
    starts = np.cumsum([0] + [len(data[0]) for data in lists])
    expected = [encode_inline(data[0], [float(len(p)) for p in data[1]], [pack_positions(p) for p in data[1]],
                              True, 1.0, 0, 0) for data in lists]
    assert encode_inline_lists(np.array(ids), np.array(counts), np.array(positions, dtype=np.uint32), starts,
                               1.0) == expected


def test_a_posting_of_more_than_65535_positions_inlines_alike() -> None:
    poses = [list(range(70_000)), [5]]
    expected = encode_inline([3, 9], [70_000.0, 1.0], [pack_positions(p) for p in poses], True, 1.0, 0, 0)
    got = encode_inline_lists(np.array([3, 9]), np.array([70_000, 1]), np.array(poses[0] + poses[1]),
                              np.array([0, 2]), 1.0)
    assert got == [expected]
    assert decode_inline(expected).counts.tolist() == [70_000, 1]
