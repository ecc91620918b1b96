"""Articles on the same subject as one article (``GET /api/articles/<id>/related``).

An article's subject is read from its *distinctive* jieba words: every
word of its text fields (the body's first :data:`BODY_CHARS` characters;
the words the index's word fields hold, cut as a query for them would be)
is weighted by TF-IDF against the archive —

* term frequency: the word's occurrences in the article, each counted with
  its field's ranking boost (:data:`index.schema.FIELD_BOOSTS`: a headline
  word counts 3×), damped as ``1 + log tf`` so one word repeated many times
  does not outweigh several that each occur a few times;
* document frequency: the snapshot's (:meth:`OpenSnapshot.doc_frequency`),
  the largest over the fields the article uses the word in;

stop-like words are dropped (one character, numbers and dates, words in
more than :data:`STOP_DF_SHARE` of the archive, words no other article
has), and the best :data:`RELATED_WORDS` form the query.  Every other
article holding :data:`MIN_SHARED_WORDS` of them is scored as their OR: the sum over words of the
word's weight (its TF-IDF over the best one's) times its BM25F score in the
article (:func:`search.execute.bm25` over each word field with the field
boosts, as a search ranks).  The scores are added up posting list by
posting list into one array per segment, so the cost follows the words'
posting lists, not the archive.  Equal scores (at the precision a hit
shows) are ordered by date, newest first: recent coverage breaks ties.

Never related to an article: the article itself, its other versions (the
same story, :mod:`search.stories`), a second version of a story already
listed, and copies — an article whose normalized title and date, or whose
normalized body, are those of the article or of an article already listed
(a safety net for texts too short to join a story) — so reprints do not
fill the list.

A hit has the search's hit shape; its highlights mark the query words it
contains (the words that made it related) in its headlines and in one
fragment of its opening.
"""

from __future__ import annotations

import math
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
import numpy as np

from index.articles import Article
from index.normalization import match_text
from index.schema import FIELD_BOOSTS, TEXT_FIELDS, stored_to_article

from .arrays import intersect
from .engine import article_hit
from .execute import bm25, term_info
from .models import INT_PARAMS, RELATED_LIMIT, Hit, RequestError
from .snapshots import NO_DATE, OpenSnapshot, SearchIndex

#: Words of the article that form the related query (the best by TF-IDF).
RELATED_WORDS = 16
#: A word in more than this share of the archive's articles is stop-like…
STOP_DF_SHARE = 0.05
#: …but never one in at most this many articles (a small archive has no
#: statistics to tell a stop word from a subject by).
STOP_DF_FLOOR = 20
#: Query words a related article must hold (all of them when the query has
#: fewer): one shared word, often a generic one, is no shared subject.
MIN_SHARED_WORDS = 2
#: Document frequencies remembered per snapshot: an article's words are
#: mostly common ones that every lookup asks about again.
DF_CACHE_WORDS = 100_000
#: Characters of the body whose words are weighed: a news article states
#: its subject early, and segmenting a very long one would cost most of a
#: lookup (jieba's time grows with the text).
BODY_CHARS = 2000
#: A hit's body highlight is one fragment of its opening (the lead), this
#: long: the search's fragments pick the best of every match in the body,
#: which for a dozen related words costs more than the rest of a lookup.
LEAD_CHARS = 300
#: Candidates read (in score order) to fill a list of ``limit``: copies of
#: the article or of each other are skipped, up to this many times ``limit``.
WALK_FACTOR = 4
#: A word made only of digits, number characters, units of dates and
#: measure, and their punctuation: numbers and dates are no subject.
_NUMBER = re.compile(r"[\d０-９.．%％,，:：/\-—年月日时分秒号点万亿千百十〇零一二三四五六七八九两第余多]+")


@dataclass
class RelatedResult:
    """The related articles of one article, and the words that chose them."""

    id: str
    #: the query: the article's distinctive words, best first
    terms: list[str]
    hits: list[Hit]
    took_ms: float


