"""The matching form: what 'contains what the user typed' means."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from index.normalization import fold, match_text, match_text_with_offsets


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("ＲＣＥＰ示范区", "rcep示范区"),  # full-width → half-width, case-folded
        ("鄭州 金融中心", "郑州金融中心"),  # Traditional → Simplified, space dropped
        ("“大党建”，作为！", "大党建作为"),  # punctuation dropped
        ("１３７１０", "13710"),
        ("5G　网络", "5g网络"),  # ideographic space
        ("Café", "café"),
        ("e\u0301", "é"),  # a combining accent joins its base letter
        ("①㎡", "1m2"),  # compatibility forms expand
        ("😀郑州", "郑州"),  # emoji are not letters
        ("", ""),
    ],
)
def test_match_text(raw, expected):
    assert match_text(raw) == expected


def test_fold_keeps_length_and_offsets():
    raw = "ＲＣＥＰ鄭州…“市委”"
    folded = fold(raw)
    assert len(folded) == len(raw)
    assert folded.startswith("rcep郑州")


def test_offsets_point_into_original():
    raw = "国际金融，中心（IFC）"
    norm, starts, ends = match_text_with_offsets(raw)
    assert norm == "国际金融中心ifc"
    i = norm.index("融中")
    assert raw[starts[i]:ends[i + 1]] == "融，中"


text_st = st.text(
    alphabet=st.sampled_from(list("郑州鄭州金融中心ＲＣＥＰrcepAbc123１２３，。！ \n\u3000“”e\u0301😀㎡")),
    max_size=40,
)


@settings(max_examples=300, deadline=None)
@given(text_st, st.data())
def test_substring_of_original_is_substring_of_normalized(text, data):
    """Whatever a user copies out of a text still matches that text."""
    i = data.draw(st.integers(0, len(text)))
    j = data.draw(st.integers(i, len(text)))
    # cut at cluster boundaries: never between a letter and its combining mark
    while j < len(text) and text[j] == "\u0301":
        j += 1
    while 0 < i < len(text) and text[i] == "\u0301":
        i -= 1
    assert match_text(text[i:j]) in match_text(text)


@settings(max_examples=300, deadline=None)
@given(text_st)
def test_normalization_is_idempotent_and_offsets_consistent(text):
    norm, starts, ends = match_text_with_offsets(text)
    assert match_text(norm) == norm
    assert norm == match_text(text)
    assert len(starts) == len(ends) == len(norm)
    for k in range(len(norm)):
        assert norm[k] in match_text(text[starts[k]:ends[k]])
