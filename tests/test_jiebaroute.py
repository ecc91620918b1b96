"""The one-pass route of :mod:`index.jiebaroute` segments exactly as jieba does.

Words feed ranking and entities, and an update must segment as its build
did, so the faster route has to be jieba's route: same words, same tags,
ties broken the same way, for any text.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jieba
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from index.jiebaroute import RouteTokenizer
from index.normalization import fold
from index.posviterbi import fast_pos_tokenizer
from index.rustcut import RustCut

SEED = (Path(__file__).resolve().parents[1] / "seeds").glob("*.txt")

#: Characters of the seed page, plus ones that make the search's corners:
#: 龘 and 龖 are only prefixes (of the words added below), digits and Latin
#: go through jieba's other branches, punctuation splits blocks.
ALPHABET = "".join(sorted({ch for p in SEED for ch in fold(p.read_text(encoding="utf-8")) if not ch.isspace()}
                          | set("龘龖ab1.%-，。 ")))


#: Words added to jieba's dictionary: 龘 and 龖 become prefixes that are not words.
ADDED = (("龘龘", 5), ("龘龖龘", 3000), ("龖龖", None))


@pytest.fixture(scope="module")
def tokenizers() -> tuple[RouteTokenizer, jieba.Tokenizer]:
    """The same dictionary behind both, with words whose first characters are
    not words; posseg's tokenizers over each are ``pos`` (made once: each
    reads jieba's dictionary file)."""
    route = RouteTokenizer()
    route.initialize()
    for word, freq in ADDED:
        route.add_word(word, freq)
    plain = jieba.Tokenizer()
    plain.FREQ, plain.total, plain.user_word_tag_tab = route.FREQ, route.total, route.user_word_tag_tab
    plain.initialized = True
    assert route.FREQ["龘"] == 0 and "龘龘" in route.FREQ
    return route, plain


@pytest.fixture(scope="module")
def pos(tokenizers: tuple[RouteTokenizer, jieba.Tokenizer]) -> tuple[Any, Any]:
    route = RustCut([(word, freq, None) for word, freq in ADDED]).route
    return fast_pos_tokenizer(tokenizers[0], route), fast_pos_tokenizer(tokenizers[1])


@settings(max_examples=300, deadline=None)
@given(text=st.text(alphabet=ALPHABET, max_size=80))
def test_cut_is_jiebas(tokenizers: tuple[RouteTokenizer, jieba.Tokenizer], text: str) -> None:
    route, plain = tokenizers
    assert list(route.cut(text)) == list(plain.cut(text))
    assert list(route.cut(text, HMM=False)) == list(plain.cut(text, HMM=False))


@settings(max_examples=100, deadline=None)
@given(text=st.text(alphabet=ALPHABET, max_size=60))
def test_posseg_is_jiebas(pos: tuple[Any, Any], text: str) -> None:
    ours, theirs = pos
    assert [(p.word, p.flag) for p in ours.cut(text)] == [(p.word, p.flag) for p in theirs.cut(text)]


def test_route_of_the_seed_page(tokenizers: tuple[RouteTokenizer, jieba.Tokenizer]) -> None:
    """Every block of the real page: the same route dict, not only the same words."""
    route, plain = tokenizers
    blocks = [b for p in (Path(__file__).resolve().parents[1] / "seeds").glob("*.txt")
              for b in jieba.re_han_default.split(fold(p.read_text(encoding="utf-8")))
              if b and jieba.re_han_default.match(b)]
    assert len(blocks) > 100
    for block in blocks + ["龘龘龘龖龘", "龖龖龘"]:
        ours: dict[int, tuple[float, int]] = {}
        theirs: dict[int, tuple[float, int]] = {}
        route.calc(block, route.get_DAG(block), ours)
        plain.calc(block, plain.get_DAG(block), theirs)
        assert ours == theirs, block


def test_dag_is_still_readable(tokenizers: tuple[RouteTokenizer, jieba.Tokenizer]) -> None:
    """``cut_all`` reads the DAG itself; it gets jieba's."""
    route, plain = tokenizers
    text = "郑州市郑东新区龘龖龘"
    assert dict(route.get_DAG(text)) == plain.get_DAG(text)
    assert list(route.cut(text, cut_all=True)) == list(plain.cut(text, cut_all=True))


#: Han characters the HMM knows and ones it does not (emission MIN_FLOAT),
#: so that ties between states at the minimum happen too.
HMM_ALPHABET = ALPHABET + "龘龖鱻䶮𪚥丨丶丿"


@settings(max_examples=300, deadline=None)
@given(text=st.text(alphabet=HMM_ALPHABET, max_size=60))
@example(text="龘龘龘")  # the last state's tie at MIN_FLOAT: S wins, as in jieba
def test_hmm_cut_is_finalsegs(text: str) -> None:
    from jieba import finalseg

    from index.jiebaroute import hmm_cut

    assert list(hmm_cut(text)) == list(finalseg.cut(text))


def test_hmm_cut_keeps_forced_splits(monkeypatch: pytest.MonkeyPatch) -> None:
    """A word jieba was told never to join (``del_word``) comes out character by character."""
    from jieba import finalseg

    from index.jiebaroute import hmm_cut

    text = "王小明说龘龖的事"
    joined = list(finalseg.cut(text))
    word = next(w for w in joined if len(w) > 1)
    monkeypatch.setattr(finalseg, "Force_Split_Words", {word})
    assert list(hmm_cut(text)) == list(finalseg.cut(text)) != joined


def test_route_splits_joined_ascii_and_gives_up_where_it_cannot_tell() -> None:
    """jieba-rs joins a run of single ASCII letters and digits into one
    token; the route has them single.  Where the joined run is itself a
    dictionary word, the route could have been either: no answer."""
    cut = RustCut([("ab", 10, None)])
    assert cut.route("xy2024市民") == ["x", "y", "2", "0", "2", "4", "市民"]
    assert cut.route("ab市民") is None
    assert cut.route("市民上班") == ["市民", "上班"]
