"""Stored fields compressed with the segment's zstd dictionary (schema 7):
every document reads back as written, whatever the segment's size."""

from __future__ import annotations

import datetime as dt
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from whoosh.filedb.filestore import RamStorage

from index.storedcol import SAMPLE_DOCS, StoredFieldsColumn

COLUMN = StoredFieldsColumn()
SENTENCES = ["郑州市郑东新区今天举行新闻发布会。", "记者从市交通局获悉，地铁六号线将于年底通车。",
             "Hong Kong 特区政府宣布新措施。", "据了解，该项目总投资约十二亿元。"]


def _article(rng: random.Random, i: int) -> dict:
    body = "".join(rng.choice(SENTENCES) for _ in range(rng.randint(3, 30)))
    return {"id": f"a{i}", "title": SENTENCES[i % 4][:10], "body": body,
            "date": dt.datetime(2020, 1, 1) + dt.timedelta(days=i), "tags": ["交通", str(i)]}


def _round_trip(docs: dict[int, dict], doccount: int) -> list:
    storage = RamStorage()
    out = storage.create_file("s.col")
    writer = COLUMN.writer(out)
    for docnum in sorted(docs):
        writer.add(docnum, docs[docnum])
    writer.finish(doccount)
    out.close()
    f = storage.open_file("s.col")
    length = storage.file_length("s.col")
    reader = COLUMN.reader(f, 0, length, doccount)
    return [reader[d] for d in range(doccount)]


@pytest.mark.parametrize("count", [0, 1, 7, 300, SAMPLE_DOCS - 1, SAMPLE_DOCS, SAMPLE_DOCS + 1, 2500])
def test_every_document_reads_back(count: int) -> None:
    rng = random.Random(count)
    docs = {i: _article(rng, i) for i in range(count)}
    assert _round_trip(docs, count) == [docs[i] for i in range(count)]


def test_a_dictionary_makes_a_segment_smaller_than_zlib_per_document() -> None:
    import pickle
    import zlib

    rng = random.Random(1)
    docs = {i: _article(rng, i) for i in range(2000)}
    storage = RamStorage()
    out = storage.create_file("s.col")
    writer = COLUMN.writer(out)
    for d, v in docs.items():
        writer.add(d, v)
    writer.finish(len(docs))
    out.close()
    zlib_size = sum(len(zlib.compress(pickle.dumps(v, 2), 3)) for v in docs.values())
    assert storage.file_length("s.col") < 0.8 * zlib_size


@settings(max_examples=40, deadline=None)
@given(st.dictionaries(st.integers(0, 40), st.dictionaries(st.text(max_size=5), st.text(max_size=80), max_size=4),
                       max_size=30),
       st.integers(0, 10))
def test_documents_without_stored_fields_read_as_none(docs: dict[int, dict], extra: int) -> None:
    doccount = (max(docs) + 1 if docs else 0) + extra
    got = _round_trip(docs, doccount)
    assert got == [docs.get(d) for d in range(doccount)]
