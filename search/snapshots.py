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

import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from whoosh import scoring

from index.schema import COLUMN_SEP
from index.store import (CorruptSnapshotError, IndexStore, NoIndexError, SchemaMismatchError, Snapshot,
                         StoreError)

from .compile import QueryCompiler


@dataclass
class OpenSnapshot:
    """One opened snapshot: its Whoosh index, per-thread searchers, caches."""

    snapshot: Snapshot
    ix: Any
    meta: dict[str, Any]
    _local: threading.local = field(default_factory=threading.local)
    _lexicons: dict[str, list[str]] = field(default_factory=dict)
    _columns: dict[str, list[Any]] = field(default_factory=dict)
    _searchers: list[Any] = field(default_factory=list)
    _lock: threading.RLock = field(default_factory=threading.RLock)  # searcher() runs under it too
    #: Uses in progress (see :meth:`SearchIndex.lease`); guarded by the index's lock.
    leases: int = 0
    #: Replaced by a newer snapshot: closed when the last lease ends.
    retired: bool = False
    closed: bool = False

    def __post_init__(self) -> None:
        self.compiler = QueryCompiler(self.ix.schema["title"].analyzer, self.lexicon)
        self.compiler.words("预热")  # load jieba and the tables now, not in the first request
        with self.ix.reader() as reader:
            self.doc_count = reader.doc_count()

    def searcher(self) -> Any:
        s = getattr(self._local, "searcher", None)
        if s is None:
            s = self.ix.searcher(weighting=CachedLengthBM25F(self.field_lengths))
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

    def column(self, fieldname: str) -> list[Any]:
        """A column's values for every docnum, loaded once per snapshot.

        Whoosh's column readers seek and read per value; facets and date
        sorting touch every matching document, so they use these lists.
        """
        values = self._columns.get(fieldname)
        if values is None:
            translate = fieldname != "date"  # dates stay sortable integers
            values = []
            with self._lock:
                for leaf, _ in self.searcher().reader().leaf_readers():
                    if leaf.has_column(fieldname):
                        values.extend(leaf.column_reader(fieldname, translate=translate))
                    else:  # a segment where no document has this field
                        values.extend([0 if fieldname == "date" else None] * leaf.doc_count_all())
                self._columns[fieldname] = values
        return values

    def field_lengths(self, leaf: Any, fieldname: str) -> list[int]:
        """A segment's per-document lengths of a scored field, read once.

        BM25 needs the length of every scored document's field; Whoosh reads
        it from a column per document and per term, which was a fifth of the
        time of a query matching most of the archive.
        """
        key = f"{leaf.segment().segment_id()}\x1f{fieldname}"
        lengths = self._columns.get(key)
        if lengths is None:
            dfl = leaf.doc_field_length
            lengths = [dfl(d, fieldname, 1) for d in range(leaf.doc_count_all())]
            self._columns[key] = lengths
        return lengths

    def facet_values(self, facet: str) -> list[Any]:
        """Per docnum, the facet's value (a tuple of tags for ``tag``)."""
        if facet != "tag":
            return self.column(facet)
        values = self._columns.get("tag")
        if values is None:
            values = [tuple(raw.decode("utf-8").split(COLUMN_SEP)) if raw else ()
                      for raw in self.column("tags_col")]
            self._columns["tag"] = values
        return values

    def lexicon(self, fieldname: str) -> list[str]:
        """All terms of a small field (the ``*_m`` metadata fields), cached."""
        terms = self._lexicons.get(fieldname)
        if terms is None:
            with self._lock:
                reader = self.searcher().reader()
                terms = [t.decode("utf-8") for t in reader.lexicon(fieldname)]
                self._lexicons[fieldname] = terms
        return terms


class CachedLengthBM25F(scoring.BM25F):
    """Whoosh's BM25F, with field lengths from lists cached per snapshot."""

    def __init__(self, lengths: Any, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._lengths = lengths

    def scorer(self, searcher: Any, fieldname: str, text: Any, qf: float = 1) -> Any:
        scorer = super().scorer(searcher, fieldname, text, qf=qf)
        if isinstance(scorer, scoring.BM25FScorer) and searcher.is_atomic():
            scorer.dfl = self._lengths(searcher.reader(), fieldname).__getitem__
        return scorer


class SearchIndex:
    """An index directory opened for searching (see the module docstring)."""

    def __init__(self, root: str | os.PathLike[str] | None = None, refresh_interval: float = 0.5) -> None:
        self.store = IndexStore(root)
        self.refresh_interval = refresh_interval
        self._open: OpenSnapshot | None = None
        self._stamp: tuple[int, int] | None = None
        self._checked = 0.0
        self._lock = threading.Lock()
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
            return OpenSnapshot(snap, ix, snap.meta())
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
        """Close the live snapshot (at exit: a web app registers this with ``atexit``)."""
        with self._lock:
            if self._open is not None:
                self._open.close()
            self._open = self._stamp = None


