"""Suggestions as you type, and "did you mean" (issue 14).

Both read the snapshot's suggestion file (:mod:`index.suggestions`, written
when the snapshot was), loaded once per open snapshot
(:meth:`search.snapshots.OpenSnapshot.suggester`) into a sorted key list and
numpy arrays, so a lookup is two bisections and a partial sort of ranks.

Pinyin never widens a search: a pinyin key only finds a suggestion, whose
characters the user then chooses; "did you mean" proposes queries, it does
not run them in place of the one typed.
"""

from __future__ import annotations

import bisect
import json
import logging
import os
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from index.normalization import match_text
from index.suggestions import FORMAT, HEADLINE, KEY_PINYIN, MAX_READINGS, SUGGEST_FILE, readings

from .execute import Deadline, Executor, QueryTooExpensive
from .grammar import Leaf, parse
from .models import IntParam, RequestError, SearchRequest

_log = logging.getLogger(__name__)

#: ``limit`` of ``GET /api/suggest``: its default and bounds (the API's schema is made from it).
LIMIT = IntParam("limit", 8, 1, 20, "Suggestions to return at most.")
#: Characters of a prefix to complete (longer ones are refused by the API).
MAX_PREFIX_CHARS = 100
#: A search finding fewer articles than this gets "did you mean" suggestions.
DID_YOU_MEAN_BELOW = 3
#: "Did you mean" suggestions at most, and candidate queries counted to find them.
DID_YOU_MEAN_MAX = 3
DID_YOU_MEAN_CHECKED = 8
#: Longer queries (a pasted paragraph) get none: each candidate counted is
#: another whole search, and a paragraph with one word changed finds no more.
DID_YOU_MEAN_MAX_CHARS = 100
#: Keys one suggestion has at most: its form, and a full pinyin and initials per reading.
_KEYS_PER_ITEM = 1 + 2 * MAX_READINGS
_TOP = "\U0010ffff"


@dataclass(frozen=True)
class Suggestion:
    text: str
    kind: str
    count: int

    def to_dict(self) -> dict[str, Any]:
        return {"text": self.text, "kind": self.kind, "count": self.count}


class Suggester:
    """One snapshot's suggestions: ``items`` in rank order (most articles
    first) and their keys, sorted, each pointing at its item."""

    def __init__(self, items: list[tuple[str, str, int]], keys: list[tuple[str, int, int]]) -> None:
        self.items = [Suggestion(str(t), str(k), int(c)) for t, k, c in items]
        self.keys = [k for k, _, _ in keys]
        self.key_kinds = np.fromiter((kind for _, kind, _ in keys), dtype=np.int8, count=len(keys))
        self.key_items = np.fromiter((item for _, _, item in keys), dtype=np.int32, count=len(keys))
        self._near: dict[str, list[int]] | None = None
        self._longest = 0  # the longest matching form in the near table
        self._lock = threading.Lock()

    @classmethod
    def load(cls, snapshot_dir: str | os.PathLike[str]) -> Suggester:
        """The suggestions of a snapshot; none (logged) when it has no usable file."""
        path = Path(snapshot_dir) / SUGGEST_FILE
        try:
            with open(path, encoding="utf-8") as fh:
                data = json.load(fh)
            if data.get("format") != FORMAT:
                raise ValueError(f"format {data.get('format')!r}, expected {FORMAT}")
            return cls(data["items"], data["keys"])
        except FileNotFoundError:
            _log.warning("%s: no suggestion file; rebuild the index to offer suggestions", snapshot_dir)
        except (OSError, ValueError, KeyError, TypeError) as exc:
            _log.error("%s: unreadable suggestion file: %s", path, exc)
        return cls([], [])

    def __len__(self) -> int:
        return len(self.items)

    def _range(self, prefix: str) -> tuple[int, int]:
        return bisect.bisect_left(self.keys, prefix), bisect.bisect_right(self.keys, prefix + _TOP)

    def suggest(self, q: str, limit: int = LIMIT.default) -> list[Suggestion]:
        """Up to ``limit`` suggestions one of whose keys (matching form, full
        pinyin, initials) starts with the matching form of ``q``, those that
        find most articles first."""
        prefix = match_text(q)
        if not prefix or limit < 1:
            return []
        lo, hi = self._range(prefix)
        ranks = self.key_items[lo:hi]
        enough = limit * _KEYS_PER_ITEM  # the smallest ranks hold at least `limit` distinct items
        if len(ranks) > enough:
            ranks = np.partition(ranks, enough - 1)[:enough]
        return [self.items[int(r)] for r in np.unique(ranks)[:limit]]

    def by_pinyin(self, q: str) -> list[int]:
        """Items (rank order) whose full pinyin is exactly the matching form of ``q``."""
        key = match_text(q)
        lo, hi = bisect.bisect_left(self.keys, key), bisect.bisect_right(self.keys, key)
        return sorted({int(i) for i, kind in zip(self.key_items[lo:hi], self.key_kinds[lo:hi]) if kind == KEY_PINYIN})

    def near(self, form: str) -> list[int]:
        """Names and headline words (not headlines) at edit distance 1 from
        the matching form ``form``, in rank order."""
        table = self._near_table()
        if len(form) > self._longest + 1:  # a pasted paragraph: nothing is one edit away
            return []
        found: set[int] = set()
        for probe in {form, *_deletes(form)}:
            found.update(table.get(probe, ()))
        return sorted(i for i in found if _distance_one(match_text(self.items[i].text), form))

    def _near_table(self) -> dict[str, list[int]]:
        """Each item's form and one-deletion variants → items (built on first use)."""
        if self._near is None:
            with self._lock:
                if self._near is None:
                    table: dict[str, list[int]] = {}
                    for i, item in enumerate(self.items):
                        if item.kind == HEADLINE:
                            continue
                        form = match_text(item.text)
                        self._longest = max(self._longest, len(form))
                        for variant in {form, *_deletes(form)}:
                            table.setdefault(variant, []).append(i)
                    self._near = table
        return self._near


