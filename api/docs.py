"""The OpenAPI document, generated from the same marshmallow schemas, and its page."""

from __future__ import annotations

from typing import Any

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from flask import Blueprint, Response, current_app, send_from_directory

from . import schemas

bp = Blueprint("docs", __name__, static_folder="static", static_url_path="/docs-assets")

_ERRORS = {str(code): {"description": text, "content": {"application/json": {"schema": schemas.ErrorSchema}}}
           for code, text in [(400, "Invalid request (details name each bad field)"),
                              (503, "No index loaded"), (500, "Internal error (with a request id)")]}


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
                "responses": _ok(schemas.SearchResultSchema)},
        "post": {"summary": "Search the archive (JSON body)",
                 "requestBody": {"required": True, "content": {"application/json": {"schema": schemas.SearchArgsSchema}}},
                 "responses": _ok(schemas.SearchResultSchema)},
    })
    not_found = {"404": {"description": "No such article", "content": {"application/json": {"schema": schemas.ErrorSchema}}}}
    spec.path(path=f"{prefix}/articles/{{article_id}}", operations={"get": {
        "summary": "One whole article, optionally highlighted",
        "parameters": [{"in": "path", "name": "article_id", "required": True, "schema": {"type": "string"}},
                       {"in": "query", "schema": schemas.ArticleArgsSchema}],
        "responses": {**_ok(schemas.ArticleSchema), **not_found}}})
    spec.path(path=f"{prefix}/health", operations={"get": {
        "summary": "Is an index loaded?", "responses": _ok(schemas.HealthSchema)}})
    spec.path(path=f"{prefix}/stats", operations={"get": {
        "summary": "Snapshot facts and counts", "responses": _ok(schemas.StatsSchema)}})
    spec.path(path=f"{prefix}/openapi.json", operations={"get": {
        "summary": "This document", "responses": {"200": {"description": "OpenAPI 3 document"}}}})
    return spec.to_dict()


@bp.get("/openapi.json")
def openapi() -> Response:
    return current_app.json.response(build_spec())


@bp.get("/docs")
def docs_page() -> Response:
    assert bp.static_folder is not None
    return send_from_directory(bp.static_folder, "docs.html")
