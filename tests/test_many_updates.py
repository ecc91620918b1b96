"""Many small updates in a row: Whoosh merges the small segments they leave
(MERGE_SMALL), reading our inlined posting lists back (found by bench/scale.py:
the 15th daily update failed with ``vbytes=''``)."""

from __future__ import annotations

import pytest

from index.builder import MERGE_AT, build, update
from index.store import IndexStore
from search.engine import matching_ids
from search.models import SearchRequest
from search.snapshots import SearchIndex

from .conftest import SEEDS, write_jsonl

pytestmark = pytest.mark.slow


def test_twenty_updates_merge_their_segments_and_keep_every_article(tmp_path):
    store = IndexStore(tmp_path / "ix")
    build([str(SEEDS)], store, procs=1)
    for day in range(20):
        docs = [{"id": f"d{day}-{k}", "title": f"第{day}天的新闻{k}", "body": f"今天是第{day}天，编号{k}的稿件。",
                 "date": f"2023-02-{day + 1:02d}", "author": "记者", "tags": ["日报"]} for k in range(5)]
        report = update([str(write_jsonl(tmp_path / f"day{day}.jsonl", docs))], store)
        assert report.indexed == 5, (day, report.problems)
    with SearchIndex(store.root, refresh_interval=0) as index:
        with index.lease() as opened:
            sizes = sorted(seg.reader.doc_count_all() for seg in opened.segments())
        # merged as the policy says: never more than MERGE_AT - 1 small segments left unmerged
        assert len(sizes) <= MERGE_AT, sizes
        assert sum(sizes) == 104
        assert len(matching_ids(index, SearchRequest(q="稿件"))) == 100
        assert matching_ids(index, SearchRequest(q='"第7天的新闻3"')) == ["d7-3"]
        assert len(matching_ids(index, SearchRequest(q="发展"))) == 4  # the seed page is still there
