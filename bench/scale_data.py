"""The generated archive and query set of ``bench/scale.py``.

An archive of N articles is made of the shared corpus's own text: each
article takes a real title (a fifth of them a second real title as
subtitle), 5–40 real body sentences drawn at random (split at 。！？!?；…),
in paragraphs of 1–5 sentences, a date spread evenly over 1998-01-01 …
2026-06-30, and the source, author, category and tags of a real article.
Thirty "daily update" files of 300 new articles follow the archive's last
day.  Every shard and update file has its own random stream, seeded by
(seed, shard), so the output is the same for a seed on every machine, and
archives of different N share their first shards.

The query set draws its terms from a random sample of the archive's own
articles: the kinds of :data:`KINDS` in equal shares, shuffled; a few
warm-up queries; and the worst-case probes.  Each query carries the
*needles* of the matching contract (``tests/test_bruteforce.py``): an
article matches when every needle is a substring of its normalized text.

Nothing generated here goes into the repository: the text is copyrighted.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import random
import re
import shutil
import sys
import time
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

GEN_VERSION = 1  # bump when the generator's output changes for a given seed
QUERY_VERSION = 1  # bump when the query set changes for a given seed
SHARD_SIZE = 10_000
UPDATE_DAYS = 30
UPDATE_SIZE = 300
FIRST_DAY = dt.date(1998, 1, 1)
LAST_DAY = dt.date(2026, 6, 30)  # the archive; updates follow day by day
SENTENCES = (5, 40)
PARAGRAPH = (1, 5)
SUBTITLE_SHARE = 0.2
QUERY_SAMPLE = 3000  # archive articles the query terms are drawn from
WARMUP = 14
PER_PAGE = 10
PASTE_CHARS = 500

KINDS = ("char1", "char2", "phrase", "word", "and2", "title", "date")
KIND_LABEL = {
    "char1": "1 character",
    "char2": "2 characters",
    "phrase": '"phrase" 3-12 chars',
    "word": "jieba word",
    "and2": "2 words (AND)",
    "title": "title:word",
    "date": "word, sort=-date",
}
PROBE_LABEL = {
    "zeros": "1,000 × '0'",
    "de": "500 × '的'",
    "paste": "500-char paragraph",
    "paste_quoted": '"500-char paragraph"',
}

# Sentences end at these marks, plus any closing quotes or brackets after them.
SENTENCE_RE = re.compile(r"[^。！？!?；;…\n]*(?:[。！？!?；;…]+[”’」』》）)\"']*|$)")


def status(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def _is_cjk(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff"


def _all_cjk(s: str) -> bool:
    return bool(s) and all(_is_cjk(c) for c in s)


def write_json(path: Path, data: Any) -> None:
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "w", encoding="utf-8") as fh:
        json.dump(data, fh, ensure_ascii=False, indent=1)
        fh.write("\n")
    os.replace(tmp, path)


def read_json(path: Path) -> Any:
    try:
        with open(path, encoding="utf-8") as fh:
            return json.load(fh)
    except (OSError, ValueError):
        return None


def digest(obj: Any) -> str:
    return hashlib.sha256(json.dumps(obj, sort_keys=True).encode()).hexdigest()[:16]



# --------------------------------------------------------------------------
# The work directory of one N


class Work:
    """Paths of one archive size under the base work directory."""

    def __init__(self, base: Path, n: int) -> None:
        self.n = n
        self.dir = base / str(n)
        self.archive = self.dir / "archive"
        self.updates = self.dir / "updates"
        self.index = self.dir / "index"
        self.update_index = self.dir / "update-index"
        self.sqlite = self.dir / "fts-trigram.sqlite"

    def result(self, step: str) -> Path:
        return self.dir / f"{step}.json"

    @property
    def query_set(self) -> Path:
        return self.dir / "query-set.json"


# --------------------------------------------------------------------------
# The archive


@dataclass
class Pool:
    titles: list[str]
    sentences: list[str]
    meta: list[tuple[str | None, str | None, str | None, list[str]]]  # source, author, category, tags
    corpus: dict[str, Any]


def split_sentences(text: str) -> list[str]:
    """The sentences of ``text``: split at 。！？!?；… (kept, with closing quotes) and line ends."""
    out = []
    for line in text.split("\n"):
        for s in SENTENCE_RE.findall(line):
            s = s.strip()
            if len(s) >= 2:
                out.append(s)
    return out


def load_pool(path: Path) -> Pool:
    """Read the corpus once (line by line) and keep its titles, sentences and metadata rows."""
    titles: list[str] = []
    sentences: list[str] = []
    meta: list[tuple[str | None, str | None, str | None, list[str]]] = []
    with open(path, encoding="utf-8") as fh:
        for lineno, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                raw = json.loads(line)
            except ValueError as exc:
                status(f"{path}:{lineno}: skipped, not JSON ({exc})")
                continue
            title = (raw.get("title") or "").strip()
            if title:
                titles.append(title)
            sentences.extend(split_sentences(raw.get("body") or ""))
            tags = [t for t in (raw.get("tags") or []) if isinstance(t, str) and t]
            meta.append((raw.get("source") or None, raw.get("author") or None, raw.get("category") or None, tags))
    if not titles or not sentences:
        sys.exit(f"error: {path} holds no titles or no body sentences to generate from")
    st = path.stat()
    return Pool(titles, sentences, meta, {"path": str(path), "size": st.st_size, "mtime_ns": st.st_mtime_ns})


def make_article(pool: Pool, rng: random.Random, art_id: str, date: dt.date) -> dict[str, Any]:
    """One article: a real title (sometimes a second one as subtitle), 5–40 real
    sentences in paragraphs of 1–5, metadata of a real article."""
    doc: dict[str, Any] = {"id": art_id, "title": rng.choice(pool.titles)}
    if rng.random() < SUBTITLE_SHARE:
        doc["subtitle"] = rng.choice(pool.titles)
    k = rng.randint(*SENTENCES)
    sents = [rng.choice(pool.sentences) for _ in range(k)]
    paras, i = [], 0
    while i < k:
        m = rng.randint(*PARAGRAPH)
        paras.append("".join(sents[i:i + m]))
        i += m
    doc["body"] = "\n".join(paras)
    doc["date"] = date.isoformat()
    source, author, category, tags = rng.choice(pool.meta)
    for key, value in (("source", source), ("author", author), ("category", category)):
        if value:
            doc[key] = value
    if tags:
        doc["tags"] = tags
    return doc


def _text_size(doc: dict[str, Any]) -> tuple[int, int]:
    text = doc["title"] + doc.get("subtitle", "") + doc["body"]
    return len(text), len(text.encode("utf-8"))


def generate_archive(work: Work, pool: Pool, seed: int) -> dict[str, Any]:
    """Write the archive and the update files into a temporary directory, then
    move them into place; returns the manifest.

    Each shard and each update file has its own random stream, seeded from
    (seed, shard), so archives of different N share their first shards.
    """
    t0 = time.perf_counter()
    span = (LAST_DAY - FIRST_DAY).days
    tmp = work.dir / ".generate-tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    (tmp / "archive").mkdir(parents=True)
    (tmp / "updates").mkdir()
    chars = nbytes = 0
    shards = []
    for shard in range((work.n + SHARD_SIZE - 1) // SHARD_SIZE):
        rng = random.Random(f"newsearch-scale:{GEN_VERSION}:{seed}:shard:{shard}")
        count = min(SHARD_SIZE, work.n - shard * SHARD_SIZE)
        name = f"shard-{shard:04d}.jsonl"
        with open(tmp / "archive" / name, "w", encoding="utf-8") as fh:
            for i in range(count):
                date = FIRST_DAY + dt.timedelta(days=rng.randint(0, span))
                doc = make_article(pool, rng, f"scale-{shard:04d}-{i:05d}", date)
                c, b = _text_size(doc)
                chars += c
                nbytes += b
                fh.write(json.dumps(doc, ensure_ascii=False) + "\n")
        shards.append({"file": name, "articles": count})
        status(f"  generate: {shard * SHARD_SIZE + count:,}/{work.n:,} articles")
    updates = []
    for day in range(1, UPDATE_DAYS + 1):
        rng = random.Random(f"newsearch-scale:{GEN_VERSION}:{seed}:update:{day}")
        date = LAST_DAY + dt.timedelta(days=day)
        name = f"day-{day:02d}-{date.isoformat()}.jsonl"
        with open(tmp / "updates" / name, "w", encoding="utf-8") as fh:
            for i in range(UPDATE_SIZE):
                fh.write(json.dumps(make_article(pool, rng, f"scale-u{day:02d}-{i:04d}", date),
                                    ensure_ascii=False) + "\n")
        updates.append({"file": name, "articles": UPDATE_SIZE})
    for sub in ("archive", "updates"):
        shutil.rmtree(work.dir / sub, ignore_errors=True)
        os.replace(tmp / sub, work.dir / sub)
    shutil.rmtree(tmp, ignore_errors=True)
    return {"n": work.n, "articles": work.n, "chars": chars, "utf8_bytes": nbytes, "shards": shards,
            "updates": updates, "seconds": time.perf_counter() - t0}


def archive_key(n: int, seed: int, corpus: dict[str, Any]) -> dict[str, Any]:
    return {"gen_version": GEN_VERSION, "n": n, "seed": seed, "corpus": corpus}


def corpus_stamp(path: Path) -> dict[str, Any]:
    st = path.stat()
    return {"path": str(path), "size": st.st_size, "mtime_ns": st.st_mtime_ns}


def iter_archive(work: Work) -> Iterator[dict[str, Any]]:
    """The archive's articles, streamed shard by shard."""
    for path in sorted(work.archive.glob("shard-*.jsonl")):
        with open(path, encoding="utf-8") as fh:
            for line in fh:
                yield json.loads(line)


