"""The membership test every doc-set operation uses (index/docsets.py)."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from index.docsets import contains, locate
from search.arrays import difference, intersect


@st.composite
def doc_sets(draw):
    """A sorted set of document numbers: often a whole range (a segment
    without deletions), sometimes a range with holes, or any set."""
    kind = draw(st.sampled_from(["range", "holes", "any"]))
    if kind == "any":
        return np.array(sorted(draw(st.sets(st.integers(0, 300), max_size=60))), dtype=np.int64)
    start = draw(st.integers(0, 200))
    docs = list(range(start, start + draw(st.integers(0, 80))))
    if kind == "holes" and docs:
        holes = draw(st.sets(st.sampled_from(docs), max_size=5))
        docs = [d for d in docs if d not in holes]
    return np.array(docs, dtype=np.int64)


@given(doc_sets(), st.lists(st.integers(0, 320), max_size=60, unique=True))
def test_membership_is_the_same_whatever_the_set(sorted_set, values):
    values = np.array(sorted(values), dtype=np.int64)
    idx, found = locate(sorted_set, values)
    assert found.tolist() == np.isin(values, sorted_set).tolist()
    assert (sorted_set[idx[found]] == values[found]).all()
    assert contains(sorted_set, values).tolist() == found.tolist()
    assert intersect(values, sorted_set).tolist() == sorted(set(values.tolist()) & set(sorted_set.tolist()))
    assert difference(values, sorted_set).tolist() == sorted(set(values.tolist()) - set(sorted_set.tolist()))
