"""Crash a build, update or rollback at every failpoint; nothing is lost.

Each run is a real ``newsearch`` process that SIGKILLs itself at one named
point (``index.faults``) or meets a full disk there.  Afterwards the live
index opens and answers as before the run (or, past the switch, as after
it), and the next build succeeds without any manual clean-up.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys

import pytest

from index.builder import build
from index.faults import ENV, POINTS
from index.store import IndexStore
from search.engine import matching_ids
from search.snapshots import SearchIndex
from search.models import SearchRequest

from .conftest import NEWS, ROOT, SEEDS, write_jsonl

pytestmark = pytest.mark.slow

QUERIES = ('"中原科技城"', "地铁", "发展 OR 黑灯工厂")
# points after which the new snapshot is live
AFTER_SWITCH = {"publish:switched", "publish:pruned", "prune:partial"}


def answers(root) -> dict[str, set[str]]:
    index = SearchIndex(root, refresh_interval=0)
    try:
        return {q: set(matching_ids(index, SearchRequest(q=q))) for q in QUERIES}
    finally:
        index.close()


def run_cli(args: list[str], point: str | None) -> subprocess.CompletedProcess:
    env = dict(os.environ)
    env.pop(ENV, None)
    if point:
        env[ENV] = point
    return subprocess.run([sys.executable, "-m", "api.cli", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=300)


@pytest.fixture
def live(tmp_path):
    store = IndexStore(tmp_path / "ix")
    build([str(SEEDS)], store, procs=1)
    extra = write_jsonl(tmp_path / "news.jsonl", NEWS)
    before = answers(store.root)
    # what the same run gives when nothing goes wrong (in a twin index)
    twin = IndexStore(tmp_path / "twin")
    build([str(SEEDS)], twin, procs=1)
    build([str(SEEDS), str(extra)], twin, procs=1)
    return store, extra, before, answers(twin.root)


def assert_recovers(store: IndexStore, expected: dict[str, set[str]]) -> None:
    assert answers(store.root) == expected
    # the next run cleans up whatever the crash left, without help
    build([str(SEEDS)], store, procs=1)
    leftovers = [p.name for p in store.snapshots_dir.iterdir()
                 if p.name.startswith(".tmp-") or not (p / "meta.json").exists()]
    assert leftovers == []
    assert not list(store.root.glob("CURRENT.tmp*"))
    check = run_cli(["check", "--index-dir", str(store.root)], None)
    assert check.returncode == 0, check.stdout + check.stderr


BUILD_POINTS = [p for p in POINTS if p.split(":")[0] in ("build", "worker", "publish", "switch", "prune")]


@pytest.mark.parametrize("procs", [2])
@pytest.mark.parametrize("point", BUILD_POINTS)
def test_build_killed_at(live, point, procs):
    store, extra, before, after = live
    result = run_cli(["build", str(SEEDS), str(extra), "--index-dir", str(store.root), "--quiet",
                      "--procs", str(procs), "--keep", "0"], point)
    if point == "worker:segment":  # a worker died: the build fails cleanly, nothing published
        assert result.returncode == 1 and "worker" in result.stderr
    else:
        assert result.returncode == -signal.SIGKILL, result.stderr
    assert_recovers(store, after if point in AFTER_SWITCH else before)


UPDATE_POINTS = ["update:linked", "update:ingest", "update:commit", "publish:meta", "publish:renamed",
                 "switch:tmp-written", "publish:switched"]


@pytest.mark.parametrize("point", UPDATE_POINTS)
def test_update_killed_at(live, point):
    store, extra, before, after = live
    result = run_cli(["update", str(extra), "--index-dir", str(store.root), "--quiet"], point)
    assert result.returncode == -signal.SIGKILL, result.stderr
    assert_recovers(store, after if point in AFTER_SWITCH else before)


def test_rollback_killed_while_locked(live):
    store, extra, before, _ = live
    build([str(SEEDS), str(extra)], store, procs=1)
    newer = answers(store.root)
    result = run_cli(["rollback", "--index-dir", str(store.root)], "rollback:locked")
    assert result.returncode == -signal.SIGKILL
    assert answers(store.root) == newer
    assert run_cli(["rollback", "--index-dir", str(store.root)], None).returncode == 0
    assert answers(store.root) == before


@pytest.mark.parametrize("point", ["build:created", "build:toc", "stories:saved", "publish:meta", "update:commit"])
def test_disk_full_fails_cleanly(live, point):
    store, extra, before, _ = live
    command = "update" if point.startswith("update") else "build"
    result = run_cli([command, str(extra), "--index-dir", str(store.root), "--quiet"], point + ":enospc")
    assert result.returncode == 1
    assert "No space left on device" in result.stderr and "Traceback" not in result.stderr
    assert answers(store.root) == before
    assert not [p for p in store.snapshots_dir.iterdir() if p.name.startswith(".tmp-")]
