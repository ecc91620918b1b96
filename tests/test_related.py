"""Related articles (``GET /api/articles/<id>/related`` and the article page),
through the Flask client, on the composed articles of :mod:`tests.related_articles`."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest

from search.models import RELATED_LIMIT
from search.related import RELATED_WORDS
from tests.related_articles import build_related_index


@pytest.fixture(scope="module")
def related_app(tmp_path_factory):
    from api import create_app

    root = build_related_index(tmp_path_factory.mktemp("related"))
    app = create_app({"INDEX_DIR": str(root), "TESTING": True, "REFRESH_INTERVAL": 0})
    yield app
    app.extensions["newsearch"].close()


@pytest.fixture
def rc(related_app):
    return related_app.test_client()


def ids(resp) -> list[str]:
    assert resp.status_code == 200, resp.get_data(as_text=True)
    return [h["id"] for h in resp.get_json()["hits"]]


def test_an_article_on_the_same_subject_is_related_and_others_are_not(rc):
    got = ids(rc.get("/api/articles/canteen/related"))
    assert got[0] == "canteen-menu"  # shares 社区食堂, 菜谱, 饭菜, 老人, 就餐
    assert "canteen" not in got  # never itself
    # the egret stories share only 记者/今年 with it, which every article here has (stop-like)
    assert not {"egrets", "watcher", "watcher-reprint", "tied-old", "tied-new"} & set(got)
    egrets = ids(rc.get("/api/articles/egrets/related"))
    assert "canteen" not in egrets and "canteen-menu" not in egrets
    assert egrets[0] in ("watcher", "watcher-reprint")


def test_hits_have_the_search_hit_shape_and_mark_the_shared_words(rc, client):
    data = rc.get("/api/articles/canteen/related").get_json()
    assert set(data) == {"id", "terms", "took_ms", "hits"} and data["id"] == "canteen"
    searched = client.get("/api/search", query_string={"q": "地铁"}).get_json()["hits"][0]
    hit = data["hits"][0]
    assert set(hit) == set(searched)
    assert hit["title"] == "社区食堂每周公布菜谱"
    assert "<mark>" in hit["highlights"]["title"] and "菜谱" in hit["highlights"]["title"]
    assert any("<mark>" in frag for frag in hit["highlights"]["body"])


def test_the_query_is_the_distinctive_words(rc):
    terms = rc.get("/api/articles/egrets/related").get_json()["terms"]
    assert {"白鹭", "湿地", "南湖"} <= set(terms[:4])
    assert len(terms) <= RELATED_WORDS
    # stop-like: in every article here; no one-character words or numbers
    assert "记者" not in terms and "今年" not in terms
    assert all(len(t) >= 2 for t in terms) and "八百" not in terms


def test_a_reprint_does_not_fill_the_list(rc):
    got = ids(rc.get("/api/articles/egrets/related"))
    # watcher and watcher-reprint are the same story word for word: one of them is listed
    assert len({"watcher", "watcher-reprint"} & set(got)) == 1
    # and the article's own reprint is never related to it, under its headline or another
    assert "watcher-reprint" not in ids(rc.get("/api/articles/watcher/related"))
    assert "canteen-reprint" not in ids(rc.get("/api/articles/canteen/related"))
    assert len({"canteen", "canteen-reprint"} & set(ids(rc.get("/api/articles/canteen-menu/related")))) == 1


def test_recent_coverage_breaks_ties(rc):
    hits = rc.get("/api/articles/egrets/related").get_json()["hits"]
    tied = [h for h in hits if h["id"].startswith("tied-")]
    assert [h["id"] for h in tied] == ["tied-new", "tied-old", "tied-undated"]  # an undated article last
    assert len({h["score"] for h in tied}) == 1


def test_limit(rc):
    everything = ids(rc.get("/api/articles/filler-3/related?limit=50"))
    assert len(everything) >= 2
    assert ids(rc.get("/api/articles/filler-3/related?limit=1")) == everything[:1]
    assert ids(rc.get("/api/articles/filler-3/related")) == everything[:RELATED_LIMIT.default]


@pytest.mark.parametrize("value", ["0", str(RELATED_LIMIT.maximum + 1), "-1", "ten", "2.5", "１"])
def test_a_bad_limit_is_a_400_naming_it(rc, value):
    resp = rc.get(f"/api/articles/egrets/related?limit={value}")
    assert resp.status_code == 400 and resp.is_json
    details = resp.get_json()["error"]["details"]
    assert list(details) == ["limit"]
    if value.isascii() and value.isdigit():  # out of bounds (the others are no integer here)
        assert details["limit"] == [RELATED_LIMIT.message()]


def test_unknown_parameter_and_unknown_article(rc):
    resp = rc.get("/api/articles/egrets/related?q=白鹭")
    assert resp.status_code == 400 and list(resp.get_json()["error"]["details"]) == ["q"]
    missing = rc.get("/api/articles/no-such-article/related")
    assert missing.status_code == 404 and missing.is_json
    assert missing.get_json()["error"]["details"] == {"id": ["not found"]}


def test_the_article_page_lists_related_articles(rc):
    html = rc.get("/articles/canteen").get_data(as_text=True)
    assert '<h2 id="related-heading">相关报道</h2>' in html
    section = html[html.index('<section class="related"'):]
    links = re.findall(r'<li><a href="([^"]+)">([^<]+)</a>', section)
    assert [text for _, text in links] == ["社区食堂每周公布菜谱"]
    assert urlsplit(links[0][0]).path == "/articles/canteen-menu"
    # an article with nothing related has no empty section
    assert ids(rc.get("/api/articles/lonely/related")) == []
    assert "相关报道" not in rc.get("/articles/lonely").get_data(as_text=True)


def test_related_links_keep_the_way_back_to_the_results(rc):
    html = rc.get("/articles/canteen", query_string={"back": "/?q=食堂"}).get_data(as_text=True)
    href = re.search(r'<section class="related".*?<a href="([^"]+)"', html, re.S).group(1)
    assert parse_qs(urlsplit(href.replace("&amp;", "&")).query)["back"] == ["/?q=食堂"]


def test_versions_of_one_story_are_never_related_and_a_story_is_listed_once(rc):
    story = rc.get("/api/articles/egrets").get_json()
    assert [v["id"] for v in story["versions"]] == ["egrets-evening"]  # grouped at index time
    assert "egrets-evening" not in ids(rc.get("/api/articles/egrets/related"))
    assert "egrets" not in ids(rc.get("/api/articles/egrets-evening/related"))
    listed = ids(rc.get("/api/articles/watcher/related"))
    assert len({"egrets", "egrets-evening"} & set(listed)) == 1
