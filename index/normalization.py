"""Text normalization shared by indexing, querying and highlighting.

The matching contract of the product is defined here.  Two normalizations:

* :func:`fold` — the *analysis* form, fed to jieba: each character is mapped
  to NFKC, then Traditional → Simplified (OpenCC ``t2s``, character by
  character), then case-folded, **but only where the result is exactly one
  character**.  Length is preserved, so a token's offsets in the folded text
  are its offsets in the original text: highlighting needs no offset map.

* :func:`match_text` — the *matching* form: the same per-character mapping
  (expansions allowed, e.g. ``㎡`` → ``m2``) with every character that is not
  a letter or a digit dropped.  A query term matches a field **iff**
  ``match_text(term)`` is a substring of ``match_text(field)``.  The index's
  character n-grams are taken from this form, and the brute-force tests use
  this very function as the oracle.

The mapping is applied per character (a base character plus any combining
marks that follow it counts as one), never per phrase, so it commutes with
taking substrings: whatever a user copies out of an article normalizes to a
substring of the article's normalized text.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterator

# Code point ranges whose characters OpenCC may convert.  Everything in them is
# sent through OpenCC once, one character per line, to get a per-character
# table that no phrase context can influence.
_HAN_RANGES = ((0x3400, 0xA000), (0xF900, 0xFB00), (0x20000, 0x2FA20), (0x30000, 0x323B0))


def _is_mark(ch: str) -> bool:
    """A mark (general category M) continues the character before it, whatever
    its combining class: U+0BD7 joins ஒ as ஔ does in NFC."""
    return unicodedata.category(ch)[0] == "M"



def _is_word_char(ch: str) -> bool:
    return unicodedata.category(ch)[0] in "LN"


@functools.lru_cache(maxsize=1)
def _t2s_table() -> dict[str, str]:
    import opencc

    chars = [chr(c) for lo, hi in _HAN_RANGES for c in range(lo, hi)]
    converted = opencc.OpenCC("t2s").convert("\n".join(chars)).split("\n")
    if len(converted) != len(chars):  # pragma: no cover - OpenCC contract
        raise RuntimeError("OpenCC changed the number of lines")
    return {c: s for c, s in zip(chars, converted) if s != c}


def _map_char(ch: str) -> str:
    """NFKC → t2s → casefold for one character (or one base+marks cluster)."""
    out = unicodedata.normalize("NFKC", ch)
    t2s = _t2s_table()
    out = "".join(t2s.get(c, c) for c in out)
    return out.casefold()


@functools.lru_cache(maxsize=1)
def _tables() -> tuple[dict[int, str], dict[int, str], re.Pattern[str], frozenset[str], re.Pattern[str]]:
    """(fold table, match table, combining-mark pattern) over the BMP.

    Only characters that change are listed, so the tables stay small and
    ``str.translate`` runs at C speed.  Text with astral characters or
    combining marks (a combining mark continues the previous character: NFKC
    sees them together) takes the slower per-cluster path.
    """
    fold: dict[int, str] = {}
    match: dict[int, str] = {}
    marks: list[str] = []
    for cp in range(0x10000):
        if 0xD800 <= cp <= 0xDFFF:
            match[cp] = ""  # lone surrogates are not text
            continue
        ch = chr(cp)
        if _is_mark(ch):
            marks.append(re.escape(ch))
        mapped = _map_char(ch)
        if mapped != ch and len(mapped) == 1:
            fold[cp] = mapped
        kept = "".join(c for c in mapped if _is_word_char(c))
        if kept != ch:
            match[cp] = kept
    dropped = frozenset(chr(cp) for cp, piece in match.items() if not piece)
    expanding = "".join(re.escape(chr(cp)) for cp, piece in match.items() if len(piece) > 1)
    return fold, match, re.compile("[" + "".join(marks) + "]"), dropped, re.compile("[" + expanding + "]")


def warm_up() -> None:
    """Build the tables now (about 0.2 s) rather than on the first request."""
    _tables()


def fold(text: str) -> str:
    """The analysis form: same length as ``text``, offsets unchanged."""
    return text.translate(_tables()[0])


def _has_slow_chars(text: str) -> bool:
    return (bool(text) and max(text) > "\uffff") or _tables()[2].search(text) is not None


def match_table(text: str) -> dict[int, str] | None:
    """The ``str.translate`` table that gives the matching form of ``text``
    and of each of its substrings, or None when ``text`` needs the slower
    per-cluster path (astral characters, combining marks)."""
    return None if _has_slow_chars(text) else _tables()[1]


def match_text(text: str) -> str:
    """The matching form of ``text``: what substring matching compares."""
    if not _has_slow_chars(text):
        return text.translate(_tables()[1])
    return "".join(piece for piece, _, _ in _clusters(text))


def _clusters(text: str) -> Iterator[tuple[str, int, int]]:
    """(normalized piece, start, end) per base-plus-marks cluster of ``text``."""
    match = _tables()[1]
    i, n = 0, len(text)
    while i < n:
        j = i + 1
        while j < n and _is_mark(text[j]):
            j += 1
        if j == i + 1 and text[i] <= "\uffff":
            yield match.get(ord(text[i]), text[i]), i, j
        else:
            piece = "".join(c for c in _map_char(text[i:j]) if _is_word_char(c))
            yield piece, i, j
        i = j


def match_text_with_offsets(text: str) -> tuple[str, list[int], list[int]]:
    """The matching form plus, for each of its characters, the span in ``text``.

    ``starts[k]:ends[k]`` is the original text that produced normalized
    character ``k``; highlighting uses it to put marks on the original text.
    """
    tables = _tables()
    if not _has_slow_chars(text) and not tables[4].search(text):
        # Every character maps to itself, to one character, or to nothing:
        # the offsets are just the positions of the characters kept.
        dropped = tables[3]
        kept = [i for i, ch in enumerate(text) if ch not in dropped]
        return text.translate(tables[1]), kept, [i + 1 for i in kept]
    pieces: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    if not _has_slow_chars(text):
        get = tables[1].get
        for i, ch in enumerate(text):
            piece = get(ord(ch), ch)
            if piece:
                pieces.append(piece)
                for _ in piece:
                    starts.append(i)
                    ends.append(i + 1)
    else:
        for piece, s, e in _clusters(text):
            pieces.append(piece)
            for _ in piece:
                starts.append(s)
                ends.append(e)
    return "".join(pieces), starts, ends
