"""Run requests against the live snapshot: searches, article views, stats.

``search(index, SearchRequest) -> SearchResult`` is the whole search: the
exact matching set (the substring contract, :mod:`search.compile`), its
ranking, the page of hits with snippets (:mod:`search.snippets`) and facets.
The snapshot lifecycle and per-snapshot caches live in :mod:`search.snapshots`.
"""

from __future__ import annotations

import datetime as dt
import heapq
import time
from collections import Counter
from dataclasses import dataclass
from itertools import chain
from typing import Any

from whoosh import query as wq

from index.articles import Article
from index.schema import stored_to_article

from .compile import highlight_needles
from .grammar import parse
from .models import Hit, SearchRequest, SearchResult, check_request
from .snapshots import OpenSnapshot, SearchIndex
from .snippets import fragments, highlight

FACET_LIMIT = 20


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


def search(index: SearchIndex, req: SearchRequest) -> SearchResult:
    """Search the live snapshot: exact matching set, ranked page, snippets."""
    started = time.perf_counter()
    check_request(req)
    node = parse(req.q)
    with index.lease() as opened:
        return _search(opened, req, node, started)


def _search(opened: OpenSnapshot, req: SearchRequest, node: Any, started: float) -> SearchResult:
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
    with index.lease() as opened:
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
    with index.lease() as opened:
        return _overview(index, opened)


def _overview(index: SearchIndex, opened: OpenSnapshot) -> dict[str, Any]:
    docs = list(opened.searcher().reader().all_doc_ids())
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
    with index.lease() as opened:
        stored = opened.searcher().document(id=article_id)
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
    node = parse(q)
    with index.lease() as opened:
        needles = highlight_needles(opened.compiler.compile(node))
    return ArticleView(art, {
        "title": highlight(art.title, needles["title"]),
        "subtitle": highlight(art.subtitle, needles["subtitle"]),
        "paragraphs": [highlight(p, needles["body"]) for p in art.paragraphs],
    })
