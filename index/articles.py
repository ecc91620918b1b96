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
)


@dataclass
class Article:
    """One news article.

    ``body`` holds paragraphs separated by ``"\\n"``.  ``origin`` and ``line``
    say where the article was read (file path and 1-based line), so problems
    and ``update --prune`` can refer back to it; they are not part of the
    article's identity.
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
    extra: dict[str, Any] = field(default_factory=dict)
    origin: str = ""
    line: int = 0

    def __post_init__(self) -> None:
        if not self.id:
            self.id = derive_id(self.source, self.date, self.title, self.body)

    @property
    def paragraphs(self) -> list[str]:
        return [p for p in self.body.split("\n") if p.strip()]

    def to_dict(self) -> dict[str, Any]:
        """The article as JSON-ready data (the shape of ``newsearch parse --json``)."""
        out: dict[str, Any] = {
            "id": self.id,
            "title": self.title,
            "subtitle": self.subtitle,
            "author": self.author,
            "source": self.source,
            "date": self.date.isoformat() if self.date else None,
            "url": self.url,
            "category": self.category,
            "tags": list(self.tags),
            "body": self.body,
        }
        if self.extra:
            out["extra"] = self.extra
        out["origin"] = f"{self.origin}:{self.line}" if self.origin else ""
        return out


@dataclass(frozen=True)
class Problem:
    """Why one piece of input was skipped; printed as ``file:line: reason``."""

    path: str
    line: int
    reason: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.reason}"


_SPACE = re.compile(r"\s+")


def derive_id(source: str, date: dt.date | None, title: str, body: str = "") -> str:
    """A stable id for an article that came without one.

    It depends only on source, date and title (whitespace-collapsed), so a
    rebuild from the same files gives every article the same id again; the
    body is used only when there is no title.
    """
    key_title = _SPACE.sub(" ", title).strip() or _SPACE.sub(" ", body).strip()[:200]
    key = "\x1f".join([source.strip(), date.isoformat() if date else "", key_title])
    return hashlib.sha1(key.encode("utf-8")).hexdigest()[:16]
