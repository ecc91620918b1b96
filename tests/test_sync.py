"""``newsearch sync``: a reader index directory follows an indexer's.

Two index directories on one machine stand for the two hosts: A is built
and updated as an indexer is, B only ever syncs from A.  B must answer
exactly as A does, receive only the files it lacks, keep serving through a
sync, and survive a sync killed at any point.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from api import create_app
from index.builder import build, update
from index.faults import ENV
from index.store import IndexStore, LockedError, SchemaMismatchError, Snapshot
from index.sync import SyncError, sync
from search.engine import search
from search.snapshots import SearchIndex
from search.models import SearchRequest

from .conftest import NEWS, ROOT, SEEDS, write_jsonl
from .load import processes_mentioning, searches_under_load

if shutil.which("rsync") is None:
    if os.environ.get("CI"):
        raise RuntimeError("rsync is missing: 'make test' installs it from Debian")
    pytest.skip("Debian's rsync is not installed (apt-get install rsync, or run 'make test')",
                allow_module_level=True)

QUERIES = ('"中原科技城"', "地铁", "发展 OR 黑灯工厂", "title:郑州", "夜班", "source:郑州晚报")
LATE = [{"id": "late1", "title": "深夜地铁加开班次", "body": "地铁加开夜班车，方便夜归市民。", "date": "2024-02-02",
         "source": "郑州晚报"},
        {"id": "late2", "title": "夜班公交试运行", "body": "三条夜班公交线路今晚试运行。", "date": "2024-02-03",
         "source": "郑州晚报"}]


def answers(root: Path) -> dict[str, dict]:
    """Every query's full answer (ranked hits, scores, highlights, facets)."""
    index = SearchIndex(root, refresh_interval=0)
    try:
        out = {}
        for q in QUERIES:
            result = search(index, SearchRequest(q=q, facets=True)).to_dict()
            result.pop("took_ms")
            out[q] = result
        return out
    finally:
        index.close()


