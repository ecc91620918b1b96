"""Run a :class:`SearchRequest` against the live snapshot of an index.

:class:`SearchIndex` follows the index directory's ``CURRENT`` pointer: it
stats that one file at most every ``refresh_interval`` seconds and reopens
the index when a build or update switched snapshots, so long-running servers
pick up rebuilds without a restart.  Searchers are reused between requests,
one per thread (Whoosh readers share file handles).  If a new snapshot cannot
be opened, the last good one keeps serving and :attr:`SearchIndex.error`
says why.
"""

from __future__ import annotations

import datetime as dt
import heapq
import os
import threading
import time
from collections import Counter
from itertools import chain
from dataclasses import dataclass, field
from typing import Any

from whoosh import query as wq
from whoosh import scoring

from index.articles import Article
from index.schema import COLUMN_SEP, stored_to_article
from index.store import (CorruptSnapshotError, IndexStore, NoIndexError, SchemaMismatchError, Snapshot,
                         StoreError)

from .models import MAX_DEPTH, MAX_PER_PAGE, SORTS, Hit, SearchRequest, SearchResult
from .query import QueryCompiler, QueryError, highlight_needles, parse
from .snippets import fragments, highlight

FACET_LIMIT = 20


@dataclass
class OpenSnapshot:
    """One opened snapshot: its Whoosh index, per-thread searchers, caches."""

    snapshot: Snapshot
    ix: Any
    meta: dict[str, Any]
    _local: threading.local = field(default_factory=threading.local)
    _lexicons: dict[str, list[str]] = field(default_factory=dict)
    _columns: dict[str, list[Any]] = field(default_factory=dict)
    _searchers: list[Any] = field(default_factory=list)
    _lock: threading.RLock = field(default_factory=threading.RLock)  # searcher() runs under it too

    def __post_init__(self) -> None:
        self.compiler = QueryCompiler(self.ix.schema["title"].analyzer, self.lexicon)
        self.compiler.words("预热")  # load jieba and the tables now, not in the first request
        with self.ix.reader() as reader:
            self.doc_count = reader.doc_count()

    def searcher(self) -> Any:
        s = getattr(self._local, "searcher", None)
        if s is None:
            s = self.ix.searcher(weighting=CachedLengthBM25F(self.field_lengths))
            self._local.searcher = s
            with self._lock:
                self._searchers.append(s)
        return s

    def close(self) -> None:
        """Close every searcher opened on this snapshot (their files too)."""
        with self._lock:
            searchers, self._searchers = self._searchers, []
        for s in searchers:
            s.close()

    def __del__(self) -> None:
        # The last request using a replaced snapshot has finished.
        self.close()

    def column(self, fieldname: str) -> list[Any]:
        """A column's values for every docnum, loaded once per snapshot.

        Whoosh's column readers seek and read per value; facets and date
        sorting touch every matching document, so they use these lists.
        """
        values = self._columns.get(fieldname)
        if values is None:
            translate = fieldname != "date"  # dates stay sortable integers
            values = []
            with self._lock:
                for leaf, _ in self.searcher().reader().leaf_readers():
                    if leaf.has_column(fieldname):
                        values.extend(leaf.column_reader(fieldname, translate=translate))
                    else:  # a segment where no document has this field
                        values.extend([0 if fieldname == "date" else None] * leaf.doc_count_all())
                self._columns[fieldname] = values
        return values

    def field_lengths(self, leaf: Any, fieldname: str) -> list[int]:
        """A segment's per-document lengths of a scored field, read once.

        BM25 needs the length of every scored document's field; Whoosh reads
        it from a column per document and per term, which was a fifth of the
        time of a query matching most of the archive.
        """
        key = f"{leaf.segment().segment_id()}\x1f{fieldname}"
        lengths = self._columns.get(key)
        if lengths is None:
            dfl = leaf.doc_field_length
            lengths = [dfl(d, fieldname, 1) for d in range(leaf.doc_count_all())]
            self._columns[key] = lengths
        return lengths

    def facet_values(self, facet: str) -> list[Any]:
        """Per docnum, the facet's value (a tuple of tags for ``tag``)."""
        if facet != "tag":
            return self.column(facet)
        values = self._columns.get("tag")
        if values is None:
            values = [tuple(raw.decode("utf-8").split(COLUMN_SEP)) if raw else ()
                      for raw in self.column("tags_col")]
            self._columns["tag"] = values
        return values

    def lexicon(self, fieldname: str) -> list[str]:
        """All terms of a small field (the ``*_m`` metadata fields), cached."""
        terms = self._lexicons.get(fieldname)
        if terms is None:
            with self._lock:
                reader = self.searcher().reader()
                terms = [t.decode("utf-8") for t in reader.lexicon(fieldname)]
                self._lexicons[fieldname] = terms
        return terms


