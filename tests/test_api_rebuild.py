"""Serving through rebuilds: no failed request while snapshots switch."""

from __future__ import annotations

import time

import pytest

from api import create_app
from index.builder import build, update
from index.store import IndexStore

from .conftest import NEWS, SEEDS, write_jsonl
from .load import searches_under_load


@pytest.mark.slow  # builds and updates under load from 4 threads: ~4 s
def test_no_failed_request_while_snapshots_switch(tmp_path):
    store = IndexStore(tmp_path / "ix")
    build([str(SEEDS)], store, procs=1)
    app = create_app({"INDEX_DIR": str(store.root), "REFRESH_INTERVAL": 0.2})
    with searches_under_load(app, "地铁 OR 发展") as load:
        extra = write_jsonl(tmp_path / "news.jsonl", NEWS)
        build([str(SEEDS), str(extra)], store, procs=1)  # switch 1: more articles
        time.sleep(0.8)
        update([str(write_jsonl(tmp_path / "late.jsonl", [
            {"id": "late", "title": "深夜地铁加开班次", "body": "地铁加开夜班车。"}]))], store)  # switch 2
        time.sleep(0.8)
    statuses, totals = load.statuses, load.totals
    assert statuses and set(statuses) == {200}, f"{len(statuses)} requests, statuses {set(statuses)}"
    assert totals[0] == 4  # the seed page only
    assert totals[-1] == 4 + 2 + 1  # new articles became findable without a restart
