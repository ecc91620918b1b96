"""A parsed query run over one snapshot's segments with numpy: the exact
matching set, its BM25F ranking, and what to highlight.

Matching follows the contract of :mod:`search.grammar` exactly: a term or
phrase matches a field iff its normalized text is a substring of the
field's normalized text.  In the index (:mod:`index.schema`), ``text_c1``
lists each character of each text field once (at the field's base
position) and ``text_ng`` every bigram with its positions, title, subtitle
and body at separate position ranges.  So:

* one character: the documents of that character (scoped: at the field's base);
* two characters: the documents of that bigram (scoped: a position inside
  the field's range);
* ``n >= 3`` characters: candidates are the documents holding every distinct
  bigram (rarest first) as often as the string needs it; a candidate
  matches where the bigrams at offsets ``0, 2, 4, …, n-2`` (which cover
  every character) stand at ``p, p+2, p+4, …`` for one start ``p`` —
  checked on their positions for the candidates only.

Ranking never adds or drops a document: scores are computed for the
matching set only (per-field BM25 over jieba words with the field boosts,
summed, as Whoosh's BM25F does), plus a bonus where a multi-word term's
words stand together in a field (its normalized text occurs in that field),
computed only for the documents whose score could still reach the page.

Every step checks a :class:`Deadline`, so a query too expensive to answer
within the request's time budget is refused with a reason instead of
holding a worker.
"""

from __future__ import annotations

import datetime as dt
import math
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from index.analysis import bigrams
from index.normalization import match_text
from index.schema import FIELD_BASE, MAX_FIELD_CHARS, SCOPES, TEXT_FIELDS

from .arrays import EMPTY, Postings, difference, intersect, union
from .entities import ENTITY_SCOPES, scope_docs
from .grammar import And, DateRange, Leaf, Node, Not, Or
from .models import RequestError, SearchRequest

#: Score multiplier of the words of a term where they stand together in a field.
PHRASE_BOOST = 2.0
#: A string of more distinct bigrams than this reads the posting lists of its
#: rarest ones first, then either the other lists or the candidates' stored
#: text, whichever :func:`_text_is_cheaper` says costs less (a pasted paragraph).
RAREST_BIGRAMS = 4
#: Costs in postings decoded (measured on the 300,000-article archive, 1,043
#: characters an article: 10-30 ns a posting with its positions, 245 µs to
#: read and normalize one article, tens of µs to find and start a list).
ARTICLE_POSTINGS = 10_000
LIST_POSTINGS = 1_000
#: How many of a long string's bigrams are looked up to find its rarest.
SAMPLE_BIGRAMS = 24
#: Words that rank a query at most: each term's first words, taken a round
#: over the terms at a time.  Every article a term finds holds all of its
#: words, so past a few dozen they hardly reorder the hits, while each costs
#: a frequency look-up in every segment and field: the words of a pasted
#: 1,000-character paragraph took a second at 1,000,000 articles.
RANKING_WORDS = 48
#: BM25 parameters (Whoosh's defaults, which the ranking was tuned with).
BM25_B = 0.75
BM25_K1 = 1.2
#: The index field holding the matching form of each metadata scope's values.
META_SCOPES = {"author": "author_m", "source": "source_m", "category": "category_m", "tag": "tags_m"}
#: Request filters and the exact-value field each one reads.
FILTER_FIELDS = {"source": "source", "author": "authors", "category": "category", "tag": "tags"}


def scope_fields(scope: str | None) -> tuple[str, ...]:
    """The text fields a term scoped to ``scope`` (None: unscoped) is looked for in."""
    return SCOPES[scope] if scope else TEXT_FIELDS


class QueryTooExpensive(RequestError):
    """The query could not be answered within the request's time budget."""

    def __init__(self, budget: float) -> None:
        super().__init__(f"the query is too expensive to answer within {budget:g} s: quote a shorter "
                         "phrase, add a more specific word, or narrow it with a date range or a source", "q")


class Deadline:
    """The time budget of one request (``None``: no limit)."""

    def __init__(self, seconds: float | None) -> None:
        self.seconds = seconds
        self.end = time.monotonic() + seconds if seconds else math.inf

    def check(self) -> None:
        if time.monotonic() > self.end:
            raise QueryTooExpensive(self.seconds or 0.0)


def _window(name: str) -> tuple[int, int]:
    """``[start, end)`` of a text field's positions in the n-gram fields."""
    start = FIELD_BASE[name]
    later = [b for b in FIELD_BASE.values() if b > start]
    return start, (min(later) if later else 1 << 62)


