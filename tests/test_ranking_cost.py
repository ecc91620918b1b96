"""What bounds the ranking work of a long query (a pasted paragraph): the
words that rank it, and no frequency look-ups in a field without text."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from index.normalization import match_text
from search.execute import RANKING_WORDS, ranking_terms
from search.grammar import parse
from search.snapshots import SearchIndex

from .conftest import build_index, write_jsonl


def chars(text: str) -> list[str]:
    return list(text)


def test_a_short_query_ranks_by_every_word():
    scoring = ranking_terms(parse("郑州地铁 title:大桥"), chars)
    assert [words for _, _, words in scoring.terms] == [["郑", "州", "地", "铁"], ["大", "桥"]]


def test_a_long_query_ranks_by_each_terms_first_words_in_turn():
    long_term = "".join(chr(0x4E00 + k) for k in range(RANKING_WORDS * 2))
    scoring = ranking_terms(parse(f"{long_term} 郑州 {long_term[::-1]}"), chars)
    kept = [words for _, _, words in scoring.terms]
    assert sum(map(len, kept)) == RANKING_WORDS
    assert kept[1] == ["郑", "州"]  # a short term keeps all of its words
    share = (RANKING_WORDS - 2) // 2
    assert kept[0] == list(long_term[:share]) and kept[2] == list(long_term[::-1][:share])
    # the terms themselves still match whole
    assert [norm for _, norm, _ in scoring.terms][0] == match_text(long_term)


@pytest.fixture(scope="module")
def no_kicker_index(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("nokicker")
    src = write_jsonl(tmp / "a.jsonl", [{"id": f"a{k}", "title": f"郑州第{k}条", "body": "地铁通车了。" * 3}
                                        for k in range(5)])
    store, _ = build_index(tmp, [str(src)])
    index = SearchIndex(store.root)
    yield index
    index.close()


def test_a_field_with_no_text_is_not_looked_up(no_kicker_index, monkeypatch):
    with no_kicker_index.lease() as opened:
        assert opened.doc_frequency("body", "地铁") == 5
        monkeypatch.setattr(opened, "searcher", lambda: pytest.fail("looked up a field without text"))
        assert opened.doc_frequency("kicker", "地铁") == 0
        with pytest.raises(pytest.fail.Exception):
            opened.doc_frequency("title", "未见过的词")


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from([0.0, 0.0, 0.0, 1.0, 2.5, 3.0, 7.0]), min_size=1, max_size=200),
       st.integers(1, 12))
def test_contenders_are_the_values_tied_with_or_above_the_kth_greatest(values, want):
    """Mostly one low value (most matches of a one-character query score 0),
    many ties, fewer values than wanted: the same set a full sort gives."""
    from search.engine import _contenders

    arr = np.asarray(values)
    kth = np.sort(arr)[-min(want, len(arr))]
    assert _contenders(arr, want).tolist() == np.flatnonzero(arr >= kth).tolist()
