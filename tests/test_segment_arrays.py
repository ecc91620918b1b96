"""Facets, dates and field lengths are read once per segment and reused by
the next snapshot (:class:`search.snapshots.SegmentArrays`), and they stay
exact: after an update that adds, changes and keeps articles, every facet
count equals a count over the articles themselves."""

from __future__ import annotations

from collections import Counter

import numpy as np

from index.builder import update
from search.snapshots import SearchIndex

from .conftest import build_index, write_jsonl

SOURCES = ["河东日报", "河西晚报", "山城周刊"]
TAGS = ["交通", "教育", "医疗", "天气"]


def _article(k: int, edition: int = 0) -> dict:
    """Made-up article ``k``; a later ``edition`` changes its text and source."""
    return {"id": f"s{k}", "title": f"第{k}号新闻{'更正' * edition}", "body": f"正文{k}讲到本地的事。",
            "date": f"2024-{1 + k % 12:02d}-{1 + k % 27:02d}", "source": SOURCES[(k + edition) % 3],
            "author": f"记者{k % 4}", "tags": [TAGS[k % 4], TAGS[(k + edition + 1) % 4]]}


def _expected(articles: list[dict]) -> dict[str, Counter]:
    return {"source": Counter(a["source"] for a in articles),
            "tag": Counter(t for a in articles for t in set(a["tags"])),
            "author": Counter(a["author"] for a in articles)}


def _counts(opened, name: str) -> Counter:
    live = np.concatenate([seg.live + seg.offset for seg in opened.segments()])
    return Counter(dict(opened.facet_counts(name, live)))


def test_facets_stay_exact_and_old_segments_are_not_read_again(tmp_path):
    first = [_article(k) for k in range(40)]
    store, _ = build_index(tmp_path, [str(write_jsonl(tmp_path / "a.jsonl", first))])
    index = SearchIndex(store.root, refresh_interval=0)
    before = index.acquire()
    for name, counts in _expected(first).items():
        assert _counts(before, name) == counts
    old_arrays = {key: value for key, value in index.segment_arrays._items.items()}
    assert any(name.startswith("facet") for _, name in old_arrays)

    changed = [_article(k, edition=1) for k in range(5)] + [_article(k) for k in range(40, 50)]
    update([str(write_jsonl(tmp_path / "b.jsonl", changed))], store)
    after = index.acquire()
    assert after is not before and after.segment_keys > (before.segment_keys & after.segment_keys)
    final = changed + first[5:]
    for name, counts in _expected(final).items():
        assert _counts(after, name) == counts
    kept = [key for key in old_arrays if key[0] in after.segment_keys]
    assert kept  # the first build's segment is still there ...
    for key in kept:  # ... and its arrays were not read again
        assert index.segment_arrays._items[key] is old_arrays[key]
    assert set(index.segment_arrays._items) <= {(seg, n) for seg in after.segment_keys
                                                for _, n in index.segment_arrays._items}
    index.close()
