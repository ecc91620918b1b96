"""The OpenAPI document (generated from the views' operations) and its page."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, current_app, request, send_from_directory, url_for

from . import errors
from .operations import build_spec, operation

bp = Blueprint("docs", __name__, static_folder="static", static_url_path="/docs-assets")
errors.register(bp)


@bp.get("/openapi.json")
@operation(None, cache=False, uses_index=False)
def openapi() -> Any:
    """This document (OpenAPI 3)."""
    # Paths as mounted: "/api" from create_app, whatever prefix init_app was given.
    prefix = url_for("api.health")[len(request.script_root):].removesuffix("/health")
    return build_spec(current_app._get_current_object(), prefix)  # type: ignore[attr-defined]


@bp.get("/docs")
def docs_page() -> Response:
    assert bp.static_folder is not None
    return send_from_directory(bp.static_folder, "docs.html")
