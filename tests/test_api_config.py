"""Configuration, embedding in another Flask app, snapshot-tied caching, ``newsearch serve``."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from flask import Flask

from api import create_app, init_app
from index.builder import build, update
from index.store import IndexStore

from .conftest import NEWS, SEEDS, write_jsonl


def test_environment_then_mapping(news_dir, monkeypatch):
    monkeypatch.setenv("NEWSEARCH_INDEX_DIR", str(news_dir))
    monkeypatch.setenv("NEWSEARCH_CORS_ORIGINS", "http://a.example, http://b.example")
    monkeypatch.setenv("NEWSEARCH_CACHE_MAX_AGE", "5")
    app = create_app()
    try:
        client = app.test_client()
        resp = client.get("/api/search?q=地铁", headers={"Origin": "http://b.example"})
        assert resp.status_code == 200 and resp.headers["Access-Control-Allow-Origin"] == "http://b.example"
        assert resp.headers["Cache-Control"] == "public, max-age=5"
    finally:
        app.extensions["newsearch"].close()
    app = create_app({"CACHE_MAX_AGE": 60})  # the mapping wins over the environment
    try:
        assert app.config["CACHE_MAX_AGE"] == 60 and app.config["INDEX_DIR"] == str(news_dir)
    finally:
        app.extensions["newsearch"].close()


def test_max_query_chars_setting(news_dir):
    app = create_app({"INDEX_DIR": str(news_dir), "MAX_QUERY_CHARS": 10})
    client = app.test_client()
    try:
        assert client.get("/api/search", query_string={"q": "地铁" * 5}).status_code == 200
        for resp in (client.get("/api/search", query_string={"q": "地铁" * 6}),
                     client.post("/api/search", json={"q": "地铁" * 6}),
                     client.get("/api/articles/n1", query_string={"q": "地铁" * 6})):
            assert resp.status_code == 400 and "q" in resp.get_json()["error"]["details"]
        assert 'maxlength="10"' in client.get("/").get_data(as_text=True)  # the page's box says so too
    finally:
        app.extensions["newsearch"].close()


def test_a_pasted_paragraph_fits_quoted(client):
    """1,000 characters pasted between quotes (and a scope) are within the limit."""
    from search.models import MAX_QUERY_CHARS

    q = 'title:"' + "郑州地铁" * 250 + '"'
    assert len(q) <= MAX_QUERY_CHARS
    resp = client.get("/api/search", query_string={"q": q})
    assert resp.status_code == 200 and resp.get_json()["total"] == 0
    assert f'maxlength="{MAX_QUERY_CHARS}"' in client.get("/").get_data(as_text=True)


def test_health_warns_when_the_newest_snapshot_cannot_be_opened(app, client, monkeypatch):
    monkeypatch.setattr(app.extensions["newsearch"], "error", "snapshot X: checksum mismatch")
    resp = client.get("/api/health")
    body = resp.get_json()
    assert resp.status_code == 200 and body["warning"] and body["articles"] == 9
    assert "checksum" not in body["warning"]  # the detail stays in the server's log


def test_preflight_from_another_origin_gets_no_cors(client):
    pre = client.options("/api/search", headers={"Origin": "http://evil.example",
                                                  "Access-Control-Request-Method": "POST"})
    assert "Access-Control-Allow-Origin" not in pre.headers
    assert "Access-Control-Allow-Methods" not in pre.headers


def test_error_answers_carry_cors_for_allowed_origins(client):
    resp = client.get("/api/search?q=地铁&page=0", headers={"Origin": "http://intranet.example"})
    assert resp.status_code == 400 and resp.headers["Access-Control-Allow-Origin"] == "http://intranet.example"
    assert resp.headers["Cache-Control"] == "no-store" and "ETag" not in resp.headers


def test_etag_follows_the_snapshot(tmp_path):
    store = IndexStore(tmp_path / "ix")
    build([str(SEEDS)], store, procs=1)
    app = create_app({"INDEX_DIR": str(store.root), "REFRESH_INTERVAL": 0})
    client = app.test_client()
    try:
        first = client.get("/api/search?q=地铁")
        tag = first.headers["ETag"]
        assert client.get("/api/search?q=地铁", headers={"If-None-Match": tag}).status_code == 304
        article = client.get("/api/stats").headers["ETag"]
        update([str(write_jsonl(tmp_path / "more.jsonl", NEWS[:2]))], store)
        again = client.get("/api/search?q=地铁", headers={"If-None-Match": tag})
        assert again.status_code == 200 and again.headers["ETag"] != tag
        assert again.get_json()["total"] == first.get_json()["total"] + 2
        assert client.get("/api/stats").headers["ETag"] != article
    finally:
        app.extensions["newsearch"].close()


@pytest.fixture
def host(news_dir):
    """An intranet's own Flask app with the API mounted under /news/api."""
    host = Flask("intranet")
    host.config.update(INDEX_DIR=str(news_dir), CORS_ORIGINS="http://intranet.example")

    @host.get("/")
    def home() -> str:
        return "intranet home"

    init_app(host, "/news/api")
    yield host
    host.extensions["newsearch"].close()


