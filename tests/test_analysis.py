"""The jieba tokenizer honours Whoosh's protocol and our normalization."""

from __future__ import annotations

import pickle

from hypothesis import given, settings
from hypothesis import strategies as st

from index.analysis import BigramTokenizer, CharTokenizer, JiebaTokenizer, key_terms, word_analyzer
from index.normalization import fold, match_text


def tokens(analyzer, text, **kw):
    return [(t.text, t.pos, t.startchar, t.endchar)
            for t in analyzer(text, positions=True, chars=True, **kw)]


def test_positions_are_ordinals_and_offsets_real():
    text = "郑东新区打造全市RCEP示范区核心区，加快建设中原科技城。"
    toks = tokens(JiebaTokenizer(), text)
    assert [p for _, p, _, _ in toks] == list(range(len(toks)))
    for term, _, s, e in toks:
        assert match_text(text[s:e]) == term
    words = [t for t, *_ in toks]
    assert "中原科技城" in words and "郑东新区" in words  # user dictionary
    assert "rcep" in words or "rcep示范区" in words


def test_latin_and_numbers_stay_whole():
    words = [t for t, *_ in tokens(JiebaTokenizer(), "落实“13710”工作制度，5G网络")]
    assert "13710" in words
    assert "5g" in words


def test_traditional_and_full_width_fold_with_original_offsets():
    text = "鄭州ＲＣＥＰ示範區"
    toks = tokens(JiebaTokenizer(), text)
    assert toks[0][0] == "郑州"
    assert text[toks[0][2]:toks[0][3]] == "鄭州"
    assert len(fold(text)) == len(text)


def test_index_mode_adds_subwords_at_the_same_position():
    analyzer = word_analyzer()  # JiebaTokenizer | SubwordFilter
    text = "走进中原科技城"
    toks = tokens(analyzer, text, mode="index")
    assert [t for t, p, *_ in toks if p == 1][0] == "中原科技城"
    subwords = {(t, text[s:e]) for t, p, s, e in toks if p == 1}
    assert {("中原", "中原"), ("科技", "科技")} <= subwords
    assert [t for t, *_ in tokens(analyzer, text, mode="query")] == ["走进", "中原科技城"]


def test_bigrams_cover_the_normalized_text():
    toks = [(t.text, t.pos) for t in BigramTokenizer()("金融，中心", positions=True)]
    assert toks == [("金融", 0), ("融中", 1), ("中心", 2)]  # punctuation dropped, positions consecutive


def test_analyzer_pickles_without_jieba_state():
    analyzer = word_analyzer()
    list(analyzer("郑州中原科技城", mode="index"))
    clone = pickle.loads(pickle.dumps(analyzer))
    assert clone == analyzer
    assert len(pickle.dumps(analyzer)) < 1000
    assert [t.text for t in clone("中原科技城", mode="index")] == [t.text for t in analyzer("中原科技城", mode="index")]


def test_the_stored_ngram_analyzers_are_what_the_fields_index():
    """The analyzers Whoosh pickles into the schema yield exactly the terms
    and positions a build inverts for those fields."""
    from index.schema import FIELD_BASE, TEXT_FIELDS, build_schema

    def texts(**given: str) -> tuple[str, ...]:
        return tuple(given.get(name, "") for name in TEXT_FIELDS)

    schema = build_schema()
    text = "鄭州地铁１２号线，ＲＣＥＰ示范区！中原科技城"
    for name in ("text_ng", "text_c1"):
        field = schema[name]
        expected = field.positions(texts(title=text))
        yielded: dict[str, list[int]] = {}
        for t in field.analyzer(text, positions=True):
            yielded.setdefault(t.text, []).append(t.pos)
        assert yielded == expected, name
    assert schema["text_ng"].positions(texts(title="郑州地铁"))["州地"] == [1]
    assert schema["text_c1"].positions(texts(body="郑州郑"))["郑"] == [FIELD_BASE["body"]]  # once, at the base


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from("郑州地铁号线中原科技城ＲＣＥＰ示范区ab1 ，。\U00020000\u0301\ud800"), max_size=40),
       st.sampled_from([0, 1 << 19, 4 << 19]))
def test_integer_keys_are_the_ngram_terms(text, base):
    """A build inverts the n-gram fields from integer keys (index/inverter.py):
    decoded, they are exactly the terms and positions of the analyzers' rule."""
    norm = match_text(text)
    for tokenizer in (BigramTokenizer(), CharTokenizer()):
        expected: dict[str, list[int]] = {}
        tokenizer.collect(norm, base, expected)
        keys, positions = tokenizer.term_keys(norm, base)
        got: dict[str, list[int]] = {}
        for term, pos in zip(key_terms(keys.tolist()), positions.tolist()):
            got.setdefault(term, []).append(pos)
        assert {t: sorted(p) for t, p in got.items()} == expected
        assert sorted(keys.tolist()) == sorted(keys.tolist(), key=lambda k: key_terms([k])[0])  # keys sort as terms
