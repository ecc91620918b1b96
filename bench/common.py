"""Helpers shared by the benchmarks: the corpus, timing, statistics, naive baseline.

The corpus (``news.jsonl``, see ``../shared/corpus/README.md``) is copyrighted
text: the benchmarks read it at run time and never write any of it into the
repository.  Query lists are generated from it at run time with a fixed seed.
Generated files (indexes, a truncated copy of the corpus for ``--limit``)
go to ``var/`` (git-ignored) or a temporary directory.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import math
import os
import platform
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as ``python bench/x.py`` from anywhere
    sys.path.insert(0, str(ROOT))

CORPUS_ENV = "NEWSEARCH_CORPUS"
DEFAULT_CORPUS = ROOT.parent / "shared" / "corpus" / "news.jsonl"
MB = 1_000_000


# --------------------------------------------------------------------------
# Corpus


def corpus_path() -> Path:
    """The corpus file (``$NEWSEARCH_CORPUS`` or ``../shared/corpus/news.jsonl``); exits if absent."""
    env = os.environ.get(CORPUS_ENV)
    path = Path(env) if env else DEFAULT_CORPUS
    if not path.is_file():
        how = f"${CORPUS_ENV}={env}" if env else f"the default location (set {CORPUS_ENV} to override)"
        sys.exit(f"error: corpus not found: {path} ({how}).\n"
                 f"The benchmarks need the shared news corpus news.jsonl; "
                 f"point {CORPUS_ENV} at it.")
    return path.resolve()


@dataclass
class Doc:
    """One corpus article, as the benchmarks need it."""

    id: str
    title: str
    body: str
    date: dt.date | None
    source: str
    author: str
    category: str


def read_corpus(path: Path, limit: int | None = None) -> list[Doc]:
    """The first ``limit`` articles (all by default) of a ``news.jsonl`` file."""
    docs: list[Doc] = []
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            if limit is not None and len(docs) >= limit:
                break
            if not line.strip():
                continue
            raw = json.loads(line)
            date = raw.get("date")
            docs.append(Doc(
                id=str(raw.get("id") or ""),
                title=raw.get("title") or "",
                body=raw.get("body") or "",
                date=dt.date.fromisoformat(date) if date else None,
                source=raw.get("source") or "",
                author=raw.get("author") or "",
                category=raw.get("category") or "",
            ))
    return docs


def text_size(docs: Sequence[Doc]) -> tuple[int, int]:
    """(characters, UTF-8 bytes) of the titles and bodies of ``docs``."""
    chars = sum(len(d.title) + len(d.body) for d in docs)
    nbytes = sum(len(d.title.encode("utf-8")) + len(d.body.encode("utf-8")) for d in docs)
    return chars, nbytes


def corpus_stamp(path: Path, limit: int | None) -> dict[str, Any]:
    """What identifies an index built from ``path`` (cheap: no hashing of 78 MB)."""
    st = path.stat()
    return {"corpus": str(path), "size": st.st_size, "mtime_ns": st.st_mtime_ns, "limit": limit}


def limited_copy(path: Path, limit: int | None, tmp_dir: Path) -> Path:
    """``path`` itself, or a copy of its first ``limit`` lines in ``tmp_dir`` (deleted by the caller)."""
    if limit is None:
        return path
    out = tmp_dir / f"corpus-first-{limit}.jsonl"
    with open(path, encoding="utf-8") as src, open(out, "w", encoding="utf-8") as dst:
        for n, line in enumerate(src):
            if n >= limit:
                break
            dst.write(line)
    return out


# --------------------------------------------------------------------------
# Timing and statistics


def percentile(values: Sequence[float], p: float) -> float:
    """The ``p``-th percentile (0-100), nearest-rank on sorted values with linear interpolation."""
    if not values:
        return math.nan
    xs = sorted(values)
    if len(xs) == 1:
        return xs[0]
    k = (len(xs) - 1) * p / 100.0
    lo = math.floor(k)
    hi = min(lo + 1, len(xs) - 1)
    return xs[lo] + (xs[hi] - xs[lo]) * (k - lo)


def summary(ms: Sequence[float]) -> dict[str, float]:
    return {
        "n": float(len(ms)),
        "p50": percentile(ms, 50),
        "p95": percentile(ms, 95),
        "p99": percentile(ms, 99),
        "mean": sum(ms) / len(ms) if ms else math.nan,
        "max": max(ms) if ms else math.nan,
    }


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    """(seconds, result) of one call, by the monotonic clock."""
    t0 = time.perf_counter()
    out = fn()
    return time.perf_counter() - t0, out


def dir_size(path: Path) -> int:
    total = 0
    for dirpath, _, files in os.walk(path):
        for f in files:
            try:
                total += os.lstat(os.path.join(dirpath, f)).st_size
            except OSError:
                pass
    return total


def human_bytes(n: float) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1000 or unit == "GB":
            return f"{n:.1f} {unit}" if unit != "B" else f"{int(n)} B"
        n /= 1000
    return f"{n:.1f} GB"  # pragma: no cover


def machine_line() -> str:
    try:
        load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        load = "?"
    return (f"{dt.datetime.now().isoformat(timespec='seconds')} · {platform.node()} · "
            f"{os.cpu_count()} CPUs · load avg {load} · Python {platform.python_version()}")


def status(msg: str) -> None:
    """Progress to stderr, so stdout holds only the figures."""
    print(msg, file=sys.stderr, flush=True)


class TempDir:
    """A temporary directory under ``base`` (or the system's), removed on exit."""

    def __init__(self, prefix: str, base: Path | None = None) -> None:
        if base is not None:
            base.mkdir(parents=True, exist_ok=True)
        self.path = Path(tempfile.mkdtemp(prefix=prefix, dir=base))

    def __enter__(self) -> Path:
        return self.path

    def __exit__(self, *exc: Any) -> None:
        shutil.rmtree(self.path, ignore_errors=True)


# --------------------------------------------------------------------------
# jieba


def quiet_jieba() -> None:
    import jieba

    jieba.setLogLevel(logging.WARNING)


def plain_jieba() -> Any:
    """A fresh ``jieba.Tokenizer`` with the default dictionary loaded."""
    import jieba

    quiet_jieba()
    tok = jieba.Tokenizer()
    tok.initialize()
    return tok


# --------------------------------------------------------------------------
# The naive baseline: Whoosh + jieba's own ChineseAnalyzer, default everything


def naive_schema() -> Any:
    """title/body as jieba.analyse.ChineseAnalyzer TEXT (stored), plus the
    metadata the query mix filters, sorts and facets on."""
    from jieba.analyse import ChineseAnalyzer
    from whoosh import fields

    return fields.Schema(
        id=fields.ID(stored=True, unique=True),
        title=fields.TEXT(stored=True, analyzer=ChineseAnalyzer()),
        body=fields.TEXT(stored=True, analyzer=ChineseAnalyzer()),
        date=fields.DATETIME(stored=True, sortable=True),
        source=fields.ID(stored=True, sortable=True),
        author=fields.ID(stored=True, sortable=True),
        category=fields.ID(stored=True, sortable=True),
    )


def naive_document(d: Doc) -> dict[str, Any]:
    doc: dict[str, Any] = {"id": d.id, "title": d.title, "body": d.body}
    if d.date:
        doc["date"] = dt.datetime(d.date.year, d.date.month, d.date.day)
    for name in ("source", "author", "category"):
        value = getattr(d, name)
        if value:
            doc[name] = value
    return doc


def build_naive(docs: Sequence[Doc], path: Path, progress_every: int = 0) -> float:
    """Index ``docs`` into a new naive Whoosh index at ``path``; seconds taken.

    Whoosh's default writer (one process, default memory limit), as a user
    following jieba's README would write it.  jieba's dictionary is loaded
    before the clock starts.
    """
    import jieba
    from whoosh import index as windex

    quiet_jieba()
    jieba.initialize()
    if path.exists():
        shutil.rmtree(path)
    path.mkdir(parents=True)
    ix = windex.create_in(str(path), naive_schema())
    t0 = time.perf_counter()
    writer = ix.writer()
    for n, d in enumerate(docs, 1):
        writer.add_document(**naive_document(d))
        if progress_every and n % progress_every == 0:
            status(f"  naive index: {n}/{len(docs)} articles, {time.perf_counter() - t0:.0f} s")
    writer.commit()
    return time.perf_counter() - t0


def fmt_rate(x: float) -> str:
    if x >= 1_000_000:
        return f"{x / 1_000_000:.2f} M"
    if x >= 1_000:
        return f"{x / 1_000:.1f} k"
    return f"{x:.1f} "


def iter_chunks(seq: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    for i in range(0, len(seq), size):
        yield seq[i:i + size]
