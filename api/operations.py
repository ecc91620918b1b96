"""API operations: one decorator loads a view's arguments, dumps its answer
and records what the OpenAPI document says of it.

A view is written once::

    @bp.get("/search")
    @operation(SearchResultSchema(), args=SearchArgsSchema(), rate_limited=True,
               semantic_400=(...))
    def search_get(req): ...

and :func:`build_spec` documents every mounted route from the
:class:`Operation` its view carries, so a new endpoint is documented by
being written, with the very schemas it uses.  (The flask-smorest habit,
without giving up the one JSON error shape and the local docs page.)
"""

from __future__ import annotations

import functools
import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from flask import Flask, Response, current_app, request
from marshmallow import Schema, ValidationError, fields

from index.store import StoreError

from .errors import APIError, json_response
from .live import live_index
from .schemas import ErrorSchema

_DIGITS = re.compile(r"[0-9]+")


@dataclass(frozen=True)
class Operation:
    """What a view takes and answers, as the OpenAPI document states it."""

    summary: str
    response: Schema | None
    args: Schema | None = None
    #: where ``args`` come from: ``query`` (the query string) or ``json`` (the body)
    location: str = "query"
    #: answers may be cached until the next snapshot (ETag, 304)
    cache: bool = True
    #: counted against ``RATE_LIMIT`` (see :mod:`api.http`)
    rate_limited: bool = False
    #: 400s of requests whose every parameter is valid alone (documented)
    semantic_400: tuple[str, ...] = ()
    #: the 404 this operation answers, if any
    not_found: str = ""
    #: needs the index (a 503 without one)
    uses_index: bool = True
    #: why this operation may answer 429 besides the rate limit (few run at once)
    too_many: str = ""
    #: the media type of a 200 that is not JSON (``response`` is then None)
    media_type: str = ""


def query_args(schema: Schema) -> dict[str, Any]:
    """The query string as ``schema`` loads it: lists for list fields, and
    integers for integer fields written in ASCII digits (anything else is
    left as text, which the strict integer field refuses)."""
    data: dict[str, Any] = {}
    for key in request.args:
        values = request.args.getlist(key)
        field = schema.fields.get(key)
        if isinstance(field, fields.List):
            data[key] = values
            continue
        value = values[-1]
        if isinstance(field, fields.Integer) and _DIGITS.fullmatch(value):
            data[key] = int(value)
        else:
            data[key] = value
    return data


def json_args() -> dict[str, Any]:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise APIError(400, "the request body must be a JSON object", {"_body": ["malformed or missing JSON"]})
    return body


def limit_query(args: Any) -> None:
    """A 400 on ``q`` past the deployment's ``MAX_QUERY_CHARS`` (which can
    only lower the engine's own maximum, already in the schema)."""
    q = getattr(args, "q", None) if not isinstance(args, dict) else args.get("q")
    limit = int(current_app.config["MAX_QUERY_CHARS"])
    if q is not None and len(q) > limit:
        raise ValidationError({"q": [f"Longer than maximum length {limit}."]})


def operation(response: Schema | None, *, args: Schema | None = None, location: str = "query",
              cache: bool = True, rate_limited: bool = False, semantic_400: tuple[str, ...] = (),
              not_found: str = "", uses_index: bool = True, too_many: str = "",
              media_type: str = "") -> Callable[[Callable[..., Any]], Callable[..., Response]]:
    """Load the view's arguments with ``args`` (passed as its first positional
    argument), dump its return value with ``response``, add snapshot-tied
    caching headers, and record the :class:`Operation` on the view.

    The ETag covers the live snapshot and the request, so a proxy (or the
    browser) may reuse an answer until the next build or update.
    """

    def decorate(view: Callable[..., Any]) -> Callable[..., Response]:
        op = Operation(summary=(view.__doc__ or view.__name__).strip().splitlines()[0], response=response,
                       args=args, location=location, cache=cache, rate_limited=rate_limited,
                       semantic_400=semantic_400, not_found=not_found, uses_index=uses_index,
                       too_many=too_many, media_type=media_type)

        @functools.wraps(view)
        def wrapper(*a: Any, **kw: Any) -> Response:
            # The snapshot is read before the view runs: if a switch happens in
            # between, the answer (from the newer snapshot) carries the older
            # tag, which the next request no longer matches.  The other way
            # round, a stale answer could be revalidated until the next build.
            snapshot = _live_snapshot() if cache and uses_index else ""
            if args is not None:
                loaded = args.load(query_args(args) if location == "query" else json_args())
                limit_query(loaded)
                a = (loaded, *a)
            result = view(*a, **kw)
            if isinstance(result, Response):
                return result
            resp = json_response(response.dump(result) if response is not None else result)
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

        wrapper.operation = op  # type: ignore[attr-defined]
        return wrapper

    return decorate


