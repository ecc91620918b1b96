"""Headline search: does typing an article's title find that article first?

Samples articles with unique titles from the corpus, searches each title as
typed (unquoted), and reports the share ranked first (target: 95%), the
share in the top 10, mean reciprocal rank (over the top 100), and latency.

    python bench/title_rank.py [--index-dir var/bench-index] [--sample 500]

The index must hold the corpus (``newsearch build ../shared/corpus/news.jsonl
--index-dir var/bench-index``); it is built here if the directory is empty.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from index.builder import build  # noqa: E402
from index.store import IndexStore, NoIndexError  # noqa: E402
from search.engine import get_article, search  # noqa: E402
from search.snapshots import SearchIndex  # noqa: E402
from search.models import SearchRequest  # noqa: E402
from search.grammar import QueryError  # noqa: E402


def corpus_path() -> Path:
    return Path(os.environ.get("NEWSEARCH_CORPUS") or ROOT.parent / "shared" / "corpus" / "news.jsonl")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--index-dir", default=str(ROOT / "var" / "bench-index"))
    ap.add_argument("--sample", type=int, default=500)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--show-text", action="store_true",
                    help="print the missed titles (off by default: reports carry no corpus text)")
    args = ap.parse_args()
    corpus = corpus_path()
    if not corpus.is_file():
        sys.exit(f"corpus not found at {corpus} (set NEWSEARCH_CORPUS)")
    store = IndexStore(args.index_dir)
    try:
        store.current()
    except NoIndexError:
        print(f"building {args.index_dir} from {corpus} …", flush=True)
        print(build([str(corpus)], store).summary(), flush=True)
    with open(corpus, encoding="utf-8") as fh:
        docs = [json.loads(line) for line in fh]
    counts = Counter(d["title"] for d in docs if d.get("title"))
    index = SearchIndex(args.index_dir)
    unique = [d for d in docs if d.get("title") and counts[d["title"]] == 1]
    random.Random(args.seed).shuffle(unique)
    sample = [d for d in unique[: args.sample * 20] if get_article(index, str(d["id"]))][: args.sample]
    firsts = top10 = errors = 0
    rr: list[float] = []
    took: list[float] = []
    misses = []
    for d in sample:
        started = time.perf_counter()
        try:
            result = search(index, SearchRequest(q=d["title"], per_page=100, fragments=1))
        except QueryError as exc:
            errors += 1
            rr.append(0.0)
            misses.append((d["title"], f"error: {exc.message}"))
            continue
        took.append((time.perf_counter() - started) * 1000)
        ids = [h.id for h in result.hits]
        rank = ids.index(str(d["id"])) + 1 if str(d["id"]) in ids else None
        rr.append(1.0 / rank if rank else 0.0)
        firsts += rank == 1
        top10 += bool(rank and rank <= 10)
        if rank != 1:
            misses.append((d["title"], rank))
    n = len(sample)
    print(f"articles sampled (unique titles): {n}")
    print(f"ranked first: {firsts} ({firsts / n:.1%})   target ≥ 95%")
    print(f"in top 10:    {top10} ({top10 / n:.1%})")
    print(f"MRR@100:      {statistics.fmean(rr):.3f}")
    print(f"query errors: {errors}")
    if took:
        took.sort()
        print(f"latency ms:   p50 {took[len(took) // 2]:.1f}  p95 {took[int(len(took) * 0.95)]:.1f}")
    for n, (title, rank) in enumerate(misses[:15], 1):
        print(f"  miss (rank {rank}): {title if args.show_text else f'title #{n}, {len(title)} characters'}")


if __name__ == "__main__":
    main()
