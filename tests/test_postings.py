"""The build's own posting writer against Whoosh's.

A build inverts documents in memory and writes whole posting lists at once
(:mod:`index.inverter`) with the project's codec (:mod:`index.codec`);
stock Whoosh 2.7.4 writes the same documents with its own writer and its own
W3 codec.  Both must give the same index: every term of every field with the same statistics and
the same postings, the same stored fields and field lengths.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from index import builder, inverter
from index.analysis import word_analyzer, word_positions
from index.articles import Article
from index.codec import NewsCodec
from index.inverter import InvertingWriter
from index.postings import PackedPositions, pack_positions, unpack_positions
from index.schema import build_schema, to_document
from index.sources import read_sources

from .conftest import build_index, corpus_sample

WORDS = ["郑州", "中原科技城", "郑东新区", "黑灯工厂", "人工智能", "发展", "经济", "记者", "城市",
         "新闻", "数据", "鄭州", "數據中心", "RCEP", "５Ｇ", "ＲＣＥＰ示范区", "13710", "金融中心",
         "的", "了", "在", "和", "是", "过百超千", "智能制造", "Hello", "world", "产业", "项目"]
PUNCT = ["，", "。", "、", "！", " ", "“", "”", "——", "\n"]


def generated_articles(n: int, seed: int = 3) -> list[dict]:
    """Articles composed from a small vocabulary: many shared terms (posting
    lists too long to inline) and many rare ones (inlined)."""
    rng = random.Random(seed)

    def text(k: int) -> str:
        return "".join(rng.choice(WORDS) + (rng.choice(PUNCT) if rng.random() < 0.3 else "")
                       for _ in range(k))

    out = []
    for i in range(n):
        doc = {"id": f"g{i}", "title": text(rng.randint(1, 8)), "body": text(rng.randint(0, 300)),
               "date": f"2023-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}", "source": rng.choice(["日报", "晚报"]),
               "author": rng.choice(["张立", "李明", ""]), "tags": rng.sample(["经济", "科技", "民生"], 2)}
        if rng.random() < 0.3:
            doc["subtitle"] = "——" + text(3)
        if rng.random() < 0.1:
            doc["body"] += "".join(chr(rng.randint(0x4E00, 0x9FFF)) for _ in range(40))  # rare characters
        out.append(doc)
    return out


def _write_jsonl(path: Path, docs: list[dict]) -> str:
    with open(path, "w", encoding="utf-8") as fh:
        for doc in docs:
            fh.write(json.dumps(doc, ensure_ascii=False) + "\n")
    return str(path)


def _build_both(tmp: Path, source: str) -> tuple[str, str]:
    """The same articles through InvertingWriter with the project's codec, and
    through stock Whoosh: its own SegmentWriter with its own W3 codec."""
    from whoosh import index as windex
    from whoosh.codec.whoosh3 import W3Codec
    from whoosh.writing import SegmentWriter

    arts: list[Article] = list(read_sources([source], []))
    stamp = "2026-01-01T00:00:00+00:00"
    dirs = []
    for kind in ("inverting", "whoosh"):
        d = tmp / kind
        d.mkdir()
        ix = windex.create_in(str(d), build_schema())
        if kind == "inverting":
            writer = InvertingWriter(ix, codec=NewsCodec(), compound=False)
        else:
            writer = SegmentWriter(ix, codec=W3Codec(), compound=False)
        for art in arts:
            writer.add_document(**to_document(art, stamp))
        writer.commit()
        dirs.append(str(d))
    return dirs[0], dirs[1]


def _dump(path: str) -> dict:
    from whoosh import index as windex

    ix = windex.open_dir(path)
    out: dict = {"docs": [], "terms": {}, "lengths": {}}
    with ix.reader() as r:
        scorable = [n for n, f in ix.schema.items() if f.scorable]
        for n in scorable:
            total = r.field_length(n)
            out["lengths"][n] = (total, r.min_field_length(n), r.max_field_length(n)) if total else 0
        for docnum in range(r.doc_count_all()):
            out["docs"].append((r.stored_fields(docnum), [r.doc_field_length(docnum, n) for n in scorable]))
        for fieldname in sorted(r.indexed_field_names()):
            for term in r.lexicon(fieldname):
                ti = r.term_info(fieldname, term)
                m = r.postings(fieldname, term)
                postings = []
                while m.is_active():
                    # a field without values: '' inlined in stock W3, None from a record or a block
                    postings.append((m.id(), m.weight(), m.value() or None))
                    m.next()
                out["terms"][(fieldname, term)] = (
                    ti.weight(), ti.doc_frequency(), ti.min_length(), ti.max_length(), ti.max_weight(),
                    ti.min_id(), ti.max_id(), postings)
    return out


def _assert_same_index(a: str, b: str) -> None:
    da, db = _dump(a), _dump(b)
    assert da["docs"] == db["docs"]
    assert da["lengths"] == db["lengths"]
    assert da["terms"].keys() == db["terms"].keys()
    diff = [k for k in da["terms"] if da["terms"][k] != db["terms"][k]]
    assert not diff, (diff[:3], [(da["terms"][k], db["terms"][k]) for k in diff[:1]])


@pytest.mark.slow  # two builds of a generated corpus: ~7 s
def test_inverting_writer_writes_what_whoosh_writes(tmp_path):
    source = _write_jsonl(tmp_path / "g.jsonl", generated_articles(400))
    a, b = _build_both(tmp_path, source)
    dump = _dump(a)
    dfs = [v[1] for v in dump["terms"].values()]
    assert max(dfs) > 3 * 128 and min(dfs) == 1  # long lists (records of index/packed.py), and inlined ones
    _assert_same_index(a, b)


@pytest.mark.corpus
def test_inverting_writer_on_corpus_articles(tmp_path):
    source = _write_jsonl(tmp_path / "c.jsonl", corpus_sample(300, seed=11))
    _assert_same_index(*_build_both(tmp_path, source))


@pytest.mark.parametrize("chunk", [None, 64])
def test_seed_page_through_both_writers(tmp_path, monkeypatch, chunk):
    """Also with the n-gram fields written in many small ranges of terms,
    as a build's big segments are."""
    if chunk:
        monkeypatch.setattr(inverter, "KEYED_CHUNK", chunk)
    _assert_same_index(*_build_both(tmp_path, str(Path(__file__).resolve().parent.parent / "seeds")))


