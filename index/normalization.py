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

import numpy as np

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


@functools.lru_cache(maxsize=1)
def _kept_table() -> np.ndarray:
    """For each BMP code point, whether its matching form is not empty."""
    table = np.ones(0x10000, dtype=bool)
    table[[ord(ch) for ch in _tables()[3]]] = False
    return table


def warm_up() -> None:
    """Build the tables now (about 0.2 s) rather than on the first request."""
    _tables()
    _kept_table()
    _special_table()


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
    table = _tables()[1]
    if not _has_slow_chars(text):
        return text.translate(table)
    out: list[str] = []
    pos = 0
    for start, end in _slow_clusters(text):
        out.append(text[pos:start].translate(table))
        out.append(_cluster_piece(text[start:end]))
        pos = end
    out.append(text[pos:].translate(table))
    return "".join(out)


@functools.lru_cache(maxsize=1)
def _special_table() -> np.ndarray:
    """For each BMP code point, whether ``str.translate`` cannot map it on its
    own: a mark (it joins the character before it) or an expanding character."""
    table = np.zeros(0x10000, dtype=bool)
    for cp in range(0x10000):
        if not 0xD800 <= cp <= 0xDFFF and (_is_mark(chr(cp)) or len(_tables()[1].get(cp, "x")) > 1):
            table[cp] = True
    return table


def _slow_clusters(text: str) -> list[tuple[int, int]]:
    """``[start, end)`` of the clusters of ``text`` that ``str.translate``
    cannot map on its own, in order: a character with the marks that follow
    it, an astral character, an expanding one (``㎡`` → ``m2``), or marks
    with no base at the start.  Text between them maps character by character."""
    codes = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype="<u4")
    seeds = np.flatnonzero((codes > 0xFFFF) | _special_table()[codes & 0xFFFF])
    out: list[tuple[int, int]] = []
    n = len(text)
    for i in seeds.tolist():
        if out and i < out[-1][1]:
            continue  # a mark already taken by the cluster before it
        start = i - 1 if i > 0 and _is_mark(text[i]) else i
        end = i + 1
        while end < n and _is_mark(text[end]):
            end += 1
        out.append((start, end))
    return out


@functools.lru_cache(maxsize=1 << 16)
def _cluster_piece(cluster: str) -> str:
    """The matching form of one cluster (NFKC → t2s → casefold, letters and digits)."""
    return "".join(c for c in _map_char(cluster) if _is_word_char(c))


def _kept_offsets(text: str, base: int) -> list[int]:
    """Offsets (from ``base``) of the characters of ``text`` (BMP, no marks,
    none expanding) whose matching form is not empty."""
    codes = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype="<u4")
    return (np.flatnonzero(_kept_table()[codes]) + base).tolist()


def match_text_with_offsets(text: str) -> tuple[str, list[int], list[int]]:
    """The matching form plus, for each of its characters, the span in ``text``.

    ``starts[k]:ends[k]`` is the original text that produced normalized
    character ``k``; highlighting uses it to put marks on the original text.
    """
    tables = _tables()
    table = tables[1]
    if not _has_slow_chars(text) and not tables[4].search(text):
        # Every character maps to itself, to one character, or to nothing:
        # the offsets are just the positions of the characters kept.
        kept = _kept_offsets(text, 0)
        return text.translate(table), kept, [i + 1 for i in kept]
    pieces: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    pos = 0
    for start, end in [*_slow_clusters(text), (len(text), len(text))]:
        if start > pos:  # a run mapped character by character
            pieces.append(text[pos:start].translate(table))
            kept = _kept_offsets(text[pos:start], pos)
            starts.extend(kept)
            ends.extend(i + 1 for i in kept)
        if start == end:
            break
        piece = _cluster_piece(text[start:end])
        pieces.append(piece)
        starts.extend([start] * len(piece))
        ends.extend([end] * len(piece))
        pos = end
    return "".join(pieces), starts, ends
