"""The suggestion file of a snapshot: what the search box offers as you type (issue 14).

:func:`write_suggestions` reads a finished snapshot directory (its Whoosh
index and the vocabulary it carries, :func:`index.vocab.snapshot_vocabulary`)
and writes :data:`SUGGEST_FILE` into it.  Every writer of a snapshot calls it
after the index files are complete and before the snapshot is published
(``build`` and ``update`` do; so must ``newsearch vocab``), so the manifest
covers the file and workers never compute it at start-up.  It writes a new
file and renames it over the old name: in an update's snapshot the old name
is a hard link into the live snapshot, which must never change.

What is offered, each with the number of articles a search for it finds:

* every vocabulary name and alias (kind: the entry's kind; count: articles
  containing any of the entry's names);
* frequent headline words: jieba words of titles in at least
  :data:`MIN_WORD_TITLES` headlines, the :data:`MAX_WORDS` most frequent
  (kind ``word``; count: articles containing the word anywhere);
* the :data:`RECENT_HEADLINES` newest headlines (kind ``headline``; count:
  the recent articles with that headline, usually 1).

Counts are exact under the matching contract: a string of ``n`` normalized
characters occurs in an article iff its ``n-1`` bigrams stand at consecutive
positions of ``text_ng`` (one field's bigrams never run into another's), so
they are computed from the bigram postings, deleted articles left out.  (The
search layer's exact-match code cannot be used from here: the dependency
direction is api → search → index.)

Each suggestion is found by the prefixes of its keys: its matching form
(:func:`index.normalization.match_text`), its full pinyin without tones
(``zhengzhou``) and its pinyin initials (``zz``), made with ``pypinyin``.
Names get every combination of their characters' readings (heteronyms:
长垣 is ``changyuan`` though pypinyin's first guess is ``zhangyuan``), at
most :data:`MAX_READINGS`; words and headlines get pypinyin's reading in
context.  Key kinds are recorded so that "did you mean" can find the
characters of a query typed in full pinyin.

File format (JSON, ``format`` :data:`FORMAT`): ``items`` as ``[text, kind,
count]`` in rank order (most articles first), ``keys`` as ``[key, kind,
item]`` sorted by key, so a reader bisects it without sorting anything.
"""

from __future__ import annotations

import itertools
import json
import multiprocessing
import os
import time
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .columns import date_column
from .docsets import contains
from .normalization import match_text
from .packed import decode
from .postings import PackedPositions
from .vocab import Vocabulary, snapshot_vocabulary

#: The suggestion file's name inside a snapshot directory.
SUGGEST_FILE = "suggest.json"
#: Version of the file's layout; a reader refuses another.
FORMAT = 1
#: Headline words offered at most (the most frequent in headlines).
MAX_WORDS = 20_000
#: A word must stand in at least this many headlines to be offered.
MIN_WORD_TITLES = 2
#: The newest headlines offered.
RECENT_HEADLINES = 2_000
#: Pinyin readings of one name at most (heteronym combinations).
MAX_READINGS = 8
#: Pinyin keys cover the first this many characters (nobody types a whole
#: headline in pinyin; a prefix search needs no more).
PINYIN_CHARS = 12
#: Kinds of suggestion besides the vocabulary's: a headline word, a headline.
WORD, HEADLINE = "word", "headline"
#: Kinds of keys: the matching form, full pinyin, pinyin initials.
KEY_FORM, KEY_PINYIN, KEY_INITIALS = 0, 1, 2
#: The bigram field whose postings give exact counts (see :mod:`index.schema`).
BIGRAM_FIELD = "text_ng"
#: Decoded bigram postings kept while counting (least recently used dropped).
CACHE_BYTES = 128 << 20
#: An update carries its parent's names and words with their counts while the
#: archive is within this share of the size they were counted at, and counts
#: everything anew past it (see :func:`build_suggestions`).
RECOUNT_SHARE = 0.05

_KIND_ORDER = {"person": 0, "place": 0, "org": 0, "term": 0, WORD: 1, HEADLINE: 2}


