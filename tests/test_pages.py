"""The server-rendered page: usable without JavaScript, state in the URL."""

from __future__ import annotations

import re


def test_empty_query_shows_help(client):
    html = client.get("/").get_data(as_text=True)
    assert "请输入要搜索的词语或短语" in html and "搜索语法" in html
    assets = re.findall(r'<(?:script|link)[^>]*(?:src|href)="([^"]+)"', html)
    assert assets and all(a.startswith("/") and not a.startswith("//") for a in assets)  # no CDN


def test_results_are_rendered_with_marks(client):
    html = client.get("/", query_string={"q": '"黑灯工厂"'}).get_data(as_text=True)
    assert "共 <strong>2</strong> 条结果" in html
    assert "<mark>黑灯工厂</mark>" in html


def test_article_text_is_never_markup(client):
    html = client.get("/", query_string={"q": "网页安全"}).get_data(as_text=True)
    assert "<script>alert" not in html and "<img src=x" not in html
    assert "&lt;script&gt;" in html
    article = client.get("/articles/xss").get_data(as_text=True)
    assert "<img src=x" not in article and "javascript:alert" not in article


def test_facets_and_filters_are_links(client):
    html = client.get("/", query_string={"q": "地铁"}).get_data(as_text=True)
    assert "source=%E9%83%91%E5%B7%9E%E6%97%A5%E6%8A%A5" in html  # 郑州日报 facet link
    narrowed = client.get("/", query_string={"q": "地铁", "source": "郑州日报"}).get_data(as_text=True)
    assert "共 <strong>1</strong> 条结果" in narrowed and "source: 郑州日报 ✕" in narrowed


def test_paging_links(client):
    html = client.get("/", query_string={"q": "发展 OR 地铁", "per_page": 2}).get_data(as_text=True)
    assert 'aria-current="page">1<' in html and "page=2" in html
    page2 = client.get("/", query_string={"q": "发展 OR 地铁", "per_page": 2, "page": 2}).get_data(as_text=True)
    assert 'aria-current="page">2<' in page2


def test_friendly_errors(client):
    bad = client.get("/", query_string={"q": "foo:bar"})
    assert bad.status_code == 200 and "查询有误" in bad.get_data(as_text=True)
    none = client.get("/", query_string={"q": '"没有这样的短语啊"'}).get_data(as_text=True)
    assert "没有找到" in none
    missing = client.get("/articles/nope")
    assert missing.status_code == 404 and "没有找到这篇文章" in missing.get_data(as_text=True)


def test_article_view_highlights_and_links_back(client):
    html = client.get("/articles/n3", query_string={"q": "黑灯工厂", "back": "/?q=黑灯工厂"}).get_data(as_text=True)
    assert "<mark>黑灯工厂</mark>" in html and 'href="/?q=黑灯工厂"' in html
    evil = client.get("/articles/n3", query_string={"back": "https://evil.example/?q=x"}).get_data(as_text=True)
    assert "evil.example" not in evil


def test_widget_script_is_served(client):
    with client.get("/widget.js") as resp:
        assert resp.status_code == 200 and resp.mimetype == "text/javascript"
        assert b"customElements.define(\"news-search\"" in resp.data
