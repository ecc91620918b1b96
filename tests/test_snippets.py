"""Highlighting: exact marks, escaped text, fragments that are real text."""

from __future__ import annotations

import html
import re

from hypothesis import given, settings
from hypothesis import strategies as st

from index.normalization import match_text
from search.snippets import find_spans, fragments, highlight


def test_substring_inside_a_word_is_marked_exactly():
    assert highlight("国际金融中心建设", ["融中"]) == "国际金<mark>融中</mark>心建设"


def test_phrase_is_one_mark_even_across_ignored_punctuation():
    assert highlight("加快国际化金融，中心建设", ["金融中心"]) == "加快国际化<mark>金融，中心</mark>建设"


def test_adjacent_words_merge_into_one_mark():
    assert highlight("郑州地铁停运", ["郑州", "地铁"]) == "<mark>郑州地铁</mark>停运"


def test_marks_match_folded_forms_in_original_text():
    assert highlight("打造ＲＣＥＰ示范区", ["rcep"]) == "打造<mark>ＲＣＥＰ</mark>示范区"
    assert highlight("鄭州發展", ["郑州"]) == "<mark>鄭州</mark>發展"


def test_article_markup_is_escaped():
    text = '<script>alert(1)</script><img src=x onerror="alert(2)">郑州 &lt;'
    out = highlight(text, ["郑州"])
    assert "<script>" not in out and "<img" not in out
    assert "<mark>郑州</mark>" in out
    assert "&amp;lt;" in out


def test_fragments_surround_matches_and_are_pieces_of_the_article():
    body = ("第一段没有关键词。" * 20 + "这里提到中原科技城的建设。" + "中间的填充文字。" * 30
            + "再次提到中原科技城。" + "结尾。" * 10)
    frags = fragments(body, ["中原科技城"], count=3, size=60)
    assert 1 <= len(frags) <= 3
    for frag in frags:
        assert "<mark>中原科技城</mark>" in frag
        plain = html.unescape(re.sub(r"</?mark>", "", frag))
        assert plain in body
        assert len(plain) <= 90


def test_no_match_gives_the_opening():
    frags = fragments("开头一句话。后面还有很多内容。" * 20, ["不存在"], size=30)
    assert len(frags) == 1 and "开头一句话" in frags[0] and "<mark>" not in frags[0]


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("郑州金融中心，。<>&\"' abc\n")), min_size=1, max_size=300),
       st.text(alphabet=st.sampled_from(list("郑州金融中心abc")), min_size=1, max_size=4))
def test_fragments_never_invent_text(body, needle):
    for frag in fragments(body, [match_text(needle)], count=3, size=40):
        plain = html.unescape(re.sub(r"</?mark>", "", frag))
        assert plain in body
    for span in find_spans(body, [match_text(needle)]):
        assert match_text(needle) in match_text(body[span.start:span.end])
