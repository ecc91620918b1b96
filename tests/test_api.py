"""The JSON API through Flask's test client."""

from __future__ import annotations

from api import create_app
from search.engine import search
from search.models import SearchRequest


def test_search_get_and_post_agree(client):
    got = client.get("/api/search", query_string={"q": "地铁", "per_page": 5, "facets": "true"})
    posted = client.post("/api/search", json={"q": "地铁", "per_page": 5, "facets": True})
    assert got.status_code == posted.status_code == 200
    a, b = got.get_json(), posted.get_json()
    a.pop("took_ms"), b.pop("took_ms")
    assert a == b
    assert a["total"] == 2 and {h["id"] for h in a["hits"]} == {"n1", "n2"}
    assert set(a) == {"total", "page", "per_page", "hits", "facets"}
    hit = a["hits"][0]
    assert {"id", "title", "subtitle", "date", "source", "author", "url", "score", "highlights"} <= set(hit)
    assert a["facets"]["source"] and a["facets"]["month"]


def test_same_json_as_the_cli(app, client):
    api = client.get("/api/search", query_string={"q": '"中原科技城"'}).get_json()
    direct = search(app.extensions["newsearch"], SearchRequest(q='"中原科技城"')).to_dict()
    api.pop("took_ms"), direct.pop("took_ms")
    assert api == direct


def test_json_is_utf8_not_escaped(client):
    resp = client.get("/api/search", query_string={"q": "黑灯工厂"})
    assert resp.mimetype == "application/json"
    assert "黑灯工厂".encode() in resp.data and b"\\u" not in resp.data


def test_filters_sort_and_paging(client):
    data = client.get("/api/search?q=地铁&sort=-date").get_json()
    assert [h["id"] for h in data["hits"]] == ["n1", "n2"]
    data = client.get("/api/search?q=地铁&sort=date").get_json()
    assert [h["id"] for h in data["hits"]] == ["n2", "n1"]
    assert client.get("/api/search?q=地铁&source=郑州晚报").get_json()["total"] == 1
    assert client.get("/api/search?q=地铁&source=郑州晚报&source=郑州日报").get_json()["total"] == 2
    assert client.get("/api/search?q=地铁&tag=地铁&tag=交通").get_json()["total"] == 1
    assert client.get("/api/search?q=地铁&date_from=2023-07-01").get_json()["total"] == 1
    page2 = client.get("/api/search?q=地铁&per_page=1&page=2").get_json()
    assert page2["total"] == 2 and len(page2["hits"]) == 1 and page2["page"] == 2


def test_traditional_query_and_highlights_are_escaped(client):
    data = client.get("/api/search", query_string={"q": "国际金融"}).get_json()
    assert [h["id"] for h in data["hits"]] == ["n4"]
    assert "<mark>國際金融</mark>" in data["hits"][0]["highlights"]["body"][0]
    xss = client.get("/api/search", query_string={"q": "网页安全"}).get_json()["hits"][0]
    assert "<script>" not in xss["highlights"]["title"] and "&lt;script&gt;" in xss["highlights"]["title"]
    assert "<img" not in "".join(xss["highlights"]["body"])
    assert xss["url"] == ""  # the javascript: URL never reaches a client as a link


def test_article_endpoint(client):
    data = client.get("/api/articles/n3").get_json()
    assert data["title"] == "黑灯工厂参观记" and data["paragraphs"] and "highlights" not in data
    marked = client.get("/api/articles/n3", query_string={"q": '"黑灯工厂"'}).get_json()
    assert marked["highlights"]["title"] == "<mark>黑灯工厂</mark>参观记"
    missing = client.get("/api/articles/nope")
    assert missing.status_code == 404 and missing.get_json()["error"]["code"] == 404


def test_health_and_stats(client):
    health = client.get("/api/health").get_json()
    assert health["status"] == "ok" and health["articles"] == 9 and health["snapshot"]
    stats = client.get("/api/stats").get_json()
    assert stats["articles"] == 9
    assert {"value": "郑州晚报", "count": 3} in stats["facets"]["source"]
    assert "sources" not in stats and "/" not in str(stats)  # no file paths leak


def test_no_index_is_503(tmp_path):
    app = create_app({"INDEX_DIR": str(tmp_path / "none"), "TESTING": True})
    client = app.test_client()
    for url in ("/api/health", "/api/search?q=郑州"):
        resp = client.get(url)
        assert resp.status_code == 503
        body = resp.get_json()["error"]
        assert body["code"] == 503 and str(tmp_path) not in body["message"]


def test_cors_only_for_allowed_origins(client):
    ok = client.get("/api/search?q=地铁", headers={"Origin": "http://intranet.example"})
    assert ok.headers["Access-Control-Allow-Origin"] == "http://intranet.example"
    assert "Origin" in ok.headers["Vary"]
    other = client.get("/api/search?q=地铁", headers={"Origin": "http://evil.example"})
    assert "Access-Control-Allow-Origin" not in other.headers
    pre = client.options("/api/search", headers={"Origin": "http://intranet.example",
                                                  "Access-Control-Request-Method": "POST"})
    assert pre.status_code == 200 and "POST" in pre.headers["Access-Control-Allow-Methods"]


def test_etag_and_cache_control(client):
    first = client.get("/api/search?q=地铁")
    assert first.headers["ETag"] and "max-age" in first.headers["Cache-Control"]
    again = client.get("/api/search?q=地铁", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
    other = client.get("/api/search?q=公交")
    assert other.headers["ETag"] != first.headers["ETag"]
    assert client.get("/api/health").headers["Cache-Control"] == "no-store"


def test_openapi_document_is_valid_and_complete(app, client):
    from openapi_spec_validator import validate

    spec = client.get("/api/openapi.json").get_json()
    validate(spec)
    documented = {(path, method.upper()) for path, ops in spec["paths"].items() for method in ops}
    routed = set()
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith(("api.", "docs.openapi")):
            path = rule.rule.replace("<path:article_id>", "{article_id}")
            routed |= {(path, m) for m in rule.methods - {"HEAD", "OPTIONS"}}
    assert routed <= documented
    with client.get("/api/docs") as page:
        assert page.status_code == 200 and b"cdn" not in page.data.lower()


def test_a_fresh_thread_can_start_with_any_query(news_dir):
    """Each thread opens its own searcher; whatever its first query needs
    (a metadata lexicon, a column) must not wait on a lock it holds."""
    import threading

    from search.snapshots import SearchIndex

    index = SearchIndex(news_dir, refresh_interval=0)
    results: dict[str, int] = {}

    def first_query(q: str) -> None:
        results[q] = search(index, SearchRequest(q=q, facets=True)).total

    for q in ("author:王芳", "source:晚报 地铁", "tag:交通"):
        t = threading.Thread(target=first_query, args=(q,), daemon=True)
        t.start()
        t.join(timeout=60)
        assert not t.is_alive(), f"{q!r} hung in a fresh thread"
    index.close()
    assert results == {"author:王芳": 2, "source:晚报 地铁": 1, "tag:交通": 2}
