"""Export without a cap: every match, as CSV (Excel-ready) or JSON Lines, streamed."""

from __future__ import annotations

import csv
import io
import json

import pytest
from click.testing import CliRunner

from api.cli import main
from index.builder import build
from index.store import IndexStore
from search.engine import matching_ids, search
from search.models import SearchRequest
from search.snapshots import SearchIndex

Q = "郑州 OR 发展 OR 地铁"


def test_csv_export_has_every_match_in_order_with_a_bom(client, app):
    total = search(app.extensions["newsearch"], SearchRequest(q=Q)).total
    resp = client.get("/api/export", query_string={"q": Q, "sort": "-date", "body": "true"})
    assert resp.status_code == 200 and resp.headers["Content-Type"].startswith("text/csv")
    assert "attachment" in resp.headers["Content-Disposition"]
    text = resp.get_data(as_text=True)
    assert text.startswith("\ufeffid,date,source,author,kicker,title,subtitle,url,body")
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    assert len(rows) == total > 5
    dated = [r["date"] for r in rows if r["date"]]
    assert dated == sorted(dated, reverse=True)  # newest first, as asked
    assert set(r["id"] for r in rows) == set(matching_ids(app.extensions["newsearch"], SearchRequest(q=Q)))


def test_jsonl_export_records_and_filters(client):
    resp = client.get("/api/export", query_string={"q": Q, "format": "jsonl", "source": "郑州晚报"})
    records = [json.loads(line) for line in resp.get_data(as_text=True).splitlines()]
    assert records and all(r["source"] == "郑州晚报" for r in records)
    assert set(records[0]) == {"id", "title", "kicker", "subtitle", "authors", "date", "source", "page", "url",
                               "tags", "body"}


def test_bad_export_requests_and_the_concurrency_cap(client, app):
    assert client.get("/api/export?q=郑州&format=xls").get_json()["error"]["details"]["format"]
    assert client.get("/api/export?q=郑州&page=2").status_code == 400  # no paging in an export
    assert client.get("/api/export?q=nosuch:x").status_code == 400
    slots = app.extensions["newsearch.exports"]
    held = [slots.acquire(blocking=False) for _ in range(5)]
    try:
        resp = client.get("/api/export?q=郑州")
        assert resp.status_code == 429 and resp.is_json
    finally:
        for ok in held:
            if ok:
                slots.release()
    assert client.get("/api/export?q=郑州").status_code == 200


def test_an_exported_csv_builds_the_same_articles(client, tmp_path):
    text = client.get("/api/export", query_string={"q": Q, "body": "true"}).get_data(as_text=True)
    path = tmp_path / "export.csv"
    path.write_text(text, encoding="utf-8")
    store = IndexStore(tmp_path / "ix")
    report = build([str(path)], store, procs=1)
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    assert report.indexed == len(rows) and not report.problems
    with SearchIndex(store.root, refresh_interval=0) as index:
        rebuilt = {h.id: h.title for h in search(index, SearchRequest(q=Q, per_page=100)).hits}
    assert rebuilt == {r["id"]: r["title"] for r in rows}


def test_the_cli_exports_too(news_dir):
    result = CliRunner().invoke(main, ["export", Q, "--index-dir", str(news_dir), "--format", "jsonl"])
    assert result.exit_code == 0, result.output
    assert len(result.output.splitlines()) >= 6


def test_the_page_links_to_the_export(client):
    html = client.get("/?q=地铁&source=郑州晚报&per_page=5").get_data(as_text=True)
    assert '/api/export?q=%E5%9C%B0%E9%93%81&amp;source=%E9%83%91%E5%B7%9E%E6%99%9A%E6%8A%A5' in html


@pytest.mark.corpus
def test_exporting_thousands_keeps_memory_flat(corpus_index):
    """Sorted by date, an export holds the matching docnums, not the articles:
    the memory it allocates stays a small fraction of what it writes."""
    import tracemalloc

    from api.exports import export_lines
    from search.engine import export

    from .conftest import require_corpus

    require_corpus()
    req = SearchRequest(q="的", sort="-date")
    total = search(corpus_index, SearchRequest(q="的")).total
    tracemalloc.start()
    try:
        written = rows = 0
        for chunk in export_lines(export(corpus_index, req), "jsonl"):
            written += len(chunk.encode("utf-8"))
            rows += 1
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert rows == total > 2000
    assert peak < written / 10, (peak, written)
