"""The JSON API blueprint (mounted at ``/api`` by :func:`api.create_app`, anywhere by :func:`api.init_app`).

Views load their input through a request schema and return plain objects;
:func:`responds` dumps them through the response schema, so no view builds
JSON by hand.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable
from typing import Any

from flask import Blueprint, Response, current_app, request
from marshmallow import Schema, ValidationError

from index.store import StoreError
from search.engine import SearchIndex, article_view, overview, search
from search.models import SearchRequest

from . import errors
from .errors import APIError, json_response
from .schemas import (LIST_ARGS, ArticleArgsSchema, ArticleSchema, HealthSchema, SearchArgsSchema,
                      SearchResultSchema, StatsSchema)

bp = Blueprint("api", __name__)
errors.register(bp)  # JSON errors from these views wherever the blueprint is mounted

search_args = SearchArgsSchema()


def search_index() -> SearchIndex:
    index: SearchIndex = current_app.extensions["newsearch"]
    return index


def responds(schema: Schema, cache: bool = True) -> Callable[[Callable[..., Any]], Callable[..., Response]]:
    """Dump the view's return value with ``schema``; add snapshot-tied caching headers.

    The ETag covers the live snapshot and the request, so a proxy (or the
    browser) may reuse an answer until the next build or update.
    """

    def decorate(view: Callable[..., Any]) -> Callable[..., Response]:
        @functools.wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Response:
            # The snapshot is read before the view runs: if a switch happens in
            # between, the answer (from the newer snapshot) carries the older
            # tag, which the next request no longer matches.  The other way
            # round, a stale answer could be revalidated until the next build.
            snapshot = _live_snapshot() if cache else ""
            result = view(*args, **kwargs)
            resp = json_response(schema.dump(result))
            if cache and request.method in ("GET", "POST"):
                tag = hashlib.sha1(f"{snapshot}\x1f{request.full_path}\x1f{request.get_data(as_text=True)}"
                                   .encode()).hexdigest()[:24]
                resp.set_etag(tag)
                resp.headers["Cache-Control"] = f"public, max-age={current_app.config['CACHE_MAX_AGE']}"
                if request.method == "GET":
                    resp.make_conditional(request)
            else:
                resp.headers["Cache-Control"] = "no-store"
            return resp

        return wrapper

    return decorate


def _live_snapshot() -> str:
    try:
        return search_index().acquire().snapshot.name
    except StoreError:
        return ""  # no index: the view answers 503 (or 400 first, for a bad request)


def limit_query(q: str | None) -> None:
    """A 400 on ``q`` past ``MAX_QUERY_CHARS`` (the schema allows the engine's own maximum)."""
    limit = int(current_app.config["MAX_QUERY_CHARS"])
    if q is not None and len(q) > limit:
        raise ValidationError({"q": [f"Longer than maximum length {limit}."]})


def load_search(data: Any) -> SearchRequest:
    req: SearchRequest = search_args.load(data)
    limit_query(req.q)
    return req


def _query_args() -> dict[str, Any]:
    """Query-string parameters as the schema expects them (lists for repeatable ones)."""
    data: dict[str, Any] = {}
    for key in request.args:
        values = request.args.getlist(key)
        data[key] = values if key in LIST_ARGS else values[-1]
    return data


@bp.get("/search")
@responds(SearchResultSchema())
def search_get() -> Any:
    """Search the archive (parameters in the query string)."""
    return search(search_index(), load_search(_query_args()))


@bp.post("/search")
@responds(SearchResultSchema())
def search_post() -> Any:
    """Search the archive (parameters as a JSON object)."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise APIError(400, "the request body must be a JSON object", {"_body": ["malformed or missing JSON"]})
    return search(search_index(), load_search(body))


@bp.get("/articles/<path:article_id>")
@responds(ArticleSchema())
def get_article(article_id: str) -> Any:
    """One whole article; ``?q=`` highlights the query in it."""
    args = ArticleArgsSchema().load(request.args.to_dict())
    limit_query(args["q"])
    view = article_view(search_index(), article_id, args["q"])
    if view is None:
        raise APIError(404, f"no article with id {article_id!r}", {"id": ["not found"]})
    return view.record()


@bp.get("/health")
@responds(HealthSchema(), cache=False)
def health() -> Any:
    """200 with the live snapshot while an index is loaded, else 503."""
    index = search_index()
    opened = index.acquire()  # StoreError → 503 through the error handler
    out: dict[str, Any] = {"status": "ok", "snapshot": opened.snapshot.name, "articles": opened.doc_count}
    if index.error:
        out["status"] = "degraded"
        out["warning"] = "the newest snapshot could not be opened; serving an older one"
    return out


@bp.get("/stats")
@responds(StatsSchema())
def stats() -> Any:
    """Snapshot facts and counts per source, author, category, tag and month."""
    return overview(search_index())
