"""Plain data in and out of :func:`search.engine.search`, and the one
definition of every limit and choice a search request has.

The API's marshmallow schema, the OpenAPI document, the CLI's options, the
search page and the engine all derive their checks from the names below, so
a limit changed here changes everywhere (and is documented everywhere) at
once.  :func:`check_request` is the whole rule for a request's parameters;
the query string itself is checked by :mod:`search.grammar`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

#: Orders a result can be sorted in: by relevance, oldest first, newest first.
SORTS = ("relevance", "date", "-date")
#: Characters in ``q``: a pasted paragraph of 1,000 characters fits with its
#: quotes and a scope.  A deployment may lower it (``MAX_QUERY_CHARS``), never raise it.
MAX_QUERY_CHARS = 1100
#: Terms and phrases in one query (each alias expansion is not counted).
MAX_QUERY_TERMS = 32
#: Levels of nested parentheses in one query.
MAX_PAREN_DEPTH = 16
#: Results that can be paged to: ``page * per_page`` may not exceed it.
MAX_RESULT_DEPTH = 1000
#: Seconds a search may take before it is refused as too expensive (a
#: deployment sets its own: ``TIME_BUDGET``); exports are exempt.
DEFAULT_TIME_BUDGET = 2.0
#: Time units a result's histogram can count by (``histogram=``).
HISTOGRAMS = ("year", "month", "day")
HISTOGRAM_MESSAGE = f"histogram must be one of {', '.join(HISTOGRAMS)}"
#: ``collapse=``: ``story`` gives one hit per story; ``none`` (as absent) every matching article.
COLLAPSES = ("story", "none")
COLLAPSE_MESSAGE = f"collapse must be one of {', '.join(COLLAPSES)}"
#: Filters of a request (exact values; several values of one are OR-ed, tags AND-ed).
FILTERS = ("source", "author", "category", "tag")
#: The ``expand`` parameter: whether unquoted terms that name a vocabulary
#: entry also match its other names (README, "The vocabulary").
EXPAND_DEFAULT = True
EXPAND_DESCRIPTION = ("Widen each unquoted term that is a vocabulary name or alias to the entry's other names "
                      "(each an exact match; the response's expanded says which); false: search only what was typed.")
#: Fields a query term may be scoped to (``title:…``); ``date:`` takes a range.
#: ``person:``, ``place:`` and ``org:`` find the articles tagged with that entity (issue 14).
QUERY_FIELDS = ("title", "subtitle", "body", "author", "source", "category", "tag", "person", "place", "org",
                "date")


@dataclass(frozen=True)
class IntParam:
    """An integer parameter of a search request: its default and bounds."""

    name: str
    default: int
    minimum: int
    maximum: int
    description: str

    def message(self) -> str:
        """What is wrong with a value out of bounds (the one wording of every front end)."""
        return f"{self.name} must be between {self.minimum} and {self.maximum}"

    def problem(self, value: int) -> str | None:
        return None if self.minimum <= value <= self.maximum else self.message()


INT_PARAMS: dict[str, IntParam] = {p.name: p for p in (
    IntParam("page", 1, 1, MAX_RESULT_DEPTH,
             f"Page number, from 1; page × per_page may not exceed {MAX_RESULT_DEPTH}."),
    IntParam("per_page", 10, 1, 100, "Hits per page."),
    IntParam("fragments", 3, 0, 10, "Body fragments per hit (0: none)."),
    IntParam("fragment_size", 100, 20, 500, "About how many characters a fragment has."),
)}
MAX_PER_PAGE = INT_PARAMS["per_page"].maximum
#: Related articles of one article (``GET /api/articles/<id>/related?limit=``).
RELATED_LIMIT = IntParam("limit", 10, 1, 50, "Related articles to return.")

SORT_MESSAGE = f"sort must be one of {', '.join(SORTS)}"
#: The semantic 400s of a search: requests whose every parameter is valid on
#: its own but that cannot be answered (the OpenAPI document lists them).
DEPTH_MESSAGE = (f"cannot page past the first {MAX_RESULT_DEPTH} results; narrow the search "
                 "with more terms or filters")


class RequestError(ValueError):
    """A request (or its query) cannot be run; ``field`` names the culprit,
    ``message`` says why in the user's terms."""

    def __init__(self, message: str, field: str = "q") -> None:
        super().__init__(message)
        self.message = message
        self.field = field


