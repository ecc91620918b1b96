"""jieba-rs behind jieba's outer loop (:mod:`index.rustcut`) cuts as jieba does.

Words rank articles and the index and its queries must cut alike, so the
Rust cut has to give jieba's words: exactly, wherever jieba's and
jieba-rs's outer loops differ (characters outside jieba's blocks, symbols
inside them), and on real text all but a near-tie now and then.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from index.analysis import load_cutter, load_segmenter, resolve_userdict
from index.normalization import fold

from .conftest import corpus_sample

SEED = sorted((Path(__file__).resolve().parents[1] / "seeds").glob("*.txt"))
VOCAB = ("郑东新区", "中原科技城")

#: What texts are made of below: dictionary words (so that no run of
#: unknown characters reaches an HMM, where jieba-rs's model rounds a
#: near-tie now and then the other way), and the characters where the two
#: outer loops part: CJK extension A (jieba-rs's "Chinese", not jieba's),
#: symbols jieba's HMM splits at, Latin, digits, whitespace and punctuation.
PIECES = ["郑东新区", "中原科技城", "新闻", "记者", "发布会", "郑州", "科技", "城市", "新区",
          *"㗎㖞䁔㶶𠝹abz19.%-+#&_，。!「」 \n\t"]


@pytest.fixture(scope="module")
def cutters() -> tuple[Any, Any]:
    path = resolve_userdict(None)
    return load_cutter(path, VOCAB), load_segmenter(path, VOCAB)


@settings(max_examples=300, deadline=None)
@given(text=st.lists(st.sampled_from(PIECES), max_size=30).map("".join))
@example(text="donation.yanchai.org.hk")
@example(text="4-2-3-1,3.5%")
@example(text="郑州㗎㖞!新区䁔䁔")
def test_rust_cut_is_jiebas(cutters: tuple[Any, Any], text: str) -> None:
    rust, jieba_ = cutters
    assert list(rust.cut(text)) == list(jieba_.cut(text))


def test_rust_cut_of_the_seed_page(cutters: tuple[Any, Any]) -> None:
    """The whole page, HMM runs included."""
    rust, jieba_ = cutters
    for page in SEED:
        text = fold(page.read_text(encoding="utf-8"))
        assert list(rust.cut(text)) == list(jieba_.cut(text)), page.name


def test_rust_cut_of_real_articles(cutters: tuple[Any, Any]) -> None:
    """2,000 corpus articles: at most one text in 1,000 may be cut
    differently (a near-tie of two routes, rounded differently), and then
    only in a few words."""
    rust, jieba_ = cutters
    texts = [fold(doc.get(key) or "") for doc in corpus_sample(2000, seed=11) for key in ("title", "body")]
    differ = 0
    for text in texts:
        ours, theirs = list(rust.cut(text)), list(jieba_.cut(text))
        if ours != theirs:
            differ += 1
            assert "".join(ours) == text
            assert len(set(ours) ^ set(theirs)) <= 6, text[:80]
    assert differ <= len(texts) // 1000
