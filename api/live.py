"""The app's index (opened by :func:`api.init_app`) and its search settings, for views and pages."""

from __future__ import annotations

from flask import current_app

from search.snapshots import SearchIndex

EXTENSION = "newsearch"
#: ``app.extensions`` key of the warm-up thread (None when off or without an index).
WARM_UP_THREAD = "newsearch.warm_up"


def live_index() -> SearchIndex:
    """The one accessor of the app's :class:`SearchIndex` (views, pages, ETags)."""
    index: SearchIndex = current_app.extensions[EXTENSION]
    return index


def time_budget() -> float | None:
    """Seconds a search may take in this app (``TIME_BUDGET``; 0: no limit)."""
    budget = float(current_app.config["TIME_BUDGET"])
    return budget if budget > 0 else None
