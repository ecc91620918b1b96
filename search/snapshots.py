"""The live snapshot of an index directory, opened for searching, and its caches.

:class:`SearchIndex` follows the index directory's ``CURRENT`` pointer: it
stats that one file at most every ``refresh_interval`` seconds and reopens
the index when a build or update switched snapshots, so long-running servers
pick up rebuilds without a restart.  If a new snapshot cannot be opened, the
last good one keeps serving and :attr:`SearchIndex.error` says why.

Lifetimes are explicit, never left to ``__del__``: each use of a snapshot is
a lease (:meth:`SearchIndex.lease`); a snapshot that a switch replaced is
closed when its last lease ends, and :meth:`SearchIndex.close` (which the web
app registers to run at exit) closes the live one.  Searchers are reused
between requests, one per thread (Whoosh readers share file handles).
"""

from __future__ import annotations

import itertools
import os
import sys
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from index.columns import date_column, field_lengths, var_bytes_column
from index.schema import COLUMN_SEP, TEXT_FIELDS
from index.stamps import segment_stamps
from index.vocab import Vocabulary, snapshot_vocabulary
from index.store import (CorruptSnapshotError, IndexStore, NoIndexError, SchemaMismatchError, Snapshot,
                         StoreError)

from .arrays import Postings, read_postings
from .entities import facet_columns
from .execute import Segment
from .stories import StoryMap

#: The fields whose positions a query reads (exact matching); others give documents and weights.
NGRAM_FIELDS = ("text_ng", "text_c1")
#: Facets with several values per article, and the column holding them.
MULTI_VALUED = {"tag": "tags_col", "author": "authors_col", **facet_columns()}
#: The sort value of an article without a date (the date column's default
#: sorts after every real date; kept within int64).
NO_DATE = int(np.iinfo(np.int64).max)
#: Posting lists kept decoded per snapshot (least recently used dropped
#: first).  At 1,000,000 articles 500 of the bench's queries took as long
#: with 160 MB as with 256 (int32 positions), and the worker held 810
#: instead of 957 MB.
POSTINGS_CACHE_BYTES = 160 << 20
#: Document frequencies kept per snapshot (about 150 bytes each).
FREQUENCY_CACHE_ENTRIES = 500_000


#: A facet as arrays: ``(labels, codes, indptr)`` (see :meth:`OpenSnapshot.facet`).
Facet = tuple[list[str], np.ndarray, "np.ndarray | None"]


class SegmentArrays:
    """Arrays read from one segment's files (field lengths, dates, stamps,
    facet columns), shared by every snapshot that has the segment.

    A segment's files never change (snapshots share them by hard links),
    so when an update publishes a snapshot that adds a segment or two, a
    worker reads only those instead of a million articles' columns again.
    Deletions are not in the files: what depends on them stays per snapshot.
    """

    def __init__(self) -> None:
        self._items: dict[tuple[str, str], Any] = {}
        self._lock = threading.Lock()

    def get(self, segment: str, name: str, make: Callable[[], Any]) -> Any:
        key = (segment, name)
        value = self._items.get(key)
        if value is None:
            value = make()
            with self._lock:
                value = self._items.setdefault(key, value)
        return value

    def keep_only(self, segments: frozenset[str]) -> None:
        """Forget the segments a newly live snapshot no longer has."""
        with self._lock:
            self._items = {k: v for k, v in self._items.items() if k[0] in segments}