@dataclass
class SuggestionTable:
    """What the file holds: ``items`` (text, kind, count) in rank order and
    ``keys`` (key, key kind, item index) sorted by key."""

    items: list[tuple[str, str, int]] = field(default_factory=list)
    keys: list[tuple[str, int, int]] = field(default_factory=list)
    seconds: float = 0.0
    #: Live articles when the names' and words' counts were computed.
    counted_at: int = 0
    #: Articles added, changed or deleted since (while names and words are carried).
    changed_since: int = 0
    #: Whether the names and words were carried from the parent snapshot's file.
    carried: bool = False

    def to_json(self) -> str:
        return json.dumps({"format": FORMAT, "counted_at": self.counted_at, "changed_since": self.changed_since,
                           "items": [list(i) for i in self.items],
                           "keys": [list(k) for k in self.keys]}, ensure_ascii=False, separators=(",", ":"))


def write_suggestions(snapshot_dir: str | os.PathLike[str], vocabulary: Vocabulary | None = None,
                      parent: str | os.PathLike[str] | None = None, changed: int = 0,
                      procs: int = 1) -> SuggestionTable:
    """Compute the suggestions of the snapshot at ``snapshot_dir`` (its index
    and, unless ``vocabulary`` is given, the vocabulary it carries) and write
    them to its :data:`SUGGEST_FILE`, replacing any file of that name by a new
    one (never writing into it: it may be a hard link into another snapshot).
    ``parent``: the snapshot an update started from, with the same
    vocabulary, and ``changed`` the articles the update added, replaced or
    deleted (see :func:`build_suggestions`); ``procs``: processes that count.

    Call it once the snapshot's index is complete and before it is published.
    """
    folder = Path(snapshot_dir)
    table = build_suggestions(folder, vocabulary, parent, changed, procs)
    tmp = folder / (SUGGEST_FILE + f".tmp{os.getpid()}")
    with open(tmp, "w", encoding="utf-8") as fh:
        fh.write(table.to_json())
    os.replace(tmp, folder / SUGGEST_FILE)
    return table


def build_suggestions(snapshot_dir: str | os.PathLike[str], vocabulary: Vocabulary | None = None,
                      parent: str | os.PathLike[str] | None = None, changed: int = 0,
                      procs: int = 1) -> SuggestionTable:
    """The suggestions of a snapshot, in memory (see the module docstring).

    Counting every name and headline word is most of the cost (12 s at
    100,000 articles, growing with the archive), too much for each daily
    update.  So given ``parent`` (an update's live snapshot, whose
    vocabulary is this one's) and ``changed`` (the articles the update
    added, replaced or deleted), the names and words are carried over with
    their counts while the articles changed since they were counted stay
    within :data:`RECOUNT_SHARE` of the archive they were counted in; the
    newest headlines are always taken anew.  Counts then lag by at most that
    share (they only rank suggestions; searches count exactly), and the next
    update past it, or any build, counts everything again.
    """
    from whoosh import index as windex

    started = time.perf_counter()
    vocab = snapshot_vocabulary(snapshot_dir) if vocabulary is None else vocabulary
    ix = windex.open_dir(str(snapshot_dir), readonly=True)
    with ix.reader() as reader:
        counter = _Counter(reader)
        carried = _counted_in(parent, changed) if parent is not None else None
        candidates: list[tuple[str, str, int, bool]] = []  # text, kind, count, all readings
        seen: set[str] = set()
        if carried is not None:
            counted_at, since, items = carried
            for text, kind, count in items:
                form = match_text(text)
                if kind != HEADLINE and form not in seen:
                    seen.add(form)
                    candidates.append((text, kind, count, kind != WORD))
        else:
            counted_at, since = reader.doc_count(), 0
            _count_names_and_words(reader, counter, vocab, candidates, seen, snapshot_dir, procs)
        for title, hits in _recent_headlines(reader, counter):
            form = match_text(title)
            if form not in seen:
                seen.add(form)
                candidates.append((title, HEADLINE, hits, False))
    candidates = [c for c in candidates if c[2] > 0 or c[1] not in (WORD, HEADLINE)]
    candidates.sort(key=lambda c: (-c[2], _KIND_ORDER.get(c[1], 3), len(c[0]), c[0]))
    table = SuggestionTable(items=[(text, kind, count) for text, kind, count, _ in candidates],
                            counted_at=counted_at, changed_since=since, carried=carried is not None)
    keys: list[tuple[str, int, int]] = []
    for k, (text, _, _, every) in enumerate(candidates):
        keys.extend((key, kind, k) for key, kind in suggestion_keys(text, every))
    keys.sort()
    table.keys = keys
    table.seconds = time.perf_counter() - started
    return table


