"""Posting records (index/packed.py): what is written reads back, through
numpy for searches and through Whoosh's matchers for merges."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from index.articles import Article
from index.codec import NewsCodec
from index.inverter import InvertingWriter
from index.packed import _HEADER, MAGIC, RecordError, decode, encode, encode_position_records, encode_positions, matcher_lists, read_extent
from index.postings import PackedPositions, pack_positions
from index.schema import build_schema, to_document
from index.sources import read_sources
from search.arrays import read_postings

from .test_postings import _write_jsonl, generated_articles


@st.composite
def _positional_lists(draw):
    ids = sorted(draw(st.sets(st.integers(0, 3_000_000), min_size=1, max_size=60)))
    top = draw(st.sampled_from([40, 70_000, 1 << 23, 1 << 26]))
    poses = [sorted(draw(st.sets(st.integers(0, top), min_size=1, max_size=8))) for _ in ids]
    return ids, poses, draw(st.sampled_from([1.0, 1.5, 3.0]))


@settings(max_examples=150, deadline=None)
@given(_positional_lists())
def test_positional_record_round_trip(case):
    ids, poses, boost = case
    values = [pack_positions(p) for p in poses]
    weights = [len(p) * boost for p in poses]
    raw = encode(ids, weights, values, True, boost, None)
    # A build encodes n-gram lists from arrays: the same bytes.
    assert encode_positions(np.array(ids), np.array([len(p) for p in poses]),
                            np.array([q for p in poses for q in p], dtype=np.uint32), boost) == raw
    d = decode(raw, boost)
    assert d.ids.tolist() == ids
    assert d.weights.tolist() == weights
    assert d.offsets is not None and d.positions is not None
    assert [d.positions[a:b].tolist() for a, b in zip(d.offsets, d.offsets[1:])] == poses
    assert matcher_lists(raw, PackedPositions(field_boost=boost)) == (ids, weights, values)
    assert decode(raw, boost, positions=False).positions is None
    # Ranking reads only the record's first read_extent bytes: decoding them
    # alone (the rest zeroed, as if never read from disk) gives the same
    # documents and weights.
    need = read_extent(raw, len(raw), positions=False)
    assert read_extent(raw, len(raw)) == len(raw) and need <= len(raw)
    head = decode(raw[:need] + bytes(len(raw) - need), boost, positions=False)
    assert head.ids.tolist() == ids and head.weights.tolist() == weights


@settings(max_examples=100, deadline=None)
@given(st.lists(_positional_lists(), min_size=1, max_size=5))
def test_records_encoded_together_are_encoded_alone(cases):
    """A build encodes an n-gram field's records in bulk (index/inverter.py):
    the same bytes as one :func:`encode_positions` a list."""
    ids = np.array([d for c in cases for d in c[0]])
    counts = np.array([len(p) for c in cases for p in c[1]])
    positions = np.array([q for c in cases for p in c[1] for q in p], dtype=np.uint32)
    starts = np.cumsum([0] + [len(c[0]) for c in cases])
    expected = [encode_positions(np.array(c[0]), np.array([len(p) for p in c[1]]),
                                 np.array([q for p in c[1] for q in p]), 1.0) for c in cases]
    assert encode_position_records(ids, counts, positions, starts, 1.0) == expected


def test_positions_are_exact_when_the_gaps_of_a_whole_list_pass_two_to_the_31():
    """Positions decode as int32 with a running sum over the whole list, which
    wraps past 2**31: each position must still come out exact."""
    ids = list(range(40_000))
    poses = [[i % 7, 60_000 + i % 7] for i in ids]  # 16-bit gaps: 2.4 billion over the list
    raw = encode(ids, [2.0] * len(ids), [pack_positions(p) for p in poses], True, 1.0, None)
    assert _HEADER.unpack_from(raw, 4)[6] == 2, "not the layout this test is about (16-bit gaps)"
    d = decode(raw, 1.0)
    assert d.positions is not None and d.positions.dtype == np.int32
    assert [d.positions[a:b].tolist() for a, b in zip(d.offsets, d.offsets[1:])] == poses


@settings(max_examples=100, deadline=None)
@given(st.sets(st.integers(0, 5_000_000), min_size=1, max_size=50), st.sampled_from([0, 4, None]),
       st.booleans(), st.data())
def test_other_record_round_trip(idset, fixed, ones, data):
    ids = sorted(idset)
    n = len(ids)
    weights = [1.0] * n if ones else data.draw(st.lists(st.sampled_from([1.0, 2.0, 0.5]), min_size=n, max_size=n))
    if fixed == 0:
        values = [b""] * n
    else:
        size = st.just(4) if fixed == 4 else st.integers(0, 6)
        values = [data.draw(st.binary(min_size=k, max_size=k)) for k in data.draw(st.lists(size, min_size=n,
                                                                                               max_size=n))]

    class Fmt:
        field_boost = 1.0

    got_ids, got_weights, got_values = matcher_lists(encode(ids, weights, values, False, 1.0, fixed), Fmt())
    assert (got_ids, got_weights) == (ids, weights)
    # Whoosh's merge pool takes bytes or None: lists without values read as None
    assert list(got_values) == ([None] * n if not any(values) else values)


def test_a_weight_that_is_not_count_times_boost_is_kept():
    values = [pack_positions([1, 2]), pack_positions([7])]
    raw = encode([3, 9], [2.0, 5.5], values, True, 1.0, None)
    assert decode(raw).weights.tolist() == [2.0, 5.5]


def test_dense_lists_take_narrow_types():
    ids = list(range(0, 3000, 2))
    values = [pack_positions([(4 << 19) + k, (4 << 19) + k + 300]) for k in range(len(ids))]
    raw = encode(ids, [2.0] * len(ids), values, True, 1.0, None)
    # 1-byte id gaps, 1-byte counts, 4-byte first positions, 2-byte gaps inside a posting
    assert len(raw) < len(ids) * (1 + 1 + 4 + 2) + 64
    assert decode(raw).positions.tolist() == [p for v in values for p in np.frombuffer(v, "<u4").tolist()]


def test_repetitive_lists_are_compressed():
    """A character's lists: one position per document, mostly the same ones."""
    ids = list(range(5000))
    poses = [[(4 << 19) + k % 3] for k in ids]
    raw = encode(ids, [1.0] * len(ids), [pack_positions(p) for p in poses], True, 1.0, None)
    assert len(raw) < 5000 * 1.5  # raw counts and positions alone would be 5 bytes a posting
    d = decode(raw)
    assert d.positions is not None and d.positions.tolist() == [p[0] for p in poses]
    assert d.weights.tolist() == [1.0] * 5000


