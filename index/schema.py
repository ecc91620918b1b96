"""The Whoosh schema and how an :class:`~index.articles.Article` becomes a document.

Per text field ``F`` in :data:`TEXT_FIELDS`:

* ``F`` — jieba words with positions (BM25F ranking, adjacency), stored for
  display and snippets;
and, shared by the three text fields:

* ``text_ng`` — character bigrams of the matching form with positions: exact
  substring matching of two or more characters (:class:`BigramField`);
* ``text_c1`` — the distinct characters of the matching form: one-character
  matching (:class:`CharField`).

Per metadata field ``M`` in :data:`META_FIELDS`: ``M`` holds the exact value
(filters, facets via its column) and ``M_m`` the matching form of each value,
whose small lexicon is scanned for substring queries such as ``author:张``.

Per entity kind (:data:`index.entities.ENTITY_FIELDS`: ``people``,
``places``, ``orgs``; see :mod:`index.entities`): ``K_col`` the canonical
names of the vocabulary entries found (verified), ``K_x_col`` posseg's
unverified candidates (columns, for facets and ``newsearch entities``), and
``K_m`` the matching form of every name of each verified entry and of each
candidate, which ``person:``/``place:``/``org:`` queries look up exactly.

Bump :data:`index.format.SCHEMA_VERSION` whenever a field, analyzer or its
import path changes; readers refuse an index of another version instead of
misreading it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
from typing import Any

import numpy as np
from whoosh import columns, fields

from .analysis import USERDICT_ENV, bigram_analyzer, char_analyzer, word_analyzer, word_positions
from .articles import Article
from .entities import ENTITY_FIELDS, UNVERIFIED_SUFFIX, EntityTagger
from .normalization import match_text
from .postings import PackedPositions
from .stamps import schema_fields, stamp_fields

#: The text fields: jieba words for ranking and n-grams for exact matching.
#: ``title:`` also searches the kicker (引题) above a headline.
TEXT_FIELDS = ("title", "kicker", "subtitle", "summary", "body")
#: The text fields a query scope covers.
SCOPES = {"title": ("title", "kicker"), "subtitle": ("subtitle",), "body": ("body",)}
META_FIELDS = ("author", "source", "category", "tags")
#: Separator of several values in one column (tags).
COLUMN_SEP = "\x1f"


#: Where each text field's positions start in the shared ``text_ng`` and
#: ``text_c1`` fields.  The gaps keep a phrase from running across fields and
#: let a query be scoped to one field by position (see ``search.query``).
FIELD_BASE = {"title": 0, "kicker": 1 << 19, "subtitle": 2 << 19, "summary": 3 << 19, "body": 4 << 19}
#: Fields before the body beyond this many normalized characters are not matched.
MAX_FIELD_CHARS = (1 << 19) - 2
#: Ranking weight of each text field.
FIELD_BOOSTS = {"title": 3.0, "kicker": 2.0, "subtitle": 1.5, "summary": 1.5, "body": 1.0}


_NO_KEYS = np.zeros(0, dtype=np.uint64)
_NO_POSITIONS = np.zeros(0, dtype=np.uint32)


class MatchingTexts:
    """An article's text fields (one per :data:`TEXT_FIELDS`) and, computed
    once for both n-gram fields, their matching forms."""

    __slots__ = ("_matching", "texts")

    def __init__(self, texts: tuple[str, ...]) -> None:
        self.texts = texts
        self._matching: list[str] | None = None

    def _forms(self) -> list[str]:
        if self._matching is None:
            self._matching = [match_text(text or "") for text in self.texts]
        return self._matching

    def norms(self) -> list[tuple[int, str]]:
        """``(FIELD_BASE[F], matching form of F)`` of each non-empty field ``F``;
        fields before the body are cut at :data:`MAX_FIELD_CHARS`."""
        out = []
        for name, norm in zip(TEXT_FIELDS, self._forms()):
            if name != "body":
                norm = norm[:MAX_FIELD_CHARS]
            if norm:
                out.append((FIELD_BASE[name], norm))
        return out

    def normalize(self, text: str) -> str:
        """:func:`~index.normalization.match_text` of ``text``, from what is
        at hand when ``text`` is one of these fields (a build sketches the
        title and body for :mod:`index.stories` too)."""
        for own, norm in zip(self.texts, self._forms()):
            if own is text:
                return norm
        return match_text(text)


def _matching_texts(value: Any) -> MatchingTexts:
    if isinstance(value, MatchingTexts):
        return value
    return MatchingTexts((value,) if isinstance(value, str) else tuple(value))


class _TextsField(fields.FieldType):
    """A field computed from an article's texts, one per :data:`TEXT_FIELDS`.

    Its analyzer (a :class:`~index.analysis.BigramTokenizer` or
    :class:`~index.analysis.CharTokenizer`, pickled into the schema) decides
    the terms: field ``F``'s terms are positioned from ``FIELD_BASE[F]``.
    Postings are computed directly (no Token objects): these fields carry
    most of the index's postings.
    """

    def __init__(self, analyzer: Any) -> None:
        self.analyzer = analyzer
        self.format = PackedPositions(field_boost=1.0)
        self.scorable = False
        self.stored = False
        self.unique = False
        self.vector = None
        self.column_type = None

    def positions(self, value: Any) -> dict[str, list[int]]:
        """``term → positions`` of one document (Whoosh's writer, for updates)."""
        poses: dict[str, list[int]] = {}
        for base, norm in _matching_texts(value).norms():
            self.analyzer.collect(norm, base, poses)
        return poses

    def term_keys(self, value: Any) -> tuple[np.ndarray, np.ndarray]:
        """The terms of :meth:`positions` as integer keys
        (:data:`index.analysis.KEY_SHIFT`) and their positions, one pair per
        position, in position order: what a build inverts (:mod:`index.inverter`)."""
        pairs = [self.analyzer.term_keys(norm, base) for base, norm in _matching_texts(value).norms()]
        if not pairs:
            return _NO_KEYS, _NO_POSITIONS
        if len(pairs) == 1:
            return pairs[0]
        return np.concatenate([k for k, _ in pairs]), np.concatenate([p for _, p in pairs])

    def index(self, value: Any, **kwargs: Any) -> Any:
        encode = self.format.encode
        return [(t.encode("utf-8"), len(p), float(len(p)), encode(p)) for t, p in self.positions(value).items()]


class BigramField(_TextsField):
    """Character bigrams of the matching form of the text fields.

    Bigram ``k`` of field ``F`` is at position ``FIELD_BASE[F] + k``: a
    string of ``n >= 2`` normalized characters occurs in a field iff its
    ``n-1`` bigrams stand at consecutive positions.
    """

    def __init__(self) -> None:
        super().__init__(bigram_analyzer())


class CharField(_TextsField):
    """Each character of the matching form once per field it occurs in.

    The one position recorded is the field's base, so one-character queries
    can be scoped to a field like longer ones.
    """

    def __init__(self) -> None:
        super().__init__(char_analyzer())


class WordField(fields.TEXT):
    """jieba words with positions (BM25F, adjacency), stored for display.

    ``positions`` gives a build the analyzer's index-mode output as
    ``term → positions`` directly (see :func:`index.analysis.word_positions`).
    """

    def __init__(self, analyzer: Any, field_boost: float) -> None:
        super().__init__(analyzer=analyzer, phrase=True, stored=True, field_boost=field_boost)
        self.format = PackedPositions(field_boost=field_boost)

    def positions(self, value: str) -> dict[str, list[int]]:
        return word_positions(self.analyzer, value)


def build_schema(userdict: str | None = None, vocab_words: tuple[str, ...] = ()) -> fields.Schema:
    """The schema of a new index.  A user dictionary given here or by
    ``NEWSEARCH_USERDICT``, and the vocabulary's names (``vocab_words``, see
    :func:`index.analysis.vocabulary_words`), are recorded in the analyzer
    (so updates segment like the build did); the shipped default dictionary
    is found anew on each machine."""
    words = word_analyzer(userdict or os.environ.get(USERDICT_ENV) or None, vocab_words)
    spec: dict[str, Any] = {
        "id": fields.ID(stored=True, unique=True, sortable=True),  # the column maps docnums to stories
        "date": fields.DATETIME(stored=True, sortable=True),
        "month": fields.ID(sortable=True),
        "url": fields.STORED(),
        "extra": fields.STORED(),
        "origin": fields.ID(stored=True),
        "digest": fields.ID(),
        **schema_fields(),  # indexed_at, indexed_ts, digest_col (index.stamps)
    }
    for name in TEXT_FIELDS:
        spec[name] = WordField(words, FIELD_BOOSTS[name])
    spec["text_ng"] = BigramField()
    spec["text_c1"] = CharField()
    for name in ("source", "category"):
        spec[name] = fields.ID(stored=True, sortable=True)
        spec[name + "_m"] = fields.ID()
    # The display string, and each name alone for filters and facets.
    spec["author"] = fields.STORED()
    spec["author_m"] = fields.ID()
    for name in ("tags", "authors"):
        spec[name] = fields.KEYWORD(stored=True, lowercase=False, commas=True, scorable=False)
        spec[name + "_col"] = fields.COLUMN(columns.VarBytesColumn())
    spec["tags_m"] = fields.ID()
    for name in ENTITY_FIELDS.values():
        spec[name + "_col"] = fields.COLUMN(columns.VarBytesColumn())
        spec[name + UNVERIFIED_SUFFIX + "_col"] = fields.COLUMN(columns.VarBytesColumn())
        spec[name + "_m"] = fields.ID()
    for name in ("page", "page_no", "section", "teaser"):
        spec[name] = fields.STORED()
    return fields.Schema(**spec)


def to_document(article: Article, indexed_at: str, entities: EntityTagger | None = None) -> dict[str, Any]:
    """The Whoosh fields of one article (see the module docstring);
    ``indexed_at`` is the ISO 8601 stamp of the build or update writing it
    (:mod:`index.stamps`); its people, places and organisations when an
    ``entities`` tagger is given."""
    digest = content_digest(article)
    doc: dict[str, Any] = {
        "id": article.id,
        "origin": article.origin,
        "digest": digest,
        **stamp_fields(digest, indexed_at),
    }
    texts = tuple(getattr(article, name) for name in TEXT_FIELDS)
    for name, value in zip(TEXT_FIELDS, texts):
        if value:
            doc[name] = value
    doc["text_ng"] = doc["text_c1"] = MatchingTexts(texts)
    if article.date:
        doc["date"] = dt.datetime(article.date.year, article.date.month, article.date.day)
        doc["month"] = article.date.strftime("%Y-%m")
    if article.url:
        doc["url"] = article.url
    if article.extra:
        doc["extra"] = article.extra
    for name in ("source", "category"):
        value = getattr(article, name)
        if value:
            doc[name] = value
            m = match_text(value)
            if m:
                doc[name + "_m"] = m
    if article.author:
        doc["author"] = article.author
    for name, values in (("tags", article.tags), ("authors", article_authors(article))):
        values = [v for v in values if v]
        if values:
            doc[name] = values
            doc[name + "_col"] = COLUMN_SEP.join(values).encode("utf-8")
    tags_m = sorted({m for m in map(match_text, article.tags) if m})
    if tags_m:
        doc["tags_m"] = tags_m
    author_m = sorted({m for m in map(match_text, [article.author, *article.authors]) if m})
    if author_m:
        doc["author_m"] = author_m
    for name in ("page", "page_no", "section", "teaser"):
        value = getattr(article, name)
        if value:
            doc[name] = value
    if entities is not None:
        _add_entities(doc, entities, texts, article)
    return doc


def _add_entities(doc: dict[str, Any], tagger: EntityTagger, texts: tuple[str, ...], article: Article) -> None:
    paragraphs = article.paragraphs
    lead = "\n".join(t for t in (article.title, article.kicker, article.subtitle, article.summary,
                                  paragraphs[0] if paragraphs else "") if t)
    found = tagger.tag(texts, lead, doc["text_ng"].normalize)
    for kind, name in ENTITY_FIELDS.items():
        for column, values in ((name + "_col", found.verified.get(kind)),
                               (name + UNVERIFIED_SUFFIX + "_col", found.unverified.get(kind))):
            if values:
                doc[column] = COLUMN_SEP.join(values).encode("utf-8")
        if found.forms.get(kind):
            doc[name + "_m"] = found.forms[kind]


def article_authors(article: Article) -> list[str]:
    """The names an author filter and facet use: the article's ``authors``,
    or else its display string as one name (JSON Lines carry only that)."""
    return list(article.authors) or ([article.author] if article.author else [])


def content_digest(article: Article) -> str:
    """A hash of everything indexed about an article (not where it was read)."""
    data = article.to_dict()
    data.pop("origin", None)
    blob = json.dumps(data, ensure_ascii=False, sort_keys=True, default=str)
    return hashlib.sha1(blob.encode("utf-8")).hexdigest()


def stored_to_article(stored: dict[str, Any]) -> Article:
    """Rebuild an :class:`Article` from a document's stored fields."""
    date = stored.get("date")
    return Article(
        id=stored["id"],
        title=stored.get("title", ""),
        kicker=stored.get("kicker", ""),
        subtitle=stored.get("subtitle", ""),
        summary=stored.get("summary", ""),
        body=stored.get("body", ""),
        authors=list(stored.get("authors") or []),
        page=stored.get("page", ""),
        page_no=stored.get("page_no"),
        section=stored.get("section", ""),
        teaser=bool(stored.get("teaser", False)),
        date=date.date() if isinstance(date, dt.datetime) else None,
        source=stored.get("source", ""),
        author=stored.get("author", ""),
        url=stored.get("url", ""),
        category=stored.get("category", ""),
        tags=list(stored.get("tags") or []),
        extra=stored.get("extra") or {},
        origin=stored.get("origin", ""),
    )
