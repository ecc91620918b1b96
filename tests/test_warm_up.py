"""A worker reads every article's dates and facets in a background thread
at start (``WARM_UP``), so its first page search reads no column; with the
setting off it starts none."""

from __future__ import annotations

import pytest

import search.snapshots
from api import create_app
from api.live import WARM_UP_THREAD


def test_first_faceted_search_after_warm_up_reads_no_column(news_dir, monkeypatch):
    app = create_app({"INDEX_DIR": str(news_dir), "TESTING": True, "WARM_UP": True})
    try:
        thread = app.extensions[WARM_UP_THREAD]
        assert thread is not None
        thread.join(timeout=60)
        assert not thread.is_alive()
        assert app.test_client().get("/api/health").json["warming_up"] is False

        def no_reading(*args, **kwargs):
            raise AssertionError("a column was read after the warm-up")

        monkeypatch.setattr(search.snapshots, "var_bytes_column", no_reading)
        monkeypatch.setattr(search.snapshots, "date_column", no_reading)
        got = app.test_client().get("/api/search", query_string={"q": "郑州", "facets": "true"})
        assert got.status_code == 200, got.json
        assert got.json["facets"]["source"] and got.json["facets"]["month"]
    finally:
        app.extensions["newsearch"].close()


def test_off_by_setting(news_dir):
    app = create_app({"INDEX_DIR": str(news_dir), "TESTING": True, "WARM_UP": False})
    try:
        assert app.extensions[WARM_UP_THREAD] is None
    finally:
        app.extensions["newsearch"].close()


def test_without_a_warm_up_a_search_reads_the_columns(news_dir, monkeypatch):
    """The check above can fail: without the warm-up the same search reads them."""
    app = create_app({"INDEX_DIR": str(news_dir), "TESTING": True, "WARM_UP": False})
    try:
        monkeypatch.setattr(search.snapshots, "var_bytes_column", lambda *a: pytest.fail("read"))
        with pytest.raises(pytest.fail.Exception):
            app.test_client().get("/api/search", query_string={"q": "郑州", "facets": "true"})
    finally:
        app.extensions["newsearch"].close()


def test_closing_during_the_warm_up_waits_for_it_and_stops_it(news_dir, monkeypatch):
    """At exit (or a test's teardown) the index closes while the warm-up
    thread may be reading: its files stay open until the thread's current
    step ends, and the steps after it are skipped."""
    import threading

    reading, release = threading.Event(), threading.Event()
    later_steps: list[str] = []
    dates = search.snapshots.OpenSnapshot.dates

    def slow_dates(self):
        reading.set()
        assert release.wait(timeout=60)
        return dates(self)

    monkeypatch.setattr(search.snapshots.OpenSnapshot, "dates", slow_dates)
    monkeypatch.setattr(search.snapshots.OpenSnapshot, "stories", lambda self: later_steps.append("stories"))
    app = create_app({"INDEX_DIR": str(news_dir), "TESTING": True, "WARM_UP": True})
    index, thread = app.extensions["newsearch"], app.extensions[WARM_UP_THREAD]
    assert reading.wait(timeout=60)
    opened = index._open
    index.close()
    assert not opened.closed, "closed under the warm-up thread's reads"
    release.set()
    thread.join(timeout=60)
    assert not thread.is_alive()
    assert opened.closed, "the warm-up's lease ended without closing the retired snapshot"
    assert later_steps == []
