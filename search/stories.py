"""Stories at search time: one hit per story (``collapse=story``) and the
other versions of an article.

The grouping is computed at index time (:mod:`index.stories`); here a
snapshot's ``stories.npz`` becomes arrays over docnums, and a ranked result
is collapsed to the best-ranked matching version of each story.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable
from pathlib import Path

import numpy as np

from index.stories import StoryTable

#: Other versions listed per hit or article (the earliest ones): a story
#: chained through many similar texts (daily notices) could have thousands.
MAX_VERSIONS = 100

class StoryMap:
    """The stories of one snapshot as arrays (built once per opened snapshot).

    ``doc_key[d]`` identifies docnum ``d``'s story (the row of its earliest
    member; a docnum without a row gets a key of its own).  Members of a
    story are listed earliest first (date, then id; undated last).
    """

    def __init__(self, table: StoryTable) -> None:
        n_rows, n_docs = len(table.ids), len(table.doc_row)
        self.ids = table.ids
        self.root = table.root
        rows = table.doc_row
        self.doc_key = np.where(rows >= 0, table.root[np.clip(rows, 0, None)], n_rows + np.arange(n_docs))
        self.row_doc = np.full(n_rows, -1, dtype=np.int64)
        live = np.flatnonzero(rows >= 0)
        self.row_doc[rows[live]] = live
        # rows grouped by story, each group earliest first (rows are in id order)
        self._members = np.lexsort((np.arange(n_rows), table.days, table.root))
        self._member_roots = table.root[self._members]

    @classmethod
    def load(cls, folder: Path) -> StoryMap:
        return cls(StoryTable.load(folder, signatures=False))

    def keys(self, docs: np.ndarray) -> np.ndarray:
        """The story key of each docnum."""
        return self.doc_key[docs]

    def count(self, docs: np.ndarray) -> int:
        """How many stories ``docs`` belong to."""
        span = len(self.ids) + len(self.doc_key)  # keys are below it
        if len(docs) * 16 < span:  # few: sorting them is cheaper than a mask of every key
            return int(len(np.unique(self.doc_key[docs])))
        seen = np.zeros(span, dtype=bool)
        seen[self.doc_key[docs]] = True
        return int(np.count_nonzero(seen))

    def row_of(self, article_id: str) -> int | None:
        k = bisect.bisect_left(self.ids, article_id)
        return k if k < len(self.ids) and self.ids[k] == article_id else None

    def story_id(self, row: int) -> str:
        return self.ids[int(self.root[row])]

    def member_docs(self, row: int) -> list[int]:
        """Docnums of every version of row ``row``'s story, earliest first."""
        root = self.root[row]
        lo = int(np.searchsorted(self._member_roots, root, "left"))
        hi = int(np.searchsorted(self._member_roots, root, "right"))
        docs = self.row_doc[self._members[lo:hi]]
        return [int(d) for d in docs if d >= 0]


def first_of_each(keys: np.ndarray) -> np.ndarray:
    """Positions in ``keys`` of each key's first occurrence, in order."""
    _, first = np.unique(keys, return_index=True)
    return np.sort(first)


def collapse(keys: np.ndarray, rank: Callable[[int | None], np.ndarray], want: int) -> np.ndarray:
    """Indexes (into the matching docs, whose story keys are ``keys``) of the
    best-ranked version of each of the first ``want`` stories, in order.

    ``rank(w)`` gives the indexes of the first ``w`` matches in the result's
    order (all of them for None).  The first stories of a ranked prefix are
    the first stories of the whole ranking, so a prefix holding ``want``
    stories is enough; it is widened fourfold until it does.
    """
    n = len(keys)
    width = min(n, max(4 * want, 64))
    while True:
        order = rank(width if width < n else None)
        firsts = first_of_each(keys[order])
        if len(firsts) >= want or width >= n:
            return order[firsts][:want]
        width = min(n, width * 4)
