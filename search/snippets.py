"""Highlighted titles and body fragments, from stored text, without jieba.

A match is found exactly as the search found it: the needle's normalized form
is searched in the normalized field text (:func:`match_text_with_offsets`),
and the hit is mapped back to the original characters.  So a mark covers
precisely the characters that matched — ``融中`` inside ``金融中心`` marks two
characters, a phrase is one mark even across punctuation it ignored — and
highlighting costs one pass of ``str.translate``-speed normalization per
field, not a jieba run.

Everything outside ``<mark>…</mark>`` is HTML-escaped; a fragment with the
tags removed and entities unescaped is a verbatim piece of the article.
"""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass
from html import escape

from index.normalization import match_text, match_text_with_offsets

MARK_OPEN = "<mark>"
MARK_CLOSE = "</mark>"
#: Characters a fragment prefers to start after or end at.
_BREAKS = set("。！？；!?;\n")
_SOFT_BREAKS = set("，、,：:）)」』”")


@dataclass(frozen=True)
class Span:
    start: int  # offsets in the original text
    end: int


def find_spans(text: str, needles: list[str]) -> list[Span]:
    """Non-overlapping spans of ``text`` where any needle matches.

    Overlapping or touching matches are merged into one span, so adjacent
    words of one query term read as one mark.
    """
    if not text or not needles:
        return []
    norm, starts, ends = match_text_with_offsets(text)
    intervals: list[tuple[int, int]] = []
    for needle in needles:
        if not needle:
            continue
        i = norm.find(needle)
        while i >= 0:
            intervals.append((i, i + len(needle)))
            i = norm.find(needle, i + 1)
    if not intervals:
        return []
    intervals.sort()
    merged: list[list[int]] = [list(intervals[0])]
    for s, e in intervals[1:]:
        if s <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], e)
        else:
            merged.append([s, e])
    return [Span(starts[s], ends[e - 1]) for s, e in merged]


def render(text: str, spans: list[Span], start: int = 0, end: int | None = None) -> str:
    """``text[start:end]`` HTML-escaped, with ``spans`` wrapped in marks."""
    end = len(text) if end is None else end
    out: list[str] = []
    pos = start
    for span in spans:
        s, e = max(span.start, start), min(span.end, end)
        if s >= e:
            continue
        out.append(escape(text[pos:s], quote=False))
        out.append(MARK_OPEN + escape(text[s:e], quote=False) + MARK_CLOSE)
        pos = e
    out.append(escape(text[pos:end], quote=False))
    return "".join(out)


def highlight(text: str, needles: list[str]) -> str:
    """The whole text, escaped, with every match marked."""
    return render(text, find_spans(text, needles))


def _expand(text: str, start: int, end: int, size: int) -> tuple[int, int]:
    """Grow ``[start, end)`` to about ``size`` characters, ending at punctuation."""
    n = len(text)
    room = max(0, size - (end - start))
    lo = max(0, start - room // 3)
    hi = min(n, end + room - (start - lo))
    # prefer to start just after a sentence break within the slack before lo
    for i in range(start - 1, max(lo - 20, -1), -1):
        if text[i] in _BREAKS:
            lo = i + 1
            break
    else:
        for i in range(lo, start):
            if text[i] in _SOFT_BREAKS:
                lo = i + 1
                break
    # prefer to end just after a break near hi
    for i in range(hi - 1, max(end, hi - 30) - 1, -1):
        if text[i] in _BREAKS or text[i] in _SOFT_BREAKS:
            hi = i + 1
            break
    while lo < start and text[lo] in " \n\t\u3000":
        lo += 1
    # never split a surrogate pair (text decoded with surrogatepass)
    if 0 < lo < n and "\udc00" <= text[lo] <= "\udfff":
        lo -= 1
    if 0 < hi < n and "\udc00" <= text[hi] <= "\udfff":
        hi += 1
    return lo, hi


def fragments(text: str, needles: list[str], count: int = 3, size: int = 100) -> list[str]:
    """Up to ``count`` fragments of about ``size`` characters around the best matches.

    Fragments are chosen greedily by how many distinct needles they contain,
    then put back in text order.  With no match, the article's opening is the
    one fragment (so a hit always shows some text).
    """
    if not text or count <= 0:
        return []
    spans = find_spans(text, needles)
    if not spans:
        lo, hi = _expand(text, 0, 0, size)
        return [render(text, [], 0, hi)]
    # Each match proposes the fragment around it; with very many matches (a
    # one-character query) a spread of 40 of them is plenty to choose from.
    step = max(1, len(spans) // 40)
    starts = [s.start for s in spans]
    candidates: list[tuple[int, int, int, int]] = []  # (-score, start, lo, hi)
    for span in spans[::step]:
        lo, hi = _expand(text, span.start, span.end, size)
        inside = spans[bisect_left(starts, lo):bisect_left(starts, hi)]
        distinct = len({match_text(text[s.start:s.end]) for s in inside if s.end <= hi})
        candidates.append((-(distinct * 10 + len(inside)), span.start, lo, hi))
    candidates.sort()
    chosen: list[tuple[int, int]] = []
    for _, _, lo, hi in candidates:
        if any(lo < c_hi and c_lo < hi for c_lo, c_hi in chosen):
            continue
        chosen.append((lo, hi))
        if len(chosen) >= count:
            break
    chosen.sort()
    return [render(text, spans, lo, hi) for lo, hi in chosen]
