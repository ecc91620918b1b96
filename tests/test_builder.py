"""Building, updating, locking and rolling back snapshots."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from index.builder import BuildError, build, update
from index.store import IndexStore, LockedError
from search.engine import matching_ids, search
from search.snapshots import SearchIndex
from search.models import SearchRequest

from .conftest import ROOT, SEEDS, corpus_sample
from .load import processes_mentioning


def write_jsonl(path: Path, docs: list[dict]) -> Path:
    with open(path, "w", encoding="utf-8") as fh:
        for d in docs:
            fh.write(json.dumps(d, ensure_ascii=False) + "\n")
    return path


ARTICLES = [
    {"id": "a1", "title": "郑州地铁12号线开通", "body": "郑州地铁12号线今日开通运营。", "date": "2023-07-27",
     "source": "郑州日报", "author": "李明", "tags": ["地铁", "交通"], "category": "城市"},
    {"id": "a2", "title": "中原科技城新进展", "body": "中原科技城引进十家企业。", "date": "2023-07-28",
     "source": "郑州晚报", "author": "王芳", "tags": ["科技"], "category": "经济"},
]


def ids(index: SearchIndex, q: str) -> set[str]:
    return set(matching_ids(index, SearchRequest(q=q)))


def test_build_update_prune_and_rollback(tmp_path, request):
    store = IndexStore(tmp_path / "ix")
    src = write_jsonl(tmp_path / "news.jsonl", ARTICLES)
    first = build([str(src)], store, procs=1)
    assert (first.indexed, first.total, first.skipped) == (2, 2, 0)
    index = SearchIndex(store.root, refresh_interval=0)
    request.addfinalizer(index.close)
    assert ids(index, "地铁") == {"a1"}

    changed = [dict(ARTICLES[0], body="郑州地铁12号线今日开通运营，黑灯工厂参观。"), ARTICLES[1],
               {"id": "a3", "title": "公交新线路", "body": "新增三条公交线路。", "date": "2023-08-01"}]
    src2 = write_jsonl(tmp_path / "more.jsonl", changed)
    report = update([str(src2)], store)
    assert (report.indexed, report.unchanged, report.total) == (2, 1, 3)
    assert ids(index, '"黑灯工厂"') == {"a1"}
    assert ids(index, "公交") == {"a3"}

    src.unlink()  # the first file is gone: prune removes nothing it still holds
    write_jsonl(src2, changed[1:])  # a1 left more.jsonl
    report = update([str(src2)], store, prune=True)
    assert report.deleted == 1 and report.total == 2
    assert ids(index, "地铁") == set()

    snaps = [s.name for s in store.snapshots()]
    assert len(snaps) == 3 and store.current_name() == snaps[-1]
    store.switch(store.previous().name)  # what `newsearch rollback` does
    assert ids(index, "地铁") == {"a1"}


def test_ids_are_stable_across_rebuilds(tmp_path):
    store = IndexStore(tmp_path / "ix")
    build([str(SEEDS)], store, procs=1)
    with SearchIndex(store.root, refresh_interval=0) as index:
        before = ids(index, "发展")
        build([str(SEEDS)], store, procs=2)
        assert ids(index, "发展") == before and len(before) == 4


def test_bad_input_is_reported_and_the_rest_indexed(tmp_path):
    src = tmp_path / "mixed.jsonl"
    src.write_text('{"id": "ok1", "title": "好的文章", "body": "正文"}\n'
                   "{not json\n"
                   '{"id": "empty", "title": "", "body": "  "}\n'
                   '{"id": "ok1", "title": "重复的编号", "body": "正文"}\n'
                   '{"id": "ok2", "title": "另一篇", "body": "正文"}\n', encoding="utf-8")
    report = build([str(src)], IndexStore(tmp_path / "ix"), procs=1)
    assert report.indexed == 2
    assert [p.line for p in report.problems] == [2, 3, 4]
    assert all(str(p).startswith(f"{src}:") for p in report.problems)


def test_nothing_readable_keeps_the_live_index(tmp_path):
    store = IndexStore(tmp_path / "ix")
    build([str(SEEDS)], store, procs=1)
    live = store.current_name()
    with pytest.raises(BuildError):
        build([str(tmp_path / "missing-dir")], store, procs=1)
    assert store.current_name() == live
    assert not [p for p in (store.root / "snapshots").iterdir() if p.name.startswith(".tmp-")]


def test_a_second_writer_is_refused_by_the_lock(tmp_path):
    store = IndexStore(tmp_path / "ix")
    with store.lock("test"):
        with pytest.raises(LockedError) as info:
            build([str(SEEDS)], store, procs=1)
        assert f"pid {os.getpid()}" in str(info.value)
    build([str(SEEDS)], store, procs=1)  # released


def newsearch(*args: str, **kw) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "api.cli", *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=300, **kw)


@pytest.mark.corpus
@pytest.mark.slow
def test_killed_build_leaves_the_old_index_serving(tmp_path):
    ix_dir = tmp_path / "ix"
    store = IndexStore(ix_dir)
    build([str(SEEDS)], store, procs=1)
    live = store.current_name()
    src = write_jsonl(tmp_path / "big.jsonl", corpus_sample(1500))
    proc = subprocess.Popen([sys.executable, "-m", "api.cli", "build", str(src), "--index-dir", str(ix_dir),
                             "--quiet"], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while not list((ix_dir / "snapshots").glob(".tmp-*/*.seg")) and not list(
            (ix_dir / "snapshots").glob(".tmp-*/*.trm")):
        assert time.monotonic() < deadline and proc.poll() is None
        time.sleep(0.1)
    time.sleep(1.0)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    proc.stdout.close()
    proc.stderr.close()
    assert store.current_name() == live
    with SearchIndex(ix_dir, refresh_interval=0) as index:
        assert search(index, SearchRequest(q='"中原科技城"')).total == 1
    # its worker processes die with it (no orphan left blocked on a queue)
    deadline = time.monotonic() + 10
    while processes_mentioning(str(ix_dir)):
        assert time.monotonic() < deadline, "orphaned build workers are still running"
        time.sleep(0.1)
    # the lock died with the process; the next build clears the half-written snapshot
    result = newsearch("build", str(SEEDS), "--index-dir", str(ix_dir), "--quiet")
    assert result.returncode == 0, result.stderr
    assert not list((ix_dir / "snapshots").glob(".tmp-*"))


@pytest.mark.slow  # a dozen CLI subprocesses: ~9 s
def test_cli_exit_codes(tmp_path):
    ix_dir = str(tmp_path / "ix")
    result = newsearch("search", "郑州", "--index-dir", ix_dir)
    assert result.returncode == 4 and "no index" in result.stderr
    result = newsearch("build", str(SEEDS), "--index-dir", ix_dir, "--quiet")
    assert result.returncode == 0 and "4 articles indexed" in result.stdout
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"title": "有标题", "body": "正文"}\n{oops\n', encoding="utf-8")
    result = newsearch("update", str(bad), "--index-dir", ix_dir, "--quiet")
    assert result.returncode == 3 and f"{bad}:2:" in result.stderr
    result = newsearch("search", '"中原科技城"', "--json", "--index-dir", ix_dir)
    data = json.loads(result.stdout)
    assert data["total"] == 1 and set(data["hits"][0]) >= {"id", "title", "date", "source", "author", "score"}
    store = IndexStore(ix_dir)
    with store.lock("test"):
        result = newsearch("build", str(SEEDS), "--index-dir", ix_dir, "--quiet")
    assert result.returncode == 75 and "lock" in result.stderr
    result = newsearch("rollback", "--index-dir", ix_dir)
    assert result.returncode == 0
    result = newsearch("search", "有标题", "--json", "--index-dir", ix_dir)
    assert json.loads(result.stdout)["total"] == 0


@pytest.mark.slow  # CLI subprocesses and rebuilds: ~8 s
def test_rollback_never_makes_an_older_schema_live(tmp_path):
    """After an upgrade the kept snapshots of the old format cannot be served:
    ``rollback`` skips them, and naming one is refused with status 4."""
    ix_dir = str(tmp_path / "ix")
    for _ in range(3):
        assert newsearch("build", str(SEEDS), "--index-dir", ix_dir, "--quiet").returncode == 0
    store = IndexStore(ix_dir)
    oldest, middle, live = store.snapshots()
    meta_file = middle.path / "meta.json"
    meta = json.loads(meta_file.read_text(encoding="utf-8"))
    meta_file.write_text(json.dumps(dict(meta, schema_version=meta["schema_version"] - 1)), encoding="utf-8")
    result = newsearch("rollback", middle.name, "--index-dir", ix_dir)
    assert result.returncode == 4 and "schema version" in result.stderr
    assert store.current_name() == live.name
    result = newsearch("rollback", "--index-dir", ix_dir)
    assert result.returncode == 0 and oldest.name in result.stdout
    assert store.current_name() == oldest.name


def test_finished_segments_leave_memory_while_the_collector_is_off(tmp_path, monkeypatch):
    """A build worker inverts with the cycle collector off; a finished
    segment's writer (its objects reference each other) must still be freed,
    or a million-article build grows by every segment it wrote."""
    import gc

    import index.builder as builder
    from index.inverter import InvertingWriter

    monkeypatch.setattr(builder, "POOL_MB", 1)  # a segment every few articles
    alive: list[int] = []
    close = builder._SegmentSeries._close

    def counting_close(self):
        close(self)
        alive.append(sum(isinstance(o, InvertingWriter) for o in gc.get_objects()))

    monkeypatch.setattr(builder._SegmentSeries, "_close", counting_close)
    # a segment is closed between batches of 64 articles once it is full
    rng = random.Random(3)
    chars = "市民在河边散步桥下是河谷今天的会议讨论了城市交通和公园建设记者报道新闻政府学校医院"
    docs = [{"id": f"m{k}", "title": f"第{k}篇", "body": "".join(rng.choice(chars) for _ in range(600))}
            for k in range(300)]
    src = tmp_path / "m.jsonl"
    src.write_text("".join(json.dumps(d, ensure_ascii=False) + "\n" for d in docs), encoding="utf-8")
    report = build([str(src)], IndexStore(tmp_path / "index"), procs=1)
    assert report.indexed == 300 and len(alive) >= 4
    assert max(alive) == 0, alive