@dataclass
class OpenSnapshot:
    """One opened snapshot: its Whoosh index, per-thread searchers, and the
    per-snapshot caches a query reads (posting lists as arrays, columns,
    field lengths, lexicons), all bounded or proportional to the archive."""

    snapshot: Snapshot
    ix: Any
    meta: dict[str, Any]
    _local: threading.local = field(default_factory=threading.local)
    _lexicons: dict[str, list[str]] = field(default_factory=dict)
    _arrays: dict[str, Any] = field(default_factory=dict)
    _postings: OrderedDict[tuple[str, str, str, bool], Postings | None] = field(default_factory=OrderedDict)
    _postings_bytes: int = 0
    _words: dict[str, list[str]] = field(default_factory=dict)
    _frequencies: dict[tuple[str, str, str], int] = field(default_factory=dict)
    _making: dict[str, threading.Lock] = field(default_factory=dict)
    _searchers: list[Any] = field(default_factory=list)
    _lock: threading.RLock = field(default_factory=threading.RLock)  # searcher() runs under it too
    #: Uses in progress (see :meth:`SearchIndex.lease`); guarded by the index's lock.
    leases: int = 0
    #: Replaced by a newer snapshot: closed when the last lease ends.
    retired: bool = False
    closed: bool = False
    #: The vocabulary the snapshot carries (empty without one), read once when it is opened.
    vocabulary: Vocabulary = field(default_factory=Vocabulary)
    #: Per-segment arrays, shared with the snapshots opened before and after this one.
    segment_arrays: SegmentArrays = field(default_factory=SegmentArrays)

    def __post_init__(self) -> None:
        self.vocabulary = snapshot_vocabulary(self.snapshot.path)
        self.analyzer = self.ix.schema["title"].analyzer
        self.query_words("预热")  # load jieba and the tables now, not in the first request
        with self.ix.reader() as reader:
            self.doc_count = reader.doc_count()
            self.doc_count_all = reader.doc_count_all()
            self._field_totals = {f: reader.field_length(f) for f in TEXT_FIELDS}
            self.segment_keys = frozenset(sub.segment().segment_id() for sub, _ in reader.leaf_readers())

    def searcher(self) -> Any:
        s = getattr(self._local, "searcher", None)
        if s is None:
            s = self.ix.searcher()
            self._local.searcher = s
            with self._lock:
                self._searchers.append(s)
        return s

    def close(self) -> None:
        """Close every searcher opened on this snapshot (their files too)."""
        with self._lock:
            self.closed = True
            searchers, self._searchers = self._searchers, []
        for s in searchers:
            s.close()

    # -- what a query reads ---------------------------------------------------

    def segments(self) -> list[Segment]:
        """This thread's view of the snapshot's segments, in docnum order."""
        out = []
        for sub, offset in self.searcher().leaf_searchers():
            reader = sub.reader()
            key = reader.segment().segment_id()
            live = self._cached(f"live\x1f{key}", lambda: np.fromiter(reader.all_doc_ids(), dtype=np.int64))
            out.append(Segment(reader, offset, live, self._read_postings, key))
        return out

    def _read_postings(self, seg: Segment, fieldname: str, term: str, positions: bool = True) -> Postings | None:
        """A posting list as arrays, from an LRU cache of at most
        :data:`POSTINGS_CACHE_BYTES` per snapshot.  An n-gram field's list
        is read with its positions unless ``positions`` is false (a list
        read with them serves either way); other fields' lists never are
        (ranking needs documents and weights)."""
        positions = positions and fieldname in NGRAM_FIELDS
        keys = [(seg.key, fieldname, term, positions)]
        if not positions:
            keys.append((seg.key, fieldname, term, True))
        with self._lock:
            for key in keys:
                if key in self._postings:
                    self._postings.move_to_end(key)
                    return self._postings[key]
        key = keys[0]
        found = read_postings(seg.reader, fieldname, term.encode("utf-8"), positions=positions)
        size = found.nbytes if found is not None else 64
        with self._lock:
            if key in self._postings:  # another thread read it meanwhile
                return self._postings[key]
            self._postings[key] = found
            self._postings_bytes += size
            while self._postings_bytes > POSTINGS_CACHE_BYTES and len(self._postings) > 1:
                _, old = self._postings.popitem(last=False)
                self._postings_bytes -= old.nbytes if old is not None else 64
        return found

    def _cached(self, key: str, make: Callable[[], Any]) -> Any:
        # One lock per key: a thread making one array (a million articles'
        # facet, in the warm-up thread) must not hold up one that needs another.
        value = self._arrays.get(key)
        if value is None:
            with self._lock:
                making = self._making.setdefault(key, threading.Lock())
            with making:
                value = self._arrays.get(key)
                if value is None:
                    value = self._arrays[key] = make()
        return value

    def memo(self, key: str, make: Callable[[], Any]) -> Any:
        """``make()``, computed once for this snapshot and kept as long as it
        is open: the per-snapshot cache of another module (``key`` names it)."""
        return self._cached(f"memo\x1f{key}", make)

    def query_words(self, text: str) -> list[str]:
        """The jieba words of ``text`` as the index has them (query mode: no sub-words)."""
        words = self._words.get(text)
        if words is None:
            words = [t.text for t in self.analyzer(text, mode="query")]
            if len(self._words) < 100_000:
                self._words[text] = words
        return words

    def doc_frequency(self, fieldname: str, term: str) -> int:
        """How many documents of the snapshot (deleted ones included, as
        Whoosh counts) have ``term`` in ``fieldname``; remembered.  A text
        field with no text in the snapshot (no kickers, say) is not looked up."""
        if not self._field_totals.get(fieldname, 1):
            return 0
        return self._frequency("", fieldname, term, lambda: self.searcher().doc_frequency(fieldname, term))

    def segment_frequency(self, seg: Segment, fieldname: str, term: str) -> int:
        """``doc_frequency`` within one segment; remembered."""
        return self._frequency(seg.key, fieldname, term, lambda: seg.reader.doc_frequency(fieldname, term))

    def _frequency(self, where: str, fieldname: str, term: str, count: Callable[[], int]) -> int:
        # Each is a term dictionary look-up per segment (tens at a million
        # articles), and a query asks again for every field and segment it
        # ranks; ints are small, so many are kept, and all dropped when full.
        key = (where, fieldname, term)
        found = self._frequencies.get(key)
        if found is None:
            found = int(count())
            if len(self._frequencies) >= FREQUENCY_CACHE_ENTRIES:
                self._frequencies.clear()
            self._frequencies[key] = found
        return found

    def avg_length(self, fieldname: str) -> float:
        return (self._field_totals.get(fieldname, 0) / (self.doc_count_all or 1)) or 1.0

    def segment_lengths(self, seg: Segment, fieldname: str) -> np.ndarray:
        """A segment's per-document lengths of a scored field, read once
        (as Whoosh stores them: one byte, decoded)."""
        return self.segment_arrays.get(seg.key, f"len\x1f{fieldname}", lambda: field_lengths(seg.reader, fieldname, 1))

    def segment_dates(self, seg: Segment) -> np.ndarray:
        """A segment's dates as Whoosh's sortable longs; :data:`NO_DATE`
        (later than any date) for an article without one."""
        def make() -> np.ndarray:
            raw = date_column(seg.reader)
            out = raw.astype(np.int64)  # real dates (microseconds since year 1) fit
            out[raw > np.uint64(NO_DATE)] = NO_DATE  # the column's default: no date
            return out
        return self.segment_arrays.get(seg.key, "date", make)

    def dates(self) -> np.ndarray:
        """Every document's date (sortable long; :data:`NO_DATE` without one), by global docnum."""
        return self._cached("dates", lambda: np.concatenate(
            [self.segment_dates(seg) for seg in self.segments()] or [np.zeros(0, dtype=np.int64)]))

    def indexed_times(self) -> np.ndarray:
        """When every document was indexed (epoch seconds, :mod:`index.stamps`), by global docnum."""
        return self._cached("indexed", lambda: np.concatenate(
            [self.segment_arrays.get(seg.key, "indexed", lambda: segment_stamps(seg.reader))
             for seg in self.segments()] or [np.zeros(0, dtype=np.int64)]))

    def facet(self, name: str) -> Facet:
        """``(labels, codes, indptr)`` of a facet over every global docnum.

        Single-valued facets (source, category, month): ``codes[d]`` is the
        label index of document ``d`` (-1: none) and ``indptr`` is None.
        Multi-valued ones (tag, author): document ``d``'s codes are
        ``codes[indptr[d]:indptr[d+1]]``.
        """
        return self._cached(f"facet\x1f{name}", lambda: self._make_facet(name))

    def facet_counts(self, name: str, docs: np.ndarray) -> list[tuple[str, int]]:
        """``(value, count)`` of facet ``name`` over the global docnums
        ``docs``: exact counts, in no particular order, values never seen left out."""
        labels, codes, indptr = self.facet(name)
        if indptr is None:
            picked = codes[docs]
            picked = picked[picked >= 0]
        else:
            starts, ends = indptr[docs], indptr[docs + 1]
            lengths = ends - starts
            total = int(lengths.sum())
            within = np.arange(total) - np.repeat(np.cumsum(lengths) - lengths, lengths)
            picked = codes[np.repeat(starts, lengths) + within]
        counts = np.bincount(picked, minlength=len(labels))
        return [(labels[i], int(counts[i])) for i in np.flatnonzero(counts)]

    def _make_facet(self, name: str) -> Facet:
        parts = [self.segment_arrays.get(seg.key, f"facet\x1f{name}", lambda: self._segment_facet(seg, name))
                 for seg in self.segments()]
        return _merge_facets(parts, name in MULTI_VALUED)

    def _segment_facet(self, seg: Segment, name: str) -> Facet:
        """Facet ``name`` over one segment's local docnums."""
        column = MULTI_VALUED.get(name, name)
        raws = var_bytes_column(seg.reader, column)
        if name not in MULTI_VALUED:
            # Grouped by the stored bytes, then only the distinct values are
            # translated (UTF-8 decoding keeps distinct values distinct).
            distinct, codes = _factorize(raws, skip=b"")
            translate = self.ix.schema[column].from_column_value
            return [sys.intern(translate(v)) for v in distinct], codes, None
        # One decode and one split for the whole column (people_x has several
        # names in most of a million articles); per document only a count.
        sep = COLUMN_SEP.encode("utf-8")
        counts = np.fromiter(map(bytes.count, raws, itertools.repeat(sep)), dtype=np.int64, count=len(raws))
        counts += np.fromiter(map(bool, raws), dtype=np.int64, count=len(raws))  # n separators: n + 1 values
        flat = sep.join(r for r in raws if r).decode("utf-8").split(COLUMN_SEP) if counts.any() else []
        if "" in flat:  # an empty value between separators (not written since schema 4): slow path
            return self._make_facet_per_doc(raws)
        labels, codes = _factorize(flat)
        indptr = np.zeros(len(raws) + 1, dtype=np.int64)
        np.cumsum(counts, out=indptr[1:])
        return list(map(sys.intern, labels)), codes, _narrow(indptr)

    @staticmethod
    def _make_facet_per_doc(raws: list[bytes]) -> Facet:
        labels: dict[str, int] = {}
        lengths = np.zeros(len(raws) + 1, dtype=np.int64)
        flat: list[int] = []
        for d, raw in enumerate(raws):
            tags = [t for t in raw.decode("utf-8").split(COLUMN_SEP) if t] if raw else []
            flat.extend(labels.setdefault(t, len(labels)) for t in tags)
            lengths[d + 1] = len(tags)
        return list(map(sys.intern, labels)), np.asarray(flat, dtype=np.int32), _narrow(np.cumsum(lengths))

    def stories(self) -> StoryMap:
        """The snapshot's stories (``stories.npz``), read once."""
        return self._cached("stories", lambda: StoryMap.load(self.snapshot.path))

    def suggester(self) -> Any:
        """The snapshot's suggestions (:class:`search.suggest.Suggester`),
        read from its suggestion file once."""
        from .suggest import Suggester

        return self._cached("suggester", lambda: Suggester.load(self.snapshot.path))

    def lexicon(self, fieldname: str) -> list[str]:
        """All terms of a small field (the ``*_m`` metadata fields), cached."""
        terms = self._lexicons.get(fieldname)
        if terms is None:
            with self._lock:
                reader = self.searcher().reader()
                terms = [t.decode("utf-8") for t in reader.lexicon(fieldname)]
                self._lexicons[fieldname] = terms
        return terms


