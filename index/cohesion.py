"""Lexical cohesion of two stretches of Chinese text (a TextTiling-style cue).

Two stretches of one article share words — the names, places and subject
of the story — far more than the ends of two different articles do.
:func:`cohesion` is the cosine of the two stretches' character-bigram
counts, bigrams holding a function character (的, 了, 是, 在 …) left out,
so that only content words count.  It is weak evidence: the page reader
uses it only to lean towards a split where no other cue settles one, and
reports such a split as uncertain.
"""

from __future__ import annotations

import math
import re
from collections import Counter

_FUNCTION = frozenset("的了是在和有也都就不这个我们他她它与及或而为对于以一中上下人大要到说会着把被让从还")
_NOT_HAN = re.compile(r"[^\u4e00-\u9fff]+")


def bigrams(text: str) -> Counter[str]:
    """Counts of the content bigrams of ``text`` (Han characters only)."""
    out: Counter[str] = Counter()
    for run in _NOT_HAN.split(text):
        for k in range(len(run) - 1):
            pair = run[k:k + 2]
            if pair[0] not in _FUNCTION and pair[1] not in _FUNCTION:
                out[pair] += 1
    return out


def han_length(text: str) -> int:
    """How many Han characters ``text`` holds."""
    return sum(1 for c in text if "\u4e00" <= c <= "\u9fff")


def cohesion(before: str, after: str) -> float:
    """Cosine (0 to 1) of the content bigrams of ``before`` and ``after``;
    0.0 when either has none."""
    a, b = bigrams(before), bigrams(after)
    dot = sum(v * b[k] for k, v in a.items() if k in b)
    norm = math.sqrt(sum(v * v for v in a.values())) * math.sqrt(sum(v * v for v in b.values()))
    return dot / norm if norm else 0.0
