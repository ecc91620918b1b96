"""A damaged snapshot is noticed, reported, and the last good one serves."""

from __future__ import annotations

import subprocess
import sys

import pytest

from index.builder import build
from index.store import CorruptSnapshotError, IndexStore
from search.engine import search
from search.snapshots import SearchIndex
from search.models import SearchRequest

from .conftest import ROOT, SEEDS

# Two builds per test plus a CLI subprocess: make test-fast leaves it out.
pytestmark = pytest.mark.slow


@pytest.fixture
def two_snapshots(tmp_path):
    store = IndexStore(tmp_path / "ix")
    build([str(SEEDS)], store, procs=1)
    good = store.current_name()
    build([str(SEEDS)], store, procs=1)
    return store, good


def biggest_file(store: IndexStore):
    live = store.current()
    return max((p for p in live.path.iterdir() if p.is_file() and p.name != "meta.json"),
               key=lambda p: p.stat().st_size)


@pytest.mark.parametrize("damage", ["truncate", "delete"])
def test_damaged_live_snapshot_falls_back_and_is_reported(two_snapshots, damage):
    store, good = two_snapshots
    victim = biggest_file(store)
    if damage == "truncate":
        with open(victim, "r+b") as fh:
            fh.truncate(victim.stat().st_size // 2)
    else:
        victim.unlink()
    with pytest.raises(CorruptSnapshotError):
        store.open()
    index = SearchIndex(store.root, refresh_interval=0)
    result = search(index, SearchRequest(q='"中原科技城"'))
    assert result.total == 1 and result.snapshot == good
    assert index.error and victim.name in index.error
    index.close()
    check = subprocess.run([sys.executable, "-m", "api.cli", "check", "--index-dir", str(store.root)],
                           cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert check.returncode == 1 and victim.name in check.stdout
    assert subprocess.run([sys.executable, "-m", "api.cli", "rollback", "--index-dir", str(store.root)],
                          cwd=ROOT, capture_output=True, timeout=120).returncode == 0
    assert store.current_name() == good


def test_running_server_keeps_last_good_snapshot_when_new_one_is_damaged(two_snapshots):
    store, _ = two_snapshots
    index = SearchIndex(store.root, refresh_interval=0)
    serving = search(index, SearchRequest(q="发展")).snapshot
    build([str(SEEDS)], store, procs=1)
    biggest_file(store).unlink()
    assert search(index, SearchRequest(q="发展")).snapshot == serving
    assert index.error
    index.close()


def test_deep_check_finds_changed_content(two_snapshots):
    store, _ = two_snapshots
    victim = biggest_file(store)
    data = bytearray(victim.read_bytes())
    data[len(data) // 2] ^= 0xFF
    victim.write_bytes(bytes(data))
    run = [sys.executable, "-m", "api.cli", "check", "--index-dir", str(store.root)]
    shallow = subprocess.run(run, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert "checksum" not in shallow.stdout  # sizes still match
    deep = subprocess.run(run + ["--deep"], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert deep.returncode == 1 and "checksum" in deep.stdout
