"""Versions of one story: signatures, grouping, stable ids, collapse=story and versions."""

from __future__ import annotations

import random

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st_

from index import stories as st
from index.builder import update
from search.engine import search
from search.models import SearchRequest
from search.snapshots import SearchIndex

from .conftest import build_index, write_jsonl
from .story_fixtures import joining_doc, story_docs

RIVER_IDS = {"river-a", "river-b-reprint", "river-c-evening", "river-d-undated"}


def story_of(index_dir) -> dict[str, str]:
    from index.store import IndexStore

    snap = IndexStore(index_dir).current()
    table = st.StoryTable.load(snap.path)
    return {i: table.ids[r] for i, r in zip(table.ids, table.root)}


@pytest.fixture(scope="module")
def story_dir(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("stories")
    store, report = build_index(tmp, [str(write_jsonl(tmp / "s.jsonl", story_docs()))])
    assert report.indexed == len(story_docs())
    return store.root


@pytest.fixture(scope="module")
def story_app(story_dir):
    from api import create_app

    app = create_app({"INDEX_DIR": str(story_dir), "TESTING": True, "REFRESH_INTERVAL": 0})
    yield app
    app.extensions["newsearch"].close()


@pytest.fixture
def sclient(story_app):
    return story_app.test_client()


# -- signatures ------------------------------------------------------------------


def test_signatures_are_datasketchs_minhash_of_the_shingle_hashes():
    from datasketch import MinHash

    hashes = st.shingle_hashes(st.story_text("小青河整治", "".join(story_docs()[1]["body"])))
    ours = st.signatures([hashes])[0]
    theirs = MinHash(num_perm=st.NUM_PERM, seed=st.SEED, scheme="affine32", hashfunc=lambda v: v)
    theirs.update_batch([int(h) for h in hashes])
    assert np.array_equal(ours, np.asarray(theirs.hashvalues, dtype=np.uint32))


def test_shingles_ignore_script_width_and_punctuation_but_not_words():
    a = st.shingle_hashes(st.story_text("整治工程启动", "本市启动小青河综合整治工程，计划用两年时间完成。"))
    b = st.shingle_hashes(st.story_text("整治工程啟動", "本市啟動小青河綜合整治工程 計劃用兩年時間完成!"))
    c = st.shingle_hashes(st.story_text("整治工程启动", "本市启动大青河综合整治工程，计划用两年时间完成。"))
    assert np.array_equal(a, b)
    assert not np.array_equal(a, c)
    assert len(st.shingle_hashes("")) == 0 and len(st.shingle_hashes("河")) == 1


def test_versions_group_and_other_stories_do_not():
    sk = st.Sketcher()
    for d in story_docs():
        sk.add(d["id"], None, d["title"], d["body"])
    table = st.StoryTable.from_sketches(sk.sketches())
    story = {i: table.ids[r] for i, r in zip(table.ids, table.root)}
    assert {i for i in story if story[i] == story["river-a"]} == RIVER_IDS
    for other in ("lake-b", "market", "library", "museum"):
        assert story[other] == other


def test_story_ids_do_not_depend_on_input_order():
    docs = story_docs() + [joining_doc()]
    results = []
    for seed in range(4):
        shuffled = docs[:]
        random.Random(seed).shuffle(shuffled)
        sk = st.Sketcher()
        for d in shuffled:
            sk.add(d["id"], None, d["title"], d["body"])
        table = st.StoryTable.from_sketches(sk.sketches())
        results.append({i: table.ids[r] for i, r in zip(table.ids, table.root)})
    assert all(r == results[0] for r in results)


# -- builds and updates ------------------------------------------------------------


def test_story_id_is_the_earliest_version(story_dir):
    story = story_of(story_dir)
    # river-a and river-c-evening share the earliest date; the id breaks the tie; undated is last
    assert {i: story[i] for i in RIVER_IDS} == dict.fromkeys(RIVER_IDS, "river-a")
    assert story["lake-b"] == "lake-b" and story["library"] == "library" and story["museum"] == "museum"


@pytest.mark.slow
def test_one_and_two_processes_on_shuffled_input_give_the_same_stories(tmp_path):
    docs = story_docs() + [joining_doc()]
    shuffled = docs[:]
    random.Random(3).shuffle(shuffled)
    one, _ = build_index(tmp_path / "one", [str(write_jsonl(tmp_path / "a.jsonl", docs))], procs=1)
    (tmp_path / "two").mkdir()
    two, _ = build_index(tmp_path / "two", [str(write_jsonl(tmp_path / "b.jsonl", shuffled))], procs=2)
    assert story_of(one.root) == story_of(two.root)
    assert story_of(one.root)["museum"] == "library"


def test_a_new_article_joining_two_stories_merges_them_under_the_earliest_id(tmp_path):
    store, _ = build_index(tmp_path, [str(write_jsonl(tmp_path / "s.jsonl", story_docs()))])
    assert story_of(store.root)["museum"] == "museum"
    update([str(write_jsonl(tmp_path / "new.jsonl", [joining_doc()]))], store)
    story = story_of(store.root)
    # library and museum (both 2024-04-01) and the later long version are one story, named "library"
    assert story["museum"] == story["library"] == story["zz-both"] == "library"
    assert {i for i in story if story[i] == "river-a"} == RIVER_IDS
    # a rebuild from all the sources gives the same stories as build + update
    fresh, _ = build_index(tmp_path / "fresh", [str(tmp_path / "s.jsonl"), str(tmp_path / "new.jsonl")])
    assert story_of(fresh.root) == story


def test_a_pruned_version_leaves_its_story(tmp_path):
    src = write_jsonl(tmp_path / "s.jsonl", story_docs())
    store, _ = build_index(tmp_path, [str(src)])
    write_jsonl(src, [d for d in story_docs() if d["id"] != "river-a"])
    update([str(src)], store, prune=True)
    story = story_of(store.root)
    assert "river-a" not in story
    # the next earliest (same date, next id) now names the story
    assert {i: story[i] for i in RIVER_IDS - {"river-a"}} == dict.fromkeys(RIVER_IDS - {"river-a"}, "river-c-evening")
    index = SearchIndex(store.root, refresh_interval=0)
    try:
        hits = search(index, SearchRequest(q="小青河", collapse="story")).hits
        assert "river-a" not in {v["id"] for h in hits for v in h.versions or []}
    finally:
        index.close()


# -- search ----------------------------------------------------------------------


def test_collapse_gives_one_hit_per_story_and_counts_articles(sclient):
    flat = sclient.get("/api/search?q=小青河").get_json()
    body = sclient.get("/api/search?q=小青河&collapse=story&facets=true&histogram=day").get_json()
    assert flat["total"] == body["total"] == 5 and "stories" not in flat
    assert body["stories"] == 2
    assert [h["story"] for h in body["hits"]] == ["river-a", "lake-b"]
    first = body["hits"][0]
    assert first["id"] in RIVER_IDS
    assert {v["id"] for v in first["versions"]} == RIVER_IDS - {first["id"]}
    assert set(first["versions"][0]) == {"id", "title", "date", "source", "matches"}
    assert all(v["matches"] for v in first["versions"])
    # facets and the histogram count matching articles, not stories
    assert sum(f["count"] for f in body["facets"]["source"]) == 5
    assert sum(b["count"] for b in body["histogram"]) == 4  # one version has no date
    assert "versions" not in flat["hits"][0] and "story" not in flat["hits"][0]


def test_the_version_shown_is_the_first_by_the_active_sort(sclient):
    newest = sclient.get("/api/search?q=小青河&collapse=story&sort=-date").get_json()["hits"]
    # the search's newest-first order puts undated articles first (as without collapse)
    assert [h["id"] for h in newest] == ["river-d-undated", "lake-b"]
    oldest = sclient.get("/api/search?q=小青河&collapse=story&sort=date").get_json()["hits"]
    # two versions share the earliest date: the search's tie-break (index order) picks river-c-evening
    assert [h["id"] for h in oldest] == ["river-c-evening", "lake-b"]
    versions = oldest[0]["versions"]  # earliest first: date, then id; undated last
    assert [v["id"] for v in versions] == ["river-a", "river-b-reprint", "river-d-undated"]
    assert versions[1]["date"] == "2024-03-03" and versions[1]["source"] == "西城晚报"
    assert versions[2]["date"] is None


def test_versions_say_whether_they_match(sclient):
    # only the Traditional reprint has the added paragraph about the bridges
    body = sclient.get("/api/search?q=人行桥&collapse=story").get_json()
    assert body["total"] == 1 and body["stories"] == 1
    hit = body["hits"][0]
    assert hit["id"] == "river-b-reprint"
    assert {v["id"]: v["matches"] for v in hit["versions"]} == dict.fromkeys(RIVER_IDS - {"river-b-reprint"}, False)


def test_paging_walks_stories(sclient):
    q = "/api/search?q=市 OR 小青河&collapse=story&sort=date&per_page=2"
    pages = [sclient.get(q + f"&page={n}").get_json() for n in (1, 2, 3, 4)]
    total_stories = pages[0]["stories"]
    seen = [h["story"] for p in pages for h in p["hits"]]
    assert len(seen) == len(set(seen)) == total_stories
    assert all(len(p["hits"]) == 2 for p in pages[:total_stories // 2])


def test_post_search_collapses_too(sclient):
    body = sclient.post("/api/search", json={"q": "小青河", "collapse": "story"}).get_json()
    assert body["stories"] == 2 and len(body["hits"]) == 2
    assert sclient.post("/api/search", json={"q": "小青河", "collapse": "none"}).get_json()["total"] == 5


@pytest.mark.parametrize("value", ["yes", "", "STORY", "stories"])
def test_bad_collapse_is_a_json_400_naming_it(sclient, value):
    resp = sclient.get(f"/api/search?q=小青河&collapse={value}")
    assert resp.status_code == 400
    assert "collapse" in resp.get_json()["error"]["details"]
    post = sclient.post("/api/search", json={"q": "小青河", "collapse": value})
    assert post.status_code == 400 and "collapse" in post.get_json()["error"]["details"]


def test_an_article_lists_its_other_versions(sclient):
    body = sclient.get("/api/articles/river-b-reprint").get_json()
    assert body["story"] == "river-a"
    assert [v["id"] for v in body["versions"]] == ["river-a", "river-c-evening", "river-d-undated"]
    assert set(body["versions"][0]) == {"id", "title", "date", "source"}
    alone = sclient.get("/api/articles/market").get_json()
    assert alone["story"] == "market" and alone["versions"] == []


def test_the_openapi_document_describes_stories(sclient):
    spec = sclient.get("/api/openapi.json").get_json()
    text = str(spec)
    assert "collapse" in text and "versions" in text and "stories" in text


# -- the page ----------------------------------------------------------------------


def test_the_page_collapses_by_default_with_a_switch(sclient):
    html = sclient.get("/?q=小青河").get_data(as_text=True)
    assert html.count('class="hit"') == 2 and "归为 2 个报道" in html
    assert "<details class=\"versions\">" in html and "另有 3 个版本" in html
    assert "collapse=none" in html
    flat = sclient.get("/?q=小青河&collapse=none").get_data(as_text=True)
    assert flat.count('class="hit"') == 5 and 'class="versions"' not in flat
    assert "同一报道的版本合为一条" in flat
    bad = sclient.get("/?q=小青河&collapse=yes").get_data(as_text=True)
    assert "collapse" in bad and 'class="hit"' not in bad


def test_the_article_page_lists_the_versions(sclient):
    html = sclient.get("/articles/river-a").get_data(as_text=True)
    assert "同一报道的其他版本" in html and "/articles/river-b-reprint" in html
    assert "同一报道的其他版本" not in sclient.get("/articles/market").get_data(as_text=True)


def test_versions_listed_are_capped_to_the_earliest(sclient, monkeypatch):
    import search.engine

    monkeypatch.setattr(search.engine, "MAX_VERSIONS", 2)
    body = sclient.get("/api/articles/river-d-undated").get_json()
    assert [v["id"] for v in body["versions"]] == ["river-a", "river-c-evening"]


def test_the_story_file_is_in_the_snapshot_manifest_and_updates_never_write_the_live_one(tmp_path):
    from index.store import IndexStore, verify_files

    store, _ = build_index(tmp_path, [str(write_jsonl(tmp_path / "s.jsonl", story_docs()))])
    first = IndexStore(store.root).current()
    assert st.FILE_NAME in first.meta()["files"]
    before = (first.path / st.FILE_NAME).read_bytes()
    update([str(write_jsonl(tmp_path / "new.jsonl", [joining_doc()]))], store)
    assert (first.path / st.FILE_NAME).read_bytes() == before  # replaced in the new snapshot, not written through
    assert verify_files(first, deep=True) == []
    second = IndexStore(store.root).current()
    assert second.name != first.name and verify_files(second, deep=True) == []


# -- signature chunks --------------------------------------------------------------


def _chunks(snapshot_dir):
    return sorted(p.name for p in snapshot_dir.glob(st.CHUNK_PREFIX + "*.npz"))


def _signatures_by_id(snapshot_dir) -> dict[str, bytes]:
    table = st.StoryTable.load(snapshot_dir)
    return {i: table.sigs[r].tobytes() + table.sizes[r].tobytes() for r, i in enumerate(table.ids)}


def test_an_update_links_the_live_signatures_and_writes_only_the_new_ones(tmp_path):
    from index.store import IndexStore

    store, _ = build_index(tmp_path, [str(write_jsonl(tmp_path / "s.jsonl", story_docs()))])
    first = IndexStore(store.root).current().path
    [built] = _chunks(first)
    update([str(write_jsonl(tmp_path / "new.jsonl", [joining_doc()]))], store)
    second = IndexStore(store.root).current().path
    assert built in _chunks(second) and len(_chunks(second)) == 2
    assert (second / built).stat().st_ino == (first / built).stat().st_ino  # a link, not a copy
    [new] = set(_chunks(second)) - {built}
    with np.load(second / new) as data:
        assert len(data["sigs"]) == 1  # the one new article
    fresh, _ = build_index(tmp_path / "fresh", [str(tmp_path / "s.jsonl"), str(tmp_path / "new.jsonl")])
    assert _signatures_by_id(second) == _signatures_by_id(IndexStore(fresh.root).current().path)


def test_small_chunks_are_folded_and_stale_ones_compacted(tmp_path, monkeypatch):
    from index.store import IndexStore

    src = write_jsonl(tmp_path / "s.jsonl", story_docs())
    store, _ = build_index(tmp_path, [str(src)])
    first = IndexStore(store.root).current().path
    [built] = _chunks(first)
    monkeypatch.setattr(st, "MAX_CHUNKS", 3)
    for k in range(3):  # three one-article updates: the third would make a fourth chunk
        doc = joining_doc()
        doc = dict(doc, id=f"extra-{k}", body=doc["body"] + f"\n第{k}号补充：{'甲乙丙丁戊己庚辛'[k::3]}市区今天另有安排。")
        update([str(write_jsonl(tmp_path / f"u{k}.jsonl", [doc]))], store)
    snap = IndexStore(store.root).current().path
    # the build's chunk stays (linked); the three small ones are folded into one
    assert built in _chunks(snap) and len(_chunks(snap)) == 2
    assert (snap / built).stat().st_ino == (first / built).stat().st_ino
    [folded] = set(_chunks(snap)) - {built}
    with np.load(snap / folded) as data:
        assert len(data["sigs"]) == 3
    sigs = _signatures_by_id(snap)
    assert {f"extra-{k}" for k in range(3)} <= set(sigs)
    # pruning most articles leaves most rows of the chunk stale: compacted again
    keep = story_docs()[:2]
    write_jsonl(src, keep)
    update([str(src)], store, prune=True)
    snap = IndexStore(store.root).current().path
    [only] = _chunks(snap)
    with np.load(snap / only) as data:
        assert len(data["sigs"]) == len(keep) + 3
    assert _signatures_by_id(snap) == {i: v for i, v in sigs.items() if i in {d["id"] for d in keep}
                                       or i.startswith("extra-")}


def test_a_missing_signature_chunk_is_a_corrupt_snapshot(tmp_path):
    from index.store import CorruptSnapshotError, IndexStore

    store, _ = build_index(tmp_path, [str(write_jsonl(tmp_path / "s.jsonl", story_docs()))])
    snap = IndexStore(store.root).current().path
    st.StoryTable.load(snap, signatures=False)  # a search needs no signatures
    for name in _chunks(snap):
        (snap / name).unlink()
    with pytest.raises(CorruptSnapshotError, match="stories"):
        st.StoryTable.load(snap)


@settings(max_examples=50, deadline=None)
@given(st_.lists(st_.text(min_size=1, max_size=12), max_size=40, unique=True), st_.text(max_size=12))
def test_packed_ids_look_up_like_the_list(ids, probe):
    import bisect

    ids = sorted(ids)
    blob, offsets = st._pack(ids)
    packed = st.PackedStrings(blob, offsets)
    assert len(packed) == len(ids) and [packed[k] for k in range(len(ids))] == ids
    assert bisect.bisect_left(packed, probe) == bisect.bisect_left(ids, probe)
    if ids:
        assert packed[-1] == ids[-1]
    with pytest.raises(IndexError):
        packed[len(ids)]


@settings(max_examples=60, deadline=None)
@given(keys=st_.lists(st_.integers(0, 49), min_size=1, max_size=40), picks=st_.lists(st_.integers(0, 39), max_size=400))
def test_story_count_is_the_number_of_distinct_keys(keys, picks):
    """Both ways of counting (sorting few docs, a mask for many) give the distinct stories."""
    from search.stories import StoryMap

    stories = object.__new__(StoryMap)
    stories.ids = ["x"] * 10  # keys stay below rows + docs = 10 + len(keys)
    stories.doc_key = np.asarray([k % (10 + len(keys)) for k in keys], dtype=np.int64)
    docs = np.asarray(sorted({p % len(keys) for p in picks}), dtype=np.int64)
    assert stories.count(docs) == len(set(stories.doc_key[docs].tolist()))


def naive_candidate_pairs(sigs: np.ndarray, eligible: np.ndarray) -> set[tuple[int, int]]:
    """The candidate rule spelled out: rows agreeing on all of a band's values,
    each paired with the next ``BUCKET_WINDOW`` members of the bucket in row order."""
    out: set[tuple[int, int]] = set()
    for band in range(st.BANDS):
        buckets: dict[tuple[int, ...], list[int]] = {}
        for row in np.flatnonzero(eligible).tolist():
            buckets.setdefault(tuple(sigs[row, band * st.ROWS:(band + 1) * st.ROWS].tolist()), []).append(row)
        for members in buckets.values():
            for k, a in enumerate(members):
                out.update((a, b) for b in members[k + 1:k + 1 + st.BUCKET_WINDOW])
    return out


@settings(max_examples=25, deadline=None)
@given(n=st_.integers(0, 160), spread=st_.integers(1, 4), seed=st_.integers(0, 2**32 - 1))
def test_candidate_pairs_follow_the_banding_rule(n, spread, seed):
    """Few distinct values make big buckets (past the window) and many shared bands."""
    rng = np.random.default_rng(seed)
    sigs = rng.integers(0, spread, size=(n, st.NUM_PERM), dtype=np.uint32)
    eligible = rng.random(n) < 0.9
    got = {tuple(p) for p in st.candidate_pairs(sigs, eligible).tolist()}
    assert got == naive_candidate_pairs(sigs, eligible)


@settings(max_examples=50, deadline=None)
@given(ids=st_.lists(st_.sampled_from([f"a{k:02d}" for k in range(30)]), max_size=60), sorted_first=st_.booleans())
def test_rows_are_in_id_order_and_the_last_of_a_repeated_id_wins(ids, sorted_first):
    """``from_sketches`` moves only the rows out of place (an update's new
    ones) and reuses the arrays; the result is as if every row were copied."""
    if sorted_first:
        ids = sorted(set(ids)) + ids[len(ids) // 2:]
    n = len(ids)
    rng = np.random.default_rng(n)
    days = rng.integers(0, 10_000, n).astype(np.int32)
    sizes = rng.integers(0, 100, n).astype(np.uint32)
    sigs = rng.integers(0, 2**32, size=(n, st.NUM_PERM), dtype=np.uint32)
    last = {i: k for k, i in enumerate(ids)}
    expect = sorted(last)
    table = st.StoryTable.from_sketches(st.Sketches(list(ids), days.copy(), sizes.copy(), sigs.copy()))
    assert list(table.ids) == expect
    rows = [last[i] for i in expect]
    assert np.array_equal(table.days, days[rows]) and np.array_equal(table.sizes, sizes[rows])
    assert np.array_equal(table.sigs, sigs[rows])
