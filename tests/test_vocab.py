"""The vocabulary file: entries, aliases and the problems of bad lines (issue 14)."""

from __future__ import annotations

from pathlib import Path

import pytest

from index.vocab import KINDS, load_vocabulary, parse_vocabulary, snapshot_vocabulary

ROOT = Path(__file__).resolve().parent.parent


def test_example_file_loads_without_problems() -> None:
    vocab = load_vocabulary(ROOT / "vocab.example.tsv")
    assert not vocab.problems
    assert len(vocab) >= 10
    assert {e.kind for e in vocab.entries} <= set(KINDS)
    assert vocab.alternatives("郑东新区") == ["郑东", "郑州东区"]


def test_lookup_ignores_width_case_and_script() -> None:
    vocab = parse_vocabulary(["鄭東新區\tplace\t鄭東|ＺＤＸＱ\t\n"])
    (entry,) = vocab.lookup("郑东新区")
    assert entry.canonical == "鄭東新區"
    assert vocab.lookup("zdxq") == [entry]
    assert vocab.alternatives("郑东") == ["鄭東新區", "ＺＤＸＱ"]
    assert vocab.lookup("郑东新") == []  # a name as a whole, not a part of one


def test_shared_alias_names_both_entries() -> None:
    vocab = parse_vocabulary(["市委\torg\t中共郑州市委\t\n", "市委员会\torg\t中共郑州市委\t\n"])
    assert [e.canonical for e in vocab.lookup("中共郑州市委")] == ["市委", "市委员会"]
    assert vocab.alternatives("中共郑州市委") == ["市委", "市委员会"]


def test_bad_lines_are_reported_with_their_line_and_the_rest_loads() -> None:
    lines = [
        "# a comment\n",
        "\n",
        "郑州\tplace\t郑州市|郑|绿城\t\n",   # 3: a one-character alias
        "马宏伟\tpeople\t\t\n",              # 4: unknown kind
        "no tab here\n",                      # 5
        "东\tplace\t\t\n",                    # 6: one-character name
        "a\tb\tc\td\te\n",                    # 7: too many columns
        "巩义\tplace\t巩义市\n",              # 8: fine, notes omitted
    ]
    vocab = parse_vocabulary(lines, "vocab.tsv")
    assert [e.canonical for e in vocab.entries] == ["郑州", "巩义"]
    assert vocab.entries[0].aliases == ("郑州市", "绿城")
    reported = [str(p) for p in vocab.problems]
    assert [r.split(":")[1] for r in reported] == ["3", "4", "5", "6", "7"]
    assert reported[0].startswith("vocab.tsv:3: alias '郑' has one character")
    assert "kind must be one of person, place, org, term" in reported[1]


def test_redundant_spellings_are_not_aliases() -> None:
    vocab = parse_vocabulary(["郑州\tplace\t鄭州|郑州\t\n"])
    assert vocab.entries[0].aliases == ()


def test_a_snapshot_without_a_vocabulary_has_an_empty_one(tmp_path: Path) -> None:
    assert not snapshot_vocabulary(tmp_path)
    (tmp_path / "vocab.tsv").write_text("郑州\tplace\t绿城\t\n", encoding="utf-8")
    assert snapshot_vocabulary(tmp_path).alternatives("绿城") == ["郑州"]


@pytest.mark.parametrize("bom", ["\ufeff", ""])
def test_a_byte_order_mark_is_ignored(bom: str) -> None:
    vocab = parse_vocabulary([bom + "郑州\tplace\t\t\n"])
    assert vocab.entries[0].canonical == "郑州"


def test_vocabulary_names_are_jieba_words_that_survive_the_schema_pickle() -> None:
    import pickle

    from index.analysis import vocabulary_words, word_analyzer

    words = vocabulary_words(["豫見未來城", "ＡＢ新区", "豫见未来城", "郑"])
    assert words == ("ab新区", "豫见未来城")  # folded, distinct, sorted, one-character names dropped
    plain = [t.text for t in word_analyzer()("豫见未来城开放", mode="query")]
    assert plain[0] != "豫见未来城"  # jieba alone splits the made-up name
    analyzer = word_analyzer(None, words)
    assert [t.text for t in analyzer("豫见未来城开放", mode="query")][0] == "豫见未来城"
    data = pickle.dumps(analyzer)
    assert len(data) < 1000 and b"Tokenizer object" not in data  # the names, not the loaded segmenter
    again = pickle.loads(data)
    assert again == analyzer and again != word_analyzer()
    assert [t.text for t in again("豫见未来城开放", mode="query")][0] == "豫见未来城"
