"""What ``newsearch sync`` sends to a reader host: bytes per daily update.

Builds an indexer index of ``--articles`` corpus articles, syncs it to a
reader directory, then applies ``--days`` daily updates of ``--per-day``
further articles, syncing after each, and prints per sync: files linked and
copied, the bytes rsync moved, and the size of the snapshot.  Both index
directories go to a temporary directory (or ``--work DIR``).

    python bench/sync_bytes.py --articles 5000 --per-day 300 --days 5
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

from common import MB, corpus_path  # also puts the repository on sys.path

from index.builder import build, update
from index.store import IndexStore
from index.sync import sync


def write_slice(lines: list[str], path: Path) -> Path:
    path.write_text("".join(lines), encoding="utf-8")
    return path


def snapshot_bytes(store: IndexStore) -> int:
    snap = store.current()
    return sum(info["size"] for info in snap.meta()["files"].values())


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--articles", type=int, default=5000)
    ap.add_argument("--per-day", type=int, default=300)
    ap.add_argument("--days", type=int, default=5)
    ap.add_argument("--procs", type=int, default=2)
    ap.add_argument("--work", type=Path, default=None, help="Directory for the two indexes (default: temporary).")
    args = ap.parse_args()
    with open(corpus_path(), encoding="utf-8") as fh:
        lines = fh.readlines()
    need = args.articles + args.per_day * args.days
    if len(lines) < need:
        raise SystemExit(f"the corpus has {len(lines)} articles, {need} needed")
    with tempfile.TemporaryDirectory(dir=args.work) as work:
        root = Path(work)
        indexer, reader = IndexStore(root / "indexer"), IndexStore(root / "reader")
        started = time.monotonic()
        build([str(write_slice(lines[:args.articles], root / "base.jsonl"))], indexer, procs=args.procs)
        print(f"indexer: {args.articles} articles built in {time.monotonic() - started:.0f} s, "
              f"snapshot {snapshot_bytes(indexer) / MB:.1f} MB")
        rows = []
        report = sync(str(indexer.root), reader)
        rows.append(("initial", report, snapshot_bytes(reader)))
        for day in range(args.days):
            start = args.articles + day * args.per_day
            batch = write_slice(lines[start:start + args.per_day], root / f"day{day}.jsonl")
            update([str(batch)], indexer)
            report = sync(str(indexer.root), reader)
            rows.append((f"day {day + 1} (+{args.per_day})", report, snapshot_bytes(reader)))
        print(f"{'sync':18} {'files':>6} {'linked':>6} {'copied':>6} {'sent MB':>8} {'snapshot MB':>11} "
              f"{'sent/snapshot':>13} {'s':>5}")
        for label, rep, size in rows:
            print(f"{label:18} {rep.files:6} {rep.linked:6} {rep.copied:6} {rep.bytes_sent / MB:8.2f} "
                  f"{size / MB:11.1f} {rep.bytes_sent / size:13.1%} {rep.seconds:5.1f}")
        print(json.dumps([{"sync": label, "files": r.files, "linked": r.linked, "copied": r.copied,
                           "bytes_sent": r.bytes_sent, "snapshot_bytes": size} for label, r, size in rows]))


if __name__ == "__main__":
    main()
