"""Whoosh analyzers: jieba words for ranking, character n-grams for matching.

Whoosh pickles analyzers into the index's schema, so the import path of every
class here is part of the on-disk format: do not move or rename them without
bumping :data:`index.format.SCHEMA_VERSION`.  Instances keep only plain
settings in their pickled state; the jieba dictionary is loaded lazily, once
per process and user dictionary.

Tokenizer protocol (as in ``whoosh.analysis.acore``): a tokenizer yields one
reused :class:`~whoosh.analysis.Token`; ``pos`` is the token's ordinal and
``startchar``/``endchar`` are offsets into the text that was passed in.
"""

from __future__ import annotations

import functools
import logging
import os
import threading
from collections.abc import Callable, Iterable, Iterator
from importlib import resources
from typing import Any

import numpy as np
from whoosh.analysis import CompositeAnalyzer, Filter, Token, Tokenizer

from .normalization import fold, match_table, match_text

#: Environment variable naming a user dictionary to use instead of the default.
USERDICT_ENV = "NEWSEARCH_USERDICT"

_jieba_lock = threading.Lock()


@functools.lru_cache(maxsize=1)
def default_userdict() -> str:
    """The path of the shipped dictionary of local place names and terms
    (looked up once: every analyzer call resolves its dictionary)."""
    return str(resources.files("index") / "data" / "userdict.txt")


def resolve_userdict(path: str | None) -> str:
    return path or os.environ.get(USERDICT_ENV) or default_userdict()


def dictionary_words(userdict: str, vocab_words: tuple[str, ...] = ()) -> list[tuple[str, int | None, str | None]]:
    """The words a segmenter adds to jieba's dictionary, in order, as
    ``add_word`` takes them: the user dictionary's entries (word, frequency
    or None, tag or None), then the vocabulary's names.

    The words of the user dictionary are folded (NFKC, simplified, lower-case)
    like the text jieba will see, so ``RCEP示范区`` in the dictionary matches
    ``ＲＣＥＰ示范区`` in an article.
    """
    words: list[tuple[str, int | None, str | None]] = []
    if os.path.exists(userdict):
        with open(userdict, encoding="utf-8") as fh:
            for raw in fh:
                parts = raw.strip().split()
                if not parts or parts[0].startswith("#"):
                    continue
                freq = int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else None
                tag = parts[2] if len(parts) > 2 else None
                words.append((fold(parts[0]), freq, tag))
    words.extend((word, None, None) for word in vocab_words)
    return words


@functools.lru_cache(maxsize=4)
def load_segmenter(userdict: str, vocab_words: tuple[str, ...] = ()) -> Any:
    """A jieba ``Tokenizer`` with :func:`dictionary_words` added; one per
    process, path and vocabulary.  Its dictionary (``FREQ``) gives the
    sub-words of the index and posseg's route; words are cut by
    :func:`load_cutter`."""
    import jieba

    from .jiebaroute import RouteTokenizer

    jieba.setLogLevel(logging.WARNING)
    with _jieba_lock:
        segmenter = RouteTokenizer()
        segmenter.initialize()
        for word, freq, tag in dictionary_words(userdict, vocab_words):
            segmenter.add_word(word, freq, tag)
    return segmenter


@functools.lru_cache(maxsize=4)
def load_cutter(userdict: str, vocab_words: tuple[str, ...] = ()) -> Any:
    """jieba's cut in Rust (:class:`index.rustcut.RustCut`) over the same
    dictionary as :func:`load_segmenter`; one per process, path and vocabulary."""
    from .rustcut import RustCut

    with _jieba_lock:
        return RustCut(dictionary_words(userdict, vocab_words))


def vocabulary_words(names: Iterable[str]) -> tuple[str, ...]:
    """The folded, distinct, sorted forms of vocabulary names, as
    :class:`JiebaTokenizer` records them (a stable pickle for a given file)."""
    return tuple(sorted({w for w in (fold(n).strip() for n in names) if len(w) > 1}))


