"""Versions of one story: near-duplicate articles grouped at index time.

A newsroom archive holds the same story many times (the wire copy and the
desk's edit, morning and evening versions, a sister paper's reprint).  Each
article gets a *story*: the connected component of the similarity graph
below, named by the id of its earliest member (date, then id; undated
members last).

**Text.**  Character shingles of :data:`SHINGLE` characters of the matching
form (:func:`index.normalization.match_text`) of the title and body: case,
width, Traditional/Simplified, spaces and punctuation do not matter, and
unlike jieba words a shingle does not change with the words around an edit.

**Signatures.**  MinHash with :data:`NUM_PERM` permutations in datasketch's
``affine32`` scheme (datasketch 2.0: each 32-bit shingle hash is pre-mixed
with the MurmurHash3 finalizer, then ``a_k * h + b_k`` mod 2**32 with
datasketch's own ``a``/``b`` for seed :data:`SEED`).  datasketch hashes
each value in Python (SHA-1 per shingle: minutes per 100,000 articles), so
the shingles are hashed here vectorized with numpy and the same permutation
formula is applied to whole batches; ``tests/test_stories.py`` checks the
signatures equal datasketch's ``MinHash.update_batch`` on the same hashes.

**Pairs.**  LSH banding (:data:`BANDS` bands of :data:`ROWS` rows) in numpy:
articles whose band values agree in some band are candidates; a candidate
pair is *similar* when the estimated Jaccard similarity of the shingle sets
is at least :data:`JACCARD`, or when the estimated containment (shared
shingles over the smaller set: a version with paragraphs cut or added) is at
least :data:`CONTAINMENT` with a Jaccard of at least :data:`CONTAINMENT_JACCARD`.
Texts with fewer than :data:`MIN_SHINGLES` shingles join no story (too
little text to tell a version from a coincidence).

**Stability.**  Components are recomputed over every article's stored
signature on each build and update, in a canonical order (rows sorted by
id), so the story ids depend only on the set of articles, never on input
order or the number of build processes.  A new version joins its story (its
id stays, unless the new article is earlier than every member: then the
story is named after it).  When a new article is similar to members of two
stories, they become one story, named by the earliest member of the union;
the other name disappears.  A deleted or changed article can likewise split
a story.

**Storage.**  ``stories.npz`` in the snapshot (see :class:`StoryTable`): one
row per article (id, date, the row of its story's earliest member, where its
signature is) plus ``doc_row``, the row of each index docnum, so a search
maps its matches to stories without reading stored fields.  Shingle counts
and signatures (516 bytes an article: 516 MB at a million) live in
content-named chunk files ``stories-<digest>.npz`` that never change once
written: an update hard-links the live snapshot's chunks and writes one for
its new articles only, so a day's update writes, and a reader's ``sync``
copies, kilobytes of signatures instead of the whole table.  Past
:data:`MAX_CHUNKS` chunks, every chunk but the biggest (a build's) is
folded into the new one; when a quarter of the rows are stale (replaced or
removed articles) every row is rewritten into one chunk.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import zipfile
from collections.abc import Callable, Iterable, Sequence, Set as AbstractSet
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .normalization import match_text
from .store import CorruptSnapshotError

#: Characters per shingle.
SHINGLE = 5
#: MinHash permutations, and datasketch's seed for their parameters.
NUM_PERM = 128
SEED = 1
#: LSH bands × rows per band (126 of the 128 values).  A pair of Jaccard
#: similarity J is a candidate with probability 1 - (1 - J**3)**42: 0.68
#: at 0.3, 0.93 at 0.4, 0.99 at 0.47 (a brief inside a version twice its
#: length), 0.9955 at 0.5.  Over the shared corpus (18,697 articles) 2.5
#: unrelated pairs in a million are candidates: about 1.3 million to check
#: at 1,000,000 articles.
BANDS = 42
ROWS = 3
#: A candidate pair is similar at this estimated Jaccard similarity …
JACCARD = 0.5
#: … or at this estimated containment (shared shingles / the smaller set's)
#: together with at least :data:`CONTAINMENT_JACCARD`.
CONTAINMENT = 0.8
CONTAINMENT_JACCARD = 0.3
#: Texts with fewer shingles than this join no story.
MIN_SHINGLES = 30
#: Members of one LSH bucket compared with each other; in a bigger bucket
#: (boilerplate) each is compared with the next :data:`BUCKET_WINDOW` in id order.
BUCKET_WINDOW = 64
#: A row's date when the article has none (sorts after every real date).
NO_DAY = np.iinfo(np.int32).max
FILE_NAME = "stories.npz"
#: Signature chunk files: ``stories-<16 hex digits of their content's BLAKE2b>.npz``.
CHUNK_PREFIX = "stories-"
#: Chunks a snapshot may have before an update compacts them into one.
MAX_CHUNKS = 16
#: Compact when fewer than this share of the chunks' rows are still used.
MIN_LIVE_SHARE = 0.75

_EPOCH = dt.date(1970, 1, 1)
_M32 = np.uint64(0xFFFFFFFF)
# Odd 64-bit multipliers, one per shingle position (from splitmix64).
_POS_MULT = np.array([0x9E3779B97F4A7C15, 0xBF58476D1CE4E5B9, 0x94D049BB133111EB,
                      0xD6E8FEB86659FD93, 0xA0761D6478BD642F, 0xE7037ED1A0B428DB,
                      0x8EBC6AF09C88C6E3, 0x589965CC75374CC3][:SHINGLE], dtype=np.uint64)


def _permutations() -> tuple[np.ndarray, np.ndarray]:
    """datasketch's affine32 permutation parameters for :data:`SEED`."""
    from datasketch import MinHash

    a, b = MinHash(num_perm=NUM_PERM, seed=SEED, scheme="affine32").permutations
    return np.asarray(a, dtype=np.uint32), np.asarray(b, dtype=np.uint32)