class CachedLengthBM25F(scoring.BM25F):
    """Whoosh's BM25F, with field lengths from lists cached per snapshot."""

    def __init__(self, lengths: Any, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._lengths = lengths

    def scorer(self, searcher: Any, fieldname: str, text: Any, qf: float = 1) -> Any:
        scorer = super().scorer(searcher, fieldname, text, qf=qf)
        if isinstance(scorer, scoring.BM25FScorer) and searcher.is_atomic():
            scorer.dfl = self._lengths(searcher.reader(), fieldname).__getitem__
        return scorer


class SearchIndex:
    """An index directory opened for searching (see the module docstring)."""

    def __init__(self, root: str | os.PathLike[str] | None = None, refresh_interval: float = 0.5) -> None:
        self.store = IndexStore(root)
        self.refresh_interval = refresh_interval
        self._open: OpenSnapshot | None = None
        self._stamp: tuple[int, int] | None = None
        self._checked = 0.0
        self._lock = threading.Lock()
        #: Why the newest snapshot could not be opened (None when all is well).
        self.error: str | None = None

    def _current_stamp(self) -> tuple[int, int] | None:
        try:
            st = os.stat(self.store.current_file)
        except FileNotFoundError:
            return None
        return (st.st_ino, st.st_mtime_ns)

    def acquire(self) -> OpenSnapshot:
        """The open live snapshot, reopened if ``CURRENT`` changed."""
        now = time.monotonic()
        if self._open is not None and now - self._checked < self.refresh_interval:
            return self._open
        with self._lock:
            self._checked = now
            stamp = self._current_stamp()
            if self._open is not None and stamp == self._stamp:
                return self._open
            try:
                opened = self._open_snapshot(None)
            except StoreError as exc:
                self.error = str(exc)
                self._stamp = stamp  # do not retry a damaged snapshot on every request
                if self._open is None:
                    if isinstance(exc, (NoIndexError, SchemaMismatchError)):
                        raise
                    self._open = self._fallback(exc)
                return self._open  # keep serving the last good snapshot
            self._open, self._stamp, self.error = opened, stamp, None
            return opened

    def _open_snapshot(self, snap: Snapshot | None) -> OpenSnapshot:
        snap, ix = self.store.open(snap)
        try:
            return OpenSnapshot(snap, ix, snap.meta())
        except StoreError:
            raise
        except Exception as exc:  # Whoosh's many ways of failing on damaged files
            raise CorruptSnapshotError(f"snapshot {snap.name} cannot be read: {exc}") from exc

    def _fallback(self, error: StoreError) -> OpenSnapshot:
        """A process starting on a damaged live snapshot serves the newest good one."""
        live = self.store.current_name()
        for snap in reversed(self.store.snapshots()):
            if snap.name == live:
                continue
            try:
                return self._open_snapshot(snap)
            except StoreError:
                continue
        raise error

    def close(self) -> None:
        with self._lock:
            if self._open is not None:
                self._open.close()
            self._open = self._stamp = None


def _filters(req: SearchRequest) -> list[Any]:
    out: list[Any] = []
    if req.date_from or req.date_to:
        start = dt.datetime.combine(req.date_from, dt.time.min) if req.date_from else None
        end = dt.datetime.combine(req.date_to, dt.time.max) if req.date_to else None
        out.append(wq.DateRange("date", start, end))
    for name in ("source", "author", "category"):
        values = getattr(req, name)
        if values:
            out.append(wq.Or([wq.Term(name, v) for v in values]))
    for tag in req.tag:
        out.append(wq.Term("tags", tag))
    return out


def validate(req: SearchRequest) -> None:
    """Paging and sort checks (the API's schema checks the same first)."""
    if req.page < 1:
        raise QueryError("page must be 1 or more", "page")
    if not 1 <= req.per_page <= MAX_PER_PAGE:
        raise QueryError(f"per_page must be between 1 and {MAX_PER_PAGE}", "per_page")
    if req.page * req.per_page > MAX_DEPTH:
        raise QueryError(f"cannot page past the first {MAX_DEPTH} results; narrow the search "
                         "with more terms or filters", "page")
    if req.sort not in SORTS:
        raise QueryError(f"sort must be one of {', '.join(SORTS)}", "sort")
    if req.date_from and req.date_to and req.date_from > req.date_to:
        raise QueryError("date_from is after date_to", "date_from")


def search(index: SearchIndex, req: SearchRequest) -> SearchResult:
    """Search the live snapshot: exact matching set, ranked page, snippets."""
    started = time.perf_counter()
    validate(req)
    node = parse(req.q)
    opened = index.acquire()
    compiled = opened.compiler.compile(node)
    searcher = opened.searcher()
    matching = compiled.matching
    filters = _filters(req)
    if filters:
        matching = wq.And([matching] + filters)
    docs, scores = _collect(searcher, matching, compiled.scoring if req.sort == "relevance" else None)
    dates = opened.column("date")
    want = req.page * req.per_page
    if req.sort == "relevance":
        top = heapq.nlargest(want, range(len(docs)), key=lambda i: (scores[i], dates[docs[i]], -docs[i]))
    elif req.sort == "-date":
        top = heapq.nlargest(want, range(len(docs)), key=lambda i: (dates[docs[i]], -docs[i]))
    else:
        top = heapq.nsmallest(want, range(len(docs)), key=lambda i: (dates[docs[i]], docs[i]))
    page = top[(req.page - 1) * req.per_page:]
    needles = highlight_needles(compiled)
    hits = [_hit(searcher, docs[i], scores[i] if scores else 0.0, needles, req) for i in page]
    facets = _facets(opened, docs) if req.facets else None
    took = round((time.perf_counter() - started) * 1000, 2)
    return SearchResult(total=len(docs), page=req.page, per_page=req.per_page, took_ms=took,
                        hits=hits, facets=facets, snapshot=opened.snapshot.name)


def matching_ids(index: SearchIndex, req: SearchRequest) -> list[str]:
    """The ids of every article matching ``req`` (query and filters), unranked.

    The complete set that ``total`` counts; used for exports and to check the
    search against brute force.
    """
    node = parse(req.q)
    opened = index.acquire()
    searcher = opened.searcher()
    matching = wq.And([opened.compiler.compile(node).matching] + _filters(req))
    docs, _ = _collect(searcher, matching, None)
    return [searcher.stored_fields(d)["id"] for d in docs]


def _collect(searcher: Any, matching: Any, scoring: Any | None) -> tuple[list[int], list[float]]:
    """All matching docnums (global) and, if ``scoring`` is given, their scores.

    The matching set comes from an unscored pass (``all_ids``); scores only
    rank it, so a scoring term can never add or drop a document.
    """
    docs: list[int] = []
    scores: list[float] = []
    context = searcher.context()
    for sub, offset in searcher.leaf_searchers():
        ids = list(matching.matcher(sub, sub.boolean_context()).all_ids())
        docs.extend(d + offset for d in ids)
        if scoring is None or not ids:
            continue
        # Scores are asked only for the matching documents (skip_to).  For a
        # few of them a tree of union matchers skips most postings; for many,
        # Whoosh's preloading Or (one pass over every posting) is cheaper.
        scoring.matcher_type = (wq.Or.ARRAY_MATCHER if len(ids) * 20 > sub.doc_count_all()
                                else wq.Or.DEFAULT_MATCHER)
        sm = scoring.matcher(sub, context)
        for d in ids:
            if sm.is_active() and sm.id() < d:
                sm.skip_to(d)
            if sm.is_active() and sm.id() == d:
                scores.append(sm.score())
            else:
                scores.append(0.0)
    if scoring is None:
        scores = [0.0] * len(docs)
    return docs, scores


def _hit(searcher: Any, docnum: int, score: float, needles: dict[str, list[str]], req: SearchRequest) -> Hit:
    art = stored_to_article(searcher.stored_fields(docnum))
    highlights: dict[str, Any] = {
        "title": highlight(art.title, needles["title"]),
        "subtitle": highlight(art.subtitle, needles["subtitle"]),
        "body": fragments(art.body, needles["body"], req.fragments, req.fragment_size),
    }
    return Hit(id=art.id, title=art.title, subtitle=art.subtitle, date=art.date, source=art.source,
               author=art.author, url=art.url, score=round(score, 4), highlights=highlights,
               category=art.category, tags=art.tags)


def _facets(opened: OpenSnapshot, docs: list[int]) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {}
    for name in ("source", "author", "category", "month", "tag"):
        values = opened.facet_values(name)
        if name == "tag":
            counts = Counter(chain.from_iterable(map(values.__getitem__, docs)))
        else:
            counts = Counter(map(values.__getitem__, docs))
        counts.pop("", None)
        counts.pop(None, None)
        if name == "month":
            items = sorted(counts.items(), reverse=True)
        else:
            items = heapq.nsmallest(FACET_LIMIT, counts.items(), key=lambda kv: (-kv[1], kv[0]))
        out[name] = [{"value": v, "count": c} for v, c in items]
    return out


def overview(index: SearchIndex) -> dict[str, Any]:
    """Snapshot facts and facet counts over every article (for /api/stats)."""
    opened = index.acquire()
    reader = opened.searcher().reader()
    docs = list(reader.all_doc_ids())
    meta = opened.meta
    return {
        "snapshot": opened.snapshot.name,
        "built_at": meta.get("built_at"),
        "kind": meta.get("kind"),
        "articles": len(docs),
        "snapshots": [s.name for s in index.store.snapshots()],
        "facets": _facets(opened, docs),
    }


def get_article(index: SearchIndex, article_id: str) -> Article | None:
    """The stored article with this id, or None."""
    stored = index.acquire().searcher().document(id=article_id)
    return stored_to_article(stored) if stored else None


@dataclass
class ArticleView:
    """A whole article for display, highlighted for a query when one is given."""

    article: Article
    highlights: dict[str, Any] | None = None

    def record(self) -> dict[str, Any]:
        """The article's fields (native types) plus paragraphs and highlights."""
        art = self.article
        out: dict[str, Any] = {name: getattr(art, name) for name in
                               ("id", "title", "subtitle", "date", "source", "author", "category", "tags",
                                "url", "body", "extra")}
        out["paragraphs"] = art.paragraphs
        if self.highlights is not None:
            out["highlights"] = self.highlights
        return out


def article_view(index: SearchIndex, article_id: str, q: str | None = None) -> ArticleView | None:
    """The article with this id (None if there is none), highlighted for ``q``."""
    art = get_article(index, article_id)
    if art is None:
        return None
    if not q:
        return ArticleView(art)
    needles = highlight_needles(index.acquire().compiler.compile(parse(q)))
    return ArticleView(art, {
        "title": highlight(art.title, needles["title"]),
        "subtitle": highlight(art.subtitle, needles["subtitle"]),
        "paragraphs": [highlight(p, needles["body"]) for p in art.paragraphs],
    })