class _WithUserdict:
    """Settings shared by the jieba stages: the user dictionary's path (None:
    $NEWSEARCH_USERDICT or the shipped one) and the vocabulary's names the
    build added to jieba's dictionary (folded, see :func:`vocabulary_words`),
    so an update segments exactly as its build did.  Nothing else is pickled:
    the names are one tuple shared by every field's analyzer, so a schema
    pickles them once."""

    def __init__(self, userdict: str | None = None, vocab_words: tuple[str, ...] = ()) -> None:
        self.userdict = userdict
        self.vocab_words = vocab_words

    def __eq__(self, other: object) -> bool:
        return (type(other) is type(self) and other.userdict == self.userdict
                and other._words() == self._words())

    def __hash__(self) -> int:
        return hash((type(self).__name__, self.userdict, len(self._words())))

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state.pop("_loaded", None)
        state.pop("_cutter", None)
        state.pop("_pieces", None)
        return state

    def _words(self) -> tuple[str, ...]:
        words: tuple[str, ...] = self.__dict__.get("vocab_words", ())  # absent from older pickles
        return words

    def segmenter(self) -> Any:
        """The jieba tokenizer of these settings (:func:`load_segmenter`)."""
        return self._load_once("_loaded", load_segmenter)

    def cutter(self) -> Any:
        """jieba's cut in Rust over the same dictionary (:func:`load_cutter`)."""
        return self._load_once("_cutter", load_cutter)

    def _load_once(self, attr: str, load: Callable[[str, tuple[str, ...]], Any]) -> Any:
        """``load(path, words)`` for these settings, looked up once per
        instance (and again only if ``$NEWSEARCH_USERDICT`` now names
        another file); kept in ``attr``, which is not pickled."""
        path = resolve_userdict(self.userdict)
        loaded = self.__dict__.get(attr)
        if loaded is None or loaded[0] != path:
            loaded = (path, load(path, self._words()))
            setattr(self, attr, loaded)
        return loaded[1]


class JiebaTokenizer(_WithUserdict, Tokenizer):
    """jieba words with sequential positions and offsets into the original text.

    The text is folded first (:func:`index.normalization.fold`, same length),
    so jieba sees simplified, half-width, lower-case text while offsets stay
    valid for the original.  Tokens without a letter or digit (punctuation,
    spaces) are dropped and do not take a position; a token's text is its
    matching form.
    """

    def words(self, text: str) -> Iterator[tuple[str, int, int]]:
        """(term, start, end) for the words of ``text``."""
        folded = fold(text)
        # Folded text without astral characters or combining marks maps
        # character by character: each word's matching form is a translate.
        simple = match_table(folded)
        start = 0
        for word in self.cutter().cut(folded):
            end = start + len(word)
            term = word.translate(simple) if simple is not None else match_text(word)
            if term:
                yield term, start, end
            start = end

    def __call__(self, value: str, positions: bool = False, chars: bool = False,
                 keeporiginal: bool = False, removestops: bool = True,
                 start_pos: int = 0, start_char: int = 0, tokenize: bool = True,
                 mode: str = "", **kwargs: Any) -> Iterator[Token]:
        t = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        if not tokenize:
            t.original = t.text = value
            t.boost = 1.0
            if positions:
                t.pos = start_pos
            if chars:
                t.startchar, t.endchar = start_char, start_char + len(value)
            yield t
            return
        for pos, (term, start, end) in enumerate(self.words(value), start_pos):
            t.text = term
            t.boost = 1.0
            t.stopped = False
            if keeporiginal:
                t.original = value[start:end]
            if positions:
                t.pos = pos
            if chars:
                t.startchar, t.endchar = start_char + start, start_char + end
            yield t