_PERM: tuple[np.ndarray, np.ndarray] | None = None


def permutations() -> tuple[np.ndarray, np.ndarray]:
    global _PERM
    if _PERM is None:
        _PERM = _permutations()
    return _PERM


def fmix32(h: np.ndarray) -> np.ndarray:
    """MurmurHash3's 32-bit finalizer (datasketch's pre-mix of the affine schemes)."""
    h = h.astype(np.uint32, copy=True)
    h ^= h >> np.uint32(16)
    h *= np.uint32(0x85EBCA6B)
    h ^= h >> np.uint32(13)
    h *= np.uint32(0xC2B2AE35)
    h ^= h >> np.uint32(16)
    return h


def story_text(title: str, body: str, normalize: Callable[[str], str] = match_text) -> str:
    """The text shingled: the matching form of the title and the body
    (``normalize`` is :func:`~index.normalization.match_text`, or one that
    has it at hand: :meth:`index.schema.MatchingTexts.normalize`)."""
    return normalize(title) + normalize(body)


def shingle_hashes(text: str) -> np.ndarray:
    """The distinct 32-bit hashes of ``text``'s :data:`SHINGLE`-character
    shingles, sorted (a text shorter than a shingle is one shingle; an empty
    text has none).  Each shingle's code points are combined with one odd
    multiplier per position, and the 64-bit sum is folded to 32 bits by a
    xor-shift and a multiply."""
    if not text:
        return np.zeros(0, dtype=np.uint32)
    cps = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    n = len(cps) - SHINGLE + 1
    if n <= 0:
        cps = np.concatenate([cps, np.zeros(SHINGLE - len(cps), dtype=np.uint64)])
        n = 1
    h = cps[:n] * _POS_MULT[0]
    for i in range(1, SHINGLE):
        h += cps[i:i + n] * _POS_MULT[i]
    h ^= h >> np.uint64(29)
    h *= np.uint64(0xBF58476D1CE4E5B9)
    h ^= h >> np.uint64(32)
    out = (h & _M32).astype(np.uint32)
    out.sort()
    keep = np.ones(len(out), dtype=bool)
    np.not_equal(out[1:], out[:-1], out=keep[1:])
    return out[keep]


