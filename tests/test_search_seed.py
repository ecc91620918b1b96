"""Search over the seed newspaper page: the phrases naive jieba+Whoosh misses."""

from __future__ import annotations

import html
import re

import pytest

from search.engine import article_view, matching_ids, search
from search.models import RequestError, SearchRequest

# Titles of the seed page's four articles, by their reporter.
ZHANG = "锚定“过百超千”发展目标 抓紧抓实“六大任务”"
QIN = "推动经济发展 强化科技创新 聚焦“三高地两中心一新城”"
XIE = "在全国县域 高质量发展中争先进位"
WANG = "以先进制造业为主攻方向 推动经济社会发展量质齐升"


def titles(seed_index, q, **kw):
    ids = matching_ids(seed_index, SearchRequest(q=q, **kw))
    result = search(seed_index, SearchRequest(q=q, per_page=10, **kw))
    assert result.total == len(ids)
    return {h.title for h in result.hits}


@pytest.mark.parametrize(
    "q, expected",
    [
        ('"中原科技城"', {QIN}),
        ('"黑灯工厂"', {WANG}),
        ('"加快建设"', {QIN, XIE, WANG}),
        ('"市委书记"', {ZHANG, XIE}),
        ("融中", {QIN}),  # inside 金融中心, across jieba's words
        ('"执行和监督全过程"', {ZHANG}),  # rejoined across the column break
        ("13710", {ZHANG}),
        ("rcep", {QIN, WANG}),
        ("ＲＣＥＰ示范区", {QIN}),
        ("鄭州 中原科技城", {QIN}),  # Traditional query, simplified text
        ("title:过百超千", {ZHANG}),
        ('subtitle:"马宏伟"', {ZHANG}),
        ("author:张立", {ZHANG}),
        ("author:谢", {XIE}),
        ("source:郑州晚报", {ZHANG, QIN, XIE, WANG}),
        ("中原科技城 -金融", set()),
        ("(黑灯工厂 OR 设备换芯) 郑州", {WANG}),
        ('"不存在的短语"', set()),
    ],
)
def test_query_table(seed_index, q, expected):
    assert titles(seed_index, q) == expected


def test_phrase_across_punctuation_is_one_mark(seed_index):
    hit = search(seed_index, SearchRequest(q='"大党建作为统领工程"')).hits[0]
    assert any("<mark>大党建”作为统领工程</mark>" in f for f in hit.highlights["body"])


def test_title_query_ranks_that_article_first(seed_index):
    for title in (ZHANG, QIN, XIE, WANG):
        assert search(seed_index, SearchRequest(q=title)).hits[0].title == title


def _shown_text(fragment: str) -> str:
    """The article text a highlighted fragment shows (marks removed, entities unescaped)."""
    return html.unescape(fragment.replace("<mark>", "").replace("</mark>", ""))


def test_highlighted_title_and_fragments(seed_index):
    hit = search(seed_index, SearchRequest(q="融中")).hits[0]
    assert hit.title == QIN
    body = article_view(seed_index, hit.id).article.body
    frags = hit.highlights["body"]
    # Fragments are verbatim pieces of the article, with exactly the matching characters marked.
    assert frags and all(_shown_text(f) in body for f in frags)
    assert set(re.findall(r"<mark>(.*?)</mark>", "".join(frags))) == {"融中"}
    assert any("金<mark>融中</mark>心" in f for f in frags)
    # No match in the title: the whole title, unmarked.
    assert hit.highlights["title"] == QIN
    # A match in the title is marked there, and only there.
    hit = search(seed_index, SearchRequest(q="三高地")).hits[0]
    assert hit.title == QIN
    assert hit.highlights["title"] == QIN.replace("三高地", "<mark>三高地</mark>")


def test_sort_and_filters(seed_index):
    result = search(seed_index, SearchRequest(q="发展", author=["谢庆"]))
    assert [h.title for h in result.hits] == [XIE]
    with pytest.raises(RequestError) as info:
        search(seed_index, SearchRequest(q="发展", per_page=1000))
    assert info.value.field == "per_page"
    with pytest.raises(RequestError) as info:
        search(seed_index, SearchRequest(q="发展", page=200, per_page=10))
    assert info.value.field == "page"


def test_facets_count_the_whole_result_set(seed_index):
    result = search(seed_index, SearchRequest(q="发展", per_page=1, facets=True))
    assert result.total == 4
    assert result.facets["source"] == [{"value": "正观新闻·郑州晚报", "count": 4}]
    assert sum(f["count"] for f in result.facets["author"]) == 4


def test_article_view_highlights_whole_article(seed_index):
    hit = search(seed_index, SearchRequest(q='"黑灯工厂"')).hits[0]
    view = article_view(seed_index, hit.id, q='"黑灯工厂"').record()
    assert view["title"] == WANG
    assert sum(p.count("<mark>黑灯工厂</mark>") for p in view["highlights"]["paragraphs"]) == 1
    assert article_view(seed_index, "no-such-id") is None
