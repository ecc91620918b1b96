"""Term dictionary look-ups: microseconds per look-up, found and missing.

    .venv/bin/python bench/term_lookup.py --index-dir DIR [--terms 3000] [--rounds 3]

Draws character bigrams from the corpus's bodies (most of them in the
index) and the same number of bigrams made with a character no article has
(none in the index), then looks each up in every segment of the live
snapshot of DIR through Whoosh's reader (``doc_frequency`` of ``text_ng``:
the hash look-up and the term info), best of ``rounds``.  Run it with the
code of the index's schema version: schema 7 reads its term dictionary
through a map with compact hash tables (``index/codec.py``).

Figures go to stdout, progress to stderr.  See bench/README.md.
"""

from __future__ import annotations

import argparse
import random
import time
from pathlib import Path

from common import corpus_path, machine_line, read_corpus, status


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--index-dir", required=True)
    ap.add_argument("--terms", type=int, default=3000)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--seed", type=int, default=5)
    args = ap.parse_args()

    from whoosh import index as windex

    from index.store import IndexStore

    snap = IndexStore(Path(args.index_dir)).current()
    reader = windex.open_dir(str(snap.path)).reader()
    segments = [sub for sub, _ in reader.leaf_readers()]
    rng = random.Random(args.seed)
    docs = read_corpus(corpus_path(), limit=args.terms)
    bodies = [d.body for d in docs if len(d.body) > 2]
    present, absent = [], []
    for body in bodies:
        i = rng.randrange(len(body) - 2)
        present.append(body[i:i + 2].encode())
        absent.append(("\u9fa5" + body[i]).encode())  # U+9FA5: in next to no article
    status(f"{len(segments)} segments, {len(present)} + {len(absent)} terms")
    print(f"term look-ups in {snap.path} ({len(segments)} segments) · {machine_line()}")
    for label, terms in (("found or not (corpus bigrams)", present), ("missing (a character no article has)", absent)):
        best = float("inf")
        found = 0
        for _ in range(args.rounds):
            found = 0
            started = time.perf_counter()
            for seg in segments:
                for term in terms:
                    found += seg.doc_frequency("text_ng", term) > 0
            best = min(best, time.perf_counter() - started)
        n = len(terms) * len(segments)
        print(f"  {label:32s} {n:8d} look-ups, {found:7d} found: {best / n * 1e6:6.2f} µs each")


if __name__ == "__main__":
    main()