# --------------------------------------------------------------------------
# The query set


@dataclass
class Query:
    kind: str
    q: str
    needles: list[str]  # normalized strings that must all occur (the brute-force oracle)
    scope: str = "all"  # "all": title, subtitle or body; "title": the title only
    sort: str = "relevance"

    def path(self) -> str:
        """The GET request; ``expand=false``: a vocabulary's aliases never
        widen it, so its total is the literal match the brute force counts
        (a no-op for an index without a vocabulary)."""
        params = [("q", self.q), ("per_page", str(PER_PAGE)), ("expand", "false")]
        if self.sort != "relevance":
            params.append(("sort", self.sort))
        return "/api/search?" + urlencode(params)


class Oracle:
    """The matching contract, as tests/test_bruteforce.py states it: a quoted
    phrase is one needle; an unquoted term's needles are its jieba words as the
    index segments them (or its normalized text when it has none)."""

    def __init__(self) -> None:
        from index.analysis import JiebaTokenizer
        from index.normalization import match_text

        self.tok = JiebaTokenizer()
        self.match_text = match_text

    def term(self, *terms: str) -> list[str]:
        out: list[str] = []
        for t in terms:
            out.extend([w for w, *_ in self.tok.words(t) if w] or [self.match_text(t)])
        return [n for n in dict.fromkeys(out) if n]

    def phrase(self, text: str) -> list[str]:
        return [self.match_text(text)]