@dataclass
class SearchRequest:
    """What to search for.  Filters are exact values; several values of one
    filter are alternatives (OR), except ``tag``, where every tag is required."""

    q: str
    page: int = INT_PARAMS["page"].default
    per_page: int = INT_PARAMS["per_page"].default
    sort: str = SORTS[0]
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    source: list[str] = field(default_factory=list)
    author: list[str] = field(default_factory=list)
    category: list[str] = field(default_factory=list)
    tag: list[str] = field(default_factory=list)
    facets: bool = False
    fragments: int = INT_PARAMS["fragments"].default
    fragment_size: int = INT_PARAMS["fragment_size"].default
    histogram: str | None = None
    expand: bool = EXPAND_DEFAULT
    #: ``story``: one hit per story (see :mod:`search.stories`); None or ``none``: every article.
    collapse: str | None = None


def check_request(req: SearchRequest) -> None:
    """Raise :class:`RequestError` for the first parameter of ``req`` that is
    out of bounds, or for a page past :data:`MAX_RESULT_DEPTH`."""
    for param in INT_PARAMS.values():
        problem = param.problem(getattr(req, param.name))
        if problem:
            raise RequestError(problem, param.name)
    if req.page * req.per_page > MAX_RESULT_DEPTH:
        raise RequestError(DEPTH_MESSAGE, "page")
    if req.sort not in SORTS:
        raise RequestError(SORT_MESSAGE, "sort")
    if req.date_from and req.date_to and req.date_from > req.date_to:
        raise RequestError("date_from is after date_to", "date_from")
    if req.histogram is not None and req.histogram not in HISTOGRAMS:
        raise RequestError(HISTOGRAM_MESSAGE, "histogram")
    if req.collapse is not None and req.collapse not in COLLAPSES:
        raise RequestError(COLLAPSE_MESSAGE, "collapse")


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
    kicker: str = ""
    authors: list[str] = field(default_factory=list)
    page: str = ""
    teaser: bool = False
    #: The names (as typed or as the vocabulary writes them) of a widened
    #: term that occur in this article; None when nothing was widened.
    matched: list[str] | None = None
    #: With ``collapse=story``: the story id and the story's other versions.
    story: str | None = None
    versions: list[dict[str, Any]] | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kicker": self.kicker,
            "title": self.title,
            "subtitle": self.subtitle,
            "date": self.date.isoformat() if self.date else None,
            "source": self.source,
            "author": self.author,
            "authors": self.authors,
            "category": self.category,
            "tags": self.tags,
            "url": self.url,
            "page": self.page,
            "teaser": self.teaser,
            "score": self.score,
            "highlights": self.highlights,
            **({"matched": self.matched} if self.matched is not None else {}),
        } | ({} if self.versions is None else {
            "story": self.story,
            "versions": [dict(v, date=v["date"].isoformat() if v["date"] else None) for v in self.versions]})


@dataclass
class SearchResult:
    total: int
    page: int
    per_page: int
    took_ms: float
    hits: list[Hit]
    facets: dict[str, list[dict[str, Any]]] | None = None
    snapshot: str = ""
    #: ``[{"key": "2023-07", "count": n}, …]`` in key order, when asked
    histogram: list[dict[str, Any]] | None = None
    #: term as typed → the other names it also matched (only terms that widened)
    expanded: dict[str, list[str]] | None = None
    #: With ``collapse=story``: how many stories the matching articles belong to.
    stories: int | None = None
    #: ``[{"q": "郑州", "total": n}, …]``: queries finding more, when this one found few
    did_you_mean: list[dict[str, Any]] | None = None

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
        if self.histogram is not None:
            out["histogram"] = self.histogram
        if self.expanded:
            out["expanded"] = self.expanded
        if self.stories is not None:
            out["stories"] = self.stories
        if self.did_you_mean:
            out["did_you_mean"] = self.did_you_mean
        return out
