"""Cross-origin access for the widget, and optional rate limiting of searches.

CORS: allowed origins only, none by default.  Rate limiting: off by default;
it applies to the operations marked ``rate_limited`` (the searches); with
``RATE_LIMIT = N`` each client (by address as the app sees it: behind a
reverse proxy, wrap the app in werkzeug's ``ProxyFix``) may make ``N``
searches a minute per worker process, in bursts of up to ``N``, and gets a
JSON 429 with ``Retry-After`` past that.
"""

from __future__ import annotations

import threading
import time

from flask import Flask, Response, request

from .errors import error_response
from .operations import operation_of


class RateLimiter:
    """A token bucket per client: ``per_minute`` tokens, refilled continuously."""

    def __init__(self, per_minute: int, max_clients: int = 100_000) -> None:
        self.rate = per_minute / 60.0
        self.burst = float(per_minute)
        self.max_clients = max_clients
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def allow(self, client: str) -> float:
        """0 if the request may go ahead, else seconds until it may."""
        now = time.monotonic()
        with self._lock:
            tokens, last = self._buckets.get(client, (self.burst, now))
            tokens = min(self.burst, tokens + (now - last) * self.rate)
            if len(self._buckets) >= self.max_clients and client not in self._buckets:
                self._buckets.clear()  # bounded memory under address churn
            if tokens >= 1.0:
                self._buckets[client] = (tokens - 1.0, now)
                return 0.0
            self._buckets[client] = (tokens, now)
            return (1.0 - tokens) / self.rate


def allowed_origins(value: object) -> set[str]:
    """``CORS_ORIGINS`` as a set: a list, or a comma/space separated string."""
    if not value:
        return set()
    items = value if isinstance(value, (list, tuple, set)) else str(value).replace(",", " ").split()
    return {str(o).rstrip("/") for o in items if o}


def register(app: Flask, prefix: str = "/api") -> None:
    """CORS for every answer under ``prefix`` (errors too), and the optional rate limit."""
    origins = allowed_origins(app.config.get("CORS_ORIGINS"))
    per_minute = int(app.config.get("RATE_LIMIT") or 0)
    limiter = RateLimiter(per_minute) if per_minute > 0 else None

    @app.before_request
    def rate_limit() -> Response | None:
        if limiter is None or request.method == "OPTIONS":
            return None
        op = operation_of(app, request.endpoint)
        if op is None or not op.rate_limited:
            return None
        wait = limiter.allow(request.remote_addr or "-")
        if not wait:
            return None
        resp = error_response(429, "too many searches; slow down", {"rate_limit": [f"{per_minute} per minute"]})
        resp.headers["Retry-After"] = str(max(1, round(wait)))
        return resp

    @app.after_request
    def cors(resp: Response) -> Response:
        if not request.path.startswith(prefix + "/"):
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