class QueryMaker:
    """Queries of each kind, terms drawn from a sample of archive articles."""

    def __init__(self, docs: list[dict[str, Any]], rng: random.Random, oracle: Oracle) -> None:
        self.docs = [d for d in docs if len(d.get("body", "")) >= 50]
        if not self.docs:
            raise ValueError("no article with a body of 50 characters or more to draw queries from")
        self.rng = rng
        self.oracle = oracle
        self._words: dict[tuple[int, str], list[str]] = {}

    def words(self, i: int, fieldname: str) -> list[str]:
        """Words (≥ 2 CJK characters) of a field as jieba cuts it, in the article's own spelling."""
        key = (i, fieldname)
        if key not in self._words:
            text = self.docs[i].get(fieldname) or ""
            spans = [text[s:e] for _, s, e in self.oracle.tok.words(text)]
            self._words[key] = [w for w in spans if len(w) >= 2 and _all_cjk(w)]
        return self._words[key]

    def _run(self, body: str, length: int) -> str | None:
        for _ in range(50):
            s = self.rng.randrange(0, max(1, len(body) - length + 1))
            run = body[s:s + length]
            if len(run) == length and _all_cjk(run):
                return run
        return None

    def make(self, kind: str) -> Query:
        for _ in range(10_000):
            i = self.rng.randrange(len(self.docs))
            body = self.docs[i]["body"]
            if kind in ("char1", "char2"):
                run = self._run(body, 1 if kind == "char1" else 2)
                if run:
                    return Query(kind, run, self.oracle.term(run))
            elif kind == "phrase":
                run = self._run(body, self.rng.randint(3, 12))
                if run:
                    return Query(kind, f'"{run}"', self.oracle.phrase(run))
            elif kind in ("word", "date"):
                ws = self.words(i, "body")
                if ws:
                    w = self.rng.choice(ws)
                    return Query(kind, w, self.oracle.term(w), sort="-date" if kind == "date" else "relevance")
            elif kind == "and2":
                ws = list(dict.fromkeys(self.words(i, "body")))
                if len(ws) >= 2:
                    a, b = self.rng.sample(ws, 2)
                    return Query(kind, f"{a} {b}", self.oracle.term(a, b))
            elif kind == "title":
                ws = self.words(i, "title")
                if ws:
                    w = self.rng.choice(ws)
                    return Query(kind, f"title:{w}", self.oracle.term(w), scope="title")
            else:
                raise ValueError(f"unknown query kind {kind!r}")
        raise ValueError(f"could not draw a {kind!r} query from the sample")

    def paragraph(self, length: int) -> str:
        """``length`` characters of one body, newlines and quote marks removed (a paste)."""
        drop = str.maketrans("", "", "\n\"“”「」『』")
        bodies = [t for t in (d["body"].translate(drop) for d in self.docs) if len(t) >= length]
        if not bodies:
            raise ValueError(f"no body of {length} characters to paste from")
        text = self.rng.choice(bodies)
        s = self.rng.randrange(0, len(text) - length + 1)
        return text[s:s + length]


