"""The app's index: opened by :func:`api.init_app`, read by views and pages."""

from __future__ import annotations

from flask import current_app

from search.snapshots import SearchIndex

EXTENSION = "newsearch"


def live_index() -> SearchIndex:
    """The one accessor of the app's :class:`SearchIndex` (views, pages, ETags)."""
    index: SearchIndex = current_app.extensions[EXTENSION]
    return index