def test_other_bytes_are_refused():
    with pytest.raises(RecordError, match="magic"):
        decode(b"\x00\x00\x00\x03" + bytes(40))
    raw = encode([1, 2, 3], [1.0] * 3, [pack_positions([5])] * 3, True, 1.0, None)
    with pytest.raises(RecordError, match="damaged"):
        decode(raw[:-3])


def _segments_both_ways(tmp: Path) -> list[str]:
    """Generated articles written by a build's InvertingWriter and by Whoosh's
    SegmentWriter with our codec (the path of updates and merges)."""
    from whoosh import index as windex
    from whoosh.writing import SegmentWriter

    source = _write_jsonl(tmp / "g.jsonl", generated_articles(300))
    arts: list[Article] = list(read_sources([source], []))
    dirs = []
    for kind, cls in (("inverting", InvertingWriter), ("whoosh", SegmentWriter)):
        d = tmp / kind
        d.mkdir()
        ix = windex.create_in(str(d), build_schema())
        writer = cls(ix, codec=NewsCodec(), compound=False)
        for art in arts:
            writer.add_document(**to_document(art, "2026-01-01T00:00:00+00:00"))
        writer.commit()
        dirs.append(str(d))
    return dirs


@pytest.mark.slow  # two builds of a generated corpus: ~6 s
def test_arrays_read_what_matchers_read(tmp_path):
    from whoosh import index as windex

    for path in _segments_both_ways(tmp_path):
        records = 0
        with windex.open_dir(path).reader() as r:
            postfile = r._terms._postfile
            for fieldname in sorted(r.indexed_field_names()):
                for term in r.lexicon(fieldname):
                    info = r.term_info(fieldname, term)
                    if not info.is_inlined():
                        offset, length = info.extent()
                        assert postfile.get(offset, 4) == MAGIC
                        records += 1
                    m = r.postings(fieldname, term)
                    ids, weights, poses = [], [], []
                    while m.is_active():
                        ids.append(m.id())
                        weights.append(m.weight())
                        if isinstance(r.schema[fieldname].format, PackedPositions):
                            poses.append(m.value_as("positions"))
                        m.next()
                    p = read_postings(r, fieldname, term)
                    assert p is not None
                    assert p.ids.tolist() == ids, (fieldname, term)
                    assert p.weights.tolist() == pytest.approx(weights), (fieldname, term)
                    if poses:
                        assert p.offsets is not None and p.positions is not None
                        got = [p.positions[a:b].tolist() for a, b in zip(p.offsets, p.offsets[1:])]
                        assert got == poses, (fieldname, term)
        assert records > 50, path  # long lists are records, not W3 blocks
