"""newsearch's web application: the JSON API, the search page and the widget.

``create_app(config=None)`` follows Flask's tutorial: defaults, then the
environment (``NEWSEARCH_*`` variables, via ``from_prefixed_env``), then the
``config`` mapping (tests).  Routes live in blueprints — ``api.views.bp``
and ``api.docs.bp`` (mounted at ``/api``), ``api.pages.bp`` at ``/``.  An
intranet's own Flask app mounts the API under any prefix with
``init_app(app, "/news/api")`` (settings below go in that app's config).

===================  =========================  ==========================================
setting              environment                default / meaning
===================  =========================  ==========================================
INDEX_DIR            NEWSEARCH_INDEX_DIR        ``var/index``: the index directory
CORS_ORIGINS         NEWSEARCH_CORS_ORIGINS     none: origins allowed to call the API
                                                (list, or comma-separated string; ``*`` all)
REFRESH_INTERVAL     NEWSEARCH_REFRESH_INTERVAL ``0.5`` s between checks for a new snapshot
CACHE_MAX_AGE        NEWSEARCH_CACHE_MAX_AGE    ``30`` s a proxy may reuse an answer
MAX_QUERY_CHARS      NEWSEARCH_MAX_QUERY_CHARS  ``1100``: longer ``q`` is a 400 (can only lower
                                                the engine's own limit,
                                                ``search.models.MAX_QUERY_CHARS``)
RATE_LIMIT           NEWSEARCH_RATE_LIMIT       ``0`` (off): searches a minute per client
                                                and worker; past it a JSON 429
EXPORT_CONCURRENCY   NEWSEARCH_EXPORT_CONCURRENCY ``2``: exports running at once per worker;
                                                more get a JSON 429
TIME_BUDGET          NEWSEARCH_TIME_BUDGET      ``2.0`` s a search may take; past it a JSON
                                                400 on ``q`` saying how to narrow it
                                                (``0``: no limit)
PUBLIC_URL           NEWSEARCH_PUBLIC_URL       none: the URL of this app's root as readers
                                                reach it (feeds' absolute links); else the
                                                request's host URL
WARM_UP              NEWSEARCH_WARM_UP          ``true``: at start, read every article's dates,
                                                facets, stories and suggestions in a background
                                                thread (seconds at a million articles) instead
                                                of in the first page search; ``false``: not
===================  =========================  ==========================================

Production: ``gunicorn -w 4 -b 127.0.0.1:8000 "api:create_app()"`` behind the
intranet's reverse proxy.
"""

from __future__ import annotations

import atexit
import os
import threading
import time
import weakref
from collections.abc import Mapping
from typing import Any

from flask import Flask

from search.models import DEFAULT_TIME_BUDGET, MAX_QUERY_CHARS

DEFAULTS: dict[str, Any] = {
    "INDEX_DIR": "var/index",
    "CORS_ORIGINS": "",
    "REFRESH_INTERVAL": 0.5,
    "CACHE_MAX_AGE": 30,
    "MAX_QUERY_CHARS": MAX_QUERY_CHARS,
    "RATE_LIMIT": 0,
    "TIME_BUDGET": DEFAULT_TIME_BUDGET,
    "EXPORT_CONCURRENCY": 2,
    "PUBLIC_URL": "",
    "WARM_UP": True,
}


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """The whole service: the JSON API at ``/api``, its docs, the search page and the widget."""
    from . import errors, pages

    app = Flask(__name__)
    # Article ids may contain "/" (as %2F); never rewrite them into a redirect.
    app.url_map.merge_slashes = False
    app.config.from_mapping(DEFAULTS)
    app.config.from_prefixed_env("NEWSEARCH")
    if config:
        app.config.from_mapping(config)
    init_app(app, "/api")
    errors.register(app)  # JSON for every error here, unknown routes included
    app.register_blueprint(pages.bp)
    return app


def _warm_up(app: Flask, index: Any) -> None:
    from search.engine import warm_up

    started = time.monotonic()
    try:
        warm_up(index)
    except Exception as exc:  # a snapshot switch or shutdown meanwhile: the first search reads them instead
        app.logger.warning("warm-up stopped: %s", exc)
    else:
        app.logger.info("warm-up: dates, facets, stories and suggestions read in %.1f s",
                        time.monotonic() - started)


def _close_at_exit(ref: weakref.ReferenceType[Any]) -> None:
    index = ref()
    if index is not None:
        index.close()


def init_app(app: Flask, url_prefix: str = "/api") -> None:
    """Mount the JSON API and its docs on ``app`` (an intranet's own app too) under ``url_prefix``.

    Settings missing from ``app.config`` take their defaults; the index opens
    into ``app.extensions["newsearch"]``.  Errors raised by the API's views are
    JSON of the one error shape (the blueprints carry their handlers); the host
    app's own pages and error pages are left alone.  The app's JSON becomes
    UTF-8 (``ensure_ascii`` off) with keys in schema order.
    """
    from index.store import StoreError
    from search.snapshots import SearchIndex

    from . import docs, http, live, views

    for key, value in DEFAULTS.items():
        app.config.setdefault(key, value)
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    app.json.sort_keys = False  # type: ignore[attr-defined]
    index = SearchIndex(os.fspath(app.config["INDEX_DIR"]), refresh_interval=float(app.config["REFRESH_INTERVAL"]))
    app.extensions[live.EXTENSION] = index
    app.extensions[views.EXPORT_SLOTS] = threading.BoundedSemaphore(max(1, int(app.config["EXPORT_CONCURRENCY"])))
    # The index lives as long as the app: closed at exit, never by __del__.
    atexit.register(_close_at_exit, weakref.ref(index))
    app.extensions[live.WARM_UP_THREAD] = None
    try:  # open the index (and load jieba) now rather than in the first request
        index.acquire()
    except StoreError as exc:
        app.logger.warning("no index loaded yet: %s", exc)
    else:
        if app.config["WARM_UP"]:
            thread = threading.Thread(target=_warm_up, args=(app, index), name="newsearch-warm-up", daemon=True)
            app.extensions[live.WARM_UP_THREAD] = thread
            thread.start()
    prefix = "/" + url_prefix.strip("/") if url_prefix.strip("/") else ""
    http.register(app, prefix)
    app.register_blueprint(views.bp, url_prefix=prefix)
    app.register_blueprint(docs.bp, url_prefix=prefix)
