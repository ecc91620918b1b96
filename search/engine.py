"""Run requests against the live snapshot: searches, article views, stats.

``search(index, SearchRequest) -> SearchResult`` is the whole search: the
exact matching set (the substring contract, :mod:`search.compile`), its
ranking, the page of hits with snippets (:mod:`search.snippets`) and facets.
The snapshot lifecycle and per-snapshot caches live in :mod:`search.snapshots`.
"""

from __future__ import annotations

import heapq
import time
from collections.abc import Callable, Generator
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from index.articles import Article
from index.normalization import match_text
from index.schema import TEXT_FIELDS, article_authors, stored_to_article

from .expansion import Expansion, expand
from .entities import entity_facets
from .execute import PHRASE_BOOST, Deadline, Executor, Scoring, highlight_needles, ranking_terms
from .grammar import Node, parse
from .models import DEFAULT_TIME_BUDGET, Hit, SearchRequest, SearchResult, check_request
from .snapshots import NO_DATE, OpenSnapshot, SearchIndex, Segment
from .snippets import fragments, highlight
from .stories import MAX_VERSIONS, StoryMap, collapse
from .suggest import DID_YOU_MEAN_BELOW, did_you_mean

FACET_LIMIT = 20


def search(index: SearchIndex, req: SearchRequest, budget: float | None = DEFAULT_TIME_BUDGET) -> SearchResult:
    """Search the live snapshot: exact matching set, ranked page, snippets.

    ``budget`` is the request's time budget in seconds (None: unlimited);
    past it the search stops with :class:`~search.execute.QueryTooExpensive`.
    """
    started = time.perf_counter()
    check_request(req)
    node = parse(req.q)
    with index.lease() as opened:
        # the budget is the query's: opening a snapshot (jieba's dictionary
        # in a new process) does not count against it
        return _search(opened, req, node, started, Deadline(budget))


def _widened(opened: OpenSnapshot, node: Node, widen: bool) -> Expansion:
    """``node`` expanded by the snapshot's vocabulary (:mod:`search.expansion`),
    unless the request said ``expand=false``."""
    return expand(node, opened.vocabulary if widen else None)


def _search(opened: OpenSnapshot, req: SearchRequest, node: Node, started: float,
            deadline: Deadline) -> SearchResult:
    widened = _widened(opened, node, req.expand)
    node = widened.node
    executor = Executor(opened, opened.segments(), deadline)
    per_segment = executor.matching(node, req)
    docs = global_docs(executor.segments, per_segment)
    rank = _ranker(executor, opened, node, req, per_segment, docs)
    want = req.page * req.per_page
    stories = opened.stories() if req.collapse == "story" else None
    if stories is not None:
        last: list[np.ndarray] = []

        def ranked(width: int | None) -> np.ndarray:
            top, scores = rank(width)
            last[:] = [scores]
            return top
        order = collapse(stories.keys(docs), ranked, want)
        scores = last[0] if last else np.zeros(len(docs))
    else:
        order, scores = rank(want)
    dates = opened.dates()
    page = order[(req.page - 1) * req.per_page:]
    needles = highlight_needles(node, opened.query_words)
    searcher = opened.searcher()
    hits = [_hit(searcher, int(docs[i]), float(scores[i]), needles, req, widened) for i in page]
    if stories is not None:
        for hit, i in zip(hits, page):
            hit.story, hit.versions = _versions(searcher, stories, hit.id, docs)
    facets = _facets(opened, docs) if req.facets else None
    histogram = date_histogram(dates[docs], req.histogram) if req.histogram else None
    better = did_you_mean(opened, req, len(docs), deadline) if len(docs) < DID_YOU_MEAN_BELOW else None
    took = round((time.perf_counter() - started) * 1000, 2)
    return SearchResult(total=len(docs), page=req.page, per_page=req.per_page, took_ms=took,
                        hits=hits, facets=facets, snapshot=opened.snapshot.name, histogram=histogram,
                        expanded=widened.expanded or None,
                        stories=stories.count(docs) if stories is not None else None,
                        did_you_mean=better or None)