def per_kind_counts(total: int) -> list[int]:
    """``total`` split over the kinds in equal shares (the first ones get the remainder)."""
    return [total // len(KINDS) + (1 if k < total % len(KINDS) else 0) for k in range(len(KINDS))]


def sample_archive(work: Work, n: int, rng: random.Random) -> list[dict[str, Any]]:
    """``n`` articles of the archive chosen at random, read in one streaming pass."""
    wanted = set(rng.sample(range(work.n), min(n, work.n)))
    out = []
    k = 0
    for path in sorted(work.archive.glob("shard-*.jsonl")):
        with open(path, encoding="utf-8") as fh:
            for line in fh:
                if k in wanted:
                    out.append(json.loads(line))
                k += 1
    return out


def make_query_set(work: Work, seed: int, count: int) -> dict[str, Any]:
    """The timed queries (kinds in equal shares, shuffled), warm-up queries and
    worst-case probes, all drawn from the archive with ``seed``."""
    rng = random.Random(f"newsearch-scale-queries:{QUERY_VERSION}:{seed}")
    docs = sample_archive(work, QUERY_SAMPLE, rng)
    oracle = Oracle()
    maker = QueryMaker(docs, rng, oracle)
    queries = [maker.make(kind) for kind, m in zip(KINDS, per_kind_counts(count)) for _ in range(m)]
    rng.shuffle(queries)
    warm_maker = QueryMaker(docs, random.Random(f"newsearch-scale-warmup:{seed}"), oracle)
    warmup = [warm_maker.make(KINDS[k % len(KINDS)]) for k in range(WARMUP)]
    para = maker.paragraph(500)
    probes = {
        "zeros": Query("zeros", "0" * 1000, oracle.term("0" * 1000)),
        "de": Query("de", "的" * 500, oracle.term("的" * 500)),
        # unquoted: the parser splits at spaces; each piece's jieba words must match
        "paste": Query("paste", para, oracle.term(*para.split())),
        "paste_quoted": Query("paste_quoted", f'"{para}"', oracle.phrase(para)),
    }
    return {"queries": [asdict(q) for q in queries], "warmup": [asdict(q) for q in warmup],
            "probes": {k: asdict(q) for k, q in probes.items()}}


def as_queries(rows: Iterable[dict[str, Any]]) -> list[Query]:
    return [Query(**r) for r in rows]