def test_mounted_under_a_prefix(host):
    from openapi_spec_validator import validate

    client = host.test_client()
    assert client.get("/").get_data(as_text=True) == "intranet home"
    data = client.get("/news/api/search?q=地铁", headers={"Origin": "http://intranet.example"})
    assert data.status_code == 200 and data.get_json()["total"] == 2
    assert data.headers["Access-Control-Allow-Origin"] == "http://intranet.example"
    assert client.get("/api/search?q=地铁").status_code == 404
    bad = client.get("/news/api/search?q=地铁&per_page=abc")
    assert bad.status_code == 400 and "per_page" in bad.get_json()["error"]["details"]
    missing = client.get("/news/api/articles/nope")
    assert missing.status_code == 404 and missing.get_json()["error"]["code"] == 404
    spec = client.get("/news/api/openapi.json").get_json()
    validate(spec)
    assert "/news/api/search" in spec["paths"] and "/news/api/articles/{article_id}" in spec["paths"]
    with client.get("/news/api/docs") as page:
        assert page.status_code == 200
    # The host's own errors stay the host's (not turned into the API's JSON).
    other = client.get("/intranet-page-that-does-not-exist")
    assert other.status_code == 404 and not other.is_json


def test_serve_command(news_dir, monkeypatch):
    from api.cli import main

    calls = []
    monkeypatch.setattr(Flask, "run", lambda self, **kw: calls.append((self, kw)))
    monkeypatch.setenv("PORT", "8123")
    result = CliRunner().invoke(main, ["serve", "--index-dir", str(news_dir)])
    assert result.exit_code == 0, result.output
    app, kw = calls[0]
    try:
        assert kw["host"] == "127.0.0.1" and kw["port"] == 8123 and not kw["debug"]
        assert app.config["INDEX_DIR"] == str(news_dir)
        assert app.test_client().get("/api/health").get_json()["articles"] == 9
    finally:
        app.extensions["newsearch"].close()


def test_a_bad_request_is_400_even_without_an_index(tmp_path):
    app = create_app({"INDEX_DIR": str(tmp_path / "none")})
    client = app.test_client()
    assert client.get("/api/search?q=地铁&per_page=abc").status_code == 400
    assert client.get("/api/search?q=地铁").status_code == 503


def test_a_query_past_the_time_budget_is_a_400_naming_q(news_dir):
    """A tiny budget refuses the search with a reason on q, the page shows it as
    a notice, and a generous one answers (the tests' default)."""
    app = create_app({"INDEX_DIR": str(news_dir), "TIME_BUDGET": 1e-9, "REFRESH_INTERVAL": 0})
    try:
        with app.test_client() as client:
            resp = client.get("/api/search?q=郑州")
            assert resp.status_code == 400
            error = resp.get_json()["error"]
            assert "too expensive" in error["details"]["q"][0] and "narrow" in error["details"]["q"][0]
            page = client.get("/?q=郑州").get_data(as_text=True)
            assert "too expensive" in page
    finally:
        app.extensions["newsearch"].close()
    app = create_app({"INDEX_DIR": str(news_dir), "TIME_BUDGET": 0, "REFRESH_INTERVAL": 0})
    try:
        with app.test_client() as client:
            assert client.get("/api/search?q=郑州").status_code == 200
    finally:
        app.extensions["newsearch"].close()
