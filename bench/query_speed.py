"""Query latency of newsearch, side by side with a naive Whoosh + jieba baseline.

    .venv/bin/python bench/query_speed.py [--index-dir DIR] [--queries N] [--limit-docs N]

Builds (or reuses, when the directory holds a live index of the same corpus
made by this script) an index of the corpus, and a naive baseline index
beside it (``<parent of DIR>/bench-naive``: Whoosh with jieba's
``ChineseAnalyzer`` on title and body, the default ``MultifieldParser``, the
default highlighter).  Then runs the same fixed mix of queries, generated
from the corpus text with a fixed seed, against both, alternating which goes
first, and prints p50/p95/p99/mean latency (wall clock around ``search()``)
overall and per query kind, next to a brute-force substring scan of the
normalized text, and checks every result set against that brute-force scan
(completeness; ours must be exact).

Figures go to stdout, progress to stderr.  See bench/README.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import sys
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from common import (ROOT, Doc, TempDir, build_naive, corpus_path, corpus_stamp, dir_size, human_bytes,
                    limited_copy, machine_line, plain_jieba, read_corpus, status, summary)

SEED = 20241125
STAMP_FILE = "bench-stamp.json"
NAIVE_VERSION = 1
KINDS = ("char1", "char2", "word", "phrase", "multi", "title", "filtered")
KIND_LABEL = {
    "char1": "1 character",
    "char2": "2 characters",
    "word": "jieba word",
    "phrase": '"phrase" 3-8 chars',
    "multi": "2-3 words (AND)",
    "title": "title:word",
    "filtered": "word + filters, -date",
}
TARGET_P50_MS = 20.0
TARGET_P95_MS = 100.0
PER_PAGE = 10


def _is_cjk(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff"


def _all_cjk(s: str) -> bool:
    return bool(s) and all(_is_cjk(c) for c in s)


# --------------------------------------------------------------------------
# Query generation (at run time, from the corpus, fixed seed)


@dataclass
class BenchQuery:
    kind: str
    q: str  # newsearch query string
    naive_q: str  # the same query in whoosh.qparser syntax
    needles: list[str]  # normalized strings that must all occur (the brute-force oracle)
    scope: str = "all"  # "all" or "title": which text the scan looks at
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    source: list[str] = field(default_factory=list)
    sort: str = "relevance"
    facets: bool = False
    crossing: bool | None = None  # phrases: does the run cut through a jieba word?


class QueryGenerator:
    def __init__(self, docs: list[Doc], seed: int) -> None:
        from index.normalization import match_text

        self.match_text = match_text
        self.rng = random.Random(seed)
        self.docs = [d for d in docs if len(d.body) >= 50]
        self.tok = plain_jieba()
        self._seg: dict[int, list[tuple[str, int, int]]] = {}
        self._phrases = 0
        from index.analysis import JiebaTokenizer

        self.contract = JiebaTokenizer(None)

    def term_needles(self, *terms: str) -> list[str]:
        """What an unquoted term must match, per search.grammar's contract: each of
        its jieba words (the index's own segmenter) as a normalized substring."""
        out: list[str] = []
        for t in terms:
            out.extend([w for w, *_ in self.contract.words(t)] or [self.match_text(t)])
        return list(dict.fromkeys(n for n in out if n))

    def article(self) -> tuple[int, Doc]:
        i = self.rng.randrange(len(self.docs))
        return i, self.docs[i]

    def words(self, i: int, text: str) -> list[tuple[str, int, int]]:
        if i not in self._seg:
            self._seg[i] = list(self.tok.tokenize(text))
        return self._seg[i]

    def body_words(self, i: int, doc: Doc) -> list[str]:
        return [w for w, _, _ in self.words(i, doc.body) if len(w) >= 2 and _all_cjk(w)]

    def _run(self, body: str, length: int) -> tuple[int, str] | None:
        for _ in range(50):
            s = self.rng.randrange(0, max(1, len(body) - length))
            run = body[s:s + length]
            if len(run) == length and _all_cjk(run):
                return s, run
        return None

    def make(self, kind: str) -> BenchQuery:
        while True:
            i, d = self.article()
            if kind in ("char1", "char2"):
                hit = self._run(d.body, 1 if kind == "char1" else 2)
                if hit:
                    return BenchQuery(kind, hit[1], hit[1], self.term_needles(hit[1]))
            elif kind == "word":
                ws = self.body_words(i, d)
                if ws:
                    w = self.rng.choice(ws)
                    return BenchQuery(kind, w, w, self.term_needles(w))
            elif kind == "phrase":
                q = self._phrase(i, d)
                if q:
                    return q
            elif kind == "multi":
                ws = list(dict.fromkeys(self.body_words(i, d)))
                k = self.rng.choice((2, 3))
                if len(ws) >= k:
                    picked = self.rng.sample(ws, k)
                    text = " ".join(picked)
                    return BenchQuery(kind, text, text, self.term_needles(*picked))
            elif kind == "title":
                ws = [w for w, _, _ in self.tok.tokenize(d.title) if len(w) >= 2 and _all_cjk(w)]
                if ws:
                    w = self.rng.choice(ws)
                    return BenchQuery(kind, f"title:{w}", f"title:{w}", self.term_needles(w),
                                      scope="title")
            elif kind == "filtered":
                ws = self.body_words(i, d)
                if ws and d.date:
                    w = self.rng.choice(ws)
                    q = BenchQuery(kind, w, w, self.term_needles(w), sort="-date")
                    variant = self.rng.choice(("date", "source", "both"))
                    if variant in ("date", "both"):
                        q.date_from = d.date - dt.timedelta(days=self.rng.randint(0, 365))
                        q.date_to = d.date + dt.timedelta(days=self.rng.randint(0, 365))
                    if variant in ("source", "both") and d.source:
                        q.source = [d.source]
                    return q
            else:  # pragma: no cover
                raise ValueError(kind)

    def _phrase(self, i: int, d: Doc) -> BenchQuery | None:
        """A 3-8 character run of the body: half cut through jieba words, half whole words."""
        words = self.words(i, d.body)
        bounds = {s for _, s, _ in words} | {e for _, _, e in words}
        want_crossing = self._phrases % 2 == 0
        if want_crossing:
            hit = self._run(d.body, self.rng.randint(3, 8))
            if not hit:
                return None
            s, run = hit
            if s in bounds and s + len(run) in bounds:
                return None  # word-aligned by chance: try again
        else:
            # consecutive whole words, 3-8 CJK characters together
            k = self.rng.randrange(len(words))
            run, s = "", words[k][1]
            for w, _, _ in words[k:]:
                if not _all_cjk(w) or len(run) + len(w) > 8:
                    break
                run += w
                if len(run) >= 3 and self.rng.random() < 0.5:
                    break
            if not 3 <= len(run) <= 8:
                return None
        self._phrases += 1
        return BenchQuery("phrase", f'"{run}"', f'"{run}"', [self.match_text(run)], crossing=want_crossing)


def generate(docs: list[Doc], n: int, seed: int) -> list[BenchQuery]:
    gen = QueryGenerator(docs, seed)
    per_kind = [n // len(KINDS) + (1 if k < n % len(KINDS) else 0) for k in range(len(KINDS))]
    queries = [gen.make(kind) for kind, m in zip(KINDS, per_kind) for _ in range(m)]
    for k in gen.rng.sample(range(len(queries)), round(len(queries) / 4)):
        queries[k].facets = True
    gen.rng.shuffle(queries)
    return queries


# --------------------------------------------------------------------------
# The two indexes


def _read_stamp(path: Path) -> dict[str, Any] | None:
    try:
        with open(path / STAMP_FILE, encoding="utf-8") as fh:
            data: dict[str, Any] = json.load(fh)
            return data
    except (OSError, ValueError):
        return None


def _write_stamp(path: Path, data: dict[str, Any]) -> None:
    with open(path / STAMP_FILE, "w", encoding="utf-8") as fh:
        json.dump(data, fh, indent=2)


def ensure_index(index_dir: Path, corpus: Path, limit: int | None, n_docs: int, procs: int | None,
                 rebuild: bool) -> tuple[str, float | None]:
    """Reuse or build our index; (how, build seconds or None)."""
    from index.builder import build
    from index.store import IndexStore, StoreError
    from search.snapshots import SearchIndex

    want = corpus_stamp(corpus, limit)
    store = IndexStore(index_dir)
    stamp = _read_stamp(index_dir)
    if not rebuild and stamp and stamp.get("corpus_stamp") == want \
            and stamp.get("snapshot") == store.current_name():
        try:
            opened = SearchIndex(index_dir).acquire()
            if opened.doc_count == n_docs:
                return f"reused snapshot {opened.snapshot.name}", None
        except StoreError as exc:
            status(f"cannot reuse {index_dir}: {exc}")
    status(f"building our index of {n_docs} articles into {index_dir} (takes minutes for the whole corpus) …")
    with TempDir("bench-src-", ROOT / "var") as tmp:
        source = limited_copy(corpus, limit, tmp)
        t0 = time.perf_counter()
        report = build([str(source)], store, procs=procs)
        seconds = time.perf_counter() - t0
    if report.indexed != n_docs:
        status(f"WARNING: indexed {report.indexed} of {n_docs} articles ({report.skipped} skipped)")
    _write_stamp(index_dir, {"corpus_stamp": want, "snapshot": report.snapshot})
    return f"built snapshot {report.snapshot} in {seconds:.0f} s", seconds


def ensure_naive(naive_dir: Path, corpus: Path, limit: int | None, docs: list[Doc],
                 rebuild: bool) -> tuple[Any, str]:
    from whoosh import index as windex

    want = {"corpus_stamp": corpus_stamp(corpus, limit), "naive_version": NAIVE_VERSION}
    stamp = _read_stamp(naive_dir)
    if not rebuild and stamp == want and windex.exists_in(str(naive_dir)):
        ix = windex.open_dir(str(naive_dir), readonly=True)
        if ix.doc_count() == len(docs):
            return ix, "reused"
    status(f"building the naive index of {len(docs)} articles into {naive_dir} (one process; minutes) …")
    seconds = build_naive(docs, naive_dir, progress_every=2000)
    _write_stamp(naive_dir, want)
    return windex.open_dir(str(naive_dir), readonly=True), f"built in {seconds:.0f} s"


# --------------------------------------------------------------------------
# Running queries


def _request(q: BenchQuery, page: int = 1, per_page: int = PER_PAGE) -> Any:
    from search.models import SearchRequest

    return SearchRequest(q=q.q, page=page, per_page=per_page, sort=q.sort, date_from=q.date_from,
                         date_to=q.date_to, source=list(q.source), facets=q.facets)


class Naive:
    """The baseline: default MultifieldParser, searcher.search, hit.highlights("body")."""

    def __init__(self, ix: Any) -> None:
        from whoosh.qparser import MultifieldParser

        self.ix = ix
        self.searcher = ix.searcher()
        self.parser = MultifieldParser(["title", "body"], ix.schema)
        self._ids: list[str] | None = None

    def _kwargs(self, q: BenchQuery) -> dict[str, Any]:
        from whoosh import query as wq

        kwargs: dict[str, Any] = {"limit": PER_PAGE}
        filters: list[Any] = []
        if q.date_from or q.date_to:
            start = dt.datetime.combine(q.date_from, dt.time.min) if q.date_from else None
            end = dt.datetime.combine(q.date_to, dt.time.max) if q.date_to else None
            filters.append(wq.DateRange("date", start, end))
        if q.source:
            filters.append(wq.Or([wq.Term("source", s) for s in q.source]))
        if filters:
            kwargs["filter"] = filters[0] if len(filters) == 1 else wq.And(filters)
        if q.sort == "-date":
            kwargs["sortedby"] = "date"
            kwargs["reverse"] = True
        if q.facets:
            kwargs["groupedby"] = ["source", "author", "category"]
        return kwargs

    def search(self, q: BenchQuery) -> int:
        """One results page as a UI shows it: total, titles, body highlights, facets."""
        query = self.parser.parse(q.naive_q)
        results = self.searcher.search(query, **self._kwargs(q))
        total = len(results)
        # results[:PER_PAGE]: with groupedby, Whoosh collects every match, not just the page
        for hit in results[:PER_PAGE]:
            hit.get("title")
            hit.highlights("body")
        if q.facets:
            for name in ("source", "author", "category"):
                results.groups(name)
        return total

    def matching_ids(self, q: BenchQuery) -> set[str]:
        """Every article the baseline matches (filters applied), by id."""
        if self._ids is None:
            self._ids = [sf.get("id", "") for sf in self.searcher.reader().all_stored_fields()]
        query = self.parser.parse(q.naive_q)
        results = self.searcher.search(query, limit=None, scored=False,
                                       filter=self._kwargs(q).get("filter"))
        return {self._ids[d] for d in results.docs()}


def _our_ids(index: Any, q: BenchQuery, total: int) -> set[str] | None:
    """All ids our search returns for ``q`` (paging; None when past the paging limit)."""
    from search.engine import search
    from search.models import MAX_PER_PAGE, MAX_RESULT_DEPTH

    if total > MAX_RESULT_DEPTH:
        return None
    ids: set[str] = set()
    page = 1
    while len(ids) < total:
        res = search(index, _request(q, page=page, per_page=MAX_PER_PAGE))
        if not res.hits:
            break
        ids.update(h.id for h in res.hits)
        page += 1
    return ids


class BruteForce:
    """Every article's normalized text in memory; a query is ``needle in text`` for each."""

    def __init__(self, docs: list[Doc]) -> None:
        from index.normalization import match_text

        t0 = time.perf_counter()
        self.docs = docs
        # "\n" never occurs in normalized text, so no needle matches across the join
        self.texts = [match_text(d.title) + "\n" + match_text(d.body) for d in docs]
        self.titles = [match_text(d.title) for d in docs]
        self.normalize_s = time.perf_counter() - t0

    def run(self, q: BenchQuery) -> list[int]:
        texts = self.titles if q.scope == "title" else self.texts
        needles = q.needles
        if len(needles) == 1:
            needle = needles[0]
            hits = [i for i, t in enumerate(texts) if needle in t]
        else:
            hits = [i for i, t in enumerate(texts) if all(n in t for n in needles)]
        if q.date_from or q.date_to or q.source:
            docs = self.docs
            if q.date_from or q.date_to:
                lo, hi = q.date_from or dt.date.min, q.date_to or dt.date.max
                hits = [i for i in hits if (day := docs[i].date) is not None and lo <= day <= hi]
            if q.source:
                hits = [i for i in hits if docs[i].source in q.source]
        return hits


# --------------------------------------------------------------------------
# Report


def _fmt(stats: dict[str, float]) -> str:
    return f"{stats['p50']:7.1f} {stats['p95']:7.1f} {stats['p99']:7.1f} {stats['mean']:7.1f}"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--index-dir", type=Path, default=ROOT / "var" / "bench-index", metavar="DIR",
                    help="our index (reused when it holds this corpus; default var/bench-index)")
    ap.add_argument("--naive-dir", type=Path, default=None, metavar="DIR",
                    help="the naive baseline index (default: bench-naive beside --index-dir)")
    ap.add_argument("--queries", type=int, default=350, metavar="N",
                    help="number of timed queries, spread evenly over the 7 kinds (default 350)")
    ap.add_argument("--limit-docs", type=int, default=None, metavar="N",
                    help="index and query only the first N articles (default: all)")
    ap.add_argument("--seed", type=int, default=SEED, help=f"query generator seed (default {SEED})")
    ap.add_argument("--procs", type=int, default=None, help="build worker processes (default: one per CPU)")
    ap.add_argument("--rebuild", action="store_true", help="rebuild both indexes even if reusable")
    ap.add_argument("--no-naive", action="store_true", help="skip the naive baseline")
    ap.add_argument("--show-slowest", type=int, default=5, metavar="K",
                    help="list our K slowest queries (default 5)")
    ap.add_argument("--show-text", action="store_true",
                    help="show the text of queries (slowest, mismatches, errors); off by default "
                         "so that pasted reports carry no corpus text")
    args = ap.parse_args(argv)
    if args.queries < len(KINDS):
        ap.error(f"--queries must be at least {len(KINDS)}")
    if args.limit_docs is not None and args.limit_docs < 1:
        ap.error("--limit-docs must be 1 or more")

    corpus = corpus_path()
    started = machine_line()
    from index.store import IndexStore
    from search.engine import search
    from search.snapshots import SearchIndex

    index_dir = args.index_dir.resolve()
    naive_dir = (args.naive_dir or index_dir.parent / "bench-naive").resolve()
    status(f"reading {corpus} …")
    docs = read_corpus(corpus, args.limit_docs)
    if not docs:
        sys.exit(f"error: no article in {corpus}")

    how, _ = ensure_index(index_dir, corpus, args.limit_docs, len(docs), args.procs, args.rebuild)
    index = SearchIndex(index_dir)
    naive = None
    naive_how = "skipped"
    if not args.no_naive:
        naive_ix, naive_how = ensure_naive(naive_dir, corpus, args.limit_docs, docs, args.rebuild)
        naive = Naive(naive_ix)

    status("generating queries …")
    queries = generate(docs, args.queries, args.seed)
    warmup = generate(docs, 2 * len(KINDS), args.seed + 1)
    status("normalizing all texts for the brute-force scan …")
    brute = BruteForce(docs)

    status("warming up …")
    for q in warmup:
        try:
            search(index, _request(q))
        except Exception:  # counted and reported in the timed run
            pass
        if naive:
            naive.search(q)

    status(f"running {len(queries)} queries on both …")
    ours_ms: dict[str, list[float]] = defaultdict(list)
    naive_ms: dict[str, list[float]] = defaultdict(list)
    scan_ms: dict[str, list[float]] = defaultdict(list)
    ours_total: list[int | None] = [None] * len(queries)  # None: the query raised
    naive_total: list[int | None] = [None] * len(queries)
    ours_q_ms: list[float | None] = [None] * len(queries)
    errors: list[str] = []
    for n, q in enumerate(queries):
        req = _request(q)
        order = (0, 1) if n % 2 == 0 else (1, 0)
        for side in order:
            if side == 0:
                t0 = time.perf_counter()
                try:
                    res = search(index, req)
                except Exception as exc:  # a bug: reported, not timed
                    errors.append(f"ours: {KIND_LABEL[q.kind]}: {q.q if args.show_text else f'query #{n}'}: "
                                  f"{type(exc).__name__}: {exc}")
                    continue
                ms = (time.perf_counter() - t0) * 1000
                ours_ms[q.kind].append(ms)
                ours_total[n] = res.total
                ours_q_ms[n] = ms
            elif naive:
                t0 = time.perf_counter()
                try:
                    total = naive.search(q)
                except Exception as exc:
                    errors.append(f"naive: {KIND_LABEL[q.kind]}: {q.q if args.show_text else f'query #{n}'}: "
                                  f"{type(exc).__name__}: {exc}")
                    continue
                naive_ms[q.kind].append((time.perf_counter() - t0) * 1000)
                naive_total[n] = total
        if (n + 1) % 50 == 0:
            status(f"  {n + 1}/{len(queries)}")

    status("brute-force scans and completeness checks …")
    truth: list[list[int]] = []
    for q in queries:
        t0 = time.perf_counter()
        hits = brute.run(q)
        scan_ms[q.kind].append((time.perf_counter() - t0) * 1000)
        truth.append(hits)

    # completeness: every query against the brute-force oracle
    comp: dict[str, dict[str, int]] = {}
    for kind in KINDS:  # rows in the order of the latency table
        for label in ([KIND_LABEL[kind]] if kind != "phrase"
                      else ['"phrase", whole jieba words', '"phrase", cuts a jieba word']):
            comp[label] = defaultdict(int)
    mismatches: list[str] = []
    for k, q in enumerate(queries):
        label = KIND_LABEL[q.kind]
        if q.kind == "phrase":
            label = '"phrase", cuts a jieba word' if q.crossing else '"phrase", whole jieba words'
        c = comp[label]
        want = {docs[i].id for i in truth[k]}
        ours_n, naive_n = ours_total[k], naive_total[k]
        if ours_n is None:
            c["ours_error"] += 1
            continue
        c["queries"] += 1
        c["truth_docs"] += len(want)
        if want:
            c["nonempty"] += 1
        ids = _our_ids(index, q, ours_n)
        if ids is None:  # too many to page through: compare counts
            c["ours_found"] += min(ours_n, len(want))
            c["count_only"] += 1
            ok = ours_n == len(want)
        else:
            c["ours_found"] += len(ids & want)
            ok = ids == want
        c["ours_exact"] += ok
        if not ok:
            mismatches.append(f"{q.q if args.show_text else f'query #{k}'} ({KIND_LABEL[q.kind]}): "
                              f"ours {ours_n}, brute force {len(want)}")
        if naive and naive_n is not None:
            c["naive_found"] += len(naive.matching_ids(q) & want)
            if want and naive_n == 0:
                c["naive_zero"] += 1
            if naive_n < len(want):
                c["naive_short"] += 1

    # ---- print
    all_ours = [x for k in KINDS for x in ours_ms[k]]
    all_naive = [x for k in KINDS for x in naive_ms[k]]
    all_scan = [x for k in KINDS for x in scan_ms[k]]
    n_facets = sum(q.facets for q in queries)
    print(f"newsearch query speed — {started}")
    print(f"corpus: {corpus}" + (f" (first {args.limit_docs})" if args.limit_docs else "")
          + f": {len(docs):,} articles")
    live = IndexStore(index_dir).current().path
    print(f"ours:  {index_dir} ({how}, {human_bytes(dir_size(live))} on disk)")
    if naive:
        print(f"naive: {naive_dir} ({naive_how}, {human_bytes(dir_size(naive_dir))}): Whoosh + "
              f"jieba.analyse.ChineseAnalyzer, MultifieldParser(title, body), hit.highlights('body')")
    print(f"queries: {len(queries)} timed (seed {args.seed}), {n_facets} with facets, "
          f"{PER_PAGE} hits per page with snippets; {len(warmup)} warm-up queries not counted")
    print(f"brute force: normalizing all texts once took {brute.normalize_s:.1f} s")
    print()
    head = f"{'p50':>7} {'p95':>7} {'p99':>7} {'mean':>7}"
    print(f"latency, ms              n | ours {head} | naive{head} | scan {'p50':>6} {'mean':>6}")
    rows = [("all", all_ours, all_naive, all_scan)]
    rows += [(KIND_LABEL[k], ours_ms[k], naive_ms[k], scan_ms[k]) for k in KINDS]
    for label, o, nv, sc in rows:
        so, ss = summary(o), summary(sc)
        naive_part = _fmt(summary(nv)) if nv else " " * 31
        print(f"{label:<22} {len(o):>4} |      {_fmt(so)} |      {naive_part} |      "
              f"{ss['p50']:6.1f} {ss['mean']:6.1f}")
    so = summary(all_ours)
    print()
    print(f"targets: ours p50 {so['p50']:.1f} ms <= {TARGET_P50_MS:.0f} ms: "
          f"{'OK' if so['p50'] <= TARGET_P50_MS else 'MISSED'}; "
          f"ours p95 {so['p95']:.1f} ms <= {TARGET_P95_MS:.0f} ms: "
          f"{'OK' if so['p95'] <= TARGET_P95_MS else 'MISSED'}", end="")
    if naive:
        sn = summary(all_naive)
        print(f"; faster than naive at p95 ({so['p95']:.1f} vs {sn['p95']:.1f} ms): "
              f"{'OK' if so['p95'] < sn['p95'] else 'MISSED'}")
        print(f"ratio naive/ours: p50 {sn['p50'] / so['p50']:.1f}×, p95 {sn['p95'] / so['p95']:.1f}×, "
              f"mean {sn['mean'] / so['mean']:.1f}×")
    else:
        print()
    with_f = [ms for q, ms in zip(queries, ours_q_ms) if q.facets and ms is not None]
    without_f = [ms for q, ms in zip(queries, ours_q_ms) if not q.facets and ms is not None]
    print(f"ours with facets: p50 {summary(with_f)['p50']:.1f} p95 {summary(with_f)['p95']:.1f} ms; "
          f"without: p50 {summary(without_f)['p50']:.1f} p95 {summary(without_f)['p95']:.1f} ms")
    if errors:
        print(f"ERRORS: {len(errors)} queries raised (not timed, not in the completeness table):")
        for e in errors[:20]:
            print(f"  {e}")
    print()
    print("completeness vs a brute-force scan: an article matches when its match_text(title) or "
          "match_text(body) (title only for title:) contains")
    print("every needle: a quoted phrase as one string, an unquoted term as each of its jieba words "
          "(search.grammar's contract); filters applied")
    print(f"  {'kind':<30} {'queries':>7} {'nonempty':>8} {'docs':>7} | {'ours exact':>10} {'recall':>7} | "
          f"{'naive recall':>12} {'0 hits':>6} {'short':>5}")
    for label, c in comp.items():
        ours_r = c["ours_found"] / c["truth_docs"] if c["truth_docs"] else 1.0
        exact = f"{c['ours_exact']}/{c['queries']}" + ("*" if c["count_only"] else " ")
        line = (f"  {label:<30} {c['queries']:>7} {c['nonempty']:>8} {c['truth_docs']:>7} | "
                f"{exact:>10} {ours_r:>7.1%} |")
        if naive:
            naive_r = c["naive_found"] / c["truth_docs"] if c["truth_docs"] else 1.0
            line += f" {naive_r:>12.1%} {c['naive_zero']:>6} {c['naive_short']:>5}"
        print(line)
    print("  docs: matching (query, article) pairs; ours exact: result set equals the brute-force set "
          "(* some sets were over the paging limit: compared by count);")
    print("  naive 0 hits: queries where the baseline found nothing although the text contains them; "
          "short: found fewer articles than there are")
    if mismatches:
        print(f"  OUR MISMATCHES ({len(mismatches)}): " + "; ".join(mismatches[:10]))
    else:
        print("  ours: every result set equals the brute-force set"
              + (" (of the queries that ran)" if errors else ""))
    if args.show_slowest:
        print()
        print(f"our {args.show_slowest} slowest queries:")
        timed_q = [(ms, q, t or 0) for ms, q, t in zip(ours_q_ms, queries, ours_total) if ms is not None]
        for ms, q, total in sorted(timed_q, key=lambda x: -x[0])[:args.show_slowest]:
            extra = []
            if q.date_from or q.date_to:
                extra.append(f"dates {q.date_from}..{q.date_to}")
            if q.source:
                extra.append("source filter")
            if q.sort != "relevance":
                extra.append(f"sort {q.sort}")
            if q.facets:
                extra.append("facets")
            text = q.q if args.show_text else f"({len(q.q)} chars)"
            print(f"  {ms:7.1f} ms  {KIND_LABEL[q.kind]:<22} {total:>6} hits  {text}  {'; '.join(extra)}")
    print()
    print(f"finished {machine_line()}")
    return 1 if mismatches or any(e.startswith("ours") for e in errors) else 0


if __name__ == "__main__":
    sys.exit(main())
