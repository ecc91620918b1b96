"""Feeds: every search's Atom 1.0 document of the matching articles most recently added.

Every feed document here is validated against tests/atom.rng (RFC 4287's
Appendix B in RELAX NG XML syntax) and read back with feedparser, to check
what a feed reader sees.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import feedparser
import pytest
from lxml import etree

from api import create_app
from index import builder
from index.builder import build, update
from index.store import IndexStore
from search.recent import FEED_ENTRIES

from .conftest import write_jsonl

ATOM = "{http://www.w3.org/2005/Atom}"
SCHEMA = etree.RelaxNG(etree.parse(str(Path(__file__).parent / "atom.rng")))


def valid_feed(resp) -> etree._Element:
    """The response's feed document, after checking it is Atom 1.0: the
    RELAX NG schema, plus the rules of RFC 4287 that the schema cannot say."""
    assert resp.status_code == 200, resp.get_data(as_text=True)[:300]
    assert resp.headers["Content-Type"] == "application/atom+xml; charset=utf-8"
    root = etree.fromstring(resp.get_data())
    assert SCHEMA.validate(root), SCHEMA.error_log
    feed_has_author = root.find(f"{ATOM}author") is not None
    for entry in [root, *root.findall(f"{ATOM}entry")]:
        if entry is not root:  # 4.1.1: an author for every entry, in it or in the feed
            assert feed_has_author or entry.find(f"{ATOM}author") is not None
        alternates = [(l.get("type"), l.get("hreflang")) for l in entry.findall(f"{ATOM}link")
                      if l.get("rel", "alternate") == "alternate"]
        assert len(alternates) == len(set(alternates))  # 4.1.1/4.1.2: one alternate per type and language
    return root


def read(resp) -> feedparser.FeedParserDict:
    parsed = feedparser.parse(resp.get_data())
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.version == "atom10"
    return parsed


def test_a_search_feed_is_atom_and_reads_back(client, app):
    resp = client.get("/api/feed", query_string={"q": "郑州 OR 地铁", "source": "郑州晚报"})
    valid_feed(resp)
    parsed = read(resp)
    assert "郑州 OR 地铁" in parsed.feed.title and "郑州晚报" in parsed.feed.title
    assert parsed.feed.id.startswith("tag:localhost,2026:feed?")
    links = {l.rel: l.href for l in parsed.feed.links}
    assert links["self"].startswith("http://localhost/api/feed?q=")
    home = urlsplit(links["alternate"])
    assert home.path == "/" and parse_qs(home.query)["source"] == ["郑州晚报"]
    entries = parsed.entries
    assert entries
    search = client.get("/api/search", query_string={"q": "郑州 OR 地铁", "source": "郑州晚报",
                                                     "per_page": 100}).get_json()
    assert len(entries) == min(FEED_ENTRIES, search["total"])
    assert {e.id for e in entries} == {f"tag:localhost,2026:article:{h['id']}" for h in search["hits"]}
    for e in entries:
        assert e.link.startswith("http://localhost/articles/") and "q=" in e.link
        assert e.updated_parsed and e.author
        assert "<mark>" not in e.summary and "&lt;" not in e.summary and e.summary.strip()
    n2 = next(e for e in entries if e.id.endswith(":n2"))
    assert n2.title == "公交线路调整" and n2.author == "王芳" and n2.published.startswith("2023-06-02T")
    assert "地铁" in n2.summary  # the query's fragment, as text


def test_article_text_stays_text_in_the_feed(client):
    resp = client.get("/api/feed", query_string={"q": "网页安全"})
    valid_feed(resp)
    entry = read(resp).entries[0]
    assert entry.title == "<script>alert('t')</script>网页安全提示"  # escaped in XML, read back verbatim
    assert entry.title_detail.type == "text/plain" and entry.summary_detail.type == "text/plain"


def test_bad_feed_requests_are_json_400s_naming_the_field(client):
    for query, field in ((dict(q="郑州", page="2"), "page"), (dict(q="郑州", per_page="5"), "per_page"),
                         (dict(q="郑州", sort="-date"), "sort"), (dict(q="郑州", date_from="2023-13-01"), "date_from"),
                         (dict(q="郑州", fragment_size="x"), "fragment_size"), ({}, "q"),
                         (dict(q="nosuch:郑州"), "q"), (dict(q="郑州", date_from="2023-02-01", date_to="2023-01-01"),
                                                        "date_from")):
        resp = client.get("/api/feed", query_string=query)
        assert resp.status_code == 400 and resp.is_json, query
        assert field in resp.get_json()["error"]["details"], (query, resp.get_json())


def test_the_feed_is_documented(client):
    spec = client.get("/api/openapi.json").get_json()
    op = spec["paths"]["/api/feed"]["get"]
    assert "application/atom+xml" in op["responses"]["200"]["content"]
    assert {"304", "400"} <= set(op["responses"])
    names = {p["name"] for p in op["parameters"]}
    assert {"q", "source", "date_from", "fragments"} <= names and not names & {"page", "per_page", "sort"}


def test_the_page_offers_the_feed_of_its_search(client):
    html = client.get("/?q=地铁&source=郑州晚报&sort=-date&per_page=5").get_data(as_text=True)
    head = html.split("</head>")[0]
    assert 'rel="alternate" type="application/atom+xml"' in head
    href = html.split('class="subscribe" href="')[1].split('"')[0].replace("&amp;", "&")
    assert parse_qs(urlsplit(href).query) == {"q": ["地铁"], "source": ["郑州晚报"]}
    assert f'href="{href.replace("&", "&amp;")}"' in head
    valid_feed(client.get(href))


# -- when articles were added: updates, rebuilds, ETags ----------------------------------------

def _articles(n: int, start: int = 0, word: str = "汛期") -> list[dict]:
    return [{"id": f"a{i:03d}", "title": f"{word}通报第{i}号", "body": f"{word}期间第{i}段河道巡查完毕。",
             "date": (dt.date(2024, 1, 1) + dt.timedelta(days=i)).isoformat(), "source": "测试日报",
             "author": f"记者{i}"} for i in range(start, start + n)]


def _clock(monkeypatch, stamp: str) -> None:
    """Builds and updates from now on run at ``stamp`` (UTC)."""
    monkeypatch.setattr(builder, "now_stamp", lambda: stamp)


def _entries(client, q: str = "汛期", **extra) -> list[tuple[str, str]]:
    """``(article id, updated)`` of the feed's entries, in order."""
    resp = client.get("/api/feed", query_string={"q": q, **extra})
    valid_feed(resp)
    return [(e.id.rsplit(":", 1)[1], e.updated) for e in read(resp).entries]