@dataclass
class _Word:
    word: str
    tf: float  # boosted occurrences in the article
    df: int
    fields: list[str] = field(default_factory=list)  # the article's fields that hold it
    weight: float = 0.0  # in the related query: its TF-IDF over the best word's, in (0, 1]


def related(index: SearchIndex, article_id: str, limit: int = RELATED_LIMIT.default) -> RelatedResult | None:
    """The ``limit`` articles most related to the article ``article_id`` (None:
    no such article), best first; see the module docstring for how.

    ``limit`` must be within :data:`~search.models.RELATED_LIMIT` (a
    :class:`~search.models.RequestError` otherwise).  No time budget: the
    work is bounded by :data:`RELATED_WORDS` posting lists per field (of
    words in at most :data:`STOP_DF_SHARE` of the archive) and by reading
    at most ``WALK_FACTOR × limit + 1`` stored articles.
    """
    started = time.perf_counter()
    problem = RELATED_LIMIT.problem(limit)
    if problem:
        raise RequestError(problem, RELATED_LIMIT.name)
    with index.lease() as opened:
        searcher = opened.searcher()
        docnum = searcher.document_number(id=article_id)
        if docnum is None:
            return None
        article = stored_to_article(searcher.stored_fields(docnum))
        words = distinctive_words(opened, article)
        docs, scores = _scores(opened, words)
        hits = _hits(opened, article, int(docnum), docs, scores, words, limit)
        took = round((time.perf_counter() - started) * 1000, 2)
        return RelatedResult(article.id, [w.word for w in words], hits, took)


def distinctive_words(opened: OpenSnapshot, article: Article) -> list[_Word]:
    """The article's best :data:`RELATED_WORDS` words by TF-IDF (stop-like
    words left out), best first, each with its weight in the related query."""
    counts: dict[str, _Word] = {}
    for name in TEXT_FIELDS:
        text = getattr(article, name)
        if name == "body":
            text = text[:BODY_CHARS]
        if not text:
            continue
        for token in opened.analyzer(text, mode="query"):
            w = token.text
            if len(w) < 2 or _NUMBER.fullmatch(w):
                continue
            entry = counts.get(w)
            if entry is None:
                entry = counts[w] = _Word(w, 0.0, 0)
            entry.tf += FIELD_BOOSTS[name]
            if name not in entry.fields:
                entry.fields.append(name)
    n = opened.doc_count_all or 1
    ceiling = max(STOP_DF_FLOOR, STOP_DF_SHARE * n)
    ranked: list[tuple[float, str, _Word]] = []
    for w in counts.values():
        w.df = max(_doc_frequency(opened, f, w.word) for f in w.fields)
        if w.df <= 1 or w.df > ceiling:  # only this article has it, or stop-like
            continue
        ranked.append(((1 + math.log(w.tf)) * math.log(n / w.df), w.word, w))
    ranked.sort(key=lambda r: (-r[0], r[1]))
    best = ranked[:RELATED_WORDS]
    top = best[0][0] if best else 1.0
    for weight, _, w in best:
        w.weight = weight / top
    return [w for _, _, w in best]


def _doc_frequency(opened: OpenSnapshot, fieldname: str, word: str) -> int:
    """The snapshot's document frequency of ``word`` in ``fieldname``, from
    a per-snapshot cache of at most :data:`DF_CACHE_WORDS` words."""
    cache: dict[tuple[str, str], int] = opened.memo("related.df", dict)
    key = (fieldname, word)
    df = cache.get(key)
    if df is None:
        if len(cache) >= DF_CACHE_WORDS:
            cache.clear()
        df = cache[key] = opened.doc_frequency(fieldname, word)
    return df


