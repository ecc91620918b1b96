"""How long the search path takes to read a few long posting lists.

    .venv/bin/python bench/list_decode.py --index-dir DIR [FIELD:TERM …]

Opens the live snapshot of DIR and, for each term (default: the most
common character, bigram and word of Chinese news), reads its posting list
in every segment with :func:`search.arrays.read_postings` (what a query
does), best of five, and prints postings, positions, bytes on disk and the
time.  It uses nothing but ``read_postings``, so the same script measures
an older checkout (``PYTHONPATH=old-checkout``) against an older index, side
by side.  See bench/README.md.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

DEFAULT_TERMS = ["text_c1:的", "text_c1:一", "text_ng:中国", "body:的"]


def main() -> None:
    from whoosh import index as windex

    from search.arrays import read_postings

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--index-dir", required=True, type=Path)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("terms", nargs="*", default=DEFAULT_TERMS, help="FIELD:TERM")
    args = ap.parse_args()
    root: Path = args.index_dir
    snapshot = root / "snapshots" / (root / "CURRENT").read_text(encoding="utf-8").strip()
    ix = windex.open_dir(str(snapshot))
    with ix.reader() as reader:
        segments = [seg for seg, _ in reader.leaf_readers()]
        print(f"{snapshot}: {len(segments)} segments")
        for spec in args.terms:
            field, term = spec.split(":", 1)
            tbytes = term.encode("utf-8")
            best = float("inf")
            postings = positions = size = 0
            for _ in range(args.repeat):
                start = time.perf_counter()
                found = [read_postings(seg, field, tbytes) for seg in segments]
                best = min(best, time.perf_counter() - start)
            for seg, p in zip(segments, found):
                if p is None:
                    continue
                postings += len(p.ids)
                positions += 0 if p.positions is None else len(p.positions)
                info = seg.term_info(field, tbytes)
                if not info.is_inlined():
                    length = info.extent()[1]
                    size += length[0] if isinstance(length, tuple) else length
            print(f"{spec}\tpostings {postings}\tpositions {positions}\tbytes {size}\t"
                  f"read {best * 1000:.1f} ms (best of {args.repeat})")


if __name__ == "__main__":
    main()
