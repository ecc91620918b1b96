"""Related articles: latency of ``GET /api/articles/<id>/related`` on the shared corpus.

    python bench/related.py                                  # 500 articles, index in /work/scale-work/corpus-index
    python bench/related.py --index-dir DIR --lookups 200 --limit 10 --examples 5

Reuses the index in ``--index-dir`` when its live snapshot holds as many
articles as the corpus has lines; otherwise builds one there with the CLI's
builder (``index.builder.build``, about 1.5 min on two idle cores).  Then,
through the Flask test client (routing, argument loading, JSON: what a
worker does, without the socket), asks for the related articles of
``--lookups`` articles chosen at random (fixed seed) after a warm-up of 20
others, and prints p50/p95/p99 of the wall time per request, the first
(cold) request's time separately, and how many lookups found fewer than
``--limit``; and the same percentiles of the request thread's CPU time,
which a busy shared machine inflates less than the wall time.  Last, ``--examples`` articles with the titles of their first
five related articles: corpus text, printed for the reader, never written
to a file.  The goal (issue 13) is p95 ≤ 50 ms.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from common import corpus_path, machine_line, percentile, status  # noqa: E402

SEED = 13
DEFAULT_INDEX = Path("/work/scale-work/corpus-index")
WARM_UP = 20


def corpus_ids(path: Path) -> list[str]:
    """The ids of the corpus's articles, in file order (the corpus gives them all)."""
    ids = []
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                ids.append(str(json.loads(line)["id"]))
    return ids


def ensure_index(index_dir: Path, corpus: Path, articles: int) -> str:
    """Reuse the index in ``index_dir`` if it holds ``articles`` articles, else build it."""
    from index.builder import build
    from index.store import IndexStore, StoreError
    from search.snapshots import SearchIndex

    store = IndexStore(index_dir)
    try:
        with SearchIndex(index_dir) as index:
            opened = index.acquire()
            if opened.doc_count == articles:
                return f"reused snapshot {opened.snapshot.name} ({articles} articles)"
            status(f"{index_dir} holds {opened.doc_count} articles, not {articles}: rebuilding")
    except StoreError as exc:
        status(f"no usable index in {index_dir} ({exc}): building")
    status(f"building an index of {corpus} into {index_dir} (minutes) …")
    t0 = time.perf_counter()
    report = build([str(corpus)], store)
    return f"built snapshot {report.snapshot} in {time.perf_counter() - t0:.0f} s"


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--index-dir", type=Path, default=DEFAULT_INDEX)
    ap.add_argument("--lookups", type=int, default=500)
    ap.add_argument("--limit", type=int, default=10, help="related articles per lookup")
    ap.add_argument("--examples", type=int, default=5)
    args = ap.parse_args(argv)

    corpus = corpus_path()
    ids = corpus_ids(corpus)
    how = ensure_index(args.index_dir, corpus, len(ids))

    from api import create_app

    app = create_app({"INDEX_DIR": str(args.index_dir), "REFRESH_INTERVAL": 60})
    client = app.test_client()
    rng = random.Random(SEED)
    chosen = rng.sample(ids, args.lookups + WARM_UP + args.examples)
    warm, timed, examples = (chosen[:WARM_UP], chosen[WARM_UP:WARM_UP + args.lookups],
                             chosen[WARM_UP + args.lookups:])

    cpu: list[float] = []

    def ask(article_id: str) -> tuple[float, dict]:
        t0, c0 = time.perf_counter(), time.thread_time()
        resp = client.get(f"/api/articles/{article_id}/related", query_string={"limit": args.limit})
        ms = (time.perf_counter() - t0) * 1000
        cpu.append((time.thread_time() - c0) * 1000)
        if resp.status_code != 200:
            sys.exit(f"error: {article_id}: {resp.status_code} {resp.get_data(as_text=True)[:200]}")
        return ms, resp.get_json()

    cold, _ = ask(warm[0])
    for article_id in warm[1:]:
        ask(article_id)
    latencies, short, empty = [], 0, 0
    cpu.clear()
    for article_id in timed:
        ms, data = ask(article_id)
        latencies.append(ms)
        short += len(data["hits"]) < args.limit
        empty += not data["hits"]

    print("# related articles: GET /api/articles/<id>/related through the Flask test client")
    print(machine_line())
    print(f"index: {args.index_dir}: {how}")
    print(f"lookups: {len(latencies)} random articles (seed {SEED}), limit={args.limit}, "
          f"after {WARM_UP} warm-up lookups; the first (cold) one took {cold:.1f} ms")
    print(f"latency ms: p50 {percentile(latencies, 50):.1f}  p95 {percentile(latencies, 95):.1f}  "
          f"p99 {percentile(latencies, 99):.1f}  max {max(latencies):.1f}  (goal: p95 <= 50)")
    print(f"CPU ms of the request's thread: p50 {percentile(cpu, 50):.1f}  p95 {percentile(cpu, 95):.1f}  "
          f"p99 {percentile(cpu, 99):.1f}  (the wall time minus waiting for a core on a busy machine)")
    print(f"fewer than {args.limit} related: {short} of {len(latencies)}; none: {empty}")
    print()
    print(f"# {len(examples)} examples (corpus titles: for the reader, not for the repository)")
    searcher_app = app.extensions["newsearch"]
    from search.engine import get_article

    for article_id in examples:
        _, data = ask(article_id)
        art = get_article(searcher_app, article_id)
        title = art.title if art else article_id
        print(f"\n{title}  ({art.date if art else ''} {art.source if art else ''})")
        print(f"  words: {' '.join(data['terms'])}")
        for hit in data["hits"][:5]:
            print(f"  - {hit['title']}  ({hit['date']}, score {hit['score']})")
    app.extensions["newsearch"].close()


if __name__ == "__main__":
    main()