def _ids(store, query: str) -> list[str]:
    from search.engine import matching_ids
    from search.snapshots import SearchIndex
    from search.models import SearchRequest

    index = SearchIndex(store.root, refresh_interval=0)
    try:
        return sorted(matching_ids(index, SearchRequest(q=query)))
    finally:
        index.close()


@pytest.mark.slow  # many small segments: ~4 s each
@pytest.mark.parametrize("procs", [1, 2])
def test_small_memory_budget_writes_more_segments_same_results(tmp_path, monkeypatch, procs):
    from whoosh import index as windex

    source = _write_jsonl(tmp_path / "g.jsonl", generated_articles(300))
    big, _ = build_index(tmp_path / "big", [source], procs=procs)
    monkeypatch.setattr(builder, "POOL_MB", 1)
    monkeypatch.setattr(builder, "BYTES_PER_POSTING", 80)  # about 13,000 postings per segment
    small, report = build_index(tmp_path / "small", [source], procs=procs)
    assert report.indexed == 300
    segments = windex.open_dir(str(small.current().path))._segments()
    assert len(segments) > 2 * procs
    assert sum(s.doc_count() for s in segments) == 300
    for q in ["郑州", "中原科技城", '"心郑"', "title:发展", "数据 -经济", "晚", "author:张立"]:
        found = _ids(small, q)
        assert found == _ids(big, q), q
        assert found or q == "晚", q


def test_packed_positions_round_trip():
    fmt = PackedPositions(field_boost=3.0)
    for poses in ([0], [5, 9, 1 << 21, (1 << 21) + 7], list(range(1000))):
        v = fmt.encode(poses)
        assert len(v) == 4 * len(poses)
        assert fmt.decode_positions(v) == poses
        assert fmt.decode_frequency(v) == len(poses)
        assert fmt.decode_weight(v) == 3.0 * len(poses)
    assert unpack_positions(pack_positions([7, 3])) == [7, 3]
    assert fmt.combine([pack_positions([1, 5]), pack_positions([3, 5])]) == pack_positions([1, 3, 5])


_text = st.lists(st.sampled_from(list("郑州中原科技城新区黑灯工厂鄭數據ＲＣＥＰrcep5Ｇ ，。的了13") + ["e\u0301", "𠀀"]),
                 max_size=60).map("".join)


@settings(max_examples=200, deadline=None)
@given(_text)
def test_word_positions_are_the_analyzers_tokens(text):
    analyzer = word_analyzer()
    expected: dict[str, list[int]] = {}
    for t in analyzer(text, positions=True, mode="index"):
        expected.setdefault(t.text, []).append(t.pos)
    assert word_positions(analyzer, text) == expected


def test_single_position_cache_stays_bounded():
    from index.inverter import _single

    for pos in range(1 << 21, (1 << 21) + _single.LIMIT + 5000):
        assert _single[pos] == pack_positions([pos])
    assert len(_single) <= _single.LIMIT


def test_another_whoosh_release_is_refused_with_a_clear_error():
    from index.format import WhooshVersionError, require_whoosh

    require_whoosh()  # the pinned release is installed
    with pytest.raises(WhooshVersionError, match=r"needs Whoosh 2\.7\.4 exactly.*2\.7\.5 is installed"):
        require_whoosh((2, 7, 5))


@settings(max_examples=200, deadline=None)
@given(st.sets(st.integers(0, 300), max_size=120), st.sets(st.integers(0, 300), max_size=120))
def test_found_in_gives_the_terms_documents_among_a_doc_set(term_docs, doc_set):
    """Both look-up directions (the shorter array in the longer) agree with a plain scan."""
    import numpy as np

    from search.arrays import Postings

    ids = np.array(sorted(term_docs), dtype=np.int64)
    p = Postings(ids, ids * 0.5 + 1.0)
    docs = np.array(sorted(doc_set), dtype=np.int64)
    at, weights = p.found_in(docs)
    expected = [k for k, d in enumerate(docs.tolist()) if d in term_docs]
    assert at.tolist() == expected
    assert weights.tolist() == [d * 0.5 + 1.0 for d in docs[expected].tolist()]
