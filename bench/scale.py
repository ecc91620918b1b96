"""Scale benchmark: newsearch on generated archives of N articles (issue 11).

    .venv/bin/python bench/scale.py 20000                     # everything, ~6 min
    .venv/bin/python bench/scale.py 100k 1M --steps generate,build   # the long part, once
    .venv/bin/python bench/scale.py 1M --steps queries,update,brute  # measure against it

For each N, in ``WORK/N/`` (default ``WORK`` = ``../scale-work`` beside the
repository, never inside it), the steps are:

generate  an archive of N articles made of the shared corpus's own titles and
          sentences (``archive/shard-*.jsonl``, 10,000 a file), 30 "daily
          update" files of 300 new articles (``updates/``), and the query set
          (``query-set.json``); deterministic for a seed.
build     ``newsearch build archive/ --index-dir index --procs P --vocab
          bench/vocab.tsv``: wall time, memory of the whole process tree,
          size on disk; with a vocabulary (``--vocab``, ``none`` for none)
          and entity tagging on, as issue 14 asks the targets to hold.
queries   every query of the set over HTTP (``expand=false``: the literal
          match the brute force counts), one client, against
          ``gunicorn -w 1 "api:create_app()"``; then the worst-case probes.
update    the 30 update files, one ``newsearch update`` each, on a hard-linked
          copy of the index (``update-index/``; ``index/`` stays as built).
brute     a substring scan of the normalized texts held in memory, the same
          queries; also checks each query's ``total`` against it.
sqlite    an SQLite FTS5 trigram table of the same texts (reference only).

``generate``, ``build``, ``brute`` and ``sqlite`` are cached: they are
skipped when their result in the work directory was made from the same
archive (and, for ``build``, the index is still live and of the current
schema version); ``--redo STEP,…`` forces them.  ``queries`` and ``update``
measure the engine, so they run every time they are selected.  The report
printed at the end of each N is assembled from every result file in the work
directory, each marked with when and at which commit it was measured.

Figures go to stdout, progress to stderr.  See bench/README.md ("scale.py").
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import json
import os
import shutil
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import ROOT, corpus_path, human_bytes, machine_line, percentile, status  # noqa: E402
from scale_data import (KIND_LABEL, KINDS, PER_PAGE, PROBE_LABEL, QUERY_VERSION, UPDATE_SIZE, Pool, Query, Work,  # noqa: E402
                        archive_key, as_queries, corpus_stamp, digest, generate_archive, iter_archive,
                        load_pool, make_query_set, read_json, write_json)

BRUTE_VERSION = 1
SQLITE_VERSION = 1
DEFAULT_SEED = 20261125
DEFAULT_QUERIES = 1000
DEFAULT_WORK = ROOT.parent / "scale-work"
STEPS = ("generate", "build", "queries", "update", "brute", "sqlite")
CACHED = ("generate", "build", "brute", "sqlite")

GUNICORN_LINE_LIMIT = 4094  # gunicorn's default --limit-request-line, bytes

# Latency targets of issue 11, at the archive sizes where it sets them.
TARGETS_LATENCY = {
    100_000: {"p95": 60.0, "speedup": 2.0},
    1_000_000: {"p50": 30.0, "p95": 150.0, "p99": 400.0, "speedup": 8.0},
}


# --------------------------------------------------------------------------
# Small utilities


def parse_n(text: str) -> int:
    """``20000``, ``20k``, ``1M`` or ``1_000_000`` as an int > 0."""
    t = text.strip().lower().replace("_", "").replace(",", "")
    mult = 1
    if t.endswith("k"):
        mult, t = 1000, t[:-1]
    elif t.endswith("m"):
        mult, t = 1_000_000, t[:-1]
    try:
        n = int(float(t) * mult)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of articles: {text!r}") from None
    if n < 1:
        raise argparse.ArgumentTypeError(f"N must be at least 1: {text!r}")
    return n


def git_rev() -> str:
    try:
        rev = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                             text=True, timeout=10).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT,
                               capture_output=True, text=True, timeout=10).stdout.strip()
        return (rev or "?") + ("+dirty" if dirty else "")
    except (OSError, subprocess.SubprocessError):
        return "?"


def now_iso() -> str:
    return dt.datetime.now().isoformat(timespec="seconds")


def tree_bytes(path: Path) -> int:
    """Bytes of the files under ``path``, each inode counted once (hard links share)."""
    seen: set[tuple[int, int]] = set()
    total = 0
    for dirpath, _, files in os.walk(path):
        for f in files:
            try:
                st = os.lstat(os.path.join(dirpath, f))
            except OSError:
                continue
            key = (st.st_dev, st.st_ino)
            if key not in seen:
                seen.add(key)
                total += st.st_size
    return total


def newsearch_cmd() -> list[str]:
    script = Path(sys.executable).with_name("newsearch")
    if script.exists():
        return [str(script)]
    return [sys.executable, "-c", "from api.cli import main; main()"]


def fmt_ms(x: float | None) -> str:
    if x is None or x != x:
        return "—"
    return f"{x:,.0f}" if x >= 1000 else f"{x:.1f}" if x >= 1 else f"{x:.2f}"


def fmt_s(x: float) -> str:
    return f"{x:,.0f} s" if x >= 100 else f"{x:.1f} s"


def gb(n: float) -> str:
    return human_bytes(n)


def pstats(ms: Sequence[float]) -> dict[str, float | int | None]:
    """n, p50, p95, p99, max and mean of ``ms`` (None when empty)."""
    if not ms:
        return {"n": 0, "p50": None, "p95": None, "p99": None, "max": None, "mean": None}
    return {"n": len(ms), "p50": percentile(ms, 50), "p95": percentile(ms, 95),
            "p99": percentile(ms, 99), "max": max(ms), "mean": sum(ms) / len(ms)}


# --------------------------------------------------------------------------
# Memory of a process tree, sampled from /proc (psutil is not a dependency)


def _children_map() -> dict[int, list[int]]:
    kids: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as fh:
                stat = fh.read()
        except OSError:
            continue
        # the command name is in parentheses and may hold spaces: ppid follows the last ')'
        rest = stat[stat.rfind(")") + 2:].split()
        if len(rest) > 1:
            kids.setdefault(int(rest[1]), []).append(int(entry))
    return kids


def descendants(pid: int) -> list[int]:
    """``pid`` and every process below it."""
    kids = _children_map()
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(kids.get(p, []))
    return out


def proc_memory(pid: int, pss: bool = True) -> dict[str, int]:
    """VmRSS, VmHWM (peak RSS) and, with ``pss``, PSS of one process, in
    bytes (0 if gone).  PSS walks the process's page tables
    (``smaps_rollup``): tens of milliseconds for a build worker of 2.5 GB."""
    out = {"rss": 0, "hwm": 0, "pss": 0, "anon": 0, "file": 0}
    try:
        with open(f"/proc/{pid}/status", encoding="ascii", errors="replace") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    out["rss"] = int(line.split()[1]) * 1024
                elif line.startswith("VmHWM:"):
                    out["hwm"] = int(line.split()[1]) * 1024
                elif line.startswith("RssAnon:"):
                    out["anon"] = int(line.split()[1]) * 1024
                elif line.startswith("RssFile:"):
                    out["file"] = int(line.split()[1]) * 1024
    except OSError:
        return out
    if not pss:
        return out
    try:
        with open(f"/proc/{pid}/smaps_rollup", encoding="ascii", errors="replace") as fh:
            for line in fh:
                if line.startswith("Pss:"):
                    out["pss"] = int(line.split()[1]) * 1024
                    break
    except OSError:
        out["pss"] = out["rss"]
    return out


def _rss_parts(mem: dict[str, int]) -> str:
    """``; anonymous …, mapped files …`` when the sample has them (older result files do not)."""
    if "anon" not in mem:
        return ""
    return f"; anonymous {mem['anon'] / 1e9:.2f} GB, mapped index files {mem['file'] / 1e9:.2f} GB"


class TreeSampler:
    """Samples, every ``interval`` s, the memory of a process tree (and a directory's size).

    ``peak_rss_sum`` is the largest sum of the processes' RSS seen at one
    moment (pages shared after ``fork`` counted in each process: an upper
    bound); ``peak_pss_sum`` the same with PSS (shared pages split: what the
    tree really holds); ``peak_proc`` the largest single process (its own
    VmHWM, so a peak between samples is not missed).
    """

    PSS_EVERY = 40

    def __init__(self, pid: int, interval: float = 0.5, disk: Path | None = None) -> None:
        self.pid = pid
        self.interval = interval
        self.disk = disk
        self.peak_rss_sum = 0
        self.peak_pss_sum = 0
        self.peak_proc = 0
        self.peak_procs = 0
        self.peak_disk = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> TreeSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        # RSS every tick; PSS and the directory every PSS_EVERY ticks (20 s):
        # at every tick they took a tenth of a core beside a 1M build, and
        # every 5 s still 87 s of CPU over its hour; its memory grows over
        # minutes, not between two samples.
        tick = 0
        while True:
            pids = descendants(self.pid)
            slow = tick % self.PSS_EVERY == 0
            mems = [proc_memory(p, pss=slow) for p in pids]
            self.peak_rss_sum = max(self.peak_rss_sum, sum(m["rss"] for m in mems))
            if slow:
                self.peak_pss_sum = max(self.peak_pss_sum, sum(m["pss"] for m in mems))
            self.peak_proc = max([self.peak_proc] + [m["hwm"] for m in mems])
            self.peak_procs = max(self.peak_procs, sum(1 for m in mems if m["rss"]))
            if self.disk is not None and slow and self.disk.exists():
                self.peak_disk = max(self.peak_disk, tree_bytes(self.disk))
            tick += 1
            if self._stop.wait(self.interval):
                return

    def result(self) -> dict[str, int]:
        return {"peak_rss_sum": self.peak_rss_sum, "peak_pss_sum": self.peak_pss_sum,
                "peak_process": self.peak_proc, "peak_processes": self.peak_procs,
                "peak_disk": self.peak_disk}


def run_measured(cmd: list[str], disk: Path | None = None, log: Path | None = None) -> dict[str, Any]:
    """Run ``cmd`` to completion; wall seconds, exit status, output tail and memory peaks."""
    t0 = time.perf_counter()
    out = open(log, "w", encoding="utf-8") if log else subprocess.DEVNULL  # noqa: SIM115
    try:
        proc = subprocess.Popen(cmd, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT)
        with TreeSampler(proc.pid, disk=disk) as sampler:
            rc = proc.wait()
    finally:
        if log:
            out.close()  # type: ignore[union-attr]
    seconds = time.perf_counter() - t0
    tail = log.read_text(encoding="utf-8", errors="replace")[-2000:] if log else ""
    return {"seconds": seconds, "exit": rc, "output": tail, **sampler.result()}


# --------------------------------------------------------------------------
# The work directory of one N


# --------------------------------------------------------------------------
# The corpus's own material: titles, sentences, metadata rows


def step_generate(work: Work, seed: int, redo: bool, pool_cache: dict[str, Pool]) -> dict[str, Any]:
    corpus = corpus_path()
    key = archive_key(work.n, seed, corpus_stamp(corpus))
    old = read_json(work.result("generate"))
    if (not redo and old and old.get("key") == key and work.archive.is_dir()
            and all((work.archive / s["file"]).is_file() for s in old["shards"])
            and all((work.updates / u["file"]).is_file() for u in old["updates"])):
        status(f"N={work.n:,}: archive already generated ({old['measured_at']}): skipped")
        return old
    work.dir.mkdir(parents=True, exist_ok=True)
    if "pool" not in pool_cache:
        status(f"reading {corpus} for titles and sentences …")
        pool_cache["pool"] = load_pool(corpus)
        p = pool_cache["pool"]
        status(f"  {len(p.titles):,} titles, {len(p.sentences):,} sentences, {len(p.meta):,} metadata rows")
    status(f"N={work.n:,}: generating the archive into {work.archive} …")
    manifest = generate_archive(work, pool_cache["pool"], seed)
    pool = pool_cache["pool"]
    manifest.update(key=key, archive_id=digest(key), measured_at=now_iso(), commit=git_rev(),
                    pool={"titles": len(pool.titles), "sentences": len(pool.sentences)})
    write_json(work.result("generate"), manifest)
    work.query_set.unlink(missing_ok=True)  # made from the old archive
    return manifest


def require_archive(work: Work) -> dict[str, Any]:
    manifest = read_json(work.result("generate"))
    if not manifest or not work.archive.is_dir():
        sys.exit(f"error: no generated archive in {work.dir}: run with --steps generate first")
    return manifest


# --------------------------------------------------------------------------
# The query set


def load_query_set(work: Work, manifest: dict[str, Any], seed: int, count: int) -> dict[str, Any]:
    key = {"version": QUERY_VERSION, "seed": seed, "count": count, "archive": manifest["archive_id"]}
    old = read_json(work.query_set)
    if old and old.get("key") == key:
        return old
    status(f"N={work.n:,}: drawing {count:,} queries from the archive …")
    t0 = time.perf_counter()
    qs = make_query_set(work, seed, count)
    qs.update(key=key, query_set_id=digest([key, qs["queries"]]), seconds=time.perf_counter() - t0)
    write_json(work.query_set, qs)
    return qs


# --------------------------------------------------------------------------
# build


def live_snapshot(index_dir: Path) -> tuple[str | None, str]:
    """(live snapshot name, '' or why it cannot be used)."""
    from index.store import IndexStore, StoreError

    store = IndexStore(index_dir)
    name = store.current_name()
    if name is None:
        return None, "no index"
    try:
        store.open()
    except StoreError as exc:
        return name, str(exc)
    return name, ""


def snapshot_bytes(index_dir: Path) -> tuple[int, str | None]:
    from index.store import IndexStore

    name = IndexStore(index_dir).current_name()
    if name is None:
        return 0, None
    return tree_bytes(index_dir / "snapshots" / name), name


def step_build(work: Work, manifest: dict[str, Any], procs: int, redo: bool,
               vocab: Path | None = None) -> dict[str, Any]:
    old = read_json(work.result("build"))
    if not redo and old and old.get("archive_id") == manifest["archive_id"] and old.get("exit") == 0:
        name, why = live_snapshot(work.index)
        if name == old.get("snapshot") and not why:
            status(f"N={work.n:,}: index already built ({old['measured_at']}, snapshot {name}): skipped")
            return old
        status(f"N={work.n:,}: rebuilding ({why or 'the live snapshot is not the one built'})")
    # A rebuild replaces the bench's index (and its hard-linked update copy)
    # instead of keeping old snapshots beside it: at 1 M each one is tens of GB.
    shutil.rmtree(work.update_index, ignore_errors=True)
    shutil.rmtree(work.index, ignore_errors=True)
    work.result("update").unlink(missing_ok=True)
    cmd = newsearch_cmd() + ["build", str(work.archive), "--index-dir", str(work.index),
                             "--procs", str(procs), "--quiet"]
    if vocab is not None:  # issue 14: the targets hold with a vocabulary and entity tagging on
        cmd += ["--vocab", str(vocab)]
    status(f"N={work.n:,}: {' '.join(cmd[-9:])} …")
    run = run_measured(cmd, disk=work.index, log=work.dir / "build.log")
    if run["exit"] not in (0, 3):
        sys.exit(f"error: newsearch build failed (exit {run['exit']}):\n{run['output']}")
    size, name = snapshot_bytes(work.index)
    result = {
        "archive_id": manifest["archive_id"], "measured_at": now_iso(), "commit": git_rev(),
        "machine": machine_line(), "procs": procs, "exit": 0 if run["exit"] in (0, 3) else run["exit"],
        "cli_exit": run["exit"], "seconds": run["seconds"], "summary": run["output"].strip().splitlines()[-1:],
        "articles": manifest["articles"], "chars": manifest["chars"], "utf8_bytes": manifest["utf8_bytes"],
        "articles_per_s": manifest["articles"] / run["seconds"], "chars_per_s": manifest["chars"] / run["seconds"],
        "peak_rss_sum": run["peak_rss_sum"], "peak_pss_sum": run["peak_pss_sum"],
        "peak_process": run["peak_process"], "peak_processes": run["peak_processes"],
        # sampled every 2 s: the finished index is part of the peak too
        "peak_disk": max(run["peak_disk"], tree_bytes(work.index)), "snapshot": name, "index_bytes": size,
        "index_ratio": size / manifest["utf8_bytes"],
        "vocab": _vocab_line(vocab),
    }
    write_json(work.result("build"), result)
    return result


def _vocab_line(vocab: Path | None) -> str:
    """What vocabulary a build used, for its record: file and entries."""
    if vocab is None:
        return "none"
    from index.vocab import load_vocabulary

    return f"{vocab.name}: {len(load_vocabulary(vocab).entries)} entries"


def require_index(work: Work) -> str:
    name, why = live_snapshot(work.index)
    if why:
        sys.exit(f"error: {work.index}: {why}: run with --steps build first")
    assert name is not None
    return name


# --------------------------------------------------------------------------
# queries over HTTP


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    """``gunicorn -w 1 "api:create_app()"`` on a loopback port, in its own process group."""

    def __init__(self, index_dir: Path, log: Path, timeout: float) -> None:
        self.index_dir = index_dir
        self.log = log
        self.timeout = timeout
        self.proc: subprocess.Popen[bytes] | None = None
        self.port = 0
        self.started = 0.0

    def start(self) -> None:
        self.port = free_port()
        env = dict(os.environ, NEWSEARCH_INDEX_DIR=str(self.index_dir))
        cmd = [sys.executable, "-m", "gunicorn", "-w", "1", "-b", f"127.0.0.1:{self.port}",
               "--timeout", str(int(self.timeout) + 60), "--log-level", "warning", "api:create_app()"]
        with open(self.log, "a", encoding="utf-8") as log:
            self.started = time.perf_counter()
            self.proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                                         start_new_session=True)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:  # the master binds the port before the worker boots
            if self.proc.poll() is not None:
                sys.exit(f"error: gunicorn exited with status {self.proc.returncode}; see {self.log}")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                time.sleep(0.02)
        self.stop()
        sys.exit(f"error: gunicorn did not listen within 120 s; see {self.log}")

    def worker_memory(self) -> dict[str, int]:
        assert self.proc is not None
        workers = [p for p in descendants(self.proc.pid) if p != self.proc.pid]
        mems = [proc_memory(p) for p in workers]
        return {"rss": sum(m["rss"] for m in mems), "hwm": max([0] + [m["hwm"] for m in mems]),
                "anon": sum(m["anon"] for m in mems), "file": sum(m["file"] for m in mems),
                "workers": len(workers)}

    def stop(self) -> None:
        if self.proc is None:
            return
        try:
            os.killpg(self.proc.pid, signal.SIGTERM)
            self.proc.wait(timeout=30)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.proc.wait()
        self.proc = None


@dataclass
class Answer:
    ms: float
    status: int  # HTTP status; 0: no answer (connection failed or timed out)
    total: int | None = None
    took_ms: float | None = None
    error: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


class Client:
    """One keep-alive HTTP client."""

    def __init__(self, port: int, timeout: float) -> None:
        self.port = port
        self.timeout = timeout
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)

    def get(self, path: str, timeout: float | None = None) -> Answer:
        return self.request("GET", path, None, timeout)

    def post(self, path: str, payload: dict[str, Any], timeout: float | None = None) -> Answer:
        return self.request("POST", path, json.dumps(payload).encode(), timeout)

    def request(self, method: str, path: str, body: bytes | None, timeout: float | None) -> Answer:
        """One request; with ``timeout``, on a connection of its own with that timeout."""
        if timeout is not None:
            self.conn.close()
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        headers = {"Content-Type": "application/json"} if body is not None else {}
        t0 = time.perf_counter()
        try:
            self.conn.request(method, path, body=body, headers=headers)
            resp = self.conn.getresponse()
            raw = resp.read()
        except (OSError, http.client.HTTPException) as exc:
            ms = (time.perf_counter() - t0) * 1000
            self.conn.close()
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
            return Answer(ms, 0, error=f"{type(exc).__name__}: {exc}")
        ms = (time.perf_counter() - t0) * 1000
        if timeout is not None:
            self.conn.close()
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
        try:
            data = json.loads(raw)
        except ValueError:
            first = raw.decode("utf-8", "replace").strip().splitlines()[:1]
            return Answer(ms, resp.status, error=f"not JSON: {first[0][:100] if first else ''}")
        if resp.status != 200:
            err = data.get("error", {}) if isinstance(data, dict) else {}
            msg = f"{err.get('code', resp.status)}: {err.get('message', '')}"
            if err.get("details"):
                msg += f" {json.dumps(err['details'], ensure_ascii=False)[:300]}"
            return Answer(ms, resp.status, error=msg)
        return Answer(ms, 200, total=data.get("total"), took_ms=data.get("took_ms"))

    def fetch_json(self, path: str) -> Any:
        """The JSON body of a GET (None if there is no answer or it is not JSON)."""
        try:
            self.conn.request("GET", path)
            return json.loads(self.conn.getresponse().read())
        except (OSError, http.client.HTTPException, ValueError):
            self.conn.close()
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
            return None

    def close(self) -> None:
        self.conn.close()


def wait_for_warm_up(client: Client, started: float, limit: float = 600) -> float | None:
    """Seconds from the worker's start until its warm-up thread (dates,
    facets, stories read in the background) has ended, polling
    ``/api/health``; None if the service does not report one.  Queries
    are timed after it: the targets are for a worker that has started."""
    while True:
        data = client.fetch_json("/api/health")
        if not isinstance(data, dict) or "warming_up" not in data:
            return None
        if not data["warming_up"] or time.perf_counter() - started > limit:
            return time.perf_counter() - started
        time.sleep(0.5)


def step_queries(work: Work, qs: dict[str, Any], timeout: float, probe_timeout: float,
                 probes: bool) -> dict[str, Any]:
    snapshot = require_index(work)
    queries = as_queries(qs["queries"])
    log = work.dir / "gunicorn.log"
    server = Server(work.index, log, probe_timeout)
    status(f"N={work.n:,}: starting gunicorn -w 1 on {work.index} …")
    server.start()
    client = Client(server.port, timeout)
    try:
        warm = as_queries(qs["warmup"])
        first = client.get(warm[0].path())
        first_after_start = time.perf_counter() - server.started
        memory_first = server.worker_memory()
        warm_up_after_start = wait_for_warm_up(client, server.started)
        for q in warm[1:]:
            client.get(q.path())
        rows: list[dict[str, Any]] = []
        t_all = time.perf_counter()
        for k, q in enumerate(queries, 1):
            a = client.get(q.path())
            if a.status == 0:  # no answer: the worker may be stuck or dead; start afresh
                status(f"  query {k}: no answer ({a.error}); restarting gunicorn")
                client.close()
                server.stop()
                server.start()
                client = Client(server.port, timeout)
            rows.append({"kind": q.kind, "ms": a.ms, "status": a.status, "total": a.total,
                         "took_ms": a.took_ms, "error": a.error})
            if k % 100 == 0:
                ok = [r["ms"] for r in rows if r["status"] == 200]
                status(f"  {k}/{len(queries)} queries, p50 {fmt_ms(percentile(ok, 50))} ms, "
                       f"p95 {fmt_ms(percentile(ok, 95))} ms")
        seconds = time.perf_counter() - t_all
        memory = server.worker_memory()
        probe_rows: dict[str, Any] = {}
        if probes:
            for name, row in qs["probes"].items():
                q = Query(**row)
                status(f"  probe {PROBE_LABEL[name]} (up to {probe_timeout:.0f} s) …")
                # POST: the URL of a long CJK query passes gunicorn's request-line limit
                # (4,094 bytes, about 450 characters URL-encoded); that GET is tried too.
                a = client.post("/api/search", {"q": q.q, "per_page": PER_PAGE}, timeout=probe_timeout)
                probe_rows[name] = {"ms": a.ms, "status": a.status, "total": a.total, "error": a.error,
                                    "chars": len(q.q), "get_bytes": len(q.path())}
                if len(q.path()) > GUNICORN_LINE_LIMIT:
                    g = client.get(q.path())
                    probe_rows[name]["get_status"] = g.status
                    probe_rows[name]["get_error"] = g.error
                if a.status == 0:
                    status(f"  probe {name}: no answer after {a.ms / 1000:.0f} s; restarting gunicorn")
                    client.close()
                    server.stop()
                    server.start()
                    client = Client(server.port, timeout)
            memory_after_probes = server.worker_memory()
        else:
            memory_after_probes = {}
    finally:
        client.close()
        server.stop()
    ok = [r for r in rows if r["status"] == 200]
    by_kind = {kind: pstats([r["ms"] for r in ok if r["kind"] == kind]) for kind in KINDS}
    for kind in KINDS:
        totals = [r["total"] for r in ok if r["kind"] == kind and r["total"] is not None]
        by_kind[kind]["median_hits"] = statistics.median(totals) if totals else None
    result = {
        "measured_at": now_iso(), "commit": git_rev(), "machine": machine_line(), "snapshot": snapshot,
        "query_set_id": qs["query_set_id"], "seconds": seconds,
        "first": {"after_start_s": first_after_start, "request_ms": first.ms, "status": first.status,
                  "warm_up_after_start_s": warm_up_after_start},
        "worker_after_first": memory_first, "worker": memory, "worker_after_probes": memory_after_probes,
        "all": pstats([r["ms"] for r in ok]), "by_kind": by_kind,
        "server_took": pstats([r["took_ms"] for r in ok if r["took_ms"] is not None]),
        "errors": [r for r in rows if r["status"] != 200],
        "rows": rows, "probes": probe_rows,
    }
    write_json(work.result("queries"), result)
    return result


# --------------------------------------------------------------------------
# update


def link_copy(src: Path, dst: Path) -> None:
    """``dst`` as a copy of the index directory ``src`` whose files are hard links.

    Snapshot files are immutable (the store itself hard-links them between
    snapshots), so updating the copy leaves ``src`` as it was.  ``CURRENT`` and
    ``meta.json`` are copied, the lock is not.
    """
    shutil.rmtree(dst, ignore_errors=True)
    for dirpath, _, files in os.walk(src):
        rel = Path(dirpath).relative_to(src)
        if any(part.startswith(".tmp-") for part in rel.parts):
            continue
        (dst / rel).mkdir(parents=True, exist_ok=True)
        for f in files:
            if f == ".lock":
                continue
            if f in ("CURRENT", "meta.json"):
                shutil.copy2(Path(dirpath) / f, dst / rel / f)
            else:
                os.link(Path(dirpath) / f, dst / rel / f)


def segment_count(snapshot_dir: Path) -> int:
    """Segments of a snapshot: one term file (``.trm``) each (segments are not compound)."""
    return sum(1 for p in snapshot_dir.iterdir() if p.suffix in (".trm", ".seg"))


def step_update(work: Work, manifest: dict[str, Any]) -> dict[str, Any]:
    require_index(work)
    status(f"N={work.n:,}: hard-linking {work.index} to {work.update_index} …")
    link_copy(work.index, work.update_index)
    base_bytes, base_name = snapshot_bytes(work.update_index)
    base_segments = segment_count(work.update_index / "snapshots" / base_name) if base_name else None
    rows: list[dict[str, Any]] = []
    failed: dict[str, Any] | None = None
    for k, u in enumerate(manifest["updates"], 1):
        cmd = newsearch_cmd() + ["update", str(work.updates / u["file"]), "--index-dir", str(work.update_index),
                                 "--quiet"]
        run = run_measured(cmd, log=work.dir / "update.log")
        if run["exit"] not in (0, 3):
            # Recorded, not fatal: the live snapshot is unchanged, and the
            # following updates would most likely fail the same way.
            last = [ln for ln in run["output"].strip().splitlines() if ln.strip()][-1:] or ["?"]
            failed = {"update": k, "file": u["file"], "exit": run["exit"], "seconds": run["seconds"],
                      "message": last[0][:500]}
            status(f"  update {k}: FAILED (exit {run['exit']}): {last[0][:200]}; see {work.dir / 'update.log'}")
            shutil.copy2(work.dir / "update.log", work.dir / "update-failed.log")
            break
        snap_bytes, name = snapshot_bytes(work.update_index)
        dir_bytes = tree_bytes(work.update_index)
        snaps = work.update_index / "snapshots"
        rows.append({"file": u["file"], "seconds": run["seconds"], "peak_pss_sum": run["peak_pss_sum"],
                     "peak_process": run["peak_process"], "snapshot": name, "snapshot_bytes": snap_bytes,
                     "dir_bytes": dir_bytes, "ratio": dir_bytes / snap_bytes if snap_bytes else None,
                     "snapshots": sum(1 for p in snaps.iterdir() if p.is_dir()),
                     "segments": segment_count(snaps / name) if name else None})
        status(f"  update {k}/{len(manifest['updates'])}: {run['seconds']:.1f} s, directory "
               f"{gb(dir_bytes)} = {rows[-1]['ratio']:.2f}× the live snapshot, {rows[-1]['segments']} segments")
    result: dict[str, Any] = {
        "measured_at": now_iso(), "commit": git_rev(), "machine": machine_line(),
        "base_snapshot": base_name, "base_bytes": base_bytes, "base_segments": base_segments,
        "planned": len(manifest["updates"]), "updates": len(rows), "articles_each": UPDATE_SIZE,
        "failed": failed, "rows": rows,
    }
    if rows:
        secs = [r["seconds"] for r in rows]
        result.update({
            "median_s": statistics.median(secs), "max_s": max(secs), "first_s": secs[0], "last_s": secs[-1],
            "final_dir_bytes": rows[-1]["dir_bytes"], "final_snapshot_bytes": rows[-1]["snapshot_bytes"],
            "final_ratio": rows[-1]["ratio"], "max_ratio": max(r["ratio"] for r in rows),
            "peak_pss_sum": max(r["peak_pss_sum"] for r in rows), "segments_first": rows[0]["segments"],
            "segments_max": max(r["segments"] or 0 for r in rows), "segments_last": rows[-1]["segments"],
        })
    write_json(work.result("update"), result)
    return result


# --------------------------------------------------------------------------
# brute force


SEP = "\x00"  # never in normalized text (letters and digits only): joins fields without false matches


def load_texts(work: Work) -> tuple[list[str], list[str], float]:
    """(title texts, title+subtitle+body texts, seconds): every article's normalized
    fields, held in memory."""
    from index.normalization import match_text

    t0 = time.perf_counter()
    titles: list[str] = []
    alltext: list[str] = []
    for k, doc in enumerate(iter_archive(work), 1):
        t = match_text(doc.get("title") or "")
        titles.append(t)
        alltext.append(SEP.join((t, match_text(doc.get("subtitle") or ""), match_text(doc.get("body") or ""))))
        if k % 100_000 == 0:
            status(f"  normalized {k:,} articles")
    return titles, alltext, time.perf_counter() - t0


def brute_count(texts: list[str], needles: list[str]) -> int:
    """Articles whose text contains every needle: one ``in`` test per needle."""
    if len(needles) == 1:
        n = needles[0]
        return sum(1 for x in texts if n in x)
    first, rest = needles[0], needles[1:]
    return sum(1 for x in texts if first in x and all(n in x for n in rest))


def step_brute(work: Work, manifest: dict[str, Any], qs: dict[str, Any], redo: bool) -> dict[str, Any]:
    key = {"version": BRUTE_VERSION, "archive": manifest["archive_id"], "queries": qs["query_set_id"]}
    old = read_json(work.result("brute"))
    if not redo and old and old.get("key") == key:
        status(f"N={work.n:,}: brute force already measured ({old['measured_at']}): skipped")
        return old
    status(f"N={work.n:,}: normalizing every article for the brute-force scan …")
    titles, alltext, load_s = load_texts(work)
    queries = as_queries(qs["queries"])
    rows: list[dict[str, Any]] = []
    for k, q in enumerate(queries, 1):
        texts = titles if q.scope == "title" else alltext
        t0 = time.perf_counter()
        count = brute_count(texts, q.needles)
        rows.append({"kind": q.kind, "ms": (time.perf_counter() - t0) * 1000, "count": count})
        if k % 100 == 0:
            status(f"  brute force: {k}/{len(queries)} queries")
    probes = {}
    for name, row in qs["probes"].items():
        q = Query(**row)
        t0 = time.perf_counter()
        count = brute_count(alltext, q.needles)
        probes[name] = {"ms": (time.perf_counter() - t0) * 1000, "count": count}
    del titles, alltext
    result = {
        "key": key, "measured_at": now_iso(), "commit": git_rev(), "machine": machine_line(),
        "load_s": load_s, "all": pstats([r["ms"] for r in rows]),
        "by_kind": {k: pstats([r["ms"] for r in rows if r["kind"] == k]) for k in KINDS},
        "rows": rows, "probes": probes,
    }
    write_json(work.result("brute"), result)
    return result


# --------------------------------------------------------------------------
# SQLite FTS5 trigram (reference)


def fts_query(q: Query) -> str | None:
    """The FTS5 MATCH expression for ``q``; None when a needle is shorter than
    3 characters (the trigram tokenizer cannot answer it)."""
    if not q.needles or any(len(n) < 3 for n in q.needles):
        return None
    col = "title : " if q.scope == "title" else ""
    return " AND ".join(f'{col}"{n}"' for n in q.needles)  # needles hold only letters and digits


def step_sqlite(work: Work, manifest: dict[str, Any], qs: dict[str, Any], redo: bool) -> dict[str, Any]:
    key = {"version": SQLITE_VERSION, "archive": manifest["archive_id"], "queries": qs["query_set_id"]}
    old = read_json(work.result("sqlite"))
    if not redo and old and old.get("key") == key:
        status(f"N={work.n:,}: SQLite already measured ({old['measured_at']}): skipped")
        return old
    from index.normalization import match_text

    db_key = digest({"version": SQLITE_VERSION, "archive": manifest["archive_id"]})
    build_s = None
    built = False
    if work.sqlite.exists() and not redo:
        try:
            con = sqlite3.connect(work.sqlite)
            built = con.execute("SELECT value FROM bench_meta WHERE key = 'archive'").fetchone() == (db_key,)
            con.close()
        except sqlite3.Error:
            built = False
    if not built:
        status(f"N={work.n:,}: building the SQLite FTS5 trigram table {work.sqlite} …")
        work.sqlite.unlink(missing_ok=True)
        t0 = time.perf_counter()
        con = sqlite3.connect(work.sqlite)
        con.execute("PRAGMA journal_mode = OFF")
        con.execute("PRAGMA synchronous = OFF")
        con.execute("CREATE VIRTUAL TABLE docs USING fts5(title, subtitle, body, tokenize = 'trigram')")
        batch: list[tuple[str, str, str]] = []
        for k, doc in enumerate(iter_archive(work), 1):
            batch.append((match_text(doc.get("title") or ""), match_text(doc.get("subtitle") or ""),
                          match_text(doc.get("body") or "")))
            if len(batch) >= 5000:
                con.executemany("INSERT INTO docs VALUES (?, ?, ?)", batch)
                batch = []
            if k % 100_000 == 0:
                status(f"  sqlite: {k:,} articles")
        if batch:
            con.executemany("INSERT INTO docs VALUES (?, ?, ?)", batch)
        con.execute("INSERT INTO docs(docs) VALUES ('optimize')")
        con.execute("CREATE TABLE bench_meta (key TEXT PRIMARY KEY, value TEXT)")
        con.execute("INSERT INTO bench_meta VALUES ('archive', ?)", (db_key,))
        con.commit()
        con.close()
        build_s = time.perf_counter() - t0
    con = sqlite3.connect(work.sqlite)
    rows: list[dict[str, Any]] = []
    for q in as_queries(qs["queries"]):
        expr = fts_query(q)
        if expr is None:
            continue
        t0 = time.perf_counter()
        count = con.execute("SELECT count(*) FROM docs WHERE docs MATCH ?", (expr,)).fetchone()[0]
        rows.append({"kind": q.kind, "ms": (time.perf_counter() - t0) * 1000, "count": count, "q": q.q})
    con.close()
    result = {
        "key": key, "measured_at": now_iso(), "commit": git_rev(), "machine": machine_line(),
        "build_s": build_s if build_s is not None else (old or {}).get("build_s"),
        "db_bytes": work.sqlite.stat().st_size, "all": pstats([r["ms"] for r in rows]),
        "by_kind": {k: pstats([r["ms"] for r in rows if r["kind"] == k]) for k in KINDS},
        "rows": [{k: v for k, v in r.items() if k != "q"} for r in rows],
    }
    write_json(work.result("sqlite"), result)
    return result


# --------------------------------------------------------------------------
# The report


def _when(res: dict[str, Any]) -> str:
    return f"[{res.get('measured_at', '?')}, commit {res.get('commit', '?')}]"


def _verdict(value: float | None, limit: float, smaller_is_better: bool = True) -> str:
    if value is None:
        return "—"
    ok = value <= limit if smaller_is_better else value >= limit
    return "OK" if ok else "MISS"


def exactness(queries: dict[str, Any] | None, brute: dict[str, Any] | None,
              qs: dict[str, Any] | None) -> str | None:
    """Compare each query's ``total`` (HTTP) with the brute-force count, when both
    were measured on the same archive and query set."""
    if not (queries and brute and qs) or queries.get("query_set_id") != qs.get("query_set_id") \
            or brute["key"]["queries"] != qs.get("query_set_id"):
        return None
    pairs = [(r, b) for r, b in zip(queries["rows"], brute["rows"]) if r["status"] == 200]
    bad = [(r, b) for r, b in pairs if r["total"] != b["count"]]
    if not bad:
        return f"every total equals the brute-force count ({len(pairs)} queries)"
    kinds = Counter(r["kind"] for r, _ in bad)
    return (f"{len(bad)} of {len(pairs)} totals DIFFER from the brute-force count: "
            + ", ".join(f"{KIND_LABEL[k]} {c}" for k, c in kinds.items()))


def report(work: Work) -> str:
    gen = read_json(work.result("generate"))
    build = read_json(work.result("build"))
    queries = read_json(work.result("queries"))
    update = read_json(work.result("update"))
    brute = read_json(work.result("brute"))
    sqlite = read_json(work.result("sqlite"))
    qs = read_json(work.query_set)
    out: list[str] = []
    w = out.append
    w(f"newsearch scale benchmark — N = {work.n:,} articles — {machine_line()}")
    w(f"work directory: {work.dir}")
    if not gen:
        w("  (no archive generated)")
        return "\n".join(out)
    if build and build.get("archive_id") != gen["archive_id"]:
        build = None
    w(f"archive: {gen['articles']:,} articles in {len(gen['shards'])} shards, {gen['chars'] / 1e6:,.1f} M chars, "
      f"{gen['utf8_bytes'] / 1e6:,.1f} MB UTF-8 (title+subtitle+body); seed {gen['key']['seed']}, "
      f"generated in {fmt_s(gen['seconds'])} from {gen['pool']['titles']:,} titles and "
      f"{gen['pool']['sentences']:,} sentences")
    if qs:
        counts = Counter(q["kind"] for q in qs["queries"])
        w(f"queries: {len(qs['queries']):,} ({', '.join(f'{counts[k]}' for k in KINDS)} per kind), "
          f"seed {qs['key']['seed']}, query set {qs['query_set_id']}")
    w("")
    if build:
        w(f"build  {_when(build)}  newsearch build --procs {build['procs']}; vocabulary {build.get('vocab', 'none')}")
        w(f"  wall {fmt_s(build['seconds'])} · {build['articles_per_s']:,.0f} articles/s · "
          f"{build['chars_per_s'] / 1000:,.0f} k chars/s")
        w(f"  memory peak, all processes together: PSS {gb(build['peak_pss_sum'])} (RSS sum "
          f"{gb(build['peak_rss_sum'])}); largest process {gb(build['peak_process'])}; "
          f"{build['peak_processes']} processes")
        w(f"  index {gb(build['index_bytes'])} on disk = {build['index_ratio']:.2f}× the UTF-8 text; "
          f"index directory at most {gb(build['peak_disk'])} during the build")
    else:
        w("build: not measured")
    w("")
    if queries and qs and queries.get("query_set_id") == qs.get("query_set_id"):
        b_ok = brute if brute and brute["key"]["queries"] == qs["query_set_id"] else None
        w(f"queries over HTTP  {_when(queries)}  gunicorn -w 1, one keep-alive client, GET /api/search, "
          f"{PER_PAGE} hits with snippets; snapshot {queries['snapshot']}")
        head = (f"  {'kind':<22}{'n':>6}{'p50':>9}{'p95':>9}{'p99':>9}{'max':>9}{'hits p50':>10}"
                f" |{'brute p50':>10}{'p95':>9}{'index/brute p95':>17}")
        w(head)
        w("  " + "-" * (len(head) - 2))

        def line(label: str, s: dict[str, Any], bs: dict[str, Any] | None, hits: Any) -> None:
            ratio = (s["p95"] / bs["p95"]) if bs and s["p95"] and bs["p95"] else None
            w(f"  {label:<22}{s['n']:>6}{fmt_ms(s['p50']):>9}{fmt_ms(s['p95']):>9}{fmt_ms(s['p99']):>9}"
              f"{fmt_ms(s['max']):>9}{'' if hits is None else f'{hits:,.0f}':>10} |"
              f"{fmt_ms(bs['p50'] if bs else None):>10}{fmt_ms(bs['p95'] if bs else None):>9}"
              f"{'' if ratio is None else f'{ratio:.2f}':>17}")

        line("all (ms)", queries["all"], b_ok["all"] if b_ok else None, None)
        for k in KINDS:
            line(KIND_LABEL[k], queries["by_kind"][k], b_ok["by_kind"][k] if b_ok else None,
                 queries["by_kind"][k].get("median_hits"))
        errs = queries["errors"]
        w(f"  error responses: {len(errs)}"
          + (": " + "; ".join(f"{c}× {e}" for e, c in Counter(
              f"{r['status']} {r['error']}" for r in errs).most_common(5)) if errs else ""))
        st = queries["server_took"]
        w(f"  server-side took_ms: p50 {fmt_ms(st['p50'])}, p95 {fmt_ms(st['p95'])}; "
          f"whole run {fmt_s(queries['seconds'])}")
        wk, f = queries["worker"], queries["first"]
        w(f"  worker: RSS {gb(wk['rss'])} after the queries (peak {gb(wk['hwm'])}{_rss_parts(wk)}); first answer "
          f"{f['after_start_s']:.2f} s after start (that request {fmt_ms(f['request_ms'])} ms)"
          + (f"; background warm-up done {f['warm_up_after_start_s']:.1f} s after start, before the timed queries"
             if f.get("warm_up_after_start_s") is not None else ""))
        if b_ok:
            sp = b_ok["all"]["p95"] / queries["all"]["p95"]
            w(f"  brute force {_when(b_ok)}: normalizing every article took {fmt_s(b_ok['load_s'])}; "
              f"at p95 the index is {sp:.2f}× as fast as the scan")
        ex = exactness(queries, b_ok, qs)
        if ex:
            w(f"  exactness: {ex}")
        if queries.get("probes"):
            w("  worst-case probes, POST /api/search (not in the percentiles):")
            for name, p in queries["probes"].items():
                bp = (b_ok or {}).get("probes", {}).get(name)
                how = (f"{p['ms'] / 1000:,.2f} s, {p['total']:,} hits" if p["status"] == 200 else
                       f"{p['ms'] / 1000:,.2f} s, HTTP {p['status'] or 'no answer'}: {p['error']}")
                w(f"    {PROBE_LABEL[name]:<24} {how}"
                  + (f"   (brute force {bp['ms']:,.0f} ms, {bp['count']:,} articles)" if bp else ""))
            long_get = [(PROBE_LABEL[n], p) for n, p in queries["probes"].items() if "get_status" in p]
            if long_get:
                w("  the same as GET /api/search?q=…: " + "; ".join(
                    f"{label} ({p['get_bytes']:,}-byte URL): HTTP {p['get_status']}"
                    + (f" {p['get_error']}" if p["get_status"] != 200 else "") for label, p in long_get))
            wp = queries.get("worker_after_probes") or {}
            if wp:
                w(f"  worker after the probes: RSS {gb(wp['rss'])} (peak {gb(wp['hwm'])})")
    else:
        w("queries: not measured (or measured with another query set)")
        if brute and qs and brute["key"]["queries"] == qs.get("query_set_id"):
            w(f"  brute force {_when(brute)}: p50 {fmt_ms(brute['all']['p50'])} ms, "
              f"p95 {fmt_ms(brute['all']['p95'])} ms")
    w("")
    if update:
        w(f"update  {_when(update)}  {update['updates']} of {update['planned']} daily files × "
          f"{update['articles_each']} articles, newsearch update on a hard-linked copy of the index "
          f"({update['base_segments']} segments as built)")
        if update["failed"]:
            f = update["failed"]
            w(f"  UPDATE {f['update']} FAILED (exit {f['exit']}, after {fmt_s(f['seconds'])}): {f['message']}")
    if update and update["rows"]:
        w(f"  per update: median {fmt_s(update['median_s'])}, max {fmt_s(update['max_s'])} "
          f"(first {fmt_s(update['first_s'])}, last {fmt_s(update['last_s'])}); "
          f"memory peak PSS {gb(update['peak_pss_sum'])}")
        w("  seconds, in order: " + " ".join(f"{r['seconds']:.1f}" for r in update["rows"]))
        w(f"  index directory after all: {gb(update['final_dir_bytes'])} (hard links counted once) = "
          f"{update['final_ratio']:.2f}× the live snapshot ({gb(update['final_snapshot_bytes'])}); "
          f"at most {update['max_ratio']:.2f}×")
        w(f"  segments in the live snapshot: {update['segments_first']} after the first update, "
          f"{update['segments_last']} after the last, at most {update['segments_max']}")
    else:
        w("update: not measured")
    if sqlite and qs and sqlite["key"]["queries"] == qs.get("query_set_id"):
        w("")
        w(f"SQLite FTS5 trigram  {_when(sqlite)}  (reference; answers only queries whose needles all "
          f"have ≥ 3 characters)")
        w(f"  table {gb(sqlite['db_bytes'])}"
          + (f", built in {fmt_s(sqlite['build_s'])}" if sqlite.get("build_s") else "")
          + f"; count(*) of {sqlite['all']['n']} queries: p50 {fmt_ms(sqlite['all']['p50'])} ms, "
            f"p95 {fmt_ms(sqlite['all']['p95'])} ms, p99 {fmt_ms(sqlite['all']['p99'])} ms")
        kinds = [f"{KIND_LABEL[k]} {s['n']}: p95 {fmt_ms(s['p95'])}" for k, s in sqlite["by_kind"].items() if s["n"]]
        w("  by kind: " + "; ".join(kinds))
    w("")
    w(targets(work.n, build, queries if queries and qs and queries.get("query_set_id") == qs.get("query_set_id")
              else None, update, brute))
    return "\n".join(out)


def targets(n: int, build: dict[str, Any] | None, queries: dict[str, Any] | None,
            update: dict[str, Any] | None, brute: dict[str, Any] | None) -> str:
    """Issue 11's targets that this N and these results can be held to."""
    lines = ["targets of issue 11 (latency targets are set at 100,000 and 1,000,000 articles):"]

    def t(label: str, value: float | None, limit: float, unit: str, smaller: bool = True) -> None:
        shown = "—" if value is None else f"{value:,.2f}{unit}"
        sign = "≤" if smaller else "≥"
        lines.append(f"  {label:<44} {shown:>12}   target {sign} {limit:g}{unit}: {_verdict(value, limit, smaller)}")

    if build:
        t("index on disk / UTF-8 text", build["index_ratio"], 5, "×")
        t("build memory, all processes (PSS)", build["peak_pss_sum"] / 1e9, 8, " GB")
        if n == 1_000_000:
            t("build wall time", build["seconds"] / 60, 60, " min")
    if update and update["failed"]:
        lines.append(f"  {'30 daily updates':<44} {'failed':>12}   at update {update['failed']['update']}: MISS")
    if update and update["rows"]:
        t(f"index directory after {update['updates']} updates / snapshot", update["final_ratio"], 2.5, "×")
        if n == 1_000_000:
            t("update of 300 articles, median", update["median_s"], 30, " s")
        t(f"slowest of {update['updates']} updates", update["max_s"], 120, " s")
    if queries:
        t("worker's first answer after start", queries["first"]["after_start_s"], 5, " s")
        wk = queries["worker"]
        # the worker's own memory; pages of the index files it maps are page cache every worker shares
        t("worker memory after the queries (anonymous RSS)" if "anon" in wk else "worker RSS after the queries",
          wk.get("anon", wk["rss"]) / 1e9, 1, " GB")
        lat = TARGETS_LATENCY.get(n, {})
        for p in ("p50", "p95", "p99"):
            if p in lat:
                t(f"query latency {p}", queries["all"][p], lat[p], " ms")
        if "speedup" in lat and brute:
            t("brute p95 / index p95", brute["all"]["p95"] / queries["all"]["p95"], lat["speedup"], "×",
              smaller=False)
        if n == 1_000_000 and queries.get("probes"):
            worst = max(p["ms"] for p in queries["probes"].values()) / 1000
            t("slowest worst-case probe", worst, 1, " s")
    return "\n".join(lines)


