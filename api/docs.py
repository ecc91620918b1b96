"""The OpenAPI document, generated from the same marshmallow schemas, and its page."""

from __future__ import annotations

from typing import Any

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from flask import Blueprint, Response, request, send_from_directory, url_for

from . import errors, schemas

bp = Blueprint("docs", __name__, static_folder="static", static_url_path="/docs-assets")
errors.register(bp)

_ERRORS = {str(code): {"description": text, "content": {"application/json": {"schema": schemas.ErrorSchema}}}
           for code, text in [(400, "Invalid request (details name each bad field)"),
                              (503, "No index loaded"), (500, "Internal error (with a request id)")]}


_NOT_MODIFIED = {"304": {"description": "Not modified: If-None-Match matched the ETag (same snapshot and request)"}}
_RATE_LIMITED = {"429": {"description": "Too many searches from this client (only when RATE_LIMIT is set); "
                                        "see Retry-After",
                         "content": {"application/json": {"schema": schemas.ErrorSchema}}}}


def _ok(schema: Any, description: str = "OK") -> dict[str, Any]:
    return {"200": {"description": description, "content": {"application/json": {"schema": schema}}},
            **_ERRORS}


def build_spec(prefix: str = "/api") -> dict[str, Any]:
    spec = APISpec(title="newsearch", version="1", openapi_version="3.0.3",
                   plugins=[MarshmallowPlugin()],
                   info={"description": "Full-text search over local Chinese news. A term or phrase matches "
                                        "an article iff its normalized text is a substring of the field."})
    spec.path(path=f"{prefix}/search", operations={
        "get": {"summary": "Search the archive", "parameters": [{"in": "query", "schema": schemas.SearchArgsSchema}],
                "responses": {**_ok(schemas.SearchResultSchema), **_NOT_MODIFIED, **_RATE_LIMITED}},
        "post": {"summary": "Search the archive (JSON body)",
                 "requestBody": {"required": True, "content": {"application/json": {"schema": schemas.SearchArgsSchema}}},
                 "responses": {**_ok(schemas.SearchResultSchema), **_RATE_LIMITED}},
    })
    not_found = {"404": {"description": "No such article", "content": {"application/json": {"schema": schemas.ErrorSchema}}}}
    spec.path(path=f"{prefix}/articles/{{article_id}}", operations={"get": {
        "summary": "One whole article, optionally highlighted",
        "parameters": [{"in": "path", "name": "article_id", "required": True, "schema": {"type": "string"}},
                       {"in": "query", "schema": schemas.ArticleArgsSchema}],
        "responses": {**_ok(schemas.ArticleSchema), **not_found, **_NOT_MODIFIED}}})
    spec.path(path=f"{prefix}/health", operations={"get": {
        "summary": "Is an index loaded?", "responses": _ok(schemas.HealthSchema)}})
    spec.path(path=f"{prefix}/stats", operations={"get": {
        "summary": "Snapshot facts and counts", "responses": {**_ok(schemas.StatsSchema), **_NOT_MODIFIED}}})
    spec.path(path=f"{prefix}/openapi.json", operations={"get": {
        "summary": "This document", "responses": {"200": {"description": "OpenAPI 3 document"}}}})
    return spec.to_dict()


@bp.get("/openapi.json")
def openapi() -> Response:
    # Paths as mounted: "/api" from create_app, whatever prefix init_app was given.
    prefix = url_for("api.health")[len(request.script_root):].removesuffix("/health")
    return errors.json_response(build_spec(prefix))


@bp.get("/docs")
def docs_page() -> Response:
    assert bp.static_folder is not None
    return send_from_directory(bp.static_folder, "docs.html")
