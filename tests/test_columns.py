"""Whole columns read in one piece (:mod:`index.columns`) equal Whoosh's
value-at-a-time readers: the BM25 lengths a worker loads on its first query
must be the ones Whoosh would give, document by document."""

from __future__ import annotations

import numpy as np
from whoosh import index as windex

from index.columns import date_column, field_lengths
from index.schema import TEXT_FIELDS

from .conftest import build_index, write_jsonl

#: Made-up articles: empty and missing fields, one character, and a body
#: long enough that Whoosh's one-byte length rounds it.
ARTICLES = [
    {"id": f"c{k}", "title": title, "subtitle": sub, "body": body, "date": "2024-05-01"}
    for k, (title, sub, body) in enumerate([
        ("河边新修步道", "", "市民散步。"),
        ("桥", "副题：夜间施工", "桥。" * 3),
        ("长文", "", "今天的会议讨论了城市交通和公园建设。" * 400),
        ("无正文", "只有副题", ""),
    ] * 5)
] + [{"id": "undated", "title": "日期不详", "body": "没有日期的稿件。"}]


def test_field_lengths_equal_whoosh_per_document(tmp_path):
    store, _ = build_index(tmp_path, [str(write_jsonl(tmp_path / "a.jsonl", ARTICLES))])
    ix = windex.open_dir(str(store.current().path))
    with ix.reader() as reader:
        subs = [r for r, _ in reader.leaf_readers()]
        checked = 0
        for sub in subs:
            for name in TEXT_FIELDS:
                expected = np.array([np.nan if v is None else v for v in
                                     (sub.doc_field_length(d, name, 1) for d in range(sub.doc_count_all()))],
                                    dtype=np.float64)
                np.testing.assert_array_equal(field_lengths(sub, name, 1), expected)
                checked += int(np.isfinite(expected).sum())
        assert checked > len(ARTICLES)
        assert np.isnan(field_lengths(subs[0], "subtitle", 1)).any()  # an empty field: Whoosh's None
        assert (field_lengths(subs[0], "body", 1) > 1000).any()
        for sub in subs:
            dates = date_column(sub)
            assert dates.tolist() == list(sub.column_reader("date", translate=False))
        assert dates.max() == 2**64 - 1 and dates.min() < 2**63  # the undated article, and dated ones
