"""People, places and organisations per article (issue 14): tagging at index
time, person:/place:/org: queries, facets, the editors' listing and the page.

Every article and vocabulary line here is made up for these tests.
"""

from __future__ import annotations

import shutil
from urllib.parse import parse_qs, urlsplit

import pytest
from click.testing import CliRunner

from api.cli import EXIT_SKIPPED, main
from index.entities import EntityTagger
from index.store import IndexStore
from index.vocab import VOCAB_ENV, parse_vocabulary
from search.engine import search
from search.models import SearchRequest
from search.snapshots import SearchIndex

from .conftest import write_jsonl

VOCAB = """\
# made-up names for the tests
青石镇\tplace\t青石乡|青石\t
林晓岚\tperson\t晓岚\t
白鹭湖\tplace\t白鹭湖公园\t
云杉科技\torg\t云杉公司|Yunshan Tech\t
河谷\tterm\t\t
"""

ARTICLES = [
    {"id": "e1", "title": "青石乡新修一座桥", "body": "林晓岚说，大桥明年通车。\n桥下是河谷。", "date": "2024-03-01"},
    {"id": "e2", "title": "白鹭湖公园开放", "body": "市民在白鹭湖散步。\n云杉公司捐建了步道。", "date": "2024-03-02"},
    {"id": "e3", "title": "雲杉科技發布新品", "body": "YUNSHAN TECH 的新品在青石鎮生产。", "date": "2024-03-03"},
    {"id": "e4", "title": "游客来访", "body": "记者王建国报道：北京的游客来到山里。", "date": "2024-03-04"},
    {"id": "e5", "title": "春耕开始", "body": "王建国说今年雨水足。\n后文提到林晓岚。", "date": "2024-03-05"},
]


def _tagger(lead: int = 200) -> EntityTagger:
    return EntityTagger(parse_vocabulary(VOCAB.splitlines(keepends=True)), lead=lead)


def test_vocabulary_entities_are_found_by_any_name_in_the_matching_form():
    found = _tagger(lead=0).tag(("雲杉科技發布新品", "", "", "", "青石乡的 yunshan  tech 工厂"))
    assert found.verified == {"org": ["云杉科技"], "place": ["青石镇"]}
    # a person:/org: query finds the article by every name of the entry
    assert set(found.forms["org"]) == {"云杉科技", "云杉公司", "yunshantech"}
    assert found.unverified == {}


def test_a_term_is_not_an_entity_and_no_name_spans_two_fields():
    found = _tagger(lead=0).tag(("河谷", "", "", "", "林晓"), "")
    assert found.verified == {}
    found = _tagger(lead=0).tag(("标题林晓", "", "", "", "岚说"), "")
    assert found.verified == {}


def test_candidates_are_unverified_and_a_vocabulary_name_is_never_a_candidate():
    found = _tagger().tag(("游客来访", "", "", "", "记者王建国报道：北京的林晓岚。"),
                          "游客来访\n记者王建国报道：北京的林晓岚。")
    assert found.verified == {"person": ["林晓岚"]}
    assert "王建国" in found.unverified["person"] and "林晓岚" not in found.unverified["person"]
    assert found.unverified["place"] == ["北京"]
    assert "王建国" in found.forms["person"] and "北京" in found.forms["place"]


def test_candidates_read_only_the_lead_and_can_be_turned_off():
    texts = ("游客来访", "", "", "", "记者王建国报道。")
    assert _tagger(lead=4).tag(texts, "游客来访\n记者王建国报道。").unverified == {}
    assert _tagger(lead=0).tag(texts, "游客来访\n记者王建国报道。").unverified == {}


