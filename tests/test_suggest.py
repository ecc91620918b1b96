"""Suggestions as you type and "did you mean" (issue 14), on an index of
articles written for these tests and a vocabulary carried by the snapshot.

The vocabulary reaches the snapshot the way ``newsearch vocab FILE`` publishes
one: the live snapshot is copied, ``vocab.tsv`` added, the suggestion file
rewritten with :func:`index.suggestions.write_suggestions`, and the copy
published; so these tests also show that any snapshot writer can refresh it.
"""

from __future__ import annotations

import json
import os
import shutil

import pytest

from index.store import IndexStore, new_snapshot_name
from index.suggestions import SUGGEST_FILE, build_suggestions, readings, suggestion_keys, write_suggestions
from index.vocab import SNAPSHOT_FILE, parse_vocabulary
from search.suggest import LIMIT, Suggester

from .conftest import build_index, write_jsonl

# Composed for these tests (not from any newspaper).
DOCS = [
    {"id": "a1", "title": "郑州地铁新线开通", "body": "郑州东区的市民乘坐地铁上班。", "date": "2024-01-01"},
    {"id": "a2", "title": "郑州发布暴雨预警", "body": "郑东新区多处道路积水。", "date": "2024-01-02"},
    {"id": "a3", "title": "郑州公交线路调整", "body": "郑东新区公交线路临时调整。", "date": "2024-01-03"},
    {"id": "a4", "title": "长垣市举办厨师节", "body": "长垣的厨师闻名全国。", "date": "2024-01-09"},
    {"id": "a5", "title": "长垣厨师走进郑州", "body": "厨师们带来地方风味。", "date": "2024-01-05"},
    {"id": "a6", "title": "郑州市民热议长垣美食", "body": "美食节吸引了很多市民。", "date": "2024-01-06"},
    {"id": "a7", "title": "重庆火锅走进郑州", "body": "火锅店排起长队。", "date": "2024-01-07"},
    {"id": "b1", "title": "草原牧民转场", "body": "牧民赶着羊群出发。", "date": "2023-06-01"},
    {"id": "b2", "title": "草原旅游升温", "body": "游客骑马看日落。", "date": "2023-06-02"},
    {"id": "b3", "title": "草原生态保护", "body": "禁牧让牧草长了回来。", "date": "2023-06-03"},
    {"id": "b4", "title": "草原上的音乐节", "body": "乐队在星空下演出。", "date": "2023-06-04"},
]
VOCAB = ["郑东新区\tplace\t郑东|郑州东区\t", "长垣市\tplace\t长垣\t县级市", "黄河实验室\torg\t\t不在文中"]


def publish_with_vocabulary(store: IndexStore, lines: list[str]) -> None:
    """What ``newsearch vocab FILE`` does, by hand: a new snapshot with the
    index files hard-linked, the vocabulary inside, suggestions rewritten."""
    live = store.current()
    name = new_snapshot_name()
    with store.lock("vocab"):
        tmp = store.new_tmp_dir(name)
        for entry in live.path.iterdir():
            if entry.is_file() and entry.name != "meta.json":
                os.link(entry, tmp / entry.name)
        (tmp / SNAPSHOT_FILE).write_text("\n".join(lines) + "\n", encoding="utf-8")
        write_suggestions(tmp)
        store.publish(tmp, name, dict(live.meta(), kind="vocab"), parent=live)


