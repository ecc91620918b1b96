"""One JSON error shape for every failure: ``{"error": {code, message, details}}``.

No HTML error page and no traceback ever reaches a client; an unexpected
error is logged with a request id that the 500 response carries.
"""

from __future__ import annotations

import uuid
from typing import Any, cast

from flask import Blueprint, Flask, Response, current_app, request
from marshmallow import ValidationError
from werkzeug.exceptions import HTTPException

from index.store import StoreError
from search.models import RequestError

from .schemas import ErrorSchema

_schema = ErrorSchema()


class APIError(Exception):
    def __init__(self, status: int, message: str, details: dict[str, list[str]] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.details = details


def json_response(data: Any, status: int = 200) -> Response:
    """The one way answers become JSON: ``app.json``, UTF-8 (``ensure_ascii`` off)."""
    resp = cast(Response, current_app.json.response(data))
    resp.status_code = status
    return resp


def error_response(status: int, message: str, details: Any = None, request_id: str | None = None) -> Response:
    body: dict[str, Any] = {"code": status, "message": message, "details": details}
    if request_id:
        body["request_id"] = request_id
    resp = json_response(_schema.dump({"error": body}), status)
    resp.headers["Cache-Control"] = "no-store"
    return resp


def _flatten(messages: Any) -> dict[str, list[str]]:
    """marshmallow's nested messages as ``field -> [message, …]``."""
    out: dict[str, list[str]] = {}
    if isinstance(messages, dict):
        for field, value in messages.items():
            if isinstance(value, dict):  # list fields: {index: [messages]}
                out[str(field)] = [m for msgs in value.values() for m in (msgs if isinstance(msgs, list) else [msgs])]
            else:
                out[str(field)] = [str(m) for m in (value if isinstance(value, list) else [value])]
    else:
        out["_body"] = [str(messages)]
    return out


def register(app: Flask | Blueprint) -> None:
    """Install the handlers on an app (every error) or a blueprint (errors of its views)."""
    @app.errorhandler(APIError)
    def api_error(exc: APIError) -> Response:
        return error_response(exc.status, exc.message, exc.details)

    @app.errorhandler(ValidationError)
    def validation_error(exc: ValidationError) -> Response:
        details = _flatten(exc.messages)
        fields = ", ".join(sorted(details))
        return error_response(400, f"invalid request: {fields}", details)

    @app.errorhandler(RequestError)
    def request_error(exc: RequestError) -> Response:
        return error_response(400, exc.message, {exc.field: [exc.message]})

    @app.errorhandler(StoreError)
    def store_error(exc: StoreError) -> Response:
        current_app.logger.error("index unavailable: %s", exc)
        return error_response(503, "the search index is not available; try again later",
                              {"index": ["no usable index snapshot is loaded"]})

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException) -> Response:
        status = exc.code or 500
        resp = error_response(status, exc.description or exc.name)
        allowed = getattr(exc, "valid_methods", None)
        if allowed:
            resp.headers["Allow"] = ", ".join(allowed)
        return resp

    @app.errorhandler(Exception)
    def unexpected(exc: Exception) -> Response:
        request_id = uuid.uuid4().hex
        current_app.logger.exception("request %s %s failed (request id %s)", request.method, request.path,
                                     request_id)
        return error_response(500, "internal error; quote the request id to the operator", None, request_id)
