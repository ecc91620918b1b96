"""Query expansion through the API and the page (issue 14): an unquoted term
that names a vocabulary entry also finds the entry's other names, visibly.

The articles and the vocabulary are composed for this test.  Every total is
checked against a scan of the articles' text with the independent reference
normalization, so a widening that loses or invents a document fails here.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from index.builder import build
from index.store import IndexStore
from search.models import MAX_QUERY_TERMS
from tests.conftest import write_jsonl
from tests.reference_normalize import reference_match_text

VOCAB = """\
# composed for the tests
郑州\tplace\t郑州市|绿城|商都\t
郑东新区\tplace\t郑东|郑州东区\t
河南大学\torg\t河大\t
河北大学\torg\t河大\t
"""

ARTICLES = [
    ("a1", "绿城夜色", "夜晚的绿城灯火通明。"),
    ("a2", "商都历史文化区开街", "遗址公园游人如织。"),
    ("a3", "郑州市举行马拉松", "市民踊跃参加比赛。"),
    ("a4", "郑东新区新建学校", "今年新建学校三所。"),
    ("a5", "郑州东区交通改善", "新开公交线路两条。"),
    ("a6", "交通新闻", "郑州东区新开地铁站。"),
    ("a7", "河南大学招生", "今年扩招。"),
    ("a8", "河北大学校庆", "迎来百年校庆。"),
    ("a9", "河大学子返乡", "回乡创业。"),
    ("a10", "洛阳牡丹花会", "洛阳的牡丹开了。"),
    ("a11", "秋天", "秋天的郑州很美。"),
]
NAMES = {"绿城": ["绿城", "郑州", "郑州市", "商都"], "郑东": ["郑东", "郑东新区", "郑州东区"],
         "河大": ["河大", "河南大学", "河北大学"]}


@pytest.fixture(scope="module")
def vocab_app(tmp_path_factory):
    from api import create_app

    tmp = tmp_path_factory.mktemp("expansion")
    src = write_jsonl(tmp / "news.jsonl", [{"id": i, "title": t, "body": b, "date": f"2023-05-{k:02d}",
                                            "source": "测试日报"} for k, (i, t, b) in enumerate(ARTICLES, 1)])
    vocab = tmp / "vocab.tsv"
    vocab.write_text(VOCAB, encoding="utf-8")
    report = build([str(src)], IndexStore(tmp / "index"), procs=1, vocab=vocab)
    assert report.indexed == len(ARTICLES) and not report.vocab_problems
    app = create_app({"INDEX_DIR": str(tmp / "index"), "TESTING": True, "REFRESH_INTERVAL": 0})
    yield app
    app.extensions["newsearch"].close()


@pytest.fixture
def api(vocab_app):
    return vocab_app.test_client()


def brute(names: list[str], fields: tuple[int, ...] = (1, 2)) -> set[str]:
    """Ids of the articles whose title or body contains any of ``names``."""
    needles = [reference_match_text(n) for n in names]
    return {a[0] for a in ARTICLES if any(n in reference_match_text(a[f]) for n in needles for f in fields)}


def ids(body: dict) -> set[str]:
    return {h["id"] for h in body["hits"]}


def test_an_alias_widens_to_the_entry_and_says_so(api) -> None:
    body = api.get("/api/search", query_string={"q": "绿城", "per_page": 100, "facets": "true",
                                                "histogram": "day"}).get_json()
    assert body["expanded"] == {"绿城": ["郑州", "郑州市", "商都"]}
    assert ids(body) == brute(NAMES["绿城"]) == {"a1", "a2", "a3", "a5", "a6", "a11"}
    assert body["total"] == 6
    # facets and the histogram count the widened set
    assert sum(f["count"] for f in body["facets"]["source"]) == 6
    assert sum(b["count"] for b in body["histogram"]) == 6
    hits = {h["id"]: h for h in body["hits"]}
    assert hits["a1"]["matched"] == ["绿城"]
    assert hits["a2"]["matched"] == ["商都"]
    assert hits["a3"]["matched"] == ["郑州", "郑州市"]
    assert hits["a11"]["matched"] == ["郑州"]
    # the highlights mark the alias that matched
    assert hits["a2"]["highlights"]["title"] == "<mark>商都</mark>历史文化区开街"
    assert hits["a3"]["highlights"]["title"] == "<mark>郑州市</mark>举行马拉松"


def test_the_canonical_name_widens_to_its_aliases(api) -> None:
    body = api.get("/api/search", query_string={"q": "郑东新区", "per_page": 100}).get_json()
    assert body["expanded"] == {"郑东新区": ["郑东", "郑州东区"]}
    assert ids(body) == brute(NAMES["郑东"]) == {"a4", "a5", "a6"}


def test_expand_false_and_quotes_search_only_what_was_typed(api) -> None:
    for params in ({"q": "绿城", "expand": "false"}, {"q": '"绿城"'}):
        body = api.get("/api/search", query_string=params).get_json()
        assert "expanded" not in body
        assert ids(body) == {"a1"}
        assert "matched" not in body["hits"][0]
    body = api.post("/api/search", json={"q": "绿城", "expand": False}).get_json()
    assert body["total"] == 1 and "expanded" not in body


def test_a_term_that_is_not_a_name_as_a_whole_does_not_widen(api) -> None:
    body = api.get("/api/search", query_string={"q": "绿城夜色"}).get_json()  # contains a name, is none
    assert "expanded" not in body and ids(body) == {"a1"}


def test_an_alias_of_two_entries_widens_to_both(api) -> None:
    body = api.get("/api/search", query_string={"q": "河大", "per_page": 100}).get_json()
    assert body["expanded"] == {"河大": ["河南大学", "河北大学"]}
    assert ids(body) == brute(NAMES["河大"]) == {"a7", "a8", "a9"}
    matched = {h["id"]: h["matched"] for h in body["hits"]}
    assert matched == {"a7": ["河南大学"], "a8": ["河北大学"], "a9": ["河大"]}


def test_a_scoped_term_widens_within_its_scope(api) -> None:
    body = api.get("/api/search", query_string={"q": "title:郑东", "per_page": 100}).get_json()
    assert body["expanded"] == {"郑东": ["郑东新区", "郑州东区"]}
    assert ids(body) == brute(NAMES["郑东"], fields=(1,)) == {"a4", "a5"}  # a6 has it in the body only


def test_a_negated_term_excludes_every_name(api) -> None:
    body = api.get("/api/search", query_string={"q": "新 -郑东", "per_page": 100}).get_json()
    assert not ids(body) & brute(NAMES["郑东"])
    assert ids(body) == brute(["新"]) - brute(NAMES["郑东"])


def test_aliases_do_not_count_toward_the_term_limit(api) -> None:
    # each 绿城 widens to four names: counted, 32 terms would be 128
    ok = api.get("/api/search", query_string={"q": " ".join(["绿城"] * MAX_QUERY_TERMS)})
    assert ok.status_code == 200 and ok.get_json()["total"] == 6
    over = api.get("/api/search", query_string={"q": " ".join(["绿城"] * (MAX_QUERY_TERMS + 1))})
    assert over.status_code == 400


def test_the_openapi_document_has_expand(api) -> None:
    spec = api.get("/api/openapi.json").get_json()
    text = str(spec)
    assert "expand" in text and "expanded" in text and "matched" in text


def test_the_page_says_what_else_it_searched_and_links_to_search_without(api) -> None:
    html = api.get("/", query_string={"q": "绿城"}).get_data(as_text=True)
    assert "同时搜索：郑州、郑州市、商都" in html
    assert "共 <strong>6</strong> 条结果" in html
    assert "<mark>商都</mark>" in html
    link = re.search(r'<a href="([^"]+)">只搜原词，不扩展</a>', html)
    assert link, html
    url = link.group(1).replace("&amp;", "&")
    assert parse_qs(urlsplit(url).query) == {"q": ["绿城"], "expand": ["false"]}
    plain = api.get(url).get_data(as_text=True)
    assert "同时搜索" not in plain and "共 <strong>1</strong> 条结果" in plain
    back = re.search(r'<a href="([^"]+)">按词表扩展搜索</a>', plain)
    assert back and "expand" not in back.group(1)


def test_the_cli_searches_with_and_without_widening(vocab_app) -> None:
    from click.testing import CliRunner

    from api.cli import main

    root = vocab_app.config["INDEX_DIR"]
    out = CliRunner().invoke(main, ["search", "绿城", "--index-dir", root])
    assert out.exit_code == 0, out.output
    assert out.output.startswith("6 results") and "also searched for 绿城: 郑州, 郑州市, 商都" in out.output
    out = CliRunner().invoke(main, ["search", "绿城", "--no-expand", "--index-dir", root])
    assert out.output.startswith("1 results") and "also searched" not in out.output


def test_export_widens_like_the_search(api) -> None:
    rows = api.get("/api/export", query_string={"q": "绿城", "format": "jsonl"}).get_data(as_text=True)
    assert len(rows.splitlines()) == 6
    rows = api.get("/api/export", query_string={"q": "绿城", "format": "jsonl", "expand": "false"}).get_data(
        as_text=True)
    assert len(rows.splitlines()) == 1


def test_the_article_view_marks_the_alias(api) -> None:
    body = api.get("/api/articles/a2", query_string={"q": "绿城"}).get_json()
    assert body["highlights"]["title"] == "<mark>商都</mark>历史文化区开街"


def test_vocab_words_are_jieba_words_of_the_index(vocab_app) -> None:
    ix = IndexStore(vocab_app.config["INDEX_DIR"]).open()[1]
    analyzer = ix.schema["title"].analyzer
    ix.close()
    assert [t.text for t in analyzer("郑州东区交通", mode="query")][0] == "郑州东区"
