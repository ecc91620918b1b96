"""The JSON API blueprint (mounted at ``/api`` by :func:`api.create_app`, anywhere by :func:`api.init_app`).

Each view is one :func:`api.operations.operation`: it receives its loaded
arguments and returns plain objects, which the decorator dumps through the
response schema; the same decorator documents the view in the OpenAPI
document, so no view builds JSON or documentation by hand.
"""

from __future__ import annotations

from typing import Any

import itertools
import threading
from collections.abc import Iterator

from flask import Blueprint, Response, current_app

from search.engine import article_view, export, overview, search
from search.grammar import EMPTY_QUERY_MESSAGE
from search.suggest import suggest
from search.models import DEPTH_MESSAGE, MAX_PAREN_DEPTH, MAX_QUERY_TERMS, SearchRequest
from search.related import related

from . import errors
from .errors import APIError
from .exports import MEDIA_TYPES, export_lines
from .feeds import MEDIA_TYPE as ATOM, feed_response
from .live import WARM_UP_THREAD, live_index, time_budget
from .operations import operation
from .schemas import (ArticleArgsSchema, ArticleSchema, ExportArgsSchema, ExportRequest, FeedArgsSchema,
                      HealthSchema, RelatedArgsSchema, RelatedResultSchema, SearchArgsSchema, SearchResultSchema,
                      StatsSchema, SuggestArgsSchema, SuggestionsSchema)

#: ``app.extensions`` key of the semaphore bounding concurrent exports.
EXPORT_SLOTS = "newsearch.exports"

bp = Blueprint("api", __name__)
errors.register(bp)  # JSON errors from these views wherever the blueprint is mounted

#: The 400s of a search whose parameters are each valid (documented per operation).
QUERY_SEMANTIC_400 = (f"a query that normalizes to nothing, such as punctuation alone ('{EMPTY_QUERY_MESSAGE}')",
                      f"a query the query language cannot run: an unknown field:, a bad date:, more than "
                      f"{MAX_QUERY_TERMS} terms or {MAX_PAREN_DEPTH} levels of parentheses (details.q says which)")
SEARCH_SEMANTIC_400 = (f"page × per_page past the result depth ('{DEPTH_MESSAGE}')",
                       "a query too expensive to answer within the time budget (details.q says how to narrow it)",
                       *QUERY_SEMANTIC_400,
                       "date_from after date_to")


@bp.get("/search")
@operation(SearchResultSchema(), args=SearchArgsSchema(), rate_limited=True, semantic_400=SEARCH_SEMANTIC_400)
def search_get(req: SearchRequest) -> Any:
    """Search the archive (parameters in the query string)."""
    return search(live_index(), req, time_budget())


@bp.post("/search")
@operation(SearchResultSchema(), args=SearchArgsSchema(), location="json", rate_limited=True,
           semantic_400=SEARCH_SEMANTIC_400)
def search_post(req: SearchRequest) -> Any:
    """Search the archive (parameters as a JSON object)."""
    return search(live_index(), req, time_budget())


@bp.get("/suggest")
@operation(SuggestionsSchema(), args=SuggestArgsSchema())
def suggest_get(args: dict[str, Any]) -> Any:
    """Names, headline words and recent headlines starting with what was typed (characters or pinyin)."""
    return {"suggestions": [s.to_dict() for s in suggest(live_index(), args["q"], args["limit"])]}


@bp.get("/export")
@operation(None, args=ExportArgsSchema(), cache=False, semantic_400=QUERY_SEMANTIC_400,
           too_many="Too many exports running at once (EXPORT_CONCURRENCY); try again shortly")
def export_articles(args: ExportRequest) -> Response:
    """Every matching article as CSV or JSON Lines, streamed (no page, no depth or time limit)."""
    slots: threading.BoundedSemaphore = current_app.extensions[EXPORT_SLOTS]
    if not slots.acquire(blocking=False):
        raise APIError(429, "too many exports are running; try again shortly",
                       {"export": [f"at most {current_app.config['EXPORT_CONCURRENCY']} at once"]})
    try:
        articles = export(live_index(), args.search)
        first = next(articles, None)  # a bad query fails here, as a JSON 400, before streaming
    except BaseException:
        slots.release()
        raise

    def chunks() -> Iterator[str]:
        try:
            yield from export_lines(itertools.chain([first] if first else [], articles), args.format, args.body)
        finally:
            articles.close()
            slots.release()

    resp = Response(chunks(), mimetype=MEDIA_TYPES[args.format].split(";")[0],
                    content_type=MEDIA_TYPES[args.format])
    resp.headers["Content-Disposition"] = f'attachment; filename="newsearch-export.{args.format}"'
    resp.headers["Cache-Control"] = "no-store"
    return resp


@bp.get("/feed")
@operation(None, args=FeedArgsSchema(), rate_limited=True, media_type=ATOM,
           semantic_400=(*QUERY_SEMANTIC_400, "date_from after date_to",
                         "a query too expensive to answer within the time budget (details.q says how to narrow it)"))
def feed(req: SearchRequest) -> Response:
    """The search's Atom 1.0 feed: the matching articles most recently added to the index, newest first."""
    return feed_response(live_index(), req, time_budget())


@bp.get("/articles/<path:article_id>")
@operation(ArticleSchema(), args=ArticleArgsSchema(), not_found="No such article",
           semantic_400=QUERY_SEMANTIC_400)
def get_article(args: dict[str, Any], article_id: str) -> Any:
    """One whole article; ``?q=`` highlights the query in it."""
    view = article_view(live_index(), article_id, args["q"])
    if view is None:
        raise APIError(404, f"no article with id {article_id!r}", {"id": ["not found"]})
    return view.record()


@bp.get("/articles/<path:article_id>/related")
@operation(RelatedResultSchema(), args=RelatedArgsSchema(), not_found="No such article")
def related_articles(args: dict[str, Any], article_id: str) -> Any:
    """Other articles on the same subject as this one (by its distinctive words)."""
    found = related(live_index(), article_id, args["limit"])
    if found is None:
        raise APIError(404, f"no article with id {article_id!r}", {"id": ["not found"]})
    return found


@bp.get("/health")
@operation(HealthSchema(), cache=False)
def health() -> Any:
    """200 with the live snapshot while an index is loaded, else 503."""
    index = live_index()
    opened = index.acquire()  # StoreError → 503 through the error handler
    warming = current_app.extensions.get(WARM_UP_THREAD)
    out: dict[str, Any] = {"status": "ok", "snapshot": opened.snapshot.name, "articles": opened.doc_count,
                           "warming_up": bool(warming is not None and warming.is_alive())}
    if index.error:
        out["status"] = "degraded"
        out["warning"] = "the newest snapshot could not be opened; serving an older one"
    return out


@bp.get("/stats")
@operation(StatsSchema())
def stats() -> Any:
    """Snapshot facts and counts per source, author, category, tag and month."""
    return overview(live_index())