def signatures(hash_sets: Sequence[np.ndarray]) -> np.ndarray:
    """The MinHash signature (``uint32[NUM_PERM]``) of each set of shingle
    hashes, as datasketch's affine32 ``MinHash.update_batch`` would compute
    it; an empty set gets datasketch's empty value (all ``2**32 - 1``)."""
    a, b = permutations()
    out = np.full((len(hash_sets), NUM_PERM), np.iinfo(np.uint32).max, dtype=np.uint32)
    sizes = np.fromiter((len(s) for s in hash_sets), dtype=np.int64, count=len(hash_sets))
    nonempty = np.flatnonzero(sizes)
    if len(nonempty) == 0:
        return out
    for i in nonempty:
        # [NUM_PERM, shingles]: the minimum runs along contiguous memory
        block = a[:, None] * fmix32(hash_sets[int(i)])
        block += b[:, None]
        out[i] = block.min(axis=1)
    return out


def _not_stored(n: int) -> tuple[np.ndarray, np.ndarray]:
    """``chunk`` and ``chunk_row`` of ``n`` rows whose signatures no chunk holds yet."""
    return np.full(n, -1, dtype=np.int32), np.zeros(n, dtype=np.int64)


@dataclass
class Sketches:
    """Signatures of some articles: the rows a build or update adds."""

    ids: list[str]
    days: np.ndarray  # int32 days since 1970-01-01, NO_DAY without a date
    sizes: np.ndarray  # uint32 distinct shingles
    sigs: np.ndarray  # uint32 [n, NUM_PERM]
    #: Where each row's signature is stored: ``chunks[chunk[r]]``, row
    #: ``chunk_row[r]``; chunk -1 for a row not stored yet (new).
    chunk: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int32))
    chunk_row: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    chunks: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        if len(self.chunk) != len(self.ids):
            self.chunk, self.chunk_row = _not_stored(len(self.ids))

    @classmethod
    def empty(cls) -> Sketches:
        return cls([], np.zeros(0, dtype=np.int32), np.zeros(0, dtype=np.uint32),
                   np.zeros((0, NUM_PERM), dtype=np.uint32))

    @classmethod
    def concat(cls, parts: Iterable[Sketches]) -> Sketches:
        parts = [p for p in parts if len(p.ids)]
        if not parts:
            return cls.empty()
        chunks: list[str] = []
        chunk = []
        for p in parts:
            chunk.append(np.where(p.chunk >= 0, p.chunk + len(chunks), -1).astype(np.int32))
            chunks.extend(p.chunks)
        return cls([i for p in parts for i in p.ids], np.concatenate([p.days for p in parts]),
                   np.concatenate([p.sizes for p in parts]), np.concatenate([p.sigs for p in parts]),
                   np.concatenate(chunk), np.concatenate([p.chunk_row for p in parts]), chunks)


class Sketcher:
    """Collects the signatures of articles as they are indexed (a build
    worker, or the parent with one process): :meth:`add` each, then
    :meth:`sketches`.  Signatures are computed a batch at a time."""

    BATCH = 64

    def __init__(self) -> None:
        self._pending: list[tuple[str, int, np.ndarray]] = []
        self._done: list[Sketches] = []

    def add(self, article_id: str, date: dt.date | None, title: str, body: str,
            normalize: Callable[[str], str] = match_text) -> None:
        """Sketch an article (``normalize``: see :func:`story_text`)."""
        day = (date - _EPOCH).days if date else int(NO_DAY)
        self._pending.append((article_id, day, shingle_hashes(story_text(title, body, normalize))))
        if len(self._pending) >= self.BATCH:
            self._flush()

    def _flush(self) -> None:
        if not self._pending:
            return
        ids, days, sets = zip(*self._pending)
        self._pending = []
        self._done.append(Sketches(list(ids), np.asarray(days, dtype=np.int32),
                                   np.fromiter((len(s) for s in sets), dtype=np.uint32, count=len(sets)),
                                   signatures(sets)))

    def sketches(self) -> Sketches:
        self._flush()
        out = Sketches.concat(self._done)
        self._done = [out]
        return out


def _band_keys(sigs: np.ndarray, rows: np.ndarray | None = None, block: int = 4096) -> np.ndarray:
    """``uint64 [BANDS, len(rows)]``: each band's :data:`ROWS` values of each
    of ``rows`` (default all) hashed to one key.  Computed a block of rows at
    a time, in cache (the whole matrix at once made 1,000,000 rows take 2 s
    instead of 0.3)."""
    n = len(sigs) if rows is None else len(rows)
    keys = np.empty((BANDS, n), dtype=np.uint64)
    mult, shift = np.uint64(0x9E3779B97F4A7C15), np.uint64(31)
    for lo in range(0, n, block):
        part = sigs[lo:lo + block] if rows is None else sigs[rows[lo:lo + block]]
        part = part[:, :BANDS * ROWS].reshape(-1, BANDS, ROWS)
        k = np.zeros((len(part), BANDS), dtype=np.uint64)
        for r in range(ROWS):
            k ^= part[:, :, r]
            k *= mult
            k ^= k >> shift
        keys[:, lo:lo + block] = k.T
    return keys