def newsearch(args: list[str], point: str | None = None, **kw) -> subprocess.CompletedProcess:
    env = dict(os.environ)
    env.pop(ENV, None)
    if point:
        env[ENV] = point
    env.update(kw.pop("env", {}))
    return subprocess.run([sys.executable, "-m", "api.cli", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=300, **kw)


def leftovers(store: IndexStore) -> list[str]:
    return [p.name for p in store.snapshots_dir.iterdir() if p.name.startswith(".tmp-")]


@pytest.fixture
def hosts(tmp_path):
    """Indexer A (seeds and NEWS) and reader B, synced once."""
    a = IndexStore(tmp_path / "a")
    build([str(SEEDS), str(write_jsonl(tmp_path / "news.jsonl", NEWS))], a, procs=1)
    b = IndexStore(tmp_path / "b")
    sync(str(a.root), b)
    return a, b, write_jsonl(tmp_path / "late.jsonl", LATE)


def test_reader_answers_as_the_indexer_and_receives_only_new_files(hosts):
    a, b, late = hosts
    assert b.current_name() == a.current_name()
    assert answers(b.root) == answers(a.root)
    assert answers(b.root)['"中原科技城"']["total"] == 2

    old_a, old_b = a.current(), b.current()
    update([str(late)], a)
    new_a = a.current()
    report = sync(str(a.root), b)
    new_b = b.current()
    assert report.changed and new_b.name == new_a.name == report.snapshot
    assert answers(b.root) == answers(a.root)
    assert answers(b.root)["夜班"]["total"] == 2

    # A file A's update kept (hard-linked from its previous snapshot) is a
    # hard link to B's previous snapshot too; only the others travelled.
    new_files = [f for f in new_a.meta()["files"]
                 if not (old_a.path / f).exists() or not (old_a.path / f).samefile(new_a.path / f)]
    kept = [f for f in new_a.meta()["files"] if f not in new_files]
    assert kept and new_files
    for f in kept:
        assert (new_b.path / f).stat().st_ino == (old_b.path / f).stat().st_ino, f
    for f in new_files:
        assert (new_b.path / f).stat().st_nlink == 1, f
    assert (report.files, report.linked, report.copied) == (len(kept) + len(new_files), len(kept), len(new_files))
    # rsync's own count of file data sent: the new files, meta.json and CURRENT
    sent = sum((new_a.path / f).stat().st_size for f in new_files + ["meta.json"]) + len(new_a.name) + 1
    assert report.file_bytes == sent
    assert sent <= report.bytes_sent < sent + 20_000  # plus file lists and protocol
    assert report.bytes_sent < sum((new_a.path / f).stat().st_size for f in new_a.meta()["files"])
    assert f"{len(kept)} linked, {len(new_files)} copied" in report.summary()

    again = sync(str(a.root), b)
    assert not again.changed and again.summary().startswith("sync: already at snapshot")
    assert b.current_name() == new_a.name


def test_sync_prunes_like_build_and_follows_a_rebuild(hosts, tmp_path):
    a, b, late = hosts
    first = b.current_name()
    update([str(late)], a)
    report = sync(str(a.root), b, keep=0)
    assert report.pruned == [first] and [s.name for s in b.snapshots()] == [a.current_name()]
    build([str(SEEDS)], a, procs=1)  # a full rebuild: new files throughout
    report = sync(str(a.root), b, keep=1)
    assert report.linked == 0 and report.copied == report.files
    assert answers(b.root) == answers(a.root)
    assert len(b.snapshots()) == 2


def test_reader_keeps_serving_through_a_sync(hosts):
    a, b, late = hosts
    query = SearchRequest(q="地铁 OR 夜班")
    with SearchIndex(b.root, refresh_interval=0) as reader:
        first = search(reader, query).total
    app = create_app({"INDEX_DIR": str(b.root), "REFRESH_INTERVAL": 0.2})
    with searches_under_load(app, "地铁 OR 夜班") as load:
        update([str(late)], a)
        before = len(load.statuses)
        sync(str(a.root), b)  # mid-load
        during = len(load.statuses) - before
        time.sleep(0.8)
    statuses, totals = load.statuses, load.totals
    assert statuses and set(statuses) == {200}, f"{len(statuses)} requests, statuses {set(statuses)}"
    assert during > 0  # requests were answered while the sync ran
    assert totals[0] == first and totals[-1] == first + 2  # new articles findable without a restart
    assert answers(b.root) == answers(a.root)


# points after which B serves the new snapshot
AFTER_SWITCH = {"publish:switched", "prune:partial"}
SYNC_POINTS = ["sync:locked", "sync:fetched", "sync:copying", "sync:copied", "sync:verified",
               "publish:fsync", "publish:renamed", "switch:tmp-written", "publish:switched", "prune:partial"]


BALLAST_FILES, BALLAST_BYTES = 20, 10 << 20


def add_ballast(snap: Snapshot) -> int:
    """Make a snapshot slow to copy: 200 MB of extra files, listed in its
    manifest like its own.  Their names sort after the index's files, so a
    copy killed at its first file stops before them."""
    meta = snap.meta()
    for k in range(BALLAST_FILES):
        data = os.urandom(BALLAST_BYTES)
        (snap.path / f"zz-ballast-{k:02d}").write_bytes(data)
        meta["files"][f"zz-ballast-{k:02d}"] = {"size": len(data), "sha256": hashlib.sha256(data).hexdigest()}
    (snap.path / "meta.json").write_text(json.dumps(meta), encoding="utf-8")
    return BALLAST_FILES * BALLAST_BYTES


def tree_bytes(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.iterdir() if p.is_file())


@pytest.mark.slow
@pytest.mark.parametrize("point", SYNC_POINTS)
def test_sync_killed_at(hosts, point):
    a, b, late = hosts
    before = answers(b.root)
    update([str(late)], a)
    after = answers(a.root)
    ballast = add_ballast(a.current()) if point == "sync:copying" else 0
    result = newsearch(["sync", str(a.root), "--index-dir", str(b.root), "--quiet", "--keep", "0"], point)
    assert result.returncode == -signal.SIGKILL, result.stdout + result.stderr
    deadline = time.monotonic() + 10
    while processes_mentioning(str(b.root)):  # rsync dies with it
        assert time.monotonic() < deadline, "an orphaned rsync is still running"
        time.sleep(0.05)
    if point == "sync:copying":  # killed mid-copy: the copy stopped short
        tmp = b.snapshots_dir / (".tmp-" + a.current_name())
        copied = tree_bytes(tmp)
        time.sleep(0.5)
        assert tree_bytes(tmp) == copied < ballast
    assert answers(b.root) == (after if point in AFTER_SWITCH else before)
    result = newsearch(["sync", str(a.root), "--index-dir", str(b.root), "--quiet"])
    assert result.returncode == 0, result.stderr
    if point in AFTER_SWITCH:  # the killed run had finished its work
        assert result.stdout == ""
    else:
        assert result.stdout.startswith("sync: snapshot ") and len(result.stdout.splitlines()) == 1
    assert answers(b.root) == after
    assert leftovers(b) == [] and not list(b.root.glob("CURRENT.tmp*"))
    assert all((s.path / "meta.json").exists() for s in b.snapshots())
    check = newsearch(["check", "--deep", "--index-dir", str(b.root)])
    assert check.returncode == 0, check.stdout + check.stderr


def test_cli_statuses(hosts):
    a, b, late = hosts
    live = b.current_name()
    result = newsearch(["sync", str(a.root), "--index-dir", str(b.root)])
    assert result.returncode == 0 and result.stdout == f"sync: already at snapshot {live} ({a.root})\n"
    result = newsearch(["sync", str(a.root), "--index-dir", str(b.root), "--quiet"])
    assert result.returncode == 0 and result.stdout == result.stderr == ""  # cron mails nothing
    update([str(late)], a)
    with b.lock("test"):
        result = newsearch(["sync", str(a.root), "--index-dir", str(b.root), "--quiet"])
    assert result.returncode == 75 and "holds the lock" in result.stderr
    assert b.current_name() == live
    with b.lock("test"), pytest.raises(LockedError):
        sync(str(a.root), b)
    result = newsearch(["sync", str(b.root / "nowhere"), "--index-dir", str(b.root), "--quiet"])
    assert result.returncode == 1 and f"cannot read {b.root / 'nowhere'}/CURRENT" in result.stderr
    assert "Traceback" not in result.stderr and b.current_name() == live
    help_text = newsearch(["sync", "--help"]).stdout
    assert "indexer:/srv/newsearch/index/" in help_text and "75" in help_text
    result = newsearch(["sync", str(a.root), "--index-dir", str(b.root), "--quiet"])
    assert result.returncode == 0 and result.stdout.count("\n") == 1 and result.stderr == ""
    assert b.current_name() == a.current_name()


@pytest.mark.parametrize("damage", ["size", "content"])
def test_a_damaged_source_file_is_refused(hosts, damage):
    a, b, late = hosts
    live, before = b.current_name(), answers(b.root)
    update([str(late)], a)
    new = a.current()
    old_files = set(a.snapshots()[0].meta()["files"])
    victim = max((f for f in new.meta()["files"] if f not in old_files),
                 key=lambda f: (new.path / f).stat().st_size)
    data = bytearray((new.path / victim).read_bytes())
    if damage == "size":
        data += b"\0"
    else:
        data[len(data) // 2] ^= 0xFF
    (new.path / victim).write_bytes(bytes(data))
    result = newsearch(["sync", str(a.root), "--index-dir", str(b.root), "--quiet"])
    assert result.returncode == 1, result.stderr
    assert "does not match its manifest" in result.stderr and victim in result.stderr
    assert "Traceback" not in result.stderr
    assert b.current_name() == live and answers(b.root) == before and leftovers(b) == []


def test_another_schema_version_is_refused_before_copying(hosts):
    a, b, late = hosts
    live = b.current_name()
    update([str(late)], a)
    meta_file = a.current().path / "meta.json"
    meta = json.loads(meta_file.read_text(encoding="utf-8"))
    meta_file.write_text(json.dumps(dict(meta, schema_version=meta["schema_version"] + 1)), encoding="utf-8")
    with pytest.raises(SchemaMismatchError):
        sync(str(a.root), b)
    result = newsearch(["sync", str(a.root), "--index-dir", str(b.root), "--quiet"])
    assert result.returncode == 4 and "schema version" in result.stderr
    assert b.current_name() == live and leftovers(b) == []


@pytest.mark.parametrize("content", ["../../etc\n", ".tmp-x\n", "\n"])
def test_a_bad_current_pointer_is_refused(hosts, content):
    a, b, _ = hosts
    live = b.current_name()
    a.current_file.write_text(content, encoding="utf-8")
    with pytest.raises(SyncError, match="not a snapshot name"):
        sync(str(a.root), b)
    assert b.current_name() == live and leftovers(b) == []


FAKE_SSH = """#!/bin/sh
# Stands in for ssh: rsync runs `fake-ssh HOST rsync --server …`; run it here.
shift
exec "$@"
"""


def test_an_rsync_host_source_is_passed_to_rsync(hosts, tmp_path, monkeypatch):
    """``host:/path/`` goes through rsync's remote-shell protocol (here a
    stand-in for ssh that runs the remote side on this machine)."""
    a, b, late = hosts
    ssh = tmp_path / "fake-ssh"
    ssh.write_text(FAKE_SSH, encoding="utf-8")
    ssh.chmod(0o755)
    monkeypatch.setenv("RSYNC_RSH", str(ssh))
    update([str(late)], a)
    source = f"indexer:{a.root}/"
    report = sync(source, b)
    assert report.changed and report.copied > 0 and report.linked > 0 and report.bytes_sent > 0
    assert b.current_name() == a.current_name() and answers(b.root) == answers(a.root)
    assert report.summary().startswith(f"sync: snapshot {a.current_name()} from {source} (")
    result = newsearch(["sync", f"indexer:{tmp_path}/missing/", "--index-dir", str(b.root), "--quiet"],
                       env={"RSYNC_RSH": str(ssh)})
    assert result.returncode == 1 and f"cannot read indexer:{tmp_path}/missing/CURRENT" in result.stderr


def test_progress_lines_reach_the_caller(hosts):
    a, b, late = hosts
    update([str(late)], a)
    lines: list[str] = []
    report = sync(str(a.root), b, on_progress=lines.append)
    assert report.changed and lines and "to-chk=0/" in lines[-1]  # the last: nothing left to check


def test_a_reader_rolled_back_follows_the_indexer_again(hosts):
    """The indexer's live snapshot is still on the reader, just not live:
    the next sync makes it live again without copying a file."""
    a, b, late = hosts
    update([str(late)], a)
    sync(str(a.root), b)
    newest = b.current_name()
    assert newsearch(["rollback", "--index-dir", str(b.root)]).returncode == 0
    assert b.current_name() != newest
    report = sync(str(a.root), b)
    assert report.changed and report.copied == 0 and report.linked == report.files
    assert b.current_name() == newest and answers(b.root) == answers(a.root)
    assert sorted(s.name for s in b.snapshots()).count(newest) == 1 and leftovers(b) == []
