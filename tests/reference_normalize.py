"""An independent reference for the matching contract, written from README.md alone.

README.md ("Query language") defines the normalized text: split into clusters
(a base character and the combining marks, general category Mn/Mc/Me, after
it; leading marks form their own cluster), then per cluster NFKC, OpenCC
``t2s`` one character at a time (a lone surrogate stays), full case folding,
and keep only characters of general category L* or N*.

This module deliberately shares no code with ``index/normalization.py`` (it
uses only :mod:`unicodedata` and :mod:`opencc`), so that a bug in the engine's
tables cannot hide by being in the oracle too.  It is slow and simple; each
distinct cluster is computed once.
"""

from __future__ import annotations

import functools
import unicodedata

import opencc

_T2S = opencc.OpenCC("t2s")
_MARKS = ("Mn", "Mc", "Me")


def is_mark(ch: str) -> bool:
    return unicodedata.category(ch) in _MARKS


def clusters(text: str) -> list[str]:
    """Base character + following marks; marks at the very start form a cluster of their own."""
    out: list[str] = []
    for ch in text:
        if out and is_mark(ch):
            out[-1] += ch  # joins its base (or the leading run of marks)
        else:
            out.append(ch)
    return out


def _t2s_char(ch: str) -> str:
    if "\ud800" <= ch <= "\udfff":
        return ch  # OpenCC takes UTF-8 only; the contract leaves a lone surrogate as it is
    return str(_T2S.convert(ch))


@functools.lru_cache(maxsize=None)
def normalize_cluster(cluster: str) -> str:
    nfkc = unicodedata.normalize("NFKC", cluster)
    simplified = "".join(_t2s_char(ch) for ch in nfkc)
    folded = simplified.casefold()
    return "".join(ch for ch in folded if unicodedata.category(ch)[0] in "LN")


def reference_match_text(text: str) -> str:
    """The normalized text of ``text`` per the README's contract."""
    return "".join(normalize_cluster(c) for c in clusters(text))