def candidate_pairs(sigs: np.ndarray, eligible: np.ndarray) -> np.ndarray:
    """``int64 [m, 2]`` row pairs (i < j) sharing a band, among ``eligible`` rows.

    Each band's rows are sorted by one ``uint64``: the key's high bits
    above the row number, so a bucket's members come out together and in
    row (id) order with one plain sort.  Dropping the key's low bits merges
    unrelated buckets about once per band at 1,000,000 rows (2**-44 per
    pair); such pairs are only candidates, which :func:`similar` rejects."""
    rows = np.flatnonzero(eligible)
    n = len(rows)
    if n < 2:
        return np.zeros((0, 2), dtype=np.int64)
    keys = _band_keys(sigs, rows)
    bits = np.uint64(max(1, (n - 1).bit_length()))
    low = np.uint64((1 << int(bits)) - 1)
    row_numbers = np.arange(n, dtype=np.uint64)
    found = []
    for band in range(BANDS):
        packed = keys[band] >> bits
        packed <<= bits
        packed |= row_numbers
        packed.sort()
        k = packed >> bits
        # only members of buckets of two or more rows (few) go on
        shared = np.zeros(len(k), dtype=bool)
        np.equal(k[1:], k[:-1], out=shared[1:])
        shared[:-1] |= shared[1:]
        k = k[shared]
        order = (packed[shared] & low).astype(np.int64)
        for gap in range(1, BUCKET_WINDOW + 1):
            same = np.flatnonzero(k[gap:] == k[:-gap])
            if len(same) == 0:
                break
            found.append(order[same] * n + order[same + gap])  # order[same] < order[same + gap]
    if not found:
        return np.zeros((0, 2), dtype=np.int64)
    codes = np.unique(np.concatenate(found))
    return rows[np.stack([codes // n, codes % n], axis=1)]


def similar(sigs: np.ndarray, sizes: np.ndarray, pairs: np.ndarray) -> np.ndarray:
    """Which ``pairs`` are versions of one story (see the module docstring)."""
    if len(pairs) == 0:
        return np.zeros(0, dtype=bool)
    jaccard = np.empty(len(pairs))
    for lo in range(0, len(pairs), 1 << 16):
        p = pairs[lo:lo + (1 << 16)]
        jaccard[lo:lo + len(p)] = (sigs[p[:, 0]] == sigs[p[:, 1]]).mean(axis=1)
    a = sizes[pairs[:, 0]].astype(np.float64)
    b = sizes[pairs[:, 1]].astype(np.float64)
    shared = jaccard * (a + b) / (1 + jaccard)
    containment = shared / np.maximum(np.minimum(a, b), 1)
    return (jaccard >= JACCARD) | ((containment >= CONTAINMENT) & (jaccard >= CONTAINMENT_JACCARD))


def story_roots(ids: Sequence[str], days: np.ndarray, sizes: np.ndarray, sigs: np.ndarray) -> np.ndarray:
    """For each row, the row of its story's earliest member (date, then id;
    undated last).  Rows must be in id order (:class:`StoryTable` keeps
    them so): the result then depends on the set of rows only."""
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    n = len(ids)
    roots = np.arange(n, dtype=np.int64)
    if n < 2:
        return roots
    pairs = candidate_pairs(sigs, sizes >= MIN_SHINGLES)
    pairs = pairs[similar(sigs, sizes, pairs)]
    if len(pairs) == 0:
        return roots
    graph = coo_matrix((np.ones(len(pairs), dtype=np.int8), (pairs[:, 0], pairs[:, 1])), shape=(n, n))
    _, labels = connected_components(graph, directed=False)
    # rows in id order, so (label, day, row) orders each component by date, then id
    order = np.lexsort((np.arange(n), days, labels))
    first = np.ones(n, dtype=bool)
    first[1:] = labels[order][1:] != labels[order][:-1]
    head = order[first]  # earliest row of each label, labels ascending
    return head[labels]


@dataclass
class StoryTable:
    """The stories of one snapshot, as stored in ``stories.npz``.

    Rows are articles in id order.  ``root[r]`` is the row of the earliest
    member of row ``r``'s story (the story id is ``ids[root[r]]``);
    ``doc_row[d]`` is the row of index docnum ``d`` (-1: a deleted docnum).
    """

    ids: Sequence[str]  # a list, or PackedStrings when loaded without signatures
    days: np.ndarray
    sizes: np.ndarray
    sigs: np.ndarray
    root: np.ndarray
    doc_row: np.ndarray
    #: Where each row's signature is stored, as in :class:`Sketches`.
    chunk: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int32))
    chunk_row: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    chunks: list[str] = field(default_factory=list)
    #: Rows each chunk file holds (used or not).
    chunk_sizes: list[int] = field(default_factory=list)

    def __post_init__(self) -> None:
        if len(self.chunk) != len(self.ids):
            self.chunk, self.chunk_row = _not_stored(len(self.ids))

    @classmethod
    def from_sketches(cls, sk: Sketches, chunk_sizes: Sequence[int] = ()) -> StoryTable:
        """Rows in id order (the last of a repeated id wins), stories computed;
        ``sk`` is consumed (its arrays are reordered in place).
        ``chunk_sizes``: the rows of each of ``sk.chunks`` (an update's, from
        the live table)."""
        last = {article_id: k for k, article_id in enumerate(sk.ids)}
        order = np.asarray([last[i] for i in sorted(last)], dtype=np.int64)
        # Rows before the first out of place stay where they are: an update's
        # old rows come first in id order, so only the tail moves, in place
        # (``sk``'s arrays are reused) instead of copying 512 MB a million.
        moved = np.flatnonzero(order != np.arange(len(order)))
        p = int(moved[0]) if len(moved) else len(order)
        tail = order[p:]  # all >= p: the first p rows are 0 … p-1 (later ones may be past len(order))
        ids = list(sk.ids[:p]) + [sk.ids[k] for k in tail]
        days, sizes, sigs = sk.days[:len(order)], sk.sizes[:len(order)], sk.sigs[:len(order)]
        days[p:], sizes[p:], sigs[p:] = sk.days[tail], sk.sizes[tail], sk.sigs[tail]  # copies, then writes
        return cls(ids, days, sizes, sigs, story_roots(ids, days, sizes, sigs), np.zeros(0, dtype=np.int64),
                   sk.chunk[order], sk.chunk_row[order], list(sk.chunks), list(chunk_sizes))

    def sketches(self, drop: AbstractSet[str] = frozenset()) -> Sketches:
        """This table's rows as sketches, without the ids in ``drop``."""
        keep = np.asarray([k for k, i in enumerate(self.ids) if i not in drop], dtype=np.int64)
        return Sketches([self.ids[k] for k in keep], self.days[keep], self.sizes[keep], self.sigs[keep],
                        self.chunk[keep], self.chunk_row[keep], list(self.chunks))

    def map_docs(self, doc_ids: Sequence[str | None]) -> None:
        """Set ``doc_row`` from the id of each docnum (None: deleted)."""
        where = {article_id: k for k, article_id in enumerate(self.ids)}
        self.doc_row = np.fromiter((where.get(i, -1) if i is not None else -1 for i in doc_ids),
                                   dtype=np.int64, count=len(doc_ids))

    def save(self, folder: Path) -> Path:
        """Write the table into snapshot directory ``folder``: rows whose
        signature is in a chunk already there keep it; the others go to one
        new chunk (or, when compacting, every row does); chunk files no row
        uses are removed from ``folder`` (links to the live snapshot's)."""
        self._store_signatures(folder)
        blob, offsets = _pack(self.ids)
        names, name_offsets = _pack(self.chunks)
        path = folder / FILE_NAME
        part = folder / (FILE_NAME + ".part")
        with open(part, "wb") as fh:
            # compressed: this file is rewritten (and synced) by every update, 44 bytes an article
            # before compression; signatures, random by nature, stay in the uncompressed chunks
            _save_compressed(fh, ids=blob, offsets=offsets, days=self.days, root=self.root.astype(np.int32),
                             doc_row=self.doc_row.astype(np.int32), chunk=self.chunk.astype(np.int32),
                             chunk_row=self.chunk_row.astype(np.int32), chunk_names=names,
                             chunk_name_offsets=name_offsets,
                             chunk_sizes=np.asarray(self.chunk_sizes, dtype=np.int64))
        # replaces (never writes through) the file an update hard-linked from the live snapshot
        os.replace(part, path)
        return path

    def _store_signatures(self, folder: Path) -> None:
        n_chunks = len(self.chunks)
        present = np.asarray([(folder / name).is_file() for name in self.chunks] + [False])
        stored = (self.chunk >= 0) & present[self.chunk]
        live = np.bincount(self.chunk[stored], minlength=n_chunks)
        known = len(self.chunk_sizes) == n_chunks
        total = np.asarray(self.chunk_sizes, dtype=np.int64) if known else live
        used = np.flatnonzero(live)
        if known and live.sum() < MIN_LIVE_SHARE * total[used].sum():
            stored[:] = False  # a quarter of the rows stale: rewrite every row
        elif len(used) + 1 > MAX_CHUNKS:
            # fold every chunk but the biggest (a build's) into the new one
            stored &= self.chunk == used[np.argmax(total[used])]
        keep = np.unique(self.chunk[stored])
        renumber = np.full(n_chunks + 1, -1, dtype=np.int32)
        renumber[keep] = np.arange(len(keep), dtype=np.int32)
        chunks = [self.chunks[k] for k in keep.tolist()]
        sizes = [int(total[k]) for k in keep.tolist()]
        chunk = np.where(stored, renumber[self.chunk], -1).astype(np.int32)
        chunk_row = np.where(stored, self.chunk_row, 0)
        new = np.flatnonzero(~stored)
        if len(new):
            name = _write_chunk(folder, self.sizes[new], self.sigs[new])
            if name in chunks:  # the very same rows: the same file
                k = chunks.index(name)
            else:
                k = len(chunks)
                chunks.append(name)
                sizes.append(len(new))
            chunk[new] = k
            chunk_row[new] = np.arange(len(new))
        self.chunk, self.chunk_row, self.chunks, self.chunk_sizes = chunk, chunk_row, chunks, sizes
        for stale in folder.glob(CHUNK_PREFIX + "*.npz"):
            if stale.name not in chunks:
                stale.unlink()

    @classmethod
    def load(cls, folder: Path, signatures: bool = True) -> StoryTable:
        """The table saved in snapshot directory ``folder``
        (:class:`~index.store.CorruptSnapshotError` when it cannot be read).
        Without ``signatures`` (a search needs none: 512 bytes an article)
        ``sigs`` is left empty, ``sizes`` unread and ``ids`` left packed
        (:class:`PackedStrings`)."""
        try:
            with np.load(folder / FILE_NAME, allow_pickle=False) as data:
                ids: Sequence[str] = (_unpack(data["ids"], data["offsets"]) if signatures
                                      else PackedStrings(data["ids"], data["offsets"]))
                n = len(ids)
                chunks = _unpack(data["chunk_names"], data["chunk_name_offsets"])
                chunk = data["chunk"].astype(np.int32)
                chunk_row = data["chunk_row"].astype(np.int64)
                table = cls(ids, data["days"], np.zeros(n, dtype=np.uint32), np.zeros((n, 0), dtype=np.uint32),
                            data["root"].astype(np.int64), data["doc_row"].astype(np.int64), chunk, chunk_row,
                            chunks, data["chunk_sizes"].astype(np.int64).tolist())
            if signatures:
                table.sizes, table.sigs = _read_signatures(folder, chunks, chunk, chunk_row)
        except (OSError, ValueError, KeyError, IndexError, UnicodeDecodeError) as exc:
            raise CorruptSnapshotError(f"{folder / FILE_NAME}: cannot read the stories: {exc}") from exc
        if not (len(table.days) == len(table.sizes) == len(table.sigs) == len(table.root) == n) or \
                (n and (table.root.min() < 0 or table.root.max() >= n or table.doc_row.max() >= n)):
            raise CorruptSnapshotError(f"{folder / FILE_NAME}: inconsistent story table")
        return table


def _save_compressed(fh: Any, **arrays: np.ndarray) -> None:
    """``numpy.savez_compressed`` at zlib's fastest level: the table of a
    million articles in 0.5 instead of 2.8 s, 10.3 instead of 9.9 MB;
    ``numpy.load`` reads it as any ``.npz``."""
    with zipfile.ZipFile(fh, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        for name, array in arrays.items():
            with zf.open(name + ".npy", "w", force_zip64=True) as member:
                np.lib.format.write_array(member, np.asanyarray(array), allow_pickle=False)


def _write_chunk(folder: Path, sizes: np.ndarray, sigs: np.ndarray) -> str:
    """Write rows' shingle counts and signatures as a chunk file named for its content."""
    sizes = np.ascontiguousarray(sizes, dtype=np.uint32)
    sigs = np.ascontiguousarray(sigs, dtype=np.uint32)
    digest = hashlib.blake2b(sizes.tobytes(), digest_size=8)
    digest.update(sigs.tobytes())
    name = f"{CHUNK_PREFIX}{digest.hexdigest()}.npz"
    if not (folder / name).exists():
        part = folder / (name + ".part")
        with open(part, "wb") as fh:
            np.savez(fh, sizes=sizes, sigs=sigs)
        os.replace(part, folder / name)
    return name


def _read_signatures(folder: Path, chunks: Sequence[str], chunk: np.ndarray,
                     chunk_row: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    n = len(chunk)
    sizes = np.zeros(n, dtype=np.uint32)
    sigs = np.zeros((n, NUM_PERM), dtype=np.uint32)
    if n and (chunk.min() < 0 or chunk.max() >= len(chunks)):
        raise ValueError("a row names no signature chunk")
    for k, name in enumerate(chunks):
        rows = np.flatnonzero(chunk == k)
        with np.load(folder / name, allow_pickle=False) as data:
            part_sizes, part_sigs = data["sizes"], data["sigs"]
        if part_sigs.shape[1:] != (NUM_PERM,) or len(part_sizes) != len(part_sigs):
            raise ValueError(f"{name}: not a signature chunk")
        at = chunk_row[rows]
        if len(at) == len(part_sigs) and np.array_equal(at, np.arange(len(at))):
            if len(rows) == n:  # a build's one chunk: the arrays as read
                return part_sizes, part_sigs
            sizes[rows], sigs[rows] = part_sizes, part_sigs
        else:
            sizes[rows], sigs[rows] = part_sizes[at], part_sigs[at]
    return sizes, sigs


def _pack(ids: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    encoded = [i.encode("utf-8") for i in ids]
    offsets = np.zeros(len(encoded) + 1, dtype=np.int64)
    offsets[1:] = np.cumsum([len(e) for e in encoded])
    return np.frombuffer(b"".join(encoded), dtype=np.uint8), offsets


class PackedStrings(Sequence[str]):
    """Sorted strings kept as one UTF-8 blob, decoded when indexed: a
    search worker looks up a few ids per request, and a million Python
    strings would cost it about 70 MB and half a second at start."""

    def __init__(self, blob: np.ndarray, offsets: np.ndarray) -> None:
        self._raw = blob.tobytes()
        self._bounds = np.asarray(offsets, dtype=np.int64)

    def __len__(self) -> int:
        return len(self._bounds) - 1

    def __getitem__(self, k: int) -> str:  # type: ignore[override]  # ints only: bisect and lookups
        if not -len(self) <= k < len(self):
            raise IndexError(k)
        k %= len(self)
        return self._raw[int(self._bounds[k]):int(self._bounds[k + 1])].decode("utf-8")


def _unpack(blob: np.ndarray, offsets: np.ndarray) -> list[str]:
    raw = blob.tobytes()
    bounds = offsets.tolist()
    return [raw[bounds[k]:bounds[k + 1]].decode("utf-8") for k in range(len(bounds) - 1)]


def index_ids(ix: object) -> list[str | None]:
    """The id of every docnum of a Whoosh index (None where deleted), read
    from the id column."""
    out: list[str | None] = []
    with ix.reader() as reader:  # type: ignore[attr-defined]
        for sub, _offset in reader.leaf_readers():
            col = list(sub.column_reader("id", translate=True))
            out.extend(None if sub.is_deleted(d) else col[d] for d in range(len(col)))
    return out