@pytest.fixture
def archive(tmp_path, monkeypatch):
    """An index of 60 articles built at 08:00, and a client on it."""
    src = write_jsonl(tmp_path / "a.jsonl", _articles(60))
    store = IndexStore(tmp_path / "index")
    _clock(monkeypatch, "2026-03-01T08:00:00+00:00")
    build([str(src)], store, procs=1)
    app = create_app({"INDEX_DIR": str(store.root), "TESTING": True, "REFRESH_INTERVAL": 0})
    yield store, src, app.test_client()
    app.extensions["newsearch"].close()


def test_a_back_dated_article_added_by_an_update_tops_the_feed(archive, monkeypatch, tmp_path):
    store, src, client = archive
    before = _entries(client)
    assert len(before) == FEED_ENTRIES  # 60 match: the feed holds 50
    assert all(updated == "2026-03-01T08:00:00Z" for _, updated in before)
    # one build stamps all alike: newest article date first
    assert [i for i, _ in before] == [f"a{i:03d}" for i in range(59, 9, -1)]
    first = client.get("/api/feed?q=汛期")
    again = client.get("/api/feed?q=汛期")
    assert first.headers["ETag"] == again.headers["ETag"]
    assert client.get("/api/feed?q=汛期", headers={"If-None-Match": first.headers["ETag"]}).status_code == 304
    assert client.get("/api/feed?q=河道").headers["ETag"] != first.headers["ETag"]  # it varies by query

    old = write_jsonl(tmp_path / "old.jsonl", [{"id": "old", "title": "二〇〇一年汛期档案补录", "body": "补录的旧稿。",
                                                "date": "2001-07-01", "source": "测试日报"}])
    _clock(monkeypatch, "2026-03-01T09:10:00+00:00")
    update([str(old)], store)
    after = _entries(client)
    assert after[0] == ("old", "2026-03-01T09:10:00Z")
    assert after[1:] == before[:-1]
    latest = client.get("/api/feed?q=汛期", headers={"If-None-Match": first.headers["ETag"]})
    assert latest.status_code == 200 and latest.headers["ETag"] != first.headers["ETag"]
    assert read(latest).feed.updated == "2026-03-01T09:10:00Z"


@pytest.mark.parametrize("procs", [1, 2])
def test_a_rebuild_keeps_when_unchanged_articles_were_added(archive, monkeypatch, tmp_path, procs):
    store, src, client = archive
    docs = _articles(60)
    docs[5]["body"] += "（更正：巡查时间有误）"  # an edit: news again
    docs[7]["body"] += "（补充）"
    write_jsonl(src, docs[:7])  # update only the first 7 (a005 edited) at 09:00
    _clock(monkeypatch, "2026-03-01T09:00:00+00:00")
    update([str(src)], store)
    write_jsonl(src, docs)  # the nightly rebuild reads everything, a007 edited since
    _clock(monkeypatch, "2026-03-02T02:30:00+00:00")
    build([str(src)], store, procs=procs)
    stamps = dict(_entries(client, "汛期 OR 补充"))
    assert stamps.pop("a007") == "2026-03-02T02:30:00Z"
    assert stamps.pop("a005") == "2026-03-01T09:00:00Z"  # the update's stamp survives the rebuild
    assert set(stamps.values()) == {"2026-03-01T08:00:00Z"}
    order = [i for i, _ in _entries(client)]
    assert order[:2] == ["a007", "a005"]


def test_an_article_reverted_to_an_earlier_text_is_news_again(archive, monkeypatch):
    """The stamp is carried only from the live version: an edit undone is a change too."""
    store, src, client = archive
    docs = _articles(60)
    original = dict(docs[3])
    docs[3]["title"] += "（修订）"
    write_jsonl(src, docs)
    _clock(monkeypatch, "2026-03-01T09:00:00+00:00")
    update([str(src)], store)
    docs[3] = original
    write_jsonl(src, docs)
    _clock(monkeypatch, "2026-03-01T10:00:00+00:00")
    build([str(src)], store, procs=1)
    assert _entries(client)[0] == ("a003", "2026-03-01T10:00:00Z")


def test_links_follow_the_public_url(archive):
    store, _, _ = archive
    app = create_app({"INDEX_DIR": str(store.root), "TESTING": True, "PUBLIC_URL": "https://news.example/search/"})
    try:
        resp = app.test_client().get("/api/feed?q=汛期", base_url="http://10.0.0.5:8000")
        valid_feed(resp)
        parsed = read(resp)
        assert {l.rel: l.href for l in parsed.feed.links}["self"] == \
            "https://news.example/search/api/feed?q=%E6%B1%9B%E6%9C%9F"
        assert parsed.entries[0].link.startswith("https://news.example/search/articles/a059?")
        assert parsed.entries[0].id == "tag:news.example,2026:article:a059"
    finally:
        app.extensions["newsearch"].close()
