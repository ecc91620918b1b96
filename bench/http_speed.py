"""HTTP speed: the API under gunicorn beside the same queries in-process.

    python bench/http_speed.py                     # workers 1 2 4, clients 1 4 16, 20 s each
    python bench/http_speed.py --quick             # workers 1 4, clients 1 4 16, 5 s each, 70 queries
    python bench/http_speed.py --seconds 5 --workers 2 --clients 1 4   # pick your own

Uses the index and the query mix of ``bench/query_speed.py`` (built from the
shared corpus into ``var/bench-index`` if absent).  First the queries run
in-process (``search()``, one thread, cycled for ``--seconds`` after a
warm-up pass), then against ``gunicorn -w N`` on a
loopback port with 1, 4 and 16 keep-alive clients for ``--seconds`` each.
Prints requests/s and p50/p99 latency per setting, and the HTTP overhead at
p50 (one client, one worker, minus in-process).  Traffic stays on 127.0.0.1
and every load stops at its deadline.
"""

from __future__ import annotations

import argparse
import http.client
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from common import ROOT, corpus_path, machine_line, percentile, read_corpus, status  # noqa: E402
from query_speed import SEED, BenchQuery, _request, ensure_index, generate  # noqa: E402


def query_string(q: BenchQuery) -> str:
    params: list[tuple[str, str]] = [("q", q.q), ("per_page", "10")]
    if q.sort != "relevance":
        params.append(("sort", q.sort))
    if q.date_from:
        params.append(("date_from", q.date_from.isoformat()))
    if q.date_to:
        params.append(("date_to", q.date_to.isoformat()))
    params += [("source", s) for s in q.source]
    if q.facets:
        params.append(("facets", "true"))
    return "/api/search?" + urlencode(params)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def load(port: int, paths: list[str], clients: int, seconds: float) -> tuple[int, list[float], int]:
    """(requests, latencies ms, errors) of ``clients`` keep-alive threads for ``seconds``."""
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    stop_at = time.monotonic() + seconds

    def run(n: int) -> None:
        nonlocal errors
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        i = n * 7
        mine: list[float] = []
        bad = 0
        while time.monotonic() < stop_at:
            path = paths[i % len(paths)]
            i += 1
            t0 = time.perf_counter()
            try:
                conn.request("GET", path)
                resp = conn.getresponse()
                resp.read()
                bad += resp.status != 200
            except (OSError, http.client.HTTPException):
                bad += 1
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            mine.append((time.perf_counter() - t0) * 1000)
        conn.close()
        with lock:
            latencies.extend(mine)
            errors += bad

    threads = [threading.Thread(target=run, args=(n,)) for n in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return len(latencies), latencies, errors


def serve(index_dir: Path, workers: int) -> tuple[subprocess.Popen, int]:
    port = free_port()
    env = dict(os.environ, NEWSEARCH_INDEX_DIR=str(index_dir))
    proc = subprocess.Popen([sys.executable, "-m", "gunicorn", "-w", str(workers), "-b", f"127.0.0.1:{port}",
                             "--log-level", "warning", "api:create_app()"], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/api/health")
            ok = conn.getresponse().status == 200
            conn.close()
            if ok:
                return proc, port
        except OSError:
            pass
        time.sleep(0.3)
    proc.kill()
    raise SystemExit("gunicorn did not come up")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--index-dir", default=str(ROOT / "var" / "bench-index"))
    ap.add_argument("--queries", type=int, default=200)
    ap.add_argument("--seconds", type=float, default=20)
    ap.add_argument("--workers", type=int, nargs="+", default=[1, 2, 4])
    ap.add_argument("--clients", type=int, nargs="+", default=[1, 4, 16])
    ap.add_argument("--quick", action="store_true", help="a reduced run: about a minute")
    args = ap.parse_args()
    if args.quick:
        args.queries, args.seconds, args.workers = 70, 5.0, [1, 4]
    corpus = corpus_path()
    docs = read_corpus(corpus)
    index_dir = Path(args.index_dir)
    how, _ = ensure_index(index_dir, corpus, None, len(docs), None, False)
    status(how)
    queries = generate(docs, args.queries, SEED)
    paths = [query_string(q) for q in queries]

    from search.engine import search
    from search.snapshots import SearchIndex

    index = SearchIndex(index_dir)
    for q in queries:  # warm caches as a running worker would be
        search(index, _request(q))
    # The same mix, cycled for the same time as one HTTP client, so both sides
    # are measured warm (the HTTP clients repeat the mix many times).
    inproc: list[float] = []
    t_start = time.perf_counter()
    stop_at = time.monotonic() + args.seconds
    while time.monotonic() < stop_at:
        q = queries[len(inproc) % len(queries)]
        t0 = time.perf_counter()
        search(index, _request(q))
        inproc.append((time.perf_counter() - t0) * 1000)
    inproc_rate = len(inproc) / (time.perf_counter() - t_start)
    index.close()
    print(machine_line())
    print(f"{len(queries)} queries of the query_speed mix, index of {len(docs)} articles")
    print(f"in-process, 1 thread: {inproc_rate:7.1f} q/s   p50 {percentile(inproc, 50):6.1f} ms"
          f"   p99 {percentile(inproc, 99):6.1f} ms")
    base_p50 = None
    for workers in args.workers:
        proc, port = serve(index_dir, workers)
        try:
            load(port, paths, workers, max(2.0, len(paths) / 40))  # warm every worker with the mix
            for clients in args.clients:
                n, lat, errors = load(port, paths, clients, args.seconds)
                p50 = percentile(lat, 50)
                if workers == 1 and clients == 1:
                    base_p50 = p50
                print(f"gunicorn -w {workers}, {clients:2} clients: {n / args.seconds:7.1f} req/s"
                      f"   p50 {p50:6.1f} ms   p99 {percentile(lat, 99):6.1f} ms   errors {errors}")
        finally:
            proc.send_signal(signal.SIGTERM)
            proc.wait(timeout=30)
    if base_p50 is not None:
        print(f"HTTP overhead at p50 (1 worker, 1 client − in-process): {base_p50 - percentile(inproc, 50):.1f} ms"
              "   (target < 5 ms)")


if __name__ == "__main__":
    main()
