"""Index build speed, side by side with jieba's own segmentation speed.

    .venv/bin/python bench/index_speed.py [--limit N] [--procs P] [--index-dir DIR] [--naive N]

Indexes the corpus (or its first N articles) with :func:`index.builder.build`
and prints articles/s, MB/s (UTF-8 of title+body), chars/s and the index
size on disk.  In the same run, on the same titles and bodies, it times
jieba alone on one core (``jieba.Tokenizer().cut`` and ``.tokenize``, accurate
mode with HMM, dictionary loaded first) and prints index / jieba throughput
(target >= 0.5).  With ``--naive N`` (default 2000, 0 to skip) it also
indexes N articles, evenly spread over the same set, into a naive Whoosh
index using jieba's ``ChineseAnalyzer``, for scale.

Figures go to stdout, progress to stderr.  See bench/README.md.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time
from pathlib import Path

from common import (MB, ROOT, TempDir, build_naive, corpus_path, dir_size, fmt_rate, human_bytes,
                    limited_copy, machine_line, plain_jieba, read_corpus, status, text_size)

TARGET_RATIO = 0.5


def cpu_seconds() -> float:
    """User+system CPU time of this process and its finished (joined) children."""
    total = 0.0
    for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN):
        ru = resource.getrusage(who)
        total += ru.ru_utime + ru.ru_stime
    return total


def _jieba_time(docs, method: str) -> tuple[float, float]:
    """(wall, CPU) seconds for one core to segment every title and body with ``method``."""
    tok = plain_jieba()  # dictionary loaded before the clock starts
    fn = getattr(tok, method)
    c0, t0 = cpu_seconds(), time.perf_counter()
    for d in docs:
        for _ in fn(d.title):
            pass
        for _ in fn(d.body):
            pass
    return time.perf_counter() - t0, cpu_seconds() - c0


def _row(label: str, n: int, chars: int, nbytes: int, seconds: float) -> str:
    return (f"  {label:<48} {n / seconds:>10.1f} {nbytes / MB / seconds:>8.2f} "
            f"{fmt_rate(chars / seconds):>9}  {seconds:>8.1f}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--limit", type=int, default=None, metavar="N",
                    help="index only the first N articles of the corpus (default: all)")
    ap.add_argument("--procs", type=int, default=None, metavar="P",
                    help="worker processes for the build (default: index.builder's, one per CPU)")
    ap.add_argument("--index-dir", type=Path, default=None, metavar="DIR",
                    help="build into this index directory (a new snapshot; kept). "
                         "Default: a temporary directory under var/, removed afterwards")
    ap.add_argument("--naive", type=int, default=2000, metavar="N",
                    help="also index N articles with Whoosh + jieba.analyse.ChineseAnalyzer (0: skip)")
    ap.add_argument("--no-tokenize", action="store_true",
                    help="time only jieba's cut, not also tokenize (saves a minute on the full corpus)")
    args = ap.parse_args(argv)
    if args.limit is not None and args.limit < 1:
        ap.error("--limit must be 1 or more")

    corpus = corpus_path()
    from index.analysis import load_segmenter, resolve_userdict
    from index.builder import build
    from index.normalization import warm_up
    from index.store import IndexStore

    started = machine_line()
    status(f"reading {corpus} …")
    docs = read_corpus(corpus, args.limit)
    if not docs:
        sys.exit(f"error: no article in {corpus}")
    chars, nbytes = text_size(docs)
    n = len(docs)

    print(f"newsearch index speed — {started}")
    print(f"corpus: {corpus}" + (f" (first {args.limit})" if args.limit else ""))
    print(f"        {n:,} articles, {chars:,} chars, {nbytes / MB:.1f} MB UTF-8 (title+body)")

    # One-time start-up costs, paid before any clock starts (both sides).
    t0 = time.perf_counter()
    warm_up()
    load_segmenter(resolve_userdict(None))
    startup = time.perf_counter() - t0

    with TempDir("bench-build-", ROOT / "var") as tmp:
        source = limited_copy(corpus, args.limit, tmp)
        index_dir = args.index_dir or (tmp / "index")
        store = IndexStore(index_dir)
        procs = args.procs
        status(f"building the index into {index_dir} (procs={procs or 'default'}) …")
        c0, t0 = cpu_seconds(), time.perf_counter()
        report = build([str(source)], store, procs=procs)
        build_s = time.perf_counter() - t0
        build_cpu = cpu_seconds() - c0
        # ru_maxrss is in KiB on Linux; children = the largest build worker.
        worker_rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        self_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        if report.indexed != n:
            print(f"WARNING: the build indexed {report.indexed} articles, the corpus has {n} "
                  f"({report.skipped} skipped: {[str(p) for p in report.problems[:3]]})")
        snap = store.current()
        size = dir_size(snap.path)

        status("timing jieba cut on one core …")
        cut_s, cut_cpu = _jieba_time(docs, "cut")
        tok_s = None
        if not args.no_tokenize:
            status("timing jieba tokenize on one core …")
            tok_s, _ = _jieba_time(docs, "tokenize")

        naive_row = None
        if args.naive > 0:
            k = min(args.naive, n)
            step = n / k
            sample = [docs[int(i * step)] for i in range(k)]
            s_chars, s_bytes = text_size(sample)
            status(f"building the naive Whoosh + ChineseAnalyzer index of {k} articles …")
            naive_s = build_naive(sample, tmp / "naive")
            naive_row = (k, s_chars, s_bytes, naive_s, dir_size(tmp / "naive"))

    nprocs = procs or os.cpu_count() or 1
    print()
    print(f"  {'':<48} {'articles/s':>10} {'MB/s':>8} {'chars/s':>9}  {'seconds':>8}")
    print(_row(f"newsearch build ({nprocs} worker procs)", n, chars, nbytes, build_s))
    print(_row("jieba Tokenizer.cut (1 core, HMM)", n, chars, nbytes, cut_s))
    if tok_s is not None:
        print(_row("jieba Tokenizer.tokenize (1 core, HMM)", n, chars, nbytes, tok_s))
    if naive_row:
        k, s_chars, s_bytes, naive_s, naive_size = naive_row
        print(_row(f"naive Whoosh+ChineseAnalyzer ({k} art., 1 proc)", k, s_chars, s_bytes, naive_s))
    print()
    print(f"  build time in BuildReport: {report.seconds:.1f} s; one-time start-up before the clocks "
          f"(normalization tables + jieba dictionary): {startup:.1f} s")
    print(f"  index size on disk: {human_bytes(size)} = {size / nbytes:.2f}× the UTF-8 text "
          f"(snapshot {snap.name})")
    if naive_row:
        print(f"  naive index size:   {human_bytes(naive_row[4])} for {naive_row[0]} articles "
              f"= {naive_row[4] / naive_row[2]:.2f}× their UTF-8 text")
    print(f"  CPU time: build {build_cpu:.1f} s (parent + workers; {build_cpu / build_s:.2f} cores busy "
          f"on average), jieba cut {cut_cpu:.1f} s")
    print(f"  peak memory: largest build worker {worker_rss:,.0f} MB, this process {self_rss:,.0f} MB "
          f"(incl. the corpus read for the jieba timing)")
    ours = chars / build_s
    ratio = ours / (chars / cut_s)
    verdict = "OK" if ratio >= TARGET_RATIO else "BELOW TARGET"
    print()
    print(f"  ratio newsearch / jieba cut (chars/s):      {ratio:.2f}   (target >= {TARGET_RATIO}: {verdict})")
    if tok_s is not None:
        print(f"  ratio newsearch / jieba tokenize (chars/s): {ours / (chars / tok_s):.2f}")
    if naive_row:
        k, s_chars, _, naive_s, _ = naive_row
        naive_rate = s_chars / naive_s
        print(f"  ratio naive / jieba cut (chars/s):          {naive_rate / (chars / cut_s):.2f}")
        print(f"  newsearch / naive (chars/s):                {ours / naive_rate:.2f}×")
    print(f"  CPU cost, jieba cut CPU s / build CPU s:    {cut_cpu / build_cpu:.2f}   "
          f"(the build's CPU efficiency, less sensitive to other load than wall clock)")
    print(f"  finished {machine_line()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
