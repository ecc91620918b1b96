"""Plain data in and out of :func:`search.engine.search` (shared by CLI and API)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

SORTS = ("relevance", "date", "-date")
MAX_PER_PAGE = 100
#: Results beyond this rank cannot be paged to (narrow the search instead).
MAX_DEPTH = 1000
FACET_FIELDS = ("source", "author", "category", "tag", "month")


@dataclass
class SearchRequest:
    """What to search for.  Filters are exact values; several values of one
    filter are alternatives (OR), except ``tag``, where every tag is required."""

    q: str
    page: int = 1
    per_page: int = 10
    sort: str = "relevance"
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    source: list[str] = field(default_factory=list)
    author: list[str] = field(default_factory=list)
    category: list[str] = field(default_factory=list)
    tag: list[str] = field(default_factory=list)
    facets: bool = False
    fragments: int = 3
    fragment_size: int = 100


@dataclass
class Hit:
    id: str
    title: str
    subtitle: str
    date: dt.date | None
    source: str
    author: str
    url: str
    score: float
    highlights: dict[str, Any]
    category: str = ""
    tags: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "subtitle": self.subtitle,
            "date": self.date.isoformat() if self.date else None,
            "source": self.source,
            "author": self.author,
            "category": self.category,
            "tags": self.tags,
            "url": self.url,
            "score": self.score,
            "highlights": self.highlights,
        }


@dataclass
class SearchResult:
    total: int
    page: int
    per_page: int
    took_ms: float
    hits: list[Hit]
    facets: dict[str, list[dict[str, Any]]] | None = None
    snapshot: str = ""

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "total": self.total,
            "page": self.page,
            "per_page": self.per_page,
            "took_ms": self.took_ms,
            "hits": [h.to_dict() for h in self.hits],
        }
        if self.facets is not None:
            out["facets"] = self.facets
        return out