def _scores(opened: OpenSnapshot, words: list[_Word]) -> tuple[np.ndarray, np.ndarray]:
    """Every live article holding :data:`MIN_SHARED_WORDS` of ``words``
    (snapshot docnums, ascending) and its score: Σ weight × BM25F of the word."""
    n = opened.doc_count_all
    dfs = {(f, w.word): _doc_frequency(opened, f, w.word) for w in words for f in TEXT_FIELDS}
    infos = {key: term_info(opened, key[0], key[1], n, df) for key, df in dfs.items() if df}
    need = max(1, min(MIN_SHARED_WORDS, len(words)))
    all_docs, all_scores = [], []
    for seg in opened.segments():
        size = seg.reader.doc_count_all()
        total, shared = np.zeros(size), np.zeros(size, dtype=np.int32)
        for w in words:
            holders = []
            for f in TEXT_FIELDS:
                if (f, w.word) not in infos:
                    continue  # no article has the word in this field
                p = seg.postings(f, w.word)
                if p is None or len(p.ids) == 0:
                    continue
                lengths = opened.segment_lengths(seg, f)[p.ids]
                total[p.ids] += w.weight * bm25(p.weights, lengths, infos[(f, w.word)])
                holders.append(p.ids)
            if holders:
                shared[np.unique(np.concatenate(holders))] += 1
        held = intersect(np.flatnonzero(shared >= need), seg.live)
        all_docs.append(held + seg.offset)
        all_scores.append(total[held])
    if not all_docs:
        return np.zeros(0, dtype=np.int64), np.zeros(0)
    return np.concatenate(all_docs), np.concatenate(all_scores)


def _order(opened: OpenSnapshot, docs: np.ndarray, scores: np.ndarray, want: int) -> np.ndarray:
    """Indexes into ``docs`` of the best ``want``: score (at a hit's
    precision) descending, then date descending (undated last), then docnum."""
    if len(docs) == 0:
        return np.zeros(0, dtype=np.int64)
    shown = np.round(scores, 4)
    idx = np.arange(len(docs))
    if len(docs) > want:  # only those that can reach the first ``want``
        kth = np.partition(shown, len(shown) - want)[len(shown) - want]
        idx = np.flatnonzero(shown >= kth)
    dates = opened.dates()[docs[idx]]
    recency = np.where(dates == NO_DATE, -1, dates)  # real dates are positive
    return idx[np.lexsort((docs[idx], -recency, -shown[idx]))][:want]


def _copy_keys(article: Article) -> Iterator[tuple[str, ...]]:
    """What makes two articles copies of each other: the same normalized
    title on the same date, or the same normalized body (title, for an
    article without one) — a reprint under another headline is a copy."""
    title = match_text(article.title)
    if title and article.date:
        yield ("dated", title, article.date.isoformat())
    text = match_text(article.body)
    if text:
        yield ("body", text)
    elif title:
        yield ("title", title)


def _hits(opened: OpenSnapshot, article: Article, docnum: int, docs: np.ndarray, scores: np.ndarray,
          words: list[_Word], limit: int) -> list[Hit]:
    story_of = opened.stories().doc_key
    listed = {int(story_of[docnum])}  # the article's story, then each story listed
    seen = set(_copy_keys(article))
    searcher = opened.searcher()
    needles = sorted({match_text(w.word) for w in words} - {""}, key=len, reverse=True)
    marks = {name: needles for name in TEXT_FIELDS}
    size = INT_PARAMS["fragment_size"].default
    lead = 1  # fragment
    hits: list[Hit] = []
    for i in _order(opened, docs, scores, WALK_FACTOR * limit + 1).tolist():
        d = int(docs[i])
        story = int(story_of[d])
        if d == docnum or story in listed:
            continue
        other = stored_to_article(searcher.stored_fields(d))
        keys = set(_copy_keys(other))
        if keys & seen:
            continue
        seen |= keys
        listed.add(story)
        opening = replace(other, body=other.body[:LEAD_CHARS])
        hits.append(article_hit(opening, float(scores[i]), marks, lead, size))
        if len(hits) == limit:
            break
    return hits