def _versions(searcher: Any, stories: StoryMap, article_id: str,
              matching: np.ndarray | None) -> tuple[str | None, list[dict[str, Any]]]:
    """The story id of article ``article_id`` and its other versions (at
    most :data:`~search.stories.MAX_VERSIONS`, earliest first) as ``{id,
    title, date, source}``, plus ``matches`` (whether the version is among
    ``matching``, the sorted matching docnums) when ``matching`` is given."""
    row = stories.row_of(article_id)
    if row is None:
        return None, []
    out: list[dict[str, Any]] = []
    for d in stories.member_docs(row):
        if len(out) >= MAX_VERSIONS:
            break
        fields = searcher.stored_fields(d)
        if fields["id"] == article_id:
            continue
        date = fields.get("date")
        version: dict[str, Any] = {"id": fields["id"], "title": fields.get("title", ""),
                                   "date": date.date() if date else None, "source": fields.get("source", "")}
        if matching is not None:
            k = int(np.searchsorted(matching, d))
            version["matches"] = bool(k < len(matching) and matching[k] == d)
        out.append(version)
    return stories.story_id(row), out


_UNIT = {"year": "Y", "month": "M", "day": "D"}
_MICROSECONDS_PER_DAY = 86_400_000_000


def date_histogram(dates: np.ndarray, unit: str) -> list[dict[str, Any]]:
    """Exact counts of ``dates`` (the date column's values; articles without
    a date left out) per year, month or day, keys (``2023``, ``2023-07``,
    ``2023-07-27``) in order."""
    dated = dates[dates != NO_DATE]
    days = np.datetime64("0001-01-01", "D") + (dated // _MICROSECONDS_PER_DAY).astype("timedelta64[D]")
    keys, counts = np.unique(days.astype(f"datetime64[{_UNIT[unit]}]"), return_counts=True)
    return [{"key": str(k), "count": int(c)} for k, c in zip(np.datetime_as_string(keys), counts)]


def _ranked(executor: Executor, opened: OpenSnapshot, node: Node, req: SearchRequest,
            want: int | None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The matching docnums, the indexes of the first ``want`` of them (all
    when None) in the request's order, and every one's score (0 unless
    sorted by relevance)."""
    per_segment = executor.matching(node, req)
    docs = global_docs(executor.segments, per_segment)
    return (docs, *_ranker(executor, opened, node, req, per_segment, docs)(want))


def _ranker(executor: Executor, opened: OpenSnapshot, node: Node, req: SearchRequest,
            per_segment: list[np.ndarray], docs: np.ndarray) -> Callable[[int | None], tuple[np.ndarray, np.ndarray]]:
    """``rank(want)``: the indexes of the first ``want`` of ``docs`` (all for
    None) in the request's order, and every one's score (0 unless sorted by
    relevance).  Base scores are computed once, however often it is called."""
    dates = opened.dates()[docs]
    zeros = np.zeros(len(docs))
    if req.sort == "relevance":
        scoring = ranking_terms(node, opened.query_words)
        base = np.concatenate(executor.scores(scoring, per_segment) or [np.zeros(0)])

        def by_relevance(want: int | None) -> tuple[np.ndarray, np.ndarray]:
            want = len(docs) if want is None else want
            scores = _with_phrase_bonus(executor, scoring, per_segment, base, want)
            return top_k(docs, scores, dates, want), scores
        return by_relevance
    primary = dates if req.sort == "-date" else -dates
    return lambda want: (top_k(docs, primary, None, len(docs) if want is None else want), zeros)


def global_docs(segments: list[Segment], per_segment: list[np.ndarray]) -> np.ndarray:
    """Segment-local doc sets as one sorted array of snapshot docnums."""
    parts = [local + seg.offset for seg, local in zip(segments, per_segment)]
    return np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)


def _with_phrase_bonus(executor: Executor, scoring: Scoring, per_segment: list[np.ndarray],
                       scores: np.ndarray, want: int) -> np.ndarray:
    """``scores`` plus the bonus where a term's words stand together, for the
    documents that could still reach the first ``want``: a bonus at most
    multiplies a score by ``1 + PHRASE_BOOST``, so a document whose score
    times that stays below the ``want``-th best score cannot."""
    if not any(len(words) > 1 for _, _, words in scoring.terms) or len(scores) == 0:
        return scores
    floor = -np.inf if len(scores) <= want else np.partition(scores, len(scores) - want)[len(scores) - want]
    reachable = scores * (1 + PHRASE_BOOST) >= floor
    out = scores.copy()
    start = 0
    for seg, local in zip(executor.segments, per_segment):
        end = start + len(local)
        mask = reachable[start:end]
        if mask.any():
            out[start:end][mask] += executor.phrase_bonus(scoring, seg, local[mask])
        start = end
    return out


def top_k(docs: np.ndarray, primary: np.ndarray, secondary: np.ndarray | None, want: int) -> np.ndarray:
    """Indexes into ``docs`` of the first ``want`` by ``primary`` descending,
    then ``secondary`` descending, then docnum ascending."""
    idx = _contenders(primary, want) if len(docs) > 4 * want else np.arange(len(docs))
    keys = [docs[idx]]
    if secondary is not None:
        keys.append(-secondary[idx])
    keys.append(-primary[idx])
    return idx[np.lexsort(keys)][:want]


def _contenders(values: np.ndarray, want: int) -> np.ndarray:
    """Indexes of the values tied with or above the ``want``-th greatest.

    ``numpy.partition`` near the top of an array that is mostly one low
    value (a one-character query: most matches score 0) takes 100 ms at
    600,000 values instead of 5, so while the least value fills more than
    half of what is left it is set aside first (none of it can be above the
    ``want``-th unless fewer than ``want`` others are)."""
    idx = np.arange(len(values))
    while True:
        above = values > values.min()
        count = int(above.sum())
        if count < want:  # the want-th greatest is the least value: all are tied with it or above
            return idx
        if 2 * count >= len(values):
            kth = np.partition(values, len(values) - want)[len(values) - want]
            return idx[values >= kth]
        idx, values = idx[above], values[above]


def export(index: SearchIndex, req: SearchRequest) -> Generator[Article, None, None]:
    """Every article matching ``req`` (no page, no depth limit, no time
    budget), in the request's order, read from one snapshot from start to
    end.  Memory holds the matching docnums (and, sorted by relevance, one
    score each), not the articles: they are read one at a time."""
    node = parse(req.q)
    with index.lease() as opened:
        node = _widened(opened, node, req.expand).node
        executor = Executor(opened, opened.segments(), Deadline(None))
        docs, order, _ = _ranked(executor, opened, node, req, None)
        searcher = opened.searcher()
        for i in order.tolist():
            yield stored_to_article(searcher.stored_fields(int(docs[i])))


def matching_ids(index: SearchIndex, req: SearchRequest, budget: float | None = None) -> list[str]:
    """The ids of every article matching ``req`` (query and filters), unranked.

    The complete set that ``total`` counts; used for exports and to check the
    search against brute force.
    """
    node = parse(req.q)
    with index.lease() as opened:
        node = _widened(opened, node, req.expand).node
        executor = Executor(opened, opened.segments(), Deadline(budget))
        docs = global_docs(executor.segments, executor.matching(node, req))
        searcher = opened.searcher()
        return [searcher.stored_fields(int(d))["id"] for d in docs]


def _hit(searcher: Any, docnum: int, score: float, needles: dict[str, list[str]], req: SearchRequest,
         widened: Expansion) -> Hit:
    art = stored_to_article(searcher.stored_fields(docnum))
    matched = None
    if widened.groups:  # which names of the widened terms this article holds
        matched = widened.matched({f: match_text(getattr(art, f) or "") for f in TEXT_FIELDS})
    return article_hit(art, score, needles, req.fragments, req.fragment_size, matched)


def article_hit(art: Article, score: float, needles: dict[str, list[str]], count: int, size: int,
                matched: list[str] | None = None) -> Hit:
    """``art`` as a hit: its fields, ``score``, and ``needles`` (normalized
    strings per text field) marked in its headlines and in ``count`` body
    fragments of about ``size`` characters; ``matched``: the widened names it holds."""
    highlights: dict[str, Any] = {
        "title": highlight(art.title, needles["title"]),
        "kicker": highlight(art.kicker, needles["kicker"]),
        "subtitle": highlight(art.subtitle, needles["subtitle"]),
        "body": fragments(art.body, needles["body"], count, size),
    }
    return Hit(id=art.id, title=art.title, subtitle=art.subtitle, date=art.date, source=art.source,
               author=art.author, url=art.url, score=round(score, 4), highlights=highlights,
               category=art.category, tags=art.tags, kicker=art.kicker, authors=article_authors(art),
               page=art.page, teaser=art.teaser, matched=matched)


def _facets(opened: OpenSnapshot, docs: np.ndarray) -> dict[str, list[dict[str, Any]]]:
    """Counts of each facet's values over ``docs``: months newest first, the
    others most frequent first (ties by value), :data:`FACET_LIMIT` of them;
    people, places and orgs as :func:`search.entities.entity_facets` gives them."""
    out: dict[str, list[dict[str, Any]]] = {}
    for name in ("source", "author", "category", "month", "tag"):
        present = opened.facet_counts(name, docs)
        if name == "month":
            items = sorted(present, reverse=True)
        else:
            items = heapq.nsmallest(FACET_LIMIT, present, key=lambda kv: (-kv[1], kv[0]))
        out[name] = [{"value": v, "count": c} for v, c in items]
    out.update(entity_facets(opened, docs))
    return out


def warm_up(index: SearchIndex) -> None:
    """Read what a search needs of every article (dates, facets as per-segment
    arrays, stories, suggestions) for the live snapshot now, so that a worker's first page search
    does not: at a million articles that is seconds.  Meant for a background
    thread at start; later snapshots reuse the arrays of the segments they share."""
    with index.lease() as opened:
        steps = (opened.dates, lambda: _facets(opened, np.zeros(0, dtype=np.int64)),
                 opened.stories, opened.suggester)
        for step in steps:
            if opened.retired:  # switched or closed meanwhile: stop at the next step
                return
            step()


def overview(index: SearchIndex) -> dict[str, Any]:
    """Snapshot facts and facet counts over every article (for /api/stats)."""
    with index.lease() as opened:
        return _overview(index, opened)


def _overview(index: SearchIndex, opened: OpenSnapshot) -> dict[str, Any]:
    segments = opened.segments()
    docs = global_docs(segments, [seg.live for seg in segments])
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
    #: The article's story id and its other versions (``{id, title, date, source}``, earliest first).
    story: str | None = None
    versions: list[dict[str, Any]] = field(default_factory=list)

    def record(self) -> dict[str, Any]:
        """The article's fields (native types) plus paragraphs and highlights."""
        art = self.article
        out: dict[str, Any] = {name: getattr(art, name) for name in
                               ("id", "kicker", "title", "subtitle", "summary", "date", "source", "author",
                                "category", "tags", "url", "page", "page_no", "section", "teaser", "body",
                                "extra")}
        out["authors"] = article_authors(art)
        out["paragraphs"] = art.paragraphs
        out["story"] = self.story or art.id
        out["versions"] = self.versions
        if self.highlights is not None:
            out["highlights"] = self.highlights
        return out


def article_view(index: SearchIndex, article_id: str, q: str | None = None,
                 widen: bool = True) -> ArticleView | None:
    """The article with this id (None if there is none), highlighted for ``q``
    (and, unless ``widen`` is false, the names its terms widen to)."""
    art = get_article(index, article_id)
    if art is None:
        return None
    with index.lease() as opened:
        story, versions = _versions(opened.searcher(), opened.stories(), art.id, None)
    if not q:
        return ArticleView(art, story=story, versions=versions)
    node = parse(q)
    with index.lease() as opened:
        needles = highlight_needles(_widened(opened, node, widen).node, opened.query_words)
    return ArticleView(art, article_highlights(art, needles), story, versions)


def article_highlights(art: Article, needles: dict[str, list[str]] | None = None) -> dict[str, Any]:
    """A whole article's texts as escaped HTML, with ``needles`` (per field) marked."""
    needles = needles or {}
    return {
        "title": highlight(art.title, needles.get("title", [])),
        "kicker": highlight(art.kicker, needles.get("kicker", [])),
        "subtitle": highlight(art.subtitle, needles.get("subtitle", [])),
        "summary": highlight(art.summary, needles.get("summary", [])),
        "paragraphs": [highlight(p, needles.get("body", [])) for p in art.paragraphs],
    }