def operation_of(app: Flask, endpoint: str | None) -> Operation | None:
    """The :class:`Operation` of the view behind ``endpoint`` (None for pages and assets)."""
    view = app.view_functions.get(endpoint or "")
    return getattr(view, "operation", None)


def _live_snapshot() -> str:
    try:
        return live_index().acquire().snapshot.name
    except StoreError:
        return ""  # no index: the view answers 503 (or 400 first, for a bad request)


# --------------------------------------------------------------------------
# The OpenAPI document

_RULE_ARG = re.compile(r"<(?:[a-z]+:)?([a-z_]+)>")


def _error(description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": ErrorSchema}}}


def _responses(op: Operation, method: str) -> dict[str, Any]:
    ok: dict[str, Any] = {"description": "OK"}
    if op.response is not None:
        ok["content"] = {"application/json": {"schema": type(op.response)}}
    elif op.media_type:
        ok["content"] = {op.media_type: {"schema": {"type": "string"}}}
    out: dict[str, Any] = {"200": ok}
    if op.cache and method == "get":
        out["304"] = {"description": "Not modified: If-None-Match matched the ETag (same snapshot and request)"}
    if op.args is not None or op.location == "json":
        text = "Invalid request (details name each bad field)"
        if op.semantic_400:
            text += ". Also refused, although each parameter is valid alone: " + "; ".join(op.semantic_400)
        out["400"] = _error(text)
    if op.not_found:
        out["404"] = _error(op.not_found)
    if op.rate_limited or op.too_many:
        reasons = ([op.too_many] if op.too_many else []) + (
            ["too many searches from this client (only when RATE_LIMIT is set; see Retry-After)"]
            if op.rate_limited else [])
        out["429"] = _error("; ".join(reasons).capitalize())
    if op.uses_index:
        out["503"] = _error("No index loaded")
    out["500"] = _error("Internal error (with a request id)")
    return out


def build_spec(app: Flask, prefix: str) -> dict[str, Any]:
    """The OpenAPI 3 document of every route under ``prefix`` whose view
    carries an :class:`Operation`."""
    spec = APISpec(title="newsearch", version="1", openapi_version="3.0.3", plugins=[MarshmallowPlugin()],
                   info={"description": "Full-text search over local Chinese news. A term or phrase matches "
                                        "an article iff its normalized text is a substring of the field."})
    paths: dict[str, dict[str, Any]] = {}
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        op = operation_of(app, rule.endpoint)
        if op is None or not rule.rule.startswith(prefix + "/"):
            continue
        path = _RULE_ARG.sub(r"{\1}", rule.rule)
        for method in sorted(m.lower() for m in (rule.methods or ()) if m not in ("HEAD", "OPTIONS")):
            doc: dict[str, Any] = {"summary": op.summary, "responses": _responses(op, method)}
            params: list[dict[str, Any]] = [{"in": "path", "name": name, "required": True,
                                             "schema": {"type": "string"}} for name in rule.arguments]
            if op.args is not None and op.location == "query":
                params.append({"in": "query", "schema": type(op.args)})
            if params:
                doc["parameters"] = params
            if op.args is not None and op.location == "json":
                doc["requestBody"] = {"required": True,
                                      "content": {"application/json": {"schema": type(op.args)}}}
            paths.setdefault(path, {})[method] = doc
    for path, operations in paths.items():
        spec.path(path=path, operations=operations)
    return spec.to_dict()