@pytest.fixture(scope="module")
def vocab_store(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("suggest")
    store, report = build_index(tmp, [str(write_jsonl(tmp / "docs.jsonl", DOCS))])
    assert report.indexed == len(DOCS)
    before = store.current()
    publish_with_vocabulary(store, VOCAB)
    assert store.current().name != before.name
    return store, before


@pytest.fixture(scope="module")
def suggester(vocab_store):
    store, _ = vocab_store
    return Suggester.load(store.current().path)


@pytest.fixture(scope="module")
def vocab_client(vocab_store):
    from api import create_app

    store, _ = vocab_store
    app = create_app({"INDEX_DIR": str(store.root), "TESTING": True, "REFRESH_INTERVAL": 0})
    yield app.test_client()
    app.extensions["newsearch"].close()


def texts(found) -> list[str]:
    return [s.text for s in found]


# -- the file in the snapshot ------------------------------------------------------------


def test_build_writes_the_file_and_the_manifest_covers_it(vocab_store):
    store, before = vocab_store
    for snap in (before, store.current()):
        assert (snap.path / SUGGEST_FILE).is_file()
        assert SUGGEST_FILE in snap.meta()["files"]


def test_rewriting_never_touches_the_parent_snapshots_file(vocab_store):
    """The new snapshot's file started as a hard link to the parent's; the
    parent's keeps its bytes (and its manifest stays true)."""
    store, before = vocab_store
    old = json.loads((before.path / SUGGEST_FILE).read_text(encoding="utf-8"))
    new = json.loads((store.current().path / SUGGEST_FILE).read_text(encoding="utf-8"))
    assert "郑东新区" not in [i[0] for i in old["items"]] and "郑东新区" in [i[0] for i in new["items"]]
    assert (before.path / SUGGEST_FILE).stat().st_ino != (store.current().path / SUGGEST_FILE).stat().st_ino
    from index.store import verify_files
    assert verify_files(before, deep=True) == []


def test_names_count_articles_containing_any_of_their_names(suggester):
    by_text = {s.text: s for s in suggester.items}
    # a1 says 郑州东区, a2 and a3 郑东新区 (and so 郑东)
    assert (by_text["郑东新区"].kind, by_text["郑东新区"].count) == ("place", 3)
    assert by_text["郑州东区"].count == 3 and by_text["郑东"].count == 3
    assert (by_text["长垣市"].count, by_text["长垣"].count) == (3, 3)
    # a name no article contains is still offered (editors listed it), with 0
    assert by_text["黄河实验室"].count == 0


def test_headline_words_count_every_article_containing_them(suggester):
    by_text = {s.text: s for s in suggester.items}
    # 郑州 stands in six headlines; a1's body has it too, but a1's headline already counts
    assert (by_text["郑州"].kind, by_text["郑州"].count) == ("word", 6)
    assert by_text["厨师"].count == 2 and by_text["厨师"].kind == "word"


def test_recent_headlines_are_offered(suggester):
    assert [(s.text, s.kind) for s in suggester.suggest("长垣市举")] == [("长垣市举办厨师节", "headline")]


# -- lookup ------------------------------------------------------------------------------


def test_prefix_of_characters_ranked_by_articles_found(suggester):
    found = suggester.suggest("郑")
    assert found[0].text == "郑州" and found[0].count == 6
    counts = [s.count for s in found]
    assert counts == sorted(counts, reverse=True)
    assert {"郑东新区", "郑州东区", "郑东"} <= set(texts(found))
    # the matching form: Traditional and full-width input find the same
    assert texts(suggester.suggest("鄭東")) == texts(suggester.suggest("郑东"))


def test_full_pinyin_and_initials(suggester):
    assert texts(suggester.suggest("zhengzhou"))[0] == "郑州"
    assert texts(suggester.suggest("zheng zhou"))[0] == "郑州"
    assert texts(suggester.suggest("zz"))[0] == "郑州"
    assert "郑东新区" in texts(suggester.suggest("zdxq"))
    assert "郑东新区" in texts(suggester.suggest("ZhengDong"))


def test_heteronyms_of_names(suggester):
    """长 is read chang or zhang: a name is found by either reading."""
    assert {r[0] for r in readings("长垣", all_readings=True)} >= {"chang", "zhang"}
    for typed in ("changyuan", "zhangyuan", "cy", "zy"):
        assert "长垣市" in texts(suggester.suggest(typed)), typed


def test_readings_are_capped():
    from index.suggestions import MAX_READINGS

    many = readings("重乐长行还", all_readings=True)  # 3 × 3 × 2 × 3 × 2 combinations of readings
    assert len(many) == MAX_READINGS and len({tuple(r) for r in many}) == MAX_READINGS
    keys = suggestion_keys("重乐长行还", all_readings=True)
    assert len(keys) <= 1 + 2 * MAX_READINGS


def test_limit_and_nothing_found(suggester):
    assert len(suggester.suggest("z", 2)) == 2
    assert suggester.suggest("qqqq") == [] and suggester.suggest("！") == []


def test_an_explicit_vocabulary_is_used_without_the_file(vocab_store):
    store, before = vocab_store
    table = build_suggestions(before.path, parse_vocabulary(["黄河实验室\torg\t黄河实验\t"]))
    assert ("黄河实验室", "org", 0) in table.items
    assert not any(text == "郑东新区" for text, _, _ in table.items)


def test_a_snapshot_without_the_file_offers_nothing(tmp_path, vocab_store, caplog):
    store, _ = vocab_store
    copy = tmp_path / "snap"
    shutil.copytree(store.current().path, copy)
    (copy / SUGGEST_FILE).unlink()
    assert len(Suggester.load(copy)) == 0
    (copy / SUGGEST_FILE).write_text('{"format": 99}', encoding="utf-8")
    assert len(Suggester.load(copy)) == 0
    assert "unreadable suggestion file" in caplog.text


# -- the API -----------------------------------------------------------------------------


def test_api_suggest(vocab_client):
    resp = vocab_client.get("/api/suggest", query_string={"q": "zz", "limit": 3})
    assert resp.status_code == 200
    body = resp.get_json()
    assert len(body["suggestions"]) == 3
    assert body["suggestions"][0] == {"text": "郑州", "kind": "word", "count": 6}


@pytest.mark.parametrize("query, field", [
    ({}, "q"), ({"q": ""}, "q"), ({"q": "郑", "limit": 0}, "limit"),
    ({"q": "郑", "limit": LIMIT.maximum + 1}, "limit"), ({"q": "郑", "limit": "x"}, "limit"),
    ({"q": "郑", "lmit": 3}, "lmit"), ({"q": "郑" * 101}, "q")])
def test_api_suggest_refuses_bad_requests(vocab_client, query, field):
    resp = vocab_client.get("/api/suggest", query_string=query)
    assert resp.status_code == 400
    assert field in resp.get_json()["error"]["details"]


# -- did you mean ------------------------------------------------------------------------


def search(client, q: str) -> dict:
    resp = client.get("/api/search", query_string={"q": q})
    assert resp.status_code == 200
    return resp.get_json()


def test_did_you_mean_one_character_away(vocab_client):
    body = search(vocab_client, "郑洲")
    assert body["total"] == 0
    assert body["did_you_mean"][0] == {"q": "郑州", "total": 6}
    assert len(body["did_you_mean"]) <= 3
    assert all(s["total"] > 0 for s in body["did_you_mean"])


def test_did_you_mean_a_name_one_character_away(vocab_client):
    body = search(vocab_client, "郑东新去")
    # 2 articles say 郑东新区; 3 once a search for a name also finds its aliases
    assert [s["q"] for s in body["did_you_mean"]][:1] == ["郑东新区"] and body["did_you_mean"][0]["total"] >= 2


def test_did_you_mean_pinyin_gives_the_characters(vocab_client):
    body = search(vocab_client, "zhengzhou")
    assert body["total"] == 0 and body["did_you_mean"][0] == {"q": "郑州", "total": 6}


def test_did_you_mean_puts_homophones_first(vocab_client):
    """长原 is one character from 草原 (4 articles) and from 长垣 (3), which
    reads the same: the slip a pinyin input method makes comes first."""
    body = search(vocab_client, "长原")
    assert [s["q"] for s in body["did_you_mean"]][:2] == ["长垣", "草原"]


def test_did_you_mean_keeps_the_other_terms(vocab_client):
    body = search(vocab_client, "郑洲 地铁")
    assert body["did_you_mean"] == [{"q": "郑州 地铁", "total": 1}]


def test_no_did_you_mean_for_a_pasted_paragraph(vocab_client):
    """Each candidate is a whole search: past DID_YOU_MEAN_MAX_CHARS (a pasted
    paragraph) none is tried, though a short query of the same shape gets one."""
    from search.suggest import DID_YOU_MEAN_MAX_CHARS

    short = "郑洲 OR " + "无关" * 10
    assert search(vocab_client, short)["did_you_mean"][0]["q"] == "郑州 OR " + "无关" * 10
    long = "郑洲 OR " + "无关" * (DID_YOU_MEAN_MAX_CHARS // 2)
    body = search(vocab_client, long)
    assert len(long) > DID_YOU_MEAN_MAX_CHARS and body["total"] == 0 and "did_you_mean" not in body


def test_no_did_you_mean_when_enough_is_found(vocab_client):
    body = search(vocab_client, "郑州")
    assert body["total"] == 6 and "did_you_mean" not in body
    # and none when nothing near finds more
    assert "did_you_mean" not in search(vocab_client, "完全无关的词语")


def test_did_you_mean_on_the_page(vocab_client):
    html = vocab_client.get("/", query_string={"q": "zhengzhou"}).get_data(as_text=True)
    assert "你是不是要找" in html
    assert '<a href="/?q=%E9%83%91%E5%B7%9E">郑州</a>（6 篇）' in html


def test_openapi_documents_suggest_and_did_you_mean(vocab_client):
    spec = vocab_client.get("/api/openapi.json").get_json()
    op = spec["paths"]["/api/suggest"]["get"]
    assert {"200", "400"} <= set(op["responses"])
    schemas = spec["components"]["schemas"]
    assert "did_you_mean" in schemas["SearchResult"]["properties"]
    assert set(schemas["Suggestion"]["properties"]) == {"text", "kind", "count"}


def test_an_update_rewrites_the_file_and_counts_leave_out_replaced_articles(tmp_path):
    from index.builder import update
    from index.store import verify_files

    store, _ = build_index(tmp_path, [str(write_jsonl(tmp_path / "docs.jsonl", DOCS))])
    before = store.current()
    changed = dict(DOCS[0], title="地铁新线开通", body="市民乘坐地铁上班。")  # a1 no longer says 郑州
    report = update([str(write_jsonl(tmp_path / "changed.jsonl", [changed]))], store)
    assert report.indexed == 1
    counts = {s.text: s.count for s in Suggester.load(store.current().path).items}
    assert counts["郑州"] == 5  # a1's old version is deleted, not counted
    assert {s.text: s.count for s in Suggester.load(before.path).items}["郑州"] == 6
    assert verify_files(before, deep=True) == [] and verify_files(store.current(), deep=True) == []


def test_updates_carry_counted_names_and_words_until_enough_has_changed(tmp_path):
    from index.builder import update
    from index.suggestions import RECOUNT_SHARE

    filler = [{"id": f"f{i}", "title": f"城市见闻第{i}篇", "body": f"记者走访了第{i}个街区。", "date": "2023-06-01"}
              for i in range(60)]
    store, _ = build_index(tmp_path, [str(write_jsonl(tmp_path / "docs.jsonl", DOCS + filler))])
    counted = json.loads((store.current().path / SUGGEST_FILE).read_text(encoding="utf-8"))
    assert counted["counted_at"] == len(DOCS) + 60 and counted["changed_since"] == 0
    words = {text: count for text, kind, count in counted["items"] if kind == "word"}

    def one_more(k: int) -> dict[str, int]:
        doc = {"id": f"new{k}", "title": f"郑州新闻速递{k}", "body": "郑州市民关心的事。", "date": f"2030-0{k}-01"}
        update([str(write_jsonl(tmp_path / f"new{k}.jsonl", [doc]))], store)
        data = json.loads((store.current().path / SUGGEST_FILE).read_text(encoding="utf-8"))
        assert (doc["title"], "headline") in {(text, kind) for text, kind, _ in data["items"]}  # always fresh
        return data

    budget = int(RECOUNT_SHARE * counted["counted_at"])  # 3 changed articles may be carried
    for k in range(1, budget + 1):
        data = one_more(k)
        assert data["counted_at"] == counted["counted_at"] and data["changed_since"] == k
        assert {t: c for t, kind, c in data["items"] if kind == "word"} == words  # carried, not recounted
    data = one_more(budget + 1)  # past the share: everything counted anew
    assert data["counted_at"] == counted["counted_at"] + budget + 1 and data["changed_since"] == 0
    assert {t: c for t, kind, c in data["items"] if kind == "word"}["郑州"] == words["郑州"] + budget + 1


def test_counting_in_two_processes_counts_as_one_does(corpus_index, tmp_path):
    """A build counts names and headline words in as many processes as it
    built with, each over a share of the segments: the same counts."""
    from index.suggestions import build_suggestions

    snapshot = corpus_index.store.current().path
    vocab = parse_vocabulary(["香港\tplace\t港岛|九龙\t", "北京\tplace\t京城\t", "政府\tterm\t当局\t"])
    one = build_suggestions(snapshot, vocab, procs=1)
    two = build_suggestions(snapshot, vocab, procs=2)
    _, ix = corpus_index.store.open()
    with ix.reader() as reader:
        assert len(list(reader.leaf_readers())) >= 2  # so each process counts a share
    assert sum(1 for _, kind, _ in one.items if kind == "word") > 1000
    assert one.items == two.items and one.keys == two.keys