class SubwordFilter(_WithUserdict, Filter):
    """In ``mode="index"``, adds a long word's dictionary sub-words at its position.

    As jieba's search mode finds them: ``中原科技城`` → ``中原``, ``科技``.
    A search for ``科技`` then ranks that article, while phrase
    adjacency of whole words is kept (the sub-words share the word's
    position).  Queries are analyzed without them.
    """

    def __call__(self, tokens: Iterator[Token]) -> Iterator[Token]:
        freq = None
        for t in tokens:
            yield t
            word = t.text
            n = len(word)
            if t.mode != "index" or n <= 2:
                continue
            if freq is None:
                freq = self.frequencies()
            chars = t.chars and t.endchar - t.startchar == n  # offsets map 1:1 into the word
            start = t.startchar if chars else 0
            for i, piece in subwords(word, freq):
                t.text = piece
                if chars:
                    t.startchar, t.endchar = start + i, start + i + len(piece)
                yield t
            t.text = word

    def frequencies(self) -> dict[str, int]:
        freq: dict[str, int] = self.segmenter().FREQ
        return freq

    def known_pieces(self) -> tuple[dict[str, int], dict[str, tuple[str, ...]]]:
        """The dictionary's frequencies, and the sub-words (:func:`subwords`,
        without offsets) found so far of words, to be filled by the caller:
        words recur (Zipf), and looking up every 2- and 3-character slice of
        each again was 4% of a build.  Emptied past :data:`PIECES_KEPT` words."""
        freq = self.frequencies()
        kept = self.__dict__.get("_pieces")
        if kept is None or kept[0] is not freq or len(kept[1]) > PIECES_KEPT:
            kept = self.__dict__["_pieces"] = (freq, {})
        return kept


#: Distinct words whose sub-words a :class:`SubwordFilter` keeps (about 150 bytes each).
PIECES_KEPT = 1 << 18


def subwords(word: str, freq: dict[str, int]) -> Iterator[tuple[int, str]]:
    """(offset, piece) for the 2- and 3-character dictionary words inside
    ``word`` (longer than 2), as jieba's search mode finds them."""
    n = len(word)
    for size in (2, 3):
        if n <= size:
            break
        for i in range(n - size + 1):
            piece = word[i:i + size]
            if freq.get(piece):
                yield i, piece


def word_positions(analyzer: Any, text: str) -> dict[str, list[int]]:
    """``term → positions`` of what ``analyzer`` yields for ``text`` in index
    mode, without Token objects when it is :func:`word_analyzer`'s pipeline
    (a build's hot path); any other analyzer is run as it is."""
    poses: dict[str, list[int]] = {}
    items = getattr(analyzer, "items", None)
    if (isinstance(items, list) and len(items) == 2 and isinstance(items[0], JiebaTokenizer)
            and type(items[1]) is SubwordFilter):
        freq, known = items[1].known_pieces()
        get = poses.get
        for pos, (term, _, _) in enumerate(items[0].words(text)):
            lst = get(term)
            if lst is None:
                poses[term] = [pos]
            else:
                lst.append(pos)
            if len(term) > 2:
                pieces = known.get(term)
                if pieces is None:
                    pieces = known[term] = tuple(piece for _, piece in subwords(term, freq))
                for piece in pieces:
                    lst = get(piece)
                    if lst is None:
                        poses[piece] = [pos]
                    else:
                        lst.append(pos)
        return poses
    for t in analyzer(text, positions=True, mode="index"):
        poses.setdefault(t.text, []).append(t.pos)
    return poses


class _PositionsTokenizer(Tokenizer):
    """A tokenizer over the matching form whose terms and positions are
    given by :meth:`collect`, the one rule both a build (which inverts
    ``term → positions`` directly, without Token objects) and
    :meth:`__call__` (Whoosh's token protocol) follow."""

    def collect(self, norm: str, base: int, poses: dict[str, list[int]]) -> None:
        """Add the terms of the normalized text ``norm``, positioned from ``base``."""
        raise NotImplementedError

    def __call__(self, value: str, positions: bool = False, chars: bool = False,
                 keeporiginal: bool = False, removestops: bool = True,
                 start_pos: int = 0, start_char: int = 0, tokenize: bool = True,
                 mode: str = "", **kwargs: Any) -> Iterator[Token]:
        t = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        poses: dict[str, list[int]] = {}
        self.collect(match_text(value), start_pos, poses)
        for pos, term in sorted((p, term) for term, ps in poses.items() for p in ps):
            t.text = term
            t.boost = 1.0
            t.stopped = False
            if keeporiginal:
                t.original = term
            if positions:
                t.pos = pos
            yield t