def _deletes(form: str) -> list[str]:
    return [form[:i] + form[i + 1:] for i in range(len(form))] if len(form) > 1 else []


def _distance_one(a: str, b: str) -> bool:
    """Levenshtein distance of ``a`` and ``b`` is exactly 1."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        return sum(x != y for x, y in zip(a, b)) == 1
    if len(a) > len(b):
        a, b = b, a
    i = 0
    while i < len(a) and a[i] == b[i]:
        i += 1
    return a[i:] == b[i + 1:]


# --------------------------------------------------------------------------
# Did you mean


def _replaceable(token: str) -> bool:
    """A token of ``q`` that is one plain term: unquoted, unscoped, no operator."""
    if token in ("OR", "NOT") or token[0] in "-(\"“「『" or any(c in token for c in "()\"“”「」『』"):
        return False
    try:
        node = parse(token)
    except RequestError:
        return False
    return isinstance(node, Leaf) and node.field is None and not node.phrase


def did_you_mean(opened: Any, req: SearchRequest, total: int, deadline: Deadline) -> list[dict[str, Any]]:
    """Up to :data:`DID_YOU_MEAN_MAX` queries that find more articles than
    ``total`` (with the request's filters), each ``{"q", "total"}``:
    ``req.q`` with one plain term replaced by a vocabulary name or headline
    word one character away, or by the characters of a term typed in full
    pinyin.  Replacements that read like the term typed (homophones: the
    usual slip of a pinyin input method, 郑洲 → 郑州) come first, then the
    others, each group by articles found.  At most
    :data:`DID_YOU_MEAN_CHECKED` candidates are counted, within the
    request's time budget."""
    suggester: Suggester = opened.suggester()
    if not len(suggester) or len(req.q) > DID_YOU_MEAN_MAX_CHARS:
        return []
    tokens = req.q.split()
    candidates: list[tuple[int, int, str]] = []  # (0 if it sounds like what was typed, item rank, query)
    for k, token in enumerate(tokens):
        if not _replaceable(token):
            continue
        form = match_text(token)
        typed_pinyin = form.isascii() and form.isalpha()
        near = suggester.near(form)
        if not near and not typed_pinyin:
            continue  # nothing to offer: spare the pinyin (of a pasted paragraph, say)
        # characters typed with a pinyin input method slip to a homophone most of all
        sounds = suggester.by_pinyin(form if typed_pinyin else "".join(readings(form)[0]))
        for i in (sounds if typed_pinyin else []) + near:
            text = suggester.items[i].text
            candidates.append((0 if i in sounds else 1, i, " ".join(tokens[:k] + [text] + tokens[k + 1:])))
    candidates.sort()
    found: dict[str, tuple[int, int]] = {}
    for first, _, query in candidates:
        if query in found or query == req.q:
            continue
        if len(found) >= DID_YOU_MEAN_CHECKED:
            break
        try:
            executor = Executor(opened, opened.segments(), deadline)
            found[query] = (first, sum(len(d) for d in executor.matching(parse(query), req)))
        except QueryTooExpensive:
            break
        except RequestError:
            continue
    better = sorted((first, -n, q) for q, (first, n) in found.items() if n > total)
    return [{"q": q, "total": -n} for _, n, q in better[:DID_YOU_MEAN_MAX]]


def suggest(index: Any, q: str, limit: int = LIMIT.default) -> list[Suggestion]:
    """Suggestions for the prefix ``q`` from the live snapshot of ``index``
    (a :class:`search.snapshots.SearchIndex`); ``limit`` is checked here."""
    problem = LIMIT.problem(limit)
    if problem:
        raise RequestError(problem, "limit")
    with index.lease() as opened:
        return opened.suggester().suggest(q, limit)
