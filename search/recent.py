"""The matching articles most recently added to the index (what a feed lists).

"Added" is the article's ``indexed_at`` (:mod:`index.stamps`), not its
date: a back-dated article indexed today comes first, so it still reaches
subscribers.  The matching set is the search's own (the same query,
filters and exactness); the order is ``indexed_at`` newest first, then the
article's date newest first (an article without a date after dated ones),
then docnum — one numpy selection over the match, whatever its size.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from index.articles import Article
from index.schema import stored_to_article

from .engine import global_docs, top_k
from .execute import Deadline, Executor, highlight_needles
from .grammar import parse
from .models import DEFAULT_TIME_BUDGET, SearchRequest, check_request
from .snapshots import NO_DATE, SearchIndex
from .snippets import MARK_CLOSE, MARK_OPEN, fragments

#: Entries of a feed: the one definition (the API documents it from here).
FEED_ENTRIES = 50


@dataclass
class RecentArticle:
    """One of the most recently indexed matches."""

    article: Article
    #: When it was indexed (UTC).
    indexed_at: dt.datetime
    #: Plain text around the query's best matches (body fragments joined by ``…``).
    summary: str


@dataclass
class RecentResult:
    total: int
    articles: list[RecentArticle]
    snapshot: str
    #: When the snapshot was written (its ``built_at``), for a feed with no entries.
    built_at: str | None


def recent(index: SearchIndex, req: SearchRequest, limit: int = FEED_ENTRIES,
           budget: float | None = DEFAULT_TIME_BUDGET) -> RecentResult:
    """The ``limit`` articles matching ``req`` most recently indexed, newest first.

    ``req``'s page, per_page and sort do not apply; its fragments and
    fragment_size shape the summaries.  A bad query raises
    :class:`~search.models.RequestError` as a search does.
    """
    check_request(req)
    node = parse(req.q)
    with index.lease() as opened:
        deadline = Deadline(budget)
        executor = Executor(opened, opened.segments(), deadline)
        docs = global_docs(executor.segments, executor.matching(node, req))
        stamps = opened.indexed_times()[docs]
        dates = opened.dates()[docs]
        dated = np.where(dates == NO_DATE, np.int64(-1), dates)
        order = top_k(docs, stamps, dated, limit)
        needles = highlight_needles(node, opened.query_words)["body"]
        searcher = opened.searcher()
        out = []
        for i in order.tolist():
            art = stored_to_article(searcher.stored_fields(int(docs[i])))
            when = dt.datetime.fromtimestamp(int(stamps[i]), dt.timezone.utc)
            out.append(RecentArticle(art, when, plain_summary(art, needles, req)))
        return RecentResult(total=len(docs), articles=out, snapshot=opened.snapshot.name,
                            built_at=opened.meta.get("built_at"))


def plain_summary(art: Article, needles: list[str], req: SearchRequest) -> str:
    """The body's fragments around the query as plain text (the marks
    dropped, the escaping undone: verbatim pieces of the article)."""
    from html import unescape

    parts = fragments(art.body, needles, max(1, req.fragments), req.fragment_size)
    text = " … ".join(unescape(p.replace(MARK_OPEN, "").replace(MARK_CLOSE, "")) for p in parts)
    return text or art.summary or art.title