#: An n-gram field's term as an integer (:func:`term_keys`): the first
#: character's code point shifted by this, plus the second's plus one (0 for
#: a one-character term).  Keys sort as their terms do (code point order,
#: which is UTF-8's byte order), so a build sorts integers, not strings.
KEY_SHIFT = 22
_KEY_LOW = (1 << KEY_SHIFT) - 1


def codepoints(norm: str, dtype: Any = np.uint64) -> np.ndarray:
    """The code points of ``norm`` as ``dtype`` (lone surrogates included)."""
    return np.frombuffer(norm.encode("utf-32-le", "surrogatepass"), dtype="<u4").astype(dtype, copy=False)


def key_terms(keys: Iterable[int]) -> list[str]:
    """The terms of integer keys (see :data:`KEY_SHIFT`)."""
    low = _KEY_LOW
    return [chr(k >> KEY_SHIFT) + chr((k & low) - 1) if k & low else chr(k >> KEY_SHIFT) for k in keys]


class BigramTokenizer(_PositionsTokenizer):
    """Overlapping character bigrams of the matching form, positioned by start.

    Bigram ``k`` covers normalized characters ``k`` and ``k+1``, so a string of
    ``n >= 2`` normalized characters occurs in a field iff its ``n-1`` bigrams
    occur at consecutive positions: an exact-substring test that jieba's word
    boundaries cannot break.  A one-character field yields that character.
    """

    def collect(self, norm: str, base: int, poses: dict[str, list[int]]) -> None:
        for i, gram in enumerate(bigrams(norm), base):
            lst = poses.get(gram)
            if lst is None:
                poses[gram] = [i]
            else:
                lst.append(i)

    def term_keys(self, norm: str, base: int) -> tuple[np.ndarray, np.ndarray]:
        """:meth:`collect`'s terms as integer keys (:data:`KEY_SHIFT`) and
        their positions, one pair per position in position order: what a
        build inverts with numpy (``tests/test_analysis.py`` holds the two equal)."""
        cps = codepoints(norm)
        if len(cps) < 2:
            return cps << KEY_SHIFT, np.full(len(cps), base, dtype=np.uint32)
        keys = cps[:-1] << KEY_SHIFT
        keys |= cps[1:] + 1
        return keys, np.arange(base, base + len(cps) - 1, dtype=np.uint32)


class CharTokenizer(_PositionsTokenizer):
    """Each distinct character of the matching form once, at the field's
    base position (for one-character queries, scoped to a field by it)."""

    def collect(self, norm: str, base: int, poses: dict[str, list[int]]) -> None:
        for ch in set(norm):
            lst = poses.get(ch)
            if lst is None:
                poses[ch] = [base]
            else:
                lst.append(base)

    def term_keys(self, norm: str, base: int) -> tuple[np.ndarray, np.ndarray]:
        """:meth:`collect`'s terms as integer keys (:data:`KEY_SHIFT`) with
        their positions (see :meth:`BigramTokenizer.term_keys`)."""
        # a sort and a mask: np.unique's own bookkeeping took twice as long
        cps = np.sort(codepoints(norm, np.uint32))
        first = np.ones(len(cps), dtype=bool)
        np.not_equal(cps[1:], cps[:-1], out=first[1:])
        keys = cps[first].astype(np.uint64) << KEY_SHIFT
        return keys, np.full(len(keys), base, dtype=np.uint32)


def bigrams(norm: str) -> list[str]:
    """The bigram terms of an already normalized string (see BigramTokenizer)."""
    if len(norm) == 1:
        return [norm]
    return [norm[i:i + 2] for i in range(len(norm) - 1)]


def word_analyzer(userdict: str | None = None, vocab_words: tuple[str, ...] = ()) -> CompositeAnalyzer:
    """The analyzer of the ranking fields (title, subtitle, body); ``vocab_words``
    (see :func:`vocabulary_words`) are added to jieba's dictionary."""
    return JiebaTokenizer(userdict, vocab_words) | SubwordFilter(userdict, vocab_words)


def bigram_analyzer() -> BigramTokenizer:
    """The analyzer of the ``*_ng`` exact-substring fields."""
    return BigramTokenizer()


def char_analyzer() -> CharTokenizer:
    """The analyzer of the ``*_c1`` one-character fields."""
    return CharTokenizer()