class SearchIndex:
    """An index directory opened for searching (see the module docstring)."""

    def __init__(self, root: str | os.PathLike[str] | None = None, refresh_interval: float = 0.5) -> None:
        self.store = IndexStore(root)
        self.refresh_interval = refresh_interval
        self._open: OpenSnapshot | None = None
        self._stamp: tuple[int, int] | None = None
        self._checked = 0.0
        self._lock = threading.Lock()
        self.segment_arrays = SegmentArrays()
        #: Why the newest snapshot could not be opened (None when all is well).
        self.error: str | None = None

    def _current_stamp(self) -> tuple[int, int] | None:
        try:
            st = os.stat(self.store.current_file)
        except FileNotFoundError:
            return None
        return (st.st_ino, st.st_mtime_ns)

    def acquire(self) -> OpenSnapshot:
        """The open live snapshot, reopened if ``CURRENT`` changed."""
        now = time.monotonic()
        if self._open is not None and now - self._checked < self.refresh_interval:
            return self._open
        with self._lock:
            self._checked = now
            stamp = self._current_stamp()
            if self._open is not None and stamp == self._stamp:
                return self._open
            try:
                opened = self._open_snapshot(None)
            except StoreError as exc:
                self.error = str(exc)
                self._stamp = stamp  # do not retry a damaged snapshot on every request
                if self._open is None:
                    if isinstance(exc, (NoIndexError, SchemaMismatchError)):
                        raise
                    self._open = self._fallback(exc)
                return self._open  # keep serving the last good snapshot
            self._retire(self._open)
            self.segment_arrays.keep_only(opened.segment_keys)
            self._open, self._stamp, self.error = opened, stamp, None
            return opened

    def _retire(self, old: OpenSnapshot | None) -> None:
        """A switch replaced ``old``: close it now, or when its last lease ends.
        Called under the lock."""
        if old is None:
            return
        old.retired = True
        if old.leases == 0:
            old.close()

    @contextmanager
    def lease(self) -> Iterator[OpenSnapshot]:
        """The live snapshot, kept open until the ``with`` block ends even if
        a switch replaces it meanwhile."""
        while True:
            opened = self.acquire()
            with self._lock:
                if not opened.closed:
                    opened.leases += 1
                    break
        try:
            yield opened
        finally:
            with self._lock:
                opened.leases -= 1
                done = opened.retired and opened.leases == 0 and not opened.closed
            if done:
                opened.close()

    def _open_snapshot(self, snap: Snapshot | None) -> OpenSnapshot:
        snap, ix = self.store.open(snap)
        try:
            return OpenSnapshot(snap, ix, snap.meta(), segment_arrays=self.segment_arrays)
        except StoreError:
            raise
        except Exception as exc:  # Whoosh's many ways of failing on damaged files
            raise CorruptSnapshotError(f"snapshot {snap.name} cannot be read: {exc}") from exc

    def _fallback(self, error: StoreError) -> OpenSnapshot:
        """A process starting on a damaged live snapshot serves the newest good one."""
        live = self.store.current_name()
        for snap in reversed(self.store.snapshots()):
            if snap.name == live:
                continue
            try:
                return self._open_snapshot(snap)
            except StoreError:
                continue
        raise error

    def __enter__(self) -> SearchIndex:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the live snapshot (at exit: a web app registers this with
        ``atexit``).  A snapshot still in use (a request, the warm-up thread)
        is closed when its last lease ends, as after a switch: closing files
        another thread is reading would fail there or here."""
        with self._lock:
            self._retire(self._open)
            self._open = self._stamp = None


def _factorize(values: list[Any], skip: Any = None) -> tuple[list[Any], np.ndarray]:
    """``(distinct, codes)``: the distinct values in first-seen order and
    each value's index among them (-1 for ``skip``; ``int32``, half the
    memory); looked up through C loops (``dict.fromkeys``, ``map``), which
    a million values need."""
    index = {v: k for k, v in enumerate(v for v in dict.fromkeys(values) if v != skip)}
    distinct = list(index)
    if skip is not None:
        index[skip] = -1
    return distinct, np.fromiter(map(index.__getitem__, values), dtype=np.int32, count=len(values))


def _narrow(offsets: np.ndarray) -> np.ndarray:
    """Offsets as ``int32`` when they fit (every facet of a million articles
    does): facets are a worker's biggest arrays."""
    return offsets.astype(np.int32) if not len(offsets) or offsets[-1] < 2**31 else offsets


def _merge_facets(parts: list[Facet], multi: bool) -> Facet:
    """Segments' facets (in docnum order) as one over the snapshot's global
    docnums: labels unified in first-seen order, codes renumbered."""
    index: dict[str, int] = {}
    codes: list[np.ndarray] = []
    ends: list[np.ndarray] = [np.zeros(1, dtype=np.int64)]
    base = 0
    for labels, local, indptr in parts:
        remap = np.fromiter((index.setdefault(v, len(index)) for v in labels), dtype=np.int32, count=len(labels))
        if multi:
            assert indptr is not None
            codes.append(remap[local])
            ends.append(indptr[1:].astype(np.int64) + base)
            base += len(local)
        else:
            codes.append(np.where(local >= 0, remap[np.maximum(local, 0)], -1) if len(remap) else local)
    merged = np.concatenate(codes) if codes else np.zeros(0, dtype=np.int32)
    return list(index), merged, _narrow(np.concatenate(ends)) if multi else None
