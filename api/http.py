"""Cross-origin access for the widget: allowed origins only, none by default."""

from __future__ import annotations

from flask import Flask, Response, request


def allowed_origins(value: object) -> set[str]:
    """``CORS_ORIGINS`` as a set: a list, or a comma/space separated string."""
    if not value:
        return set()
    items = value if isinstance(value, (list, tuple, set)) else str(value).replace(",", " ").split()
    return {str(o).rstrip("/") for o in items if o}


def register(app: Flask) -> None:
    origins = allowed_origins(app.config.get("CORS_ORIGINS"))

    @app.after_request
    def cors(resp: Response) -> Response:
        if not request.path.startswith("/api/"):
            return resp
        resp.vary.add("Origin")
        origin = request.headers.get("Origin", "")
        if origin and ("*" in origins or origin.rstrip("/") in origins):
            resp.headers["Access-Control-Allow-Origin"] = origin
            resp.headers["Access-Control-Expose-Headers"] = "ETag"
            if request.method == "OPTIONS":
                resp.headers["Access-Control-Allow-Methods"] = "GET, POST, OPTIONS"
                resp.headers["Access-Control-Allow-Headers"] = "Content-Type, If-None-Match"
                resp.headers["Access-Control-Max-Age"] = "600"
        return resp
