"""Sorted document-number arrays: the one membership test both the index
(suggestion counts) and the search (:mod:`search.arrays`) use."""

from __future__ import annotations

import numpy as np


def contains(sorted_set: np.ndarray, values: np.ndarray) -> np.ndarray:
    """A boolean mask: which of ``values`` are in ``sorted_set``."""
    return locate(sorted_set, values)[1]


def locate(sorted_set: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(idx, found)``: where each of ``values`` is in ``sorted_set``
    (``idx[i]`` is meaningful where ``found[i]``), in one search."""
    if len(sorted_set) == 0:
        return np.zeros(len(values), dtype=np.int64), np.zeros(len(values), dtype=bool)
    first, last = int(sorted_set[0]), int(sorted_set[-1])
    if last - first + 1 == len(sorted_set):
        # Every number from first to last (a segment's live documents when
        # none is deleted): no search.  A set never repeats a number, so
        # only a full range has this length.
        found = (values >= first) & (values <= last)
        return np.where(found, values - first, 0), found
    idx = np.searchsorted(sorted_set, values)
    idx[idx >= len(sorted_set)] = len(sorted_set) - 1
    return idx, sorted_set[idx] == values
