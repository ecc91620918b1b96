"""newsearch's web application: the JSON API, the search page and the widget.

``create_app(config=None)`` follows Flask's tutorial: defaults, then the
environment (``NEWSEARCH_*`` variables, via ``from_prefixed_env``), then the
``config`` mapping (tests).  Routes live in blueprints — ``api.views.bp``
(mounted at ``/api``), ``api.docs.bp`` and ``api.pages.bp`` — so an
intranet's own Flask app can mount them under a prefix.

===================  =========================  ==========================================
setting              environment                default / meaning
===================  =========================  ==========================================
INDEX_DIR            NEWSEARCH_INDEX_DIR        ``var/index``: the index directory
CORS_ORIGINS         NEWSEARCH_CORS_ORIGINS     none: origins allowed to call the API
                                                (list, or comma-separated string; ``*`` all)
REFRESH_INTERVAL     NEWSEARCH_REFRESH_INTERVAL ``0.5`` s between checks for a new snapshot
CACHE_MAX_AGE        NEWSEARCH_CACHE_MAX_AGE    ``30`` s a proxy may reuse an answer
RATE_LIMIT           NEWSEARCH_RATE_LIMIT       ``0`` (off): searches a minute per client
                                                and worker; past it a JSON 429
===================  =========================  ==========================================

Production: ``gunicorn -w 4 -b 127.0.0.1:8000 "api:create_app()"`` behind the
intranet's reverse proxy.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from flask import Flask

DEFAULTS: dict[str, Any] = {
    "INDEX_DIR": "var/index",
    "CORS_ORIGINS": "",
    "REFRESH_INTERVAL": 0.5,
    "CACHE_MAX_AGE": 30,
    "RATE_LIMIT": 0,
}


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    from index.store import StoreError
    from search.engine import SearchIndex

    from . import docs, errors, http, pages, views

    app = Flask(__name__)
    # Article ids may contain "/" (as %2F); never rewrite them into a redirect.
    app.url_map.merge_slashes = False
    app.config.from_mapping(DEFAULTS)
    app.config.from_prefixed_env("NEWSEARCH")
    if config:
        app.config.from_mapping(config)
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    app.json.sort_keys = False  # type: ignore[attr-defined]
    index = SearchIndex(os.fspath(app.config["INDEX_DIR"]), refresh_interval=float(app.config["REFRESH_INTERVAL"]))
    app.extensions["newsearch"] = index
    try:  # open the index (and load jieba) now rather than in the first request
        index.acquire()
    except StoreError as exc:
        app.logger.warning("no index loaded yet: %s", exc)
    errors.register(app)
    http.register(app)
    app.register_blueprint(views.bp, url_prefix="/api")
    app.register_blueprint(docs.bp, url_prefix="/api")
    app.register_blueprint(pages.bp)
    return app