def _counted_in(parent: str | os.PathLike[str], changed: int) -> tuple[int, int, list[Any]] | None:
    """The parent file's archive size at counting, the articles changed since
    (``changed`` included) and its items, if they may be carried (None:
    count anew)."""
    try:
        data = json.loads((Path(parent) / SUGGEST_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    counted_at = data.get("counted_at") if data.get("format") == FORMAT else None
    since = int(data.get("changed_since") or 0) + changed
    if not counted_at or since > RECOUNT_SHARE * counted_at:
        return None
    return int(counted_at), since, data["items"]


def _count_names_and_words(reader: Any, counter: _Counter, vocab: Vocabulary,
                           candidates: list[tuple[str, str, int, bool]], seen: set[str],
                           snapshot_dir: str | os.PathLike[str], procs: int = 1) -> None:
    """Append the vocabulary's names and the frequent headline words, counted
    (in ``procs`` processes, each over a share of the segments, when more than one)."""
    groups: list[list[str]] = []  # the forms counted together: an entry's names, or one word
    added: list[tuple[int, int]] = []  # (candidate, group) whose count is that group's
    for entry in vocab.entries:
        groups.append([match_text(n) for n in entry.names])
        for name, form in zip(entry.names, groups[-1]):
            if form not in seen:
                seen.add(form)
                added.append((len(candidates), len(groups) - 1))
                candidates.append((name, entry.kind, 0, True))
    for word in sorted(_title_words(reader)):  # in character order, words sharing bigrams come together
        if word not in seen:
            seen.add(word)
            groups.append([word])
            added.append((len(candidates), len(groups) - 1))
            candidates.append((word, WORD, 0, False))
    if procs > 1 and len(counter.segments) > 1:
        with multiprocessing.get_context("fork").Pool(procs) as pool:
            shares = pool.starmap(_count_share, [(str(snapshot_dir), groups, k, procs) for k in range(procs)])
        counts = [sum(c) for c in zip(*shares)]
    else:
        counts = [counter.count_any(g) for g in groups]
    for at, group in added:
        text, kind, _, every = candidates[at]
        candidates[at] = (text, kind, counts[group], every)


def _count_share(snapshot_dir: str, groups: list[list[str]], share: int, shares: int) -> list[int]:
    """Each group's articles (containing any of its forms) in segments
    ``share``, ``share + shares``, …: a process's part of the counting
    (it opens the index itself: file handles are not shared across a fork)."""
    from whoosh import index as windex

    ix = windex.open_dir(snapshot_dir, readonly=True)
    with ix.reader() as reader:
        counter = _Counter(reader, share, shares)
        return [counter.count_any(g) for g in groups]


# --------------------------------------------------------------------------
# Keys


def suggestion_keys(text: str, all_readings: bool = False) -> list[tuple[str, int]]:
    """The ``(key, key kind)`` pairs a suggestion is found by: its matching
    form, then each distinct full pinyin and initials of its first
    :data:`PINYIN_CHARS` characters (every heteronym combination, at most
    :data:`MAX_READINGS`, with ``all_readings``)."""
    form = match_text(text)
    if not form:
        return []
    out = [(form, KEY_FORM)]
    seen = {form}
    for syllables in readings(form[:PINYIN_CHARS], all_readings):
        full = "".join(syllables)
        initials = "".join(s[0] for s in syllables if s)
        for key, kind in ((full, KEY_PINYIN), (initials, KEY_INITIALS)):
            if key and key not in seen:
                seen.add(key)
                out.append((key, kind))
    return out


def readings(form: str, all_readings: bool = False) -> list[list[str]]:
    """Pinyin readings of a matching form, each a list of syllables (a run
    of non-Chinese characters stays one piece, as is).  The reading in
    context comes first; with ``all_readings`` the other combinations of
    each character's readings follow, :data:`MAX_READINGS` in all."""
    from pypinyin import Style, lazy_pinyin, pinyin

    def keep(chunk: str) -> str:
        return _MARK + chunk

    first = [_plain(s) for s in lazy_pinyin(form, errors=keep)]
    out = [first]
    if all_readings:
        per_char = [[_plain(s) for s in options] for options in
                    pinyin(form, style=Style.NORMAL, heteronym=True, errors=keep)]
        if len(per_char) == len(first):
            for combo in itertools.islice(itertools.product(*per_char), MAX_READINGS * 4):
                reading = list(combo)
                if reading not in out:
                    out.append(reading)
                if len(out) >= MAX_READINGS:
                    break
    return out


_MARK = "\x00"


def _plain(syllable: str) -> str:
    """A syllable (or a kept non-Chinese run) as typed on a keyboard: lower
    case, ``ü`` as ``v``."""
    return syllable.lstrip(_MARK).lower().replace("ü", "v")


# --------------------------------------------------------------------------
# What goes in


def _title_words(reader: Any) -> list[str]:
    """The :data:`MAX_WORDS` jieba words found in most headlines (at least
    :data:`MIN_WORD_TITLES`), of two or more characters, not bare numbers."""
    freq: dict[str, int] = {}
    for seg, _ in reader.leaf_readers():
        if "title" not in seg.indexed_field_names():
            continue
        for raw, info in seg.iter_field("title"):
            word = raw.decode("utf-8") if isinstance(raw, bytes) else raw
            freq[word] = freq.get(word, 0) + info.doc_frequency()
    good = [(df, w) for w, df in freq.items() if df >= MIN_WORD_TITLES and _offerable(w)]
    good.sort(key=lambda p: (-p[0], p[1]))
    return [w for _, w in good[:MAX_WORDS]]


def _offerable(word: str) -> bool:
    form = match_text(word)
    return len(form) >= 2 and form == word and not form.isdigit() and any(c.isalpha() for c in form)


def _recent_headlines(reader: Any, counter: _Counter) -> list[tuple[str, int]]:
    """The :data:`RECENT_HEADLINES` newest live articles' headlines, newest
    first (articles without a date last), each with how many of them share it."""
    dated: list[tuple[int, int]] = []
    for (seg, offset), live in zip(reader.leaf_readers(), counter.live):
        values = date_column(seg)  # 2**64-1 where none: no date
        values = np.where(values > np.uint64(np.iinfo(np.int64).max), np.uint64(0), values).astype(np.int64)
        chosen = live[np.argsort(-values[live], kind="stable")[:RECENT_HEADLINES]]
        dated.extend((int(values[d]), int(d) + offset) for d in chosen)
    dated.sort(key=lambda p: (-p[0], p[1]))
    counts: OrderedDict[str, list[Any]] = OrderedDict()
    for _, docnum in dated[:RECENT_HEADLINES]:
        title = (reader.stored_fields(docnum).get("title") or "").strip()
        form = match_text(title)
        if len(form) < 2:
            continue
        if form in counts:
            counts[form][1] += 1
        else:
            counts[form] = [title, 1]
    return [(title, n) for title, n in counts.values()]


# --------------------------------------------------------------------------
# Exact counts from the bigram postings


class _Counter:
    """How many live articles contain a normalized string (two or more
    characters), from :data:`BIGRAM_FIELD`'s postings, per segment."""

    def __init__(self, reader: Any, share: int = 0, shares: int = 1) -> None:
        """Over the reader's segments ``share``, ``share + shares``, … (all by default)."""
        self.segments = [seg for seg, _ in reader.leaf_readers()][share::shares]
        self.live = [np.fromiter(seg.all_doc_ids(), dtype=np.int64) for seg in self.segments]
        self.deletions = [seg.has_deletions() for seg in self.segments]
        self._cache: OrderedDict[tuple[int, str], Any] = OrderedDict()
        self._bytes = 0

    def count_any(self, forms: Iterable[str]) -> int:
        """Live articles containing at least one of ``forms``."""
        wanted = sorted({f for f in forms if len(f) >= 2})
        total = 0
        for k in range(len(self.segments)):
            if len(wanted) == 1 and len(wanted[0]) == 2 and not self.deletions[k]:
                total += self._frequency(k, wanted[0])  # one bigram, nothing deleted: its df
                continue
            found = [self._docs(k, f) for f in wanted]
            if found:
                total += len(np.unique(np.concatenate(found))) if len(found) > 1 else len(found[0])
        return total

    def _docs(self, k: int, form: str) -> np.ndarray:
        """The live documents of segment ``k`` containing ``form``."""
        grams = [form[i:i + 2] for i in range(len(form) - 1)]
        lists = [self._postings(k, g) for g in grams]
        if any(p is None for p in lists):
            return np.zeros(0, dtype=np.int64)
        ordered = sorted(lists, key=lambda p: len(p[0]))  # the rarest bigram first: work follows it
        docs = ordered[0][0]
        for p in [*ordered[1:], (self.live[k],)]:
            docs = docs[contains(p[0], docs)]
            if len(docs) == 0:
                return docs
        if len(grams) == 1:
            return docs
        # (doc, position) of the first bigram, kept where every next bigram follows
        keys = _pairs(lists[0], docs)
        for offset, postings in enumerate(lists[1:], 1):
            keys = keys[contains(_pairs(postings, docs), keys + offset)]
            if len(keys) == 0:
                return np.zeros(0, dtype=np.int64)
        return np.unique(keys >> _POS_BITS)

    def _frequency(self, k: int, gram: str) -> int:
        """Documents of segment ``k`` holding ``gram``, deleted ones included."""
        from whoosh.reading import TermNotFound

        try:
            return int(self.segments[k].term_info(BIGRAM_FIELD, gram.encode("utf-8")).doc_frequency())
        except TermNotFound:
            return 0

    def _postings(self, k: int, gram: str) -> Any:
        key = (k, gram)
        if key in self._cache:
            self._cache.move_to_end(key)
            return self._cache[key]
        found = _read(self.segments[k], gram)
        self._cache[key] = found
        self._bytes += sum(a.nbytes for a in found) if found is not None else 64
        while self._bytes > CACHE_BYTES and len(self._cache) > 1:
            _, old = self._cache.popitem(last=False)
            self._bytes -= sum(a.nbytes for a in old) if old is not None else 64
        return found


#: A (doc, position) pair as one int64: positions (a field's base plus the
#: offset in its text, see index.schema.FIELD_BASE) stay below 2**32.
_POS_BITS = 32


def _pairs(postings: Any, docs: np.ndarray) -> np.ndarray:
    """``doc << _POS_BITS | position`` of every position of ``postings`` in
    ``docs`` (each of which holds the term), sorted."""
    ids, offsets, positions = postings
    idx = np.searchsorted(ids, docs)
    starts = offsets[idx]
    counts = offsets[idx + 1] - starts
    total = int(counts.sum())
    owner = np.repeat(np.arange(len(docs)), counts)
    within = np.arange(total) - np.repeat(np.cumsum(counts) - counts, counts)
    return (docs[owner] << _POS_BITS) | positions[starts[owner] + within]


def _read(seg: Any, gram: str) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """``(ids, offsets, positions)`` of a bigram in one segment (deleted
    documents included), or None when the segment lacks it.  The same two
    layouts :mod:`search.arrays` reads: inlined in the term info, or one
    :mod:`index.packed` record."""
    from whoosh.reading import TermNotFound

    try:
        info = seg.term_info(BIGRAM_FIELD, gram.encode("utf-8"))
    except TermNotFound:
        return None
    inline = info.decoded
    if inline is not None:
        assert inline.counts is not None and inline.positions is not None
        offsets = np.zeros(len(inline.ids) + 1, dtype=np.int64)
        np.cumsum(inline.counts, out=offsets[1:])
        return inline.ids, offsets, inline.positions.astype(np.int64)
    offset, length = info.extent()
    if isinstance(length, tuple):
        length = length[0]
    assert isinstance(seg.schema[BIGRAM_FIELD].format, PackedPositions)
    d = decode(seg._terms.record(offset, length))
    assert d.offsets is not None and d.positions is not None
    return d.ids, d.offsets, d.positions
