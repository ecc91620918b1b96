"""Suggestions as you type: lookup latency through the API, and what the suggestion file costs to build.

    python bench/suggest_speed.py                            # index of the shared corpus, built once
    python bench/suggest_speed.py --index-dir DIR --n 1000   # another index / number of prefixes
    python bench/suggest_speed.py --vocab bench/vocab.tsv    # build cost with a vocabulary too

The index (``--index-dir``, by default ``../scale-work/suggest-corpus-index``
beside the repository, outside it) is built from the corpus with
``newsearch build`` when it has no snapshot yet (about 1.5 min on 2 idle
cores); the build writes the suggestion file into the snapshot as always.

Then:

1. ``build_suggestions`` runs again on the live snapshot, in memory only (the
   snapshot is never written to): seconds, items, keys, and the file's size;
   with ``--vocab`` the vocabulary given replaces the snapshot's own;
2. ``--n`` prefixes (seeded) are drawn from the suggestions themselves, a
   third each of characters (1–3 of the matching form), full pinyin (1–8
   letters) and initials (1–3 letters), and each is asked once through the
   Flask test client (``GET /api/suggest?q=…&limit=8``) after one warm-up
   request (which loads the file; its time is reported on its own).

Prints p50/p95/p99/max in milliseconds, the CPU time of the same requests
(on a loaded machine the wall-clock tail is mostly preemption), and a
control: ``GET /api/health`` timed between them; ``--json`` adds one JSON line.
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from common import ROOT, corpus_path, human_bytes, machine_line, status, summary  # noqa: E402

DEFAULT_INDEX = ROOT.parent / "scale-work" / "suggest-corpus-index"
SEED = 14


def ensure_index(index_dir: Path) -> None:
    from index.store import IndexStore, NoIndexError

    try:
        IndexStore(index_dir).current()
        return
    except NoIndexError:
        pass
    corpus = corpus_path()
    status(f"building {index_dir} from {corpus} (once)…")
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "api.cli", "build", str(corpus), "--index-dir", str(index_dir),
                    "--quiet"], check=True, cwd=ROOT)
    status(f"built in {time.perf_counter() - started:.0f} s")


def prefixes(items: list[tuple[str, str, int]], n: int) -> list[str]:
    """``n`` prefixes: characters, full pinyin and initials, a third each."""
    from index.normalization import match_text
    from index.suggestions import readings

    rng = random.Random(SEED)
    out: list[str] = []
    while len(out) < n:
        text = rng.choice(items)[0]
        form = match_text(text)
        syllables = readings(form)[0]
        kind = len(out) % 3
        if kind == 0:
            out.append(form[:rng.randint(1, min(3, len(form)))])
        elif kind == 1:
            full = "".join(syllables)
            out.append(full[:rng.randint(1, min(8, len(full)))])
        else:
            initials = "".join(s[0] for s in syllables if s)
            out.append(initials[:rng.randint(1, min(3, len(initials)))])
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--index-dir", type=Path, default=DEFAULT_INDEX)
    ap.add_argument("--n", type=int, default=1000, help="prefixes to time")
    ap.add_argument("--vocab", type=Path, help="a vocabulary file for the build-cost measurement")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()

    from api import create_app
    from index.store import IndexStore
    from index.suggestions import SUGGEST_FILE, build_suggestions
    from index.vocab import load_vocabulary

    ensure_index(args.index_dir)
    snap = IndexStore(args.index_dir).current()
    articles = snap.meta().get("articles")
    vocab = load_vocabulary(args.vocab) if args.vocab else None
    status("computing the suggestions again (in memory)…")
    table = build_suggestions(snap.path, vocab)
    size = len(table.to_json().encode("utf-8"))
    on_disk = (snap.path / SUGGEST_FILE).stat().st_size

    app = create_app({"INDEX_DIR": str(args.index_dir), "TESTING": True, "REFRESH_INTERVAL": 60})
    client = app.test_client()
    asked = prefixes(table.items, args.n)
    t0 = time.perf_counter()
    assert client.get("/api/suggest", query_string={"q": "郑"}).status_code == 200
    first_ms = (time.perf_counter() - t0) * 1000
    times: list[float] = []
    cpu: list[float] = []
    control: list[float] = []
    empty = 0
    for q in asked:
        t0, c0 = time.perf_counter(), time.thread_time()
        resp = client.get("/api/suggest", query_string={"q": q, "limit": 8})
        times.append((time.perf_counter() - t0) * 1000)
        cpu.append((time.thread_time() - c0) * 1000)
        assert resp.status_code == 200, resp.get_data(as_text=True)
        empty += not resp.get_json()["suggestions"]
        t0 = time.perf_counter()
        client.get("/api/health")  # the same request path doing nothing: the machine's own noise
        control.append((time.perf_counter() - t0) * 1000)
    app.extensions["newsearch"].close()
    stats, cpu_stats, control_stats = summary(times), summary(cpu), summary(control)
    print(machine_line())
    print(f"index {args.index_dir} · snapshot {snap.name} · {articles} articles")
    print(f"suggestion file: {len(table.items)} suggestions, {len(table.keys)} keys, built in "
          f"{table.seconds:.1f} s{' with ' + str(args.vocab) if args.vocab else ''}; "
          f"{human_bytes(size)} ({human_bytes(on_disk)} in the snapshot)")
    print(f"first request (loads the file): {first_ms:.1f} ms")
    print(f"{len(times)} prefixes ({empty} without a suggestion) through the Flask test client: "
          f"p50 {stats['p50']:.2f} ms · p95 {stats['p95']:.2f} ms · p99 {stats['p99']:.2f} ms · "
          f"max {stats['max']:.2f} ms")
    print(f"  CPU time of those requests (preemption left out): p50 {cpu_stats['p50']:.2f} ms · "
          f"p95 {cpu_stats['p95']:.2f} ms · max {cpu_stats['max']:.2f} ms")
    print(f"  control, GET /api/health between them: p50 {control_stats['p50']:.2f} ms · "
          f"p95 {control_stats['p95']:.2f} ms (what the machine's load adds to any request)")
    if args.json:
        print(json.dumps({"articles": articles, "items": len(table.items), "keys": len(table.keys),
                          "build_s": round(table.seconds, 2), "file_bytes": size, "first_ms": round(first_ms, 1),
                          **{k: round(v, 3) for k, v in stats.items()}, "cpu_p95": round(cpu_stats["p95"], 3),
                          "health_p95": round(control_stats["p95"], 3), "empty": empty}))


if __name__ == "__main__":
    main()
