"""People, places and organisations of an article (issue 14), found at index time.

Two sources, kept apart because only one of them has an editor's word behind it:

* **verified** — the vocabulary's entries of kind ``person``, ``place`` or
  ``org`` (:mod:`index.vocab`) any of whose names occurs in one of the
  article's text fields, compared in the matching form
  (:func:`index.normalization.match_text`): the exact substring test a search
  makes, so an entry is tagged exactly where a search for one of its names
  finds the article.  The entry's canonical name is stored.  One Aho–Corasick
  automaton (``pyahocorasick``) finds every name in one pass over the text,
  however many thousand names the vocabulary has.
* **unverified** — candidates from ``jieba.posseg`` (``nr*`` → person, ``ns``
  → place, ``nt`` → org) in the article's *lead*: title, kicker, subtitle,
  summary and first paragraph, at most :data:`LEAD_CHARS` characters
  (``NEWSEARCH_ENTITY_CHARS``; 0 turns candidates off).  posseg runs a
  part-of-speech HMM over every run of characters the dictionary does not
  know; even with its search in numpy (:mod:`index.posviterbi`, 4× jieba's)
  whole articles would double a build's time (see ``bench/entities.py``).  A candidate
  whose matching form is any name in the vocabulary is dropped (the
  vocabulary decides, and such a name is verified wherever it occurs), as
  is a one-character one.  Candidates are stored in their folded form
  (:func:`index.normalization.fold`: simplified, half-width, lower case), so
  the same name written two ways counts once.

:class:`EntityTagger` is built once per build (before the worker processes
fork) and used by :func:`index.schema.to_document`.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .normalization import fold, match_text
from .vocab import Vocabulary, load_vocabulary

#: Entity kinds and the field (and facet) that holds each kind's names.
ENTITY_FIELDS = {"person": "people", "place": "places", "org": "orgs"}
#: Suffix of the field holding a kind's unverified candidates (``people_x``).
UNVERIFIED_SUFFIX = "_x"
#: jieba part-of-speech flags (by prefix) and the kind they suggest.
POS_KINDS = (("nr", "person"), ("ns", "place"), ("nt", "org"))
#: Environment variable: how many characters of the lead posseg reads (0: no candidates).
LEAD_CHARS_ENV = "NEWSEARCH_ENTITY_CHARS"
#: Default characters of an article's lead that posseg reads (see the module
#: docstring): the headline and the first sentences.  Measured
#: (``bench/entities.py speed``, 100k archive, posseg with the numpy Viterbi
#: of :mod:`index.posviterbi`): 1.9 ms of CPU per article, +93 s per 100,000
#: articles for a build with two processes; whole articles cost 10.8 ms.
LEAD_CHARS = 200


def lead_chars() -> int:
    """:data:`LEAD_CHARS`, or ``$NEWSEARCH_ENTITY_CHARS`` when set to a number."""
    raw = os.environ.get(LEAD_CHARS_ENV, "").strip()
    return int(raw) if raw.isdigit() else LEAD_CHARS


@dataclass
class ArticleEntities:
    """What one article was tagged with, per kind (``person``, ``place``, ``org``).

    ``verified[kind]``: canonical names of vocabulary entries, sorted;
    ``unverified[kind]``: posseg candidates (folded), sorted;
    ``forms[kind]``: the matching forms a ``person:``/``place:``/``org:``
    query finds the article by — every name of each verified entry, and each
    candidate.
    """

    verified: dict[str, list[str]] = field(default_factory=dict)
    unverified: dict[str, list[str]] = field(default_factory=dict)
    forms: dict[str, list[str]] = field(default_factory=dict)


class EntityTagger:
    """Tags articles with a vocabulary's entities and posseg's candidates.

    ``vocabulary`` may be empty (no verified entities); ``lead`` is how many
    characters of the lead posseg reads (None: :func:`lead_chars`; 0: no
    candidates); ``userdict`` is the jieba user dictionary the build uses.
    """

    def __init__(self, vocabulary: Vocabulary | None = None, *, lead: int | None = None,
                 userdict: str | None = None) -> None:
        self.vocabulary = vocabulary or Vocabulary()
        self.lead = lead_chars() if lead is None else max(0, lead)
        self.userdict = userdict
        self._known = set(self.vocabulary.forms())
        self._automaton = _automaton(self.vocabulary)

    def tag(self, texts: Sequence[str], lead_text: str = "",
            normalize: Callable[[str], str] = match_text) -> ArticleEntities:
        """The entities of an article whose text fields are ``texts``;
        ``lead_text`` is what posseg reads (cut to ``self.lead`` characters);
        ``normalize``: :func:`~index.normalization.match_text`, or what gives
        the same from forms already at hand (a build's)."""
        out = ArticleEntities()
        found: dict[str, dict[str, Any]] = {}  # kind → canonical → entry
        if self._automaton is not None:
            for text in texts:
                norm = normalize(text or "")
                if not norm:
                    continue
                for _, entries in self._automaton.iter(norm):
                    for entry in entries:
                        found.setdefault(entry.kind, {})[entry.canonical] = entry
        forms: dict[str, set[str]] = {kind: set() for kind in ENTITY_FIELDS}
        for kind, entries in found.items():
            out.verified[kind] = sorted(entries)
            for entry in entries.values():
                forms[kind].update(match_text(n) for n in entry.names)
        if self.lead and lead_text:
            for kind, words in self.candidates(lead_text[:self.lead]).items():
                out.unverified[kind] = words
                forms[kind].update(match_text(w) for w in words)
        out.forms = {kind: sorted(f) for kind, f in forms.items() if f}
        return out

    def candidates(self, text: str) -> dict[str, list[str]]:
        """posseg's person, place and organisation words in ``text`` (folded,
        two characters or more, none that the vocabulary names), per kind."""
        found: dict[str, set[str]] = {}
        for word, flag in _pos_tokenizer(self.userdict).cut(fold(text)):
            kind = _pos_kind(flag)
            if kind is None:
                continue
            form = match_text(word)
            if len(form) < 2 or form in self._known:
                continue
            found.setdefault(kind, set()).add(word)
        return {kind: sorted(words) for kind, words in found.items()}


def _pos_kind(flag: str) -> str | None:
    for prefix, kind in POS_KINDS:
        if flag.startswith(prefix):
            return kind
    return None


def _automaton(vocabulary: Vocabulary) -> Any:
    """An Aho–Corasick automaton: matching form of a name → the entity
    entries (person, place, org) that have it; None without any."""
    import ahocorasick

    automaton = ahocorasick.Automaton()
    added = False
    for form, entries in vocabulary.forms().items():
        entities = tuple(e for e in entries if e.kind in ENTITY_FIELDS)
        if entities and form:
            automaton.add_word(form, entities)
            added = True
    if not added:
        return None
    automaton.make_automaton()
    return automaton


@functools.lru_cache(maxsize=4)
def _pos_tokenizer(userdict: str | None) -> Any:
    """A posseg tokenizer over the build's jieba segmenter (its user
    dictionary included), with the numpy Viterbi search of
    :mod:`index.posviterbi`; one per process and dictionary."""
    from .analysis import load_cutter, load_segmenter, resolve_userdict
    from .posviterbi import fast_pos_tokenizer

    path = resolve_userdict(userdict)
    return fast_pos_tokenizer(load_segmenter(path), load_cutter(path).route)


def load_tagger(vocab_path: str | os.PathLike[str] | None, *, lead: int | None = None,
                userdict: str | None = None) -> tuple[EntityTagger, Vocabulary]:
    """A tagger for the vocabulary file at ``vocab_path`` (None: none), and
    the vocabulary (its ``problems`` are the lines that were refused).
    An unreadable file raises ``OSError``/``UnicodeDecodeError``."""
    vocabulary = load_vocabulary(Path(vocab_path)) if vocab_path else Vocabulary()
    return EntityTagger(vocabulary, lead=lead, userdict=userdict), vocabulary


def warm_up(tagger: EntityTagger) -> None:
    """Load posseg's tables now (before a build forks its workers, so they share them)."""
    if tagger.lead:
        tagger.candidates("郑州")
