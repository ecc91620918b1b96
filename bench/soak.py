"""Soak test: gunicorn under a query mix while updates and rebuilds switch snapshots.

    python bench/soak.py --duration 300 --workers 4 --clients 8      # the full run
    python bench/soak.py --duration 20 --workers 2 --clients 4       # CI's reduced run

Builds a starting index (seeds/ plus generated articles), serves it with
gunicorn on a free loopback port, and sends the query mix from client
threads for ``--duration`` seconds.  Meanwhile ``newsearch update`` adds a
few generated articles every ``--update-every`` seconds, and ``newsearch
build`` replaces the whole index at one third and two thirds of the run.
Prints requests served, errors (non-200 answers or failed connections),
p50/p99 latency, and each worker's memory (RSS) at start and end; exits 1
if any request failed or the final index lacks articles added during the
run.  All traffic stays on 127.0.0.1 and stops at the deadline.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent

WORDS = ("郑州 地铁 公交 中原科技城 郑东新区 黑灯工厂 发展 建设 市民 记者 经济 科技 创新 项目 城市 "
         "交通 金融 中心 教育 医疗 文化 旅游 企业 工厂 产业 高质量 会议 精神 政策 服务 社区 安全").split()
QUERIES = ["郑州", "地", "地铁", '"中原科技城"', '"黑灯工厂"', "发展 建设", "title:地铁", "科技 -金融",
           "(地铁 OR 公交) 郑州", "融中", "市民", '"高质量发展"', "date:2020-01-01.. 城市"]


def generated_articles(n: int, rng: random.Random, prefix: str) -> list[dict]:
    out = []
    for i in range(n):
        words = [rng.choice(WORDS) for _ in range(rng.randint(40, 200))]
        title = "".join(rng.choice(WORDS) for _ in range(rng.randint(3, 6)))
        out.append({"id": f"{prefix}-{i}", "title": title, "body": "，".join(words) + "。",
                    "date": f"20{rng.randint(18, 23)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
                    "source": rng.choice(["郑州日报", "郑州晚报", "大河报"]), "author": rng.choice(["李明", "王芳"])})
    return out


def write_jsonl(path: Path, docs: list[dict]) -> None:
    with open(path, "w", encoding="utf-8") as fh:
        for d in docs:
            fh.write(json.dumps(d, ensure_ascii=False) + "\n")


def newsearch(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "api.cli", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=600)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def worker_pids(master: int) -> list[int]:
    try:
        children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    except OSError:
        return []
    return sorted(int(c) for c in children)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--duration", type=float, default=300)
    ap.add_argument("--workers", type=int, default=4)
    ap.add_argument("--clients", type=int, default=8)
    ap.add_argument("--update-every", type=float, default=5.0)
    ap.add_argument("--articles", type=int, default=2000, help="generated articles in the starting index")
    args = ap.parse_args()
    rng = random.Random(7)
    work = Path(tempfile.mkdtemp(prefix="soak-", dir=ROOT / "var" if (ROOT / "var").is_dir() else None))
    index_dir = work / "index"
    src = work / "sources"
    src.mkdir()
    write_jsonl(src / "base.jsonl", generated_articles(args.articles, rng, "base"))
    shutil.copy(next((ROOT / "seeds").glob("*.txt")), src / "seed-page.txt")
    built = newsearch("build", str(src), "--index-dir", str(index_dir), "--quiet")
    if built.returncode != 0:
        print(built.stderr, file=sys.stderr)
        return 1
    port = free_port()
    env = dict(os.environ, NEWSEARCH_INDEX_DIR=str(index_dir), NEWSEARCH_REFRESH_INTERVAL="0.5")
    server = subprocess.Popen([sys.executable, "-m", "gunicorn", "-w", str(args.workers), "-b", f"127.0.0.1:{port}",
                               "--graceful-timeout", "5", "--log-level", "warning", "api:create_app()"],
                              cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        return run(args, port, server, src, index_dir, rng)
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
        if server.stderr:
            server.stderr.close()
        shutil.rmtree(work, ignore_errors=True)


def run(args: argparse.Namespace, port: int, server: subprocess.Popen, src: Path, index_dir: Path,
        rng: random.Random) -> int:
    deadline = time.monotonic() + 60
    while True:  # wait for the workers to answer
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/api/health")
            if conn.getresponse().status == 200:
                conn.close()
                break
        except OSError:
            pass
        if time.monotonic() > deadline or server.poll() is not None:
            print("gunicorn did not come up", file=sys.stderr)
            return 1
        time.sleep(0.2)
    time.sleep(1.0)
    workers = worker_pids(server.pid)
    mem_start = {pid: rss_mb(pid) for pid in workers}
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    stop_at = time.monotonic() + args.duration
    done = threading.Event()  # set once the duration is over and both rebuilds have run

    def client(n: int) -> None:
        local = random.Random(n)
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        while not done.is_set():
            q = local.choice(QUERIES)
            facets = "&facets=true" if local.random() < 0.25 else ""
            started = time.perf_counter()
            try:
                conn.request("GET", f"/api/search?q={quote(q)}{facets}")
                resp = conn.getresponse()
                resp.read()
                status = resp.status
            except (OSError, http.client.HTTPException) as exc:
                status = 0
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                with lock:
                    errors.append(f"{q}: {exc!r}")
            took = (time.perf_counter() - started) * 1000
            with lock:
                latencies.append(took)
                if status not in (0, 200):
                    errors.append(f"{q}: HTTP {status}")
        conn.close()

    threads = [threading.Thread(target=client, args=(n,)) for n in range(args.clients)]
    for t in threads:
        t.start()
    updates = builds = 0
    # early enough that both run while the clients search, however slow a build is
    rebuild_at = [args.duration / 5, 2 * args.duration / 5]
    started = time.monotonic()
    added = []
    next_update = started + args.update_every
    while time.monotonic() < stop_at or rebuild_at:  # a slow machine runs over rather than skip a rebuild
        now = time.monotonic()
        if rebuild_at and now - started >= rebuild_at[0]:
            rebuild_at.pop(0)
            result = newsearch("build", str(src), "--index-dir", str(index_dir), "--quiet")
            builds += result.returncode == 0
            if result.returncode:
                errors.append(f"build failed: {result.stderr.strip()}")
        elif now >= next_update:
            next_update = now + args.update_every
            docs = generated_articles(3, rng, f"upd{updates}")
            write_jsonl(src / f"update-{updates}.jsonl", docs)
            result = newsearch("update", str(src / f"update-{updates}.jsonl"), "--index-dir", str(index_dir),
                               "--quiet")
            if result.returncode == 75:  # a rebuild held the lock: try the same file again later
                continue
            updates += 1
            added += [d["id"] for d in docs]
            if result.returncode:
                errors.append(f"update failed: {result.stderr.strip()}")
        time.sleep(0.2)
    elapsed = time.monotonic() - started
    done.set()
    for t in threads:
        t.join()
    time.sleep(1.0)
    missing = []
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    for doc_id in added:
        conn.request("GET", f"/api/articles/{quote(doc_id)}")
        resp = conn.getresponse()
        resp.read()
        if resp.status != 200:
            missing.append(doc_id)
    conn.close()
    mem_end = {pid: rss_mb(pid) for pid in worker_pids(server.pid)}
    latencies.sort()
    n = len(latencies)
    print(f"duration {elapsed:.0f} s, {args.workers} gunicorn workers, {args.clients} clients")
    print(f"requests served: {n}  ({n / elapsed:.1f}/s)")
    print(f"errors: {len(errors)}")
    for e in errors[:10]:
        print(f"  {e}")
    if n:
        print(f"latency ms: p50 {latencies[n // 2]:.1f}  p99 {latencies[min(n - 1, int(n * 0.99))]:.1f}  "
              f"max {latencies[-1]:.1f}")
    print(f"snapshot switches: {updates} updates, {builds} rebuilds")
    print(f"articles added during the run and findable at the end: {len(added) - len(missing)}/{len(added)}")
    for pid in sorted(set(mem_start) | set(mem_end)):
        print(f"worker {pid}: RSS {mem_start.get(pid, 0):.0f} MB at start, {mem_end.get(pid, 0):.0f} MB at end")
    return 1 if errors or missing or not n else 0


if __name__ == "__main__":
    sys.exit(main())
