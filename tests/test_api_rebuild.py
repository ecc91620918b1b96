"""Serving through rebuilds: no failed request while snapshots switch."""

from __future__ import annotations

import http.client
import json
import threading
import time
from urllib.parse import quote

import pytest
from werkzeug.serving import make_server

from api import create_app
from index.builder import build, update
from index.store import IndexStore

from .conftest import NEWS, SEEDS, write_jsonl


@pytest.mark.slow  # builds and updates under load from 4 threads: ~4 s
def test_no_failed_request_while_snapshots_switch(tmp_path):
    store = IndexStore(tmp_path / "ix")
    build([str(SEEDS)], store, procs=1)
    app = create_app({"INDEX_DIR": str(store.root), "REFRESH_INTERVAL": 0.2})
    server = make_server("127.0.0.1", 0, app, threaded=True)
    port = server.server_port
    serving = threading.Thread(target=server.serve_forever, daemon=True)
    serving.start()
    statuses: list[int] = []
    totals: list[int] = []
    stop = threading.Event()

    def hammer() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        deadline = time.monotonic() + 60
        while not stop.is_set() and time.monotonic() < deadline:
            conn.request("GET", "/api/search?q=" + quote("地铁 OR 发展"))
            resp = conn.getresponse()
            body = resp.read()
            statuses.append(resp.status)
            if resp.status == 200:
                totals.append(json.loads(body)["total"])
        conn.close()

    threads = [threading.Thread(target=hammer) for _ in range(4)]
    try:
        for t in threads:
            t.start()
        time.sleep(0.5)
        extra = write_jsonl(tmp_path / "news.jsonl", NEWS)
        build([str(SEEDS), str(extra)], store, procs=1)  # switch 1: more articles
        time.sleep(0.8)
        update([str(write_jsonl(tmp_path / "late.jsonl", [
            {"id": "late", "title": "深夜地铁加开班次", "body": "地铁加开夜班车。"}]))], store)  # switch 2
        time.sleep(0.8)
    finally:
        stop.set()
        for t in threads:
            t.join()
        server.shutdown()
        app.extensions["newsearch"].close()
    assert statuses and set(statuses) == {200}, f"{len(statuses)} requests, statuses {set(statuses)}"
    assert totals[0] == 4  # the seed page only
    assert totals[-1] == 4 + 2 + 1  # new articles became findable without a restart