@dataclass
class Segment:
    """One segment as a query sees it: its reader, its docnum offset in the
    snapshot, its live documents, and cached posting lists."""

    reader: Any
    offset: int
    live: np.ndarray  # sorted local docnums not deleted
    postings_cache: Any  # (segment, field, term, positions) -> Postings | None
    key: str

    def postings(self, fieldname: str, term: str, positions: bool = True) -> Postings | None:
        """A term's posting list; without ``positions`` an n-gram field's
        list may come without them (a match that needs no positions)."""
        return self.postings_cache(self, fieldname, term, positions)


@dataclass
class TermInfo:
    """Collection statistics of one ranking word in one field."""

    idf: float
    avgdl: float


@dataclass
class Scoring:
    """What ranks a query: its non-negated terms, with their jieba words."""

    #: (scope or None, normalized term, its distinct words)
    terms: list[tuple[str | None, str, list[str]]] = field(default_factory=list)
    #: collection statistics per (field, word), computed once per request
    stats: dict[tuple[str, str], TermInfo] | None = None


class Executor:
    """Runs one parsed query (and a request's filters) over a snapshot."""

    def __init__(self, snapshot: Any, segments: list[Segment], deadline: Deadline) -> None:
        self.snapshot = snapshot
        self.segments = segments
        self.deadline = deadline
        self._texts: dict[tuple[str, int], dict[str, str]] = {}

    # -- matching ---------------------------------------------------------

    def matching(self, node: Node, req: SearchRequest | None = None) -> list[np.ndarray]:
        """Per segment, the sorted local docnums that match ``node`` and the
        request's filters (live documents only)."""
        out = []
        for seg in self.segments:
            docs = self._docs(node, seg)
            if req is not None:
                docs = self._filter(docs, seg, req)
            out.append(intersect(docs, seg.live))
            self.deadline.check()
        return out

    def _docs(self, node: Node, seg: Segment, within: np.ndarray | None = None) -> np.ndarray:
        """The documents of ``seg`` matching ``node`` (only among ``within``
        when given: an AND narrows each next operand to what the others left)."""
        self.deadline.check()
        if isinstance(node, Leaf):
            return self._leaf(node, seg, within)
        if isinstance(node, DateRange):
            docs = self._dates(seg, node.start, node.end)
            return docs if within is None else intersect(docs, within)
        if isinstance(node, Not):
            base = seg.live if within is None else within
            return difference(base, self._docs(node.child, seg, within))
        if isinstance(node, Or):
            docs = EMPTY
            for child in node.children:
                docs = union(docs, self._docs(child, seg, within))
            return docs
        # And: the positives, longest text first (likely the rarest), each
        # among what the ones before left; then remove the negatives.
        positives = sorted((c for c in node.children if not isinstance(c, Not)), key=_weight, reverse=True)
        negatives = [c.child for c in node.children if isinstance(c, Not)]
        docs = seg.live if within is None else within
        for child in positives:
            docs = self._docs(child, seg, docs)
            if len(docs) == 0:
                return docs
        for neg in negatives:
            if len(docs) == 0:
                break
            docs = difference(docs, self._docs(neg, seg, docs))
        return docs

    def _leaf(self, leaf: Leaf, seg: Segment, within: np.ndarray | None = None) -> np.ndarray:
        if leaf.field in ENTITY_SCOPES:
            docs = scope_docs(self.snapshot, seg, leaf.field, leaf.text)
            return docs if within is None else intersect(docs, within)
        norm = match_text(leaf.text)
        if leaf.field in META_SCOPES:
            fieldname = META_SCOPES[leaf.field]
            docs = EMPTY
            for term in self.snapshot.lexicon(fieldname):
                if norm in term:
                    p = seg.postings(fieldname, term)
                    if p is not None:
                        docs = union(docs, p.ids)
            return docs if within is None else intersect(docs, within)
        parts = [norm] if leaf.phrase else (self.snapshot.query_words(leaf.text) or [norm])
        ordered = sorted(set(parts), key=len, reverse=True)  # longest (rarest) first
        if within is not None and _text_is_cheaper(len(within), _unread(ordered)):
            return self._in_stored_text(ordered, seg, within, scope_fields(leaf.field)) if len(within) else within
        docs = self._scoped(ordered[0], seg, leaf.field, within)
        rest = ordered[1:]
        while rest and not _text_is_cheaper(len(docs), _unread(rest)):
            docs = intersect(docs, self._scoped(rest.pop(0), seg, leaf.field, within=docs))
        if rest and len(docs):  # a few candidates left (a pasted passage): read their text once
            docs = self._in_stored_text(rest, seg, docs, scope_fields(leaf.field))
        return docs

    def _scoped(self, norm: str, seg: Segment, scope: str | None,
                within: np.ndarray | None = None) -> np.ndarray:
        """:meth:`substring` in any of the fields a query scope covers."""
        if scope is None:
            return self.substring(norm, seg, None, within)
        docs = EMPTY
        for name in SCOPES[scope]:
            docs = union(docs, self.substring(norm, seg, name, within))
        return docs

    def substring(self, norm: str, seg: Segment, scope: str | None = None,
                  within: np.ndarray | None = None) -> np.ndarray:
        """Documents whose text field ``scope`` (any text field when None)
        contains the normalized string ``norm``; only among ``within`` when given."""
        if not norm:
            return EMPTY
        if len(norm) == 1:
            p = seg.postings("text_c1", norm, positions=scope is not None)
            if p is None:
                return EMPTY
            docs = p.ids if within is None else intersect(p.ids, within)
            if scope is None:
                return docs
            owners, poses = p.positions_of(docs)
            return np.unique(owners[poses == FIELD_BASE[scope]])
        grams = bigrams(norm)
        need: dict[str, int] = {}
        for g in grams:
            need[g] = need.get(g, 0) + 1
        # For a long string, the rarest of an even sample of its bigrams (the
        # rest only if they leave too many candidates): looking up every
        # bigram of a pasted paragraph costs more than the search.
        sample = list(need)[::max(1, len(need) // SAMPLE_BIGRAMS)]
        frequency = {g: self.snapshot.segment_frequency(seg, "text_ng", g) for g in sample}
        if not all(frequency.values()):
            return EMPTY
        order = sorted(sample, key=frequency.__getitem__)  # rarest first
        order += [g for g in need if g not in frequency]
        lists: dict[str, Postings] = {}
        candidates = within
        positions = len(grams) > 1 or scope is not None  # one bigram anywhere: its documents are the answer
        for k, g in enumerate(order):
            p = seg.postings("text_ng", g, positions)
            if p is None:
                return EMPTY
            lists[g] = p
            candidates = p.ids if candidates is None else intersect(candidates, p.ids)
            if len(candidates) == 0:
                return EMPTY
            if k + 1 >= RAREST_BIGRAMS and len(order) > k + 1 and _text_is_cheaper(
                    len(candidates), [frequency.get(g) for g in order[k + 1:]]):
                # A long string: its rarest bigrams left few enough candidates
                # that reading their text costs less than the lists still unread.
                return self._in_stored_text([norm], seg, candidates, (scope,) if scope else TEXT_FIELDS)
            self.deadline.check()
        assert candidates is not None
        docs = candidates
        for g, count in need.items():  # a string that repeats a bigram needs it that often
            if count > 1 and len(docs):
                docs = docs[lists[g].counts_of(docs) >= count]
        if len(docs) == 0:
            return EMPTY
        lo, hi = _window(scope) if scope else (0, 1 << 62)
        if len(grams) == 1 and scope is None:
            return docs
        cover = list(range(0, len(grams), 2))
        if cover[-1] != len(grams) - 1:
            cover.append(len(grams) - 1)
        # Start with the rarest covering bigram's positions, then keep the
        # starts the others confirm.
        cover.sort(key=lambda k: lists[grams[k]].nbytes)
        keys: np.ndarray | None = None
        for k in cover:
            owners, poses = lists[grams[k]].positions_of(docs)
            starts = poses - k
            if keys is None:
                ok = (starts >= lo) & (starts + len(grams) - 1 < hi)
                keys = np.unique((owners[ok] << 32) | starts[ok])
            else:
                keys = intersect(keys, np.unique((owners << 32) | starts))
            if len(keys) == 0:
                return EMPTY
            docs = np.unique(keys >> 32)
            self.deadline.check()
        return np.unique(keys >> 32) if keys is not None else EMPTY

    def _in_stored_text(self, needles: list[str], seg: Segment, docs: np.ndarray,
                        fields: tuple[str, ...]) -> np.ndarray:
        """Those of ``docs`` whose stored text holds every one of ``needles``,
        each in any of ``fields``: the test the index answers, on the same
        normalized (and, before the body, truncated) text."""
        found = []
        for d in docs.tolist():
            texts = [self._normalized(seg, d, name) for name in fields]
            if all(any(needle in text for text in texts) for needle in needles):
                found.append(d)
            self.deadline.check()
        return np.asarray(found, dtype=np.int64)

    def _normalized(self, seg: Segment, docnum: int, name: str) -> str:
        """A stored text field's matching form (before the body, truncated as
        the index has it), once per document and field in a request."""
        key = (seg.key, docnum)
        fields = self._texts.get(key)
        if fields is None:
            stored = seg.reader.stored_fields(docnum)
            fields = self._texts[key] = {}
            for f in TEXT_FIELDS:
                text = match_text(stored.get(f) or "")
                fields[f] = text if f == "body" else text[:MAX_FIELD_CHARS]
        return fields[name]

    def _dates(self, seg: Segment, start: dt.date | None, end: dt.date | None) -> np.ndarray:
        dates = self.snapshot.segment_dates(seg)
        lo = _day_value(start, first=True) if start else 0
        hi = _day_value(end, first=False) if end else np.iinfo(np.int64).max - 1  # never an undated article
        return np.flatnonzero((dates >= lo) & (dates <= hi))

    def _filter(self, docs: np.ndarray, seg: Segment, req: SearchRequest) -> np.ndarray:
        if req.date_from or req.date_to:
            docs = intersect(docs, self._dates(seg, req.date_from, req.date_to))
        for name, fieldname in FILTER_FIELDS.items():
            values = getattr(req, name)
            if not values:
                continue
            if name == "tag":  # every tag is required
                for tag in values:
                    p = seg.postings(fieldname, tag)
                    docs = intersect(docs, p.ids if p is not None else EMPTY)
            else:  # any of the values
                allowed = EMPTY
                for value in values:
                    p = seg.postings(fieldname, value)
                    if p is not None:
                        allowed = union(allowed, p.ids)
                docs = intersect(docs, allowed)
        return docs

    # -- ranking ------------------------------------------------------------

    def scores(self, scoring: Scoring, per_segment: list[np.ndarray]) -> list[np.ndarray]:
        """Per segment, the base score of each matching document (no phrase bonus)."""
        stats = self._stats(scoring)
        out = []
        for seg, docs in zip(self.segments, per_segment):
            total = np.zeros(len(docs))
            for scope, _, words in scoring.terms:
                for f in scope_fields(scope):
                    total += self._field_score(seg, docs, f, words, stats)
            out.append(total)
            self.deadline.check()
        return out

    def phrase_bonus(self, scoring: Scoring, seg: Segment, docs: np.ndarray) -> np.ndarray:
        """The bonus of ``docs`` where a multi-word term's words stand together."""
        stats = self._stats(scoring)
        bonus = np.zeros(len(docs))
        for scope, norm, words in scoring.terms:
            if len(words) < 2:
                continue
            for f in scope_fields(scope):
                if not seg.reader.field_length(f):
                    continue
                together = self.substring(norm, seg, f, within=docs)
                if len(together) == 0:
                    continue
                mask = np.isin(docs, together)
                bonus[mask] += PHRASE_BOOST * self._field_score(seg, docs[mask], f, words, stats)
        return bonus

    def _field_score(self, seg: Segment, docs: np.ndarray, fieldname: str, words: list[str],
                     stats: dict[tuple[str, str], TermInfo]) -> np.ndarray:
        total = np.zeros(len(docs))
        if len(docs) == 0 or not seg.reader.field_length(fieldname):  # no text in this field here
            return total
        lengths = None
        for w in words:
            p = seg.postings(fieldname, w)
            if p is None:
                continue
            at, tf = p.found_in(docs)
            if len(at) == 0:
                continue
            if lengths is None:
                lengths = self.snapshot.segment_lengths(seg, fieldname)
            # only where the word is: the same sums in the same order as over every document
            total[at] += bm25(tf, lengths[docs[at]], stats[(fieldname, w)])
        return total

    def _stats(self, scoring: Scoring) -> dict[tuple[str, str], TermInfo]:
        if scoring.stats is not None:
            return scoring.stats
        out: dict[tuple[str, str], TermInfo] = {}
        n = self.snapshot.doc_count_all
        for scope, _, words in scoring.terms:
            for f in scope_fields(scope):
                for w in words:
                    if (f, w) not in out:
                        out[(f, w)] = term_info(self.snapshot, f, w, n)
        scoring.stats = out
        return out


def term_info(snapshot: Any, fieldname: str, word: str, n: int | None = None, df: int | None = None) -> TermInfo:
    """The collection statistics BM25 needs of ``word`` in ``fieldname``
    (``n``, ``df``: the snapshot's document count and the word's document
    frequency, when the caller has them)."""
    n = snapshot.doc_count_all if n is None else n
    df = snapshot.doc_frequency(fieldname, word) if df is None else df
    return TermInfo(math.log(n / (df + 1)) + 1, snapshot.avg_length(fieldname))


def bm25(tf: np.ndarray, lengths: np.ndarray, info: TermInfo) -> np.ndarray:
    """BM25 of a word's weighted frequencies ``tf`` (> 0) in documents whose
    field lengths are ``lengths``: the one formula every ranking uses."""
    norm = BM25_K1 * ((1 - BM25_B) + BM25_B * lengths / info.avgdl)
    return info.idf * (tf * (BM25_K1 + 1)) / (tf + norm)


def _text_is_cheaper(candidates: int, frequencies: list[int | None]) -> bool:
    """Whether checking ``candidates`` stored articles costs less than reading
    the posting lists of the bigrams still unread, with these document
    frequencies in the segment (None: not looked up; the looked-up ones'
    mean stands in for them)."""
    known = [f for f in frequencies if f is not None]
    guess = sum(known) / len(known) if known else float(ARTICLE_POSTINGS)
    postings = sum(guess if f is None else f for f in frequencies) + LIST_POSTINGS * len(frequencies)
    return candidates * ARTICLE_POSTINGS < postings


def _unread(needles: list[str]) -> list[int | None]:
    """The posting lists (frequencies unknown) that finding ``needles`` reads:
    a string's bigrams, a single character's own list."""
    return [None] * sum(max(1, len(n) - 1) for n in needles)


def _weight(node: Node) -> int:
    """How selective a node probably is: the length of its longest text."""
    if isinstance(node, Leaf):
        return len(node.text)
    if isinstance(node, (And, Or)):
        return max((_weight(c) for c in node.children), default=0)
    return 0


def _day_value(day: dt.date, first: bool) -> int:
    """A date bound as the date column stores it (Whoosh's datetime longs)."""
    from whoosh.util.times import datetime_to_long

    moment = dt.datetime.combine(day, dt.time.min if first else dt.time.max)
    return int(datetime_to_long(moment))


def ranking_terms(node: Node, query_words: Any) -> Scoring:
    """The terms that rank a query: its text leaves outside any NOT."""
    scoring = Scoring()
    for leaf in _positive_leaves(node):
        if leaf.field in META_SCOPES or leaf.field in ENTITY_SCOPES:
            continue
        words = list(dict.fromkeys(w for w in query_words(leaf.text) if w))
        scoring.terms.append((leaf.field, match_text(leaf.text), words))
    # each term's first words, one round over the terms at a time, up to RANKING_WORDS
    kept = [0] * len(scoring.terms)
    budget = RANKING_WORDS
    for depth in range(max((len(words) for _, _, words in scoring.terms), default=0)):
        for k, (_, _, words) in enumerate(scoring.terms):
            if depth < len(words) and budget:
                kept[k], budget = depth + 1, budget - 1
    scoring.terms = [(scope, norm, words[:n]) for (scope, norm, words), n in zip(scoring.terms, kept)]
    return scoring


def highlight_needles(node: Node, query_words: Any) -> dict[str, list[str]]:
    """Per text field, the normalized strings to mark: a phrase whole, a term
    whole and each of its words; longest first, without duplicates."""
    needles: dict[str, list[str]] = {name: [] for name in TEXT_FIELDS}
    for leaf in _positive_leaves(node):
        if leaf.field in META_SCOPES or leaf.field in ENTITY_SCOPES:
            continue
        norm = match_text(leaf.text)
        parts = [norm] if leaf.phrase else [norm] + [w for w in query_words(leaf.text) if w]
        for f in scope_fields(leaf.field):
            needles[f].extend(parts)
    return {f: sorted(set(ns), key=len, reverse=True) for f, ns in needles.items()}


def _positive_leaves(node: Node, negated: bool = False) -> Iterator[Leaf]:
    if isinstance(node, Leaf):
        if not negated:
            yield node
    elif isinstance(node, Not):
        yield from _positive_leaves(node.child, not negated)
    elif isinstance(node, (And, Or)):
        for child in node.children:
            yield from _positive_leaves(child, negated)
