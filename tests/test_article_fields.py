"""Kickers, summaries, several authors and page fields are searched, filtered,
faceted and shown (issue 12's fields, from JSON Lines and from pages)."""

from __future__ import annotations

import pytest

from search.engine import article_view, matching_ids, search
from search.models import SearchRequest
from search.snapshots import SearchIndex

from .conftest import build_index, write_jsonl

ARTICLES = [
    {"id": "k1", "kicker": "聚焦城市更新", "title": "老旧小区换新颜", "summary": "三年改造一千个小区\n居民满意度提升",
     "body": "本市老旧小区改造全面推进。", "authors": ["杨洁", "刘一剑"], "author": "本报记者 杨洁 通讯员 刘一剑",
     "page": "第6版:上海新闻", "page_no": 6, "section": "上海新闻", "date": "2022-04-01"},
    {"id": "k2", "title": "城市更新论坛举行", "body": "论坛讨论了老旧小区的出路。", "author": "潘高峰",
     "date": "2022-04-02"},
    {"id": "k3", "title": "新闻导读", "body": ">>>详见第3版", "teaser": True, "author": "杨洁"},
]


@pytest.fixture(scope="module")
def index(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("fields")
    store, report = build_index(tmp, [str(write_jsonl(tmp / "a.jsonl", ARTICLES))])
    assert report.indexed == 3 and not report.problems
    with SearchIndex(store.root, refresh_interval=0) as idx:
        yield idx


def ids(index, q, **kw) -> set[str]:
    return set(matching_ids(index, SearchRequest(q=q, **kw)))


def test_the_kicker_is_searched_with_the_title(index):
    assert ids(index, '"聚焦城市更新"') == {"k1"}
    assert ids(index, 'title:"聚焦城市"') == {"k1"}  # title: covers the kicker
    assert ids(index, "title:城市更新") == {"k1", "k2"}
    assert ids(index, 'subtitle:"聚焦城市"') == set()


def test_summary_lines_are_searched(index):
    assert ids(index, '"一千个小区"') == {"k1"}
    assert ids(index, 'body:"一千个小区"') == set()  # the summary is not the body


def test_author_filter_and_facet_use_each_name(index):
    assert ids(index, "小区", author=["刘一剑"]) == {"k1"}
    assert ids(index, "小区 OR 导读", author=["杨洁"]) == {"k1", "k3"}
    result = search(index, SearchRequest(q="小区 OR 导读", facets=True))
    authors = {f["value"]: f["count"] for f in result.facets["author"]}
    assert authors == {"杨洁": 2, "刘一剑": 1, "潘高峰": 1}
    assert ids(index, "author:一剑") == {"k1"}


def test_hits_and_article_views_carry_the_new_fields(index):
    hit = search(index, SearchRequest(q='"聚焦城市"')).hits[0].to_dict()
    assert hit["kicker"] == "聚焦城市更新" and hit["authors"] == ["杨洁", "刘一剑"]
    assert hit["page"] == "第6版:上海新闻" and hit["teaser"] is False
    assert hit["highlights"]["kicker"] == "<mark>聚焦城市</mark>更新"
    view = article_view(index, "k1", '"一千个"').record()
    assert view["summary"].startswith("三年改造") and view["page_no"] == 6 and view["section"] == "上海新闻"
    assert "<mark>一千个</mark>" in view["highlights"]["summary"]
    assert search(index, SearchRequest(q="导读")).hits[0].teaser is True