@pytest.fixture(scope="module")
def entity_index(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("entities")
    vocab = tmp / "vocab.tsv"
    vocab.write_text(VOCAB, encoding="utf-8")
    src = write_jsonl(tmp / "news.jsonl", ARTICLES)
    from index.builder import build
    from index.store import IndexStore

    store = IndexStore(tmp / "index")
    report = build([str(src)], store, procs=2, vocab=vocab)
    assert report.indexed == len(ARTICLES) and not report.warnings
    index = SearchIndex(store.root, refresh_interval=0)
    yield index
    index.close()


def _ids(index: SearchIndex, q: str) -> list[str]:
    result = search(index, SearchRequest(q=q, per_page=100, sort="date"))
    return [h.id for h in result.hits]


@pytest.mark.parametrize("q, expected", [
    ("place:青石镇", ["e1", "e3"]),
    ("place:青石乡", ["e1", "e3"]),           # an alias finds the entity wherever any name occurs
    ("place:青石鄉", ["e1", "e3"]),           # Traditional forms normalize
    ("person:晓岚", ["e1", "e5"]),
    ("org:\"Yunshan Tech\"", ["e2", "e3"]),
    ("place:白鹭湖公园", ["e2"]),
    ("person:王建国", ["e4", "e5"]),          # an unverified candidate, by its exact text
    ("person:王建", []),                       # not a substring search
    ("place:北京", ["e4"]),
    ("place:林晓岚", []),                      # a person is not a place
    ("person:林晓岚 -place:青石", ["e5"]),
    ("青石 OR person:王建国", ["e1", "e3", "e4", "e5"]),
])
def test_entity_scopes_match_the_tagged_articles(entity_index, q, expected):
    assert _ids(entity_index, q) == expected


def test_facets_list_verified_entities_first_with_exact_counts(entity_index):
    facets = search(entity_index, SearchRequest(q="date:2024-03-01..2024-03-31", facets=True)).facets
    assert facets is not None
    places = facets["places"]
    assert places[:2] == [{"value": "青石镇", "count": 2, "verified": True},
                          {"value": "白鹭湖", "count": 1, "verified": True}]
    assert {"value": "北京", "count": 1, "verified": False} in places[2:]
    assert all(not v["verified"] for v in places[2:])
    assert facets["people"][0] == {"value": "林晓岚", "count": 2, "verified": True}
    assert {"value": "王建国", "count": 2, "verified": False} in facets["people"]
    assert facets["orgs"] == [{"value": "云杉科技", "count": 2, "verified": True}]
    narrowed = search(entity_index, SearchRequest(q="桥", facets=True)).facets
    assert narrowed is not None and narrowed["orgs"] == []
    assert narrowed["places"][0] == {"value": "青石镇", "count": 1, "verified": True}


def test_an_alias_the_snapshot_vocabulary_adds_later_is_searchable(entity_index, tmp_path):
    # `newsearch vocab FILE` publishes a snapshot carrying the file: person: then
    # knows the new alias without a rebuild (tags themselves change at the next build)
    from index.vocab_snapshot import publish_vocabulary

    root = tmp_path / "index"
    shutil.copytree(entity_index.store.root, root)
    with SearchIndex(root, refresh_interval=0) as live:
        assert _ids(live, "place:青石古镇") == []
    changed = tmp_path / "vocab.tsv"
    changed.write_text(VOCAB.replace("青石乡|青石", "青石乡|青石|青石古镇"), encoding="utf-8")
    publish_vocabulary(changed, IndexStore(root))
    with SearchIndex(root, refresh_interval=0) as again:
        assert _ids(again, "place:青石古镇") == ["e1", "e3"]


def test_cli_lists_the_most_frequent_entities_for_editors(entity_index):
    runner = CliRunner()
    root = str(entity_index.store.root)
    result = runner.invoke(main, ["entities", "--index-dir", root])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[:2] == ["云杉科技\torg\t2", "林晓岚\tperson\t2"]
    assert "白鹭湖\tplace\t1" in lines
    result = runner.invoke(main, ["entities", "--index-dir", root, "--unverified", "--kind", "person"])
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[0] == "王建国\tperson\t2"
    assert all(line.split("\t")[1] == "person" for line in lines)
    assert not any(line.startswith("林晓岚\t") for line in lines)  # verified, so not a candidate
    result = runner.invoke(main, ["entities", "--index-dir", root, "--top", "1", "--kind", "place"])
    assert result.output == "青石镇\tplace\t2\n"


def test_cli_entities_without_an_index_exits_4(tmp_path):
    result = CliRunner().invoke(main, ["entities", "--index-dir", str(tmp_path / "none")])
    assert result.exit_code == 4


def test_the_build_reads_the_vocabulary_named_by_the_environment(tmp_path, monkeypatch):
    vocab = tmp_path / "v.tsv"
    vocab.write_text("青石镇\tplace\t青石乡\t\n坏行\n", encoding="utf-8")
    monkeypatch.setenv(VOCAB_ENV, str(vocab))
    src = write_jsonl(tmp_path / "a.jsonl", ARTICLES[:1])
    out = CliRunner().invoke(main, ["build", str(src), "--index-dir", str(tmp_path / "ix"), "--quiet"])
    assert out.exit_code == EXIT_SKIPPED, out.output  # the bad line is reported, the rest used
    assert f"{vocab}:2: expected canonical<TAB>kind<TAB>aliases<TAB>notes (no tab found)" in out.output
    with SearchIndex(tmp_path / "ix", refresh_interval=0) as index:
        assert _ids(index, "place:青石乡") == ["e1"]


@pytest.fixture
def entity_client(entity_index):
    from api import create_app

    app = create_app({"INDEX_DIR": str(entity_index.store.root), "TESTING": True, "REFRESH_INTERVAL": 0})
    yield app.test_client()
    app.extensions["newsearch"].close()


def test_the_page_offers_entities_as_narrowing_links(entity_client):
    html = entity_client.get("/?q=date:2024-03-01..2024-03-31").get_data(as_text=True)
    assert "<h2>地点</h2>" in html and "<h2>人物</h2>" in html and "<h2>机构</h2>" in html
    from html.parser import HTMLParser

    links: dict[str, str] = {}

    class Links(HTMLParser):
        href = None

        def handle_starttag(self, tag, attrs):
            if tag == "a":
                self.href = dict(attrs).get("href")

        def handle_data(self, data):
            if self.href and data.strip():
                links.setdefault(data.strip(), self.href)
                self.href = None

    Links().feed(html)
    q = parse_qs(urlsplit(links["青石镇"]).query)["q"]
    assert q == ["date:2024-03-01..2024-03-31 place:青石镇"]
    narrowed = entity_client.get(links["青石镇"]).get_data(as_text=True)
    assert "共 <strong>2</strong> 条结果" in narrowed
    # an unverified name is marked as such, in text (not only by colour)
    assert "北京</a> <span class=\"unverified\"" in html
    assert "青石镇</a> <span class=\"count\">" in html


def test_api_facets_carry_the_verified_flag(entity_client):
    body = entity_client.get("/api/search?q=place:青石乡&facets=true").get_json()
    assert body["total"] == 2
    assert body["facets"]["places"][0] == {"value": "青石镇", "count": 2, "verified": True}
    assert body["facets"]["orgs"] == [{"value": "云杉科技", "count": 1, "verified": True}]


def test_an_update_tags_the_articles_it_indexes(tmp_path):
    vocab = tmp_path / "v.tsv"
    vocab.write_text(VOCAB, encoding="utf-8")
    from index.builder import build, update
    from index.store import IndexStore

    store = IndexStore(tmp_path / "index")
    build([str(write_jsonl(tmp_path / "a.jsonl", ARTICLES[:1]))], store, vocab=vocab)
    new = {"id": "e9", "title": "晓岚回到青石", "body": "她说家乡变了。", "date": "2024-04-01"}
    report = update([str(write_jsonl(tmp_path / "b.jsonl", [new]))], store, vocab=vocab)
    assert report.indexed == 1
    with SearchIndex(store.root, refresh_interval=0) as index:
        assert _ids(index, "person:林晓岚") == ["e1", "e9"]
        facets = search(index, SearchRequest(q="person:林晓岚", facets=True)).facets
        assert facets is not None and facets["places"][0] == {"value": "青石镇", "count": 2, "verified": True}


def test_the_numpy_viterbi_tags_exactly_as_jieba_posseg():
    import jieba.posseg

    from index.entities import _pos_tokenizer

    fast = _pos_tokenizer(None)  # the build's: numpy Viterbi, route from jieba-rs
    slow = jieba.posseg.POSTokenizer(fast.tokenizer)
    slow.word_tag_tab = fast.word_tag_tab  # posseg hands the user dictionary's tags to one tokenizer only
    texts = ["记者王建国报道：北京的游客来到白鹭湖公园。", "张伟和李娜在杭州见面，谈了2024年的RCEP计划。",
             "欧阳晓岚与司马青石在龘䶛镇相遇", "㐀㐁㐂 abc 123 ！", "中国人民银行发布通知，上海市民关注。", "乙"]
    for text in texts:
        assert [(p.word, p.flag) for p in fast.cut(text)] == [(p.word, p.flag) for p in slow.cut(text)], text


def test_posseg_of_real_leads_is_jiebas(corpus_docs):
    """What a build reads: the leads of real articles, cut to the default
    length (the whole shared corpus's 18,697 leads agreed when this was written)."""
    import jieba.posseg

    from index.entities import LEAD_CHARS, _pos_tokenizer
    from index.normalization import fold

    fast = _pos_tokenizer(None)
    slow = jieba.posseg.POSTokenizer(fast.tokenizer)
    slow.word_tag_tab = fast.word_tag_tab
    for doc in corpus_docs[:600]:
        lead = fold(f"{doc.get('title', '')}\n{doc.get('body') or doc.get('text') or ''}")[:LEAD_CHARS]
        assert [(p.word, p.flag) for p in fast.cut(lead)] == [(p.word, p.flag) for p in slow.cut(lead)], lead
