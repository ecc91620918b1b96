"""A parsed query (:mod:`search.grammar`) translated into Whoosh queries.

:class:`QueryCompiler` gives, for one snapshot's lexicons, the query that
decides which documents match (exactly the substring contract, over the
character n-gram fields of :mod:`index.schema`), the query that only ranks
them (BM25F over jieba words, phrase boosts), and the normalized strings to
highlight per field.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from whoosh import query as wq
from whoosh.query.spans import SpanWrappingMatcher, WrappingSpan

from index.analysis import bigrams
from index.normalization import match_text
from index.schema import FIELD_BASE, TEXT_FIELDS

from .grammar import And, DateRange, Leaf, Node, Not, Or

#: Score multiplier when a term's jieba words stand together in a field.
PHRASE_BOOST = 2.0
#: The index field holding the matching form of each metadata scope's values.
META_SCOPES = {"author": "author_m", "source": "source_m", "category": "category_m", "tag": "tags_m"}


class FieldWindow(WrappingSpan):
    """Matches where the wrapped span query matches inside ``[start, end)``.

    ``text_ng``/``text_c1`` hold title, subtitle and body at different
    position ranges (:data:`index.schema.FIELD_BASE`); this scopes a
    substring query to one of them.
    """

    def __init__(self, q: Any, start: int, end: int) -> None:
        self.q = q
        self.start = start
        self.end = end

    def __eq__(self, other: object) -> bool:
        return (isinstance(other, FieldWindow) and self.q == other.q
                and self.start == other.start and self.end == other.end)

    def __hash__(self) -> int:
        return hash(self.q) ^ hash((self.start, self.end))

    def estimate_size(self, ixreader: Any) -> int:
        return int(self.q.estimate_size(ixreader))

    def estimate_min_size(self, ixreader: Any) -> int:
        return 0

    def matcher(self, searcher: Any, context: Any = None) -> Any:
        m = self._subm(searcher, context)
        return FieldWindow.Matcher(m, self.start, self.end)

    class Matcher(SpanWrappingMatcher):
        def __init__(self, child: Any, start: int, end: int) -> None:
            self.start = start
            self.end = end
            super().__init__(child)

        def copy(self) -> Any:
            return self.__class__(self.child.copy(), self.start, self.end)

        def _replacement(self, newchild: Any) -> Any:
            return self.__class__(newchild, self.start, self.end)

        def _get_spans(self) -> list[Any]:
            return [s for s in self.child.spans() if self.start <= s.start and s.end < self.end]


def _window(name: str) -> tuple[int, int]:
    bases = sorted(FIELD_BASE.values())
    start = FIELD_BASE[name]
    later = [b for b in bases if b > start]
    return start, (later[0] if later else 1 << 62)


def substring_query(norm: str, scope: str | None = None) -> Any:
    """Docs whose field (or any text field) contains the normalized ``norm``."""
    if len(norm) == 1:
        q: Any = wq.Term("text_c1", norm)
    elif len(norm) == 2:
        q = wq.Term("text_ng", norm)
    else:
        q = wq.Phrase("text_ng", bigrams(norm))
    if scope is not None:
        q = FieldWindow(q, *_window(scope))
    return q


@dataclass
class Compiled:
    """A parsed query, ready to run.

    ``matching`` decides which documents match (exactly the substring
    contract); ``scoring`` only ranks them (BM25F over jieba words, phrase
    boosts); ``needles`` are the normalized strings to highlight, per field.
    """

    matching: Any
    scoring: Any | None
    needles: dict[str, list[str]]


class QueryCompiler:
    """Turns an AST into Whoosh queries for one index's lexicons."""

    def __init__(self, analyzer: Any, meta_terms: Any) -> None:
        #: the index's word analyzer; ``meta_terms(fieldname) -> list[str]``
        #: gives the lexicon of a ``*_m`` field.
        self.analyzer = analyzer
        self.meta_terms = meta_terms

    def words(self, text: str) -> list[str]:
        """The jieba words of ``text`` as the index has them (query mode: no sub-words)."""
        return [t.text for t in self.analyzer(text, mode="query")]

    def compile(self, node: Node) -> Compiled:
        needles: dict[str, list[str]] = {name: [] for name in TEXT_FIELDS}
        scoring: list[Any] = []
        matching = self._match(node, needles, scoring, negated=False)
        return Compiled(matching, wq.Or(scoring) if scoring else None, needles)

    def _match(self, node: Node, needles: dict[str, list[str]], scoring: list[Any], negated: bool) -> Any:
        if isinstance(node, And):
            return wq.And([self._match(c, needles, scoring, negated) for c in node.children])
        if isinstance(node, Or):
            return wq.Or([self._match(c, needles, scoring, negated) for c in node.children])
        if isinstance(node, Not):
            inner = self._match(node.child, needles, scoring, not negated)
            return wq.Not(inner)
        if isinstance(node, DateRange):
            start = dt.datetime.combine(node.start, dt.time.min) if node.start else None
            end = dt.datetime.combine(node.end, dt.time.max) if node.end else None
            return wq.DateRange("date", start, end)
        return self._leaf(node, needles, scoring, negated)

    def _leaf(self, leaf: Leaf, needles: dict[str, list[str]], scoring: list[Any], negated: bool) -> Any:
        norm = match_text(leaf.text)
        if leaf.field in META_SCOPES:
            fieldname = META_SCOPES[leaf.field]
            terms = [t for t in self.meta_terms(fieldname) if norm in t]
            return wq.Or([wq.Term(fieldname, t) for t in terms]) if terms else wq.NullQuery
        scope = leaf.field  # a text field or None
        fields = (scope,) if scope else TEXT_FIELDS
        if leaf.phrase:
            parts = [norm]
        else:
            parts = [w for w in dict.fromkeys(self.words(leaf.text)) if w] or [norm]
        matching = [substring_query(p, scope) for p in parts]
        if not negated:
            words = self.words(leaf.text)
            for f in fields:
                needles[f].append(norm)
                if not leaf.phrase:
                    needles[f].extend(p for p in parts if p != norm)
                scoring.extend(wq.Term(f, w) for w in dict.fromkeys(words))
                if len(words) > 1:
                    scoring.append(wq.Phrase(f, words, boost=PHRASE_BOOST))
        return matching[0] if len(matching) == 1 else wq.And(matching)


def highlight_needles(compiled: Compiled) -> dict[str, list[str]]:
    """Needles per field, longest first and without duplicates."""
    return {f: sorted(set(ns), key=len, reverse=True) for f, ns in compiled.needles.items()}