# --------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter,
                                 epilog="See bench/README.md, section scale.py.")
    ap.add_argument("sizes", nargs="+", type=parse_n, metavar="N", help="archive sizes: 20000, 100k, 1M …")
    ap.add_argument("--work-dir", type=Path, default=DEFAULT_WORK,
                    help=f"base directory; N's files go to WORK/N (default {DEFAULT_WORK})")
    ap.add_argument("--steps", default=",".join(STEPS), help=f"comma-separated, from {','.join(STEPS)} (default all)")
    ap.add_argument("--redo", default="", help=f"cached steps to run again anyway: {','.join(CACHED)}")
    ap.add_argument("--queries", type=int, default=DEFAULT_QUERIES, help="timed queries (default %(default)s)")
    ap.add_argument("--seed", type=int, default=DEFAULT_SEED, help="archive and query seed (default %(default)s)")
    ap.add_argument("--vocab", default=str(ROOT / "bench" / "vocab.tsv"), metavar="FILE",
                    help="vocabulary the build uses, or none (default: bench/vocab.tsv, %(default)s)")
    ap.add_argument("--procs", type=int, default=os.cpu_count() or 2, help="build worker processes (default: cores)")
    ap.add_argument("--timeout", type=float, default=120, help="client timeout of a timed query, s")
    ap.add_argument("--probe-timeout", type=float, default=300,
                    help="client timeout of a worst-case probe, s (the worker is restarted after one)")
    ap.add_argument("--no-probes", action="store_true", help="skip the worst-case probes")
    args = ap.parse_args(argv)
    steps = [s for s in args.steps.split(",") if s]
    redo = {s for s in args.redo.split(",") if s}
    for s in steps:
        if s not in STEPS:
            ap.error(f"unknown step {s!r}: choose from {', '.join(STEPS)}")
    for s in redo:
        if s not in CACHED:
            ap.error(f"--redo {s!r}: only {', '.join(CACHED)} are cached")
    if args.queries < len(KINDS):
        ap.error(f"--queries must be at least {len(KINDS)}")
    base = args.work_dir.resolve()
    if base == ROOT or ROOT in base.parents:
        ap.error(f"--work-dir {base} is inside the repository: generated corpus text must stay outside it")
    pool_cache: dict[str, Pool] = {}
    reports = []
    for n in args.sizes:
        work = Work(base, n)
        work.dir.mkdir(parents=True, exist_ok=True)
        manifest = (step_generate(work, args.seed, "generate" in redo, pool_cache) if "generate" in steps
                    else require_archive(work))
        needs_queries = {"generate", "queries", "brute", "sqlite"} & set(steps)
        qs = load_query_set(work, manifest, args.seed, args.queries) if needs_queries else None
        if "build" in steps:
            step_build(work, manifest, args.procs, "build" in redo, None if args.vocab == "none" else Path(args.vocab))
        if "queries" in steps:
            assert qs is not None
            step_queries(work, qs, args.timeout, args.probe_timeout, not args.no_probes)
        if "update" in steps:
            step_update(work, manifest)
        if "brute" in steps:
            assert qs is not None
            step_brute(work, manifest, qs, "brute" in redo)
        if "sqlite" in steps:
            assert qs is not None
            step_sqlite(work, manifest, qs, "sqlite" in redo)
        text = report(work)
        (work.dir / "report.txt").write_text(text + "\n", encoding="utf-8")
        reports.append(text)
        print(text + "\n", flush=True)


if __name__ == "__main__":
    main()
