"""The article record every source produces and the index stores.

An :class:`Article` is what the importer hands to the index builder; a
:class:`Problem` is what it reports instead when input is bad.  Both are
plain data so that ``newsearch parse`` can print them without an index.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass, field
from typing import Any

#: Fields an article has; anything else found in a source is kept in ``extra``.
KNOWN_FIELDS = (
    "id",
    "title",
    "subtitle",
    "body",
    "date",
    "source",
    "author",
    "url",
    "category",
    "tags",
    "kicker",
    "summary",
    "authors",
    "page",
    "page_no",
    "section",
    "teaser",
)


@dataclass
class Article:
    """One news article.

    ``body`` holds paragraphs separated by ``"\\n"``.  ``origin`` and ``line``
    say where the article was read (file path and 1-based line), so problems
    and ``update --prune`` can refer back to it; they are not part of the
    article's identity.

    ``kicker`` is the 引题 line above the headline, ``summary`` the 提要 lines
    before the lead (one a line).  ``author`` is the display string;
    ``authors`` the names alone (roles such as 通讯员 dropped), for filters
    and facets.  ``page`` is the page as the source gave it (``第6/7版:上海新闻``,
    ``1``), ``page_no`` its first number and ``section`` its name where present.
    ``teaser`` marks a front-page pointer (``>>>详见…``) rather than an article.

    ``parse`` says how a page reader cut the article out (which cue started
    and ended it, and how sure it was); like ``origin`` it is a diagnostic,
    not part of the article: :meth:`to_dict` leaves it out unless asked.
    """

    title: str = ""
    body: str = ""
    id: str = ""
    subtitle: str = ""
    date: dt.date | None = None
    source: str = ""
    author: str = ""
    url: str = ""
    category: str = ""
    tags: list[str] = field(default_factory=list)
    kicker: str = ""
    summary: str = ""
    authors: list[str] = field(default_factory=list)
    page: str = ""
    page_no: int | None = None
    section: str = ""
    teaser: bool = False
    extra: dict[str, Any] = field(default_factory=dict)
    origin: str = ""
    line: int = 0
    parse: ParseInfo | None = None

    def __post_init__(self) -> None:
        if not self.id:
            self.id = derive_id(self.source, self.date, self.title, self.body)

    @property
    def paragraphs(self) -> list[str]:
        return [p for p in self.body.split("\n") if p.strip()]

    def to_dict(self, diagnostics: bool = False) -> dict[str, Any]:
        """The article as JSON-ready data (the shape of ``newsearch parse --json``).

        With ``diagnostics``, also how the page reader cut it (``parse``);
        without, the data depends only on the article itself, so
        :func:`index.schema.content_digest` of it is deterministic.
        """
        out: dict[str, Any] = {
            "id": self.id,
            "kicker": self.kicker,
            "title": self.title,
            "subtitle": self.subtitle,
            "author": self.author,
            "authors": list(self.authors),
            "source": self.source,
            "date": self.date.isoformat() if self.date else None,
            "url": self.url,
            "category": self.category,
            "tags": list(self.tags),
            "page": self.page,
            "page_no": self.page_no,
            "section": self.section,
            "teaser": self.teaser,
            "summary": self.summary,
            "body": self.body,
        }
        if self.extra:
            out["extra"] = self.extra
        out["origin"] = f"{self.origin}:{self.line}" if self.origin else ""
        if diagnostics and self.parse is not None:
            out["parse"] = self.parse.to_dict()
        return out


#: Below this confidence a page reader's decision is *uncertain*: ``newsearch
#: parse`` reports it as a problem (exit 3); ``build``/``update`` index the
#: best reading and log a warning.  See :class:`ParseInfo`.
UNCERTAIN_BELOW = 0.7


@dataclass
class ParseInfo:
    """How a page reader cut one article out of a page (diagnostics only).

    ``start`` and ``end`` name the cue that began and ended the article
    (e.g. ``page-start``, ``after-byline``, ``opening-byline``,
    ``closing-byline``, ``next-headline``, ``page-end``).  ``confidence`` is
    the reader's certainty, 0..1, that both boundaries are right and that no
    boundary inside the article was missed: 1.0 when an explicit cue settles
    it, 0.5 when the two readings score the same.  Below
    :data:`UNCERTAIN_BELOW` the article is uncertain; ``doubt`` then says why.
    """

    start: str
    end: str
    confidence: float = 1.0
    doubt: str = ""

    @property
    def uncertain(self) -> bool:
        return self.confidence < UNCERTAIN_BELOW

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"start": self.start, "end": self.end,
                               "confidence": round(self.confidence, 3)}
        if self.doubt:
            out["doubt"] = self.doubt
        return out


@dataclass(frozen=True)
class Problem:
    """Why one piece of input was skipped; printed as ``file:line: reason``.

    A problem of ``severity="warning"`` skipped nothing: the input was read
    (e.g. its best reading of an uncertain article split) but an operator
    should look at it.  Readers keep warnings in their own list, so callers
    that count problems as skipped input never count them.
    """

    path: str
    line: int
    reason: str
    severity: str = "error"

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.reason}"


_SPACE = re.compile(r"\s+")


def derive_id(source: str, date: dt.date | None, title: str, body: str = "",
              place: str | None = None) -> str:
    """A stable id for an article that came without one.

    It depends only on source, date, title (whitespace-collapsed) and, for
    articles cut from pages or CSV rows, ``place`` — the page (or file) and
    the article's position in it — so a rebuild from the same files gives
    every article the same id again, and two articles with the same
    headline on one day (导读, briefs) get different ids.  The body is used
    only when there is no title.
    """
    key_title = _SPACE.sub(" ", title).strip() or _SPACE.sub(" ", body).strip()[:200]
    parts = [source.strip(), date.isoformat() if date else "", key_title]
    if place is not None:
        parts.append(place)
    key = "\x1f".join(parts)
    return hashlib.sha1(key.encode("utf-8")).hexdigest()[:16]
