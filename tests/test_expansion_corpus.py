"""Widened searches against brute force on real news (issue 14).

The corpus sample's index (``corpus_index``) gets ``bench/vocab.tsv`` the way
an operator gives it one, ``newsearch vocab`` (a hard-linked snapshot, in a
copy of the index directory so other tests keep theirs).  For entries whose
names occur in the sample, every name is searched alone through the API, and
``total`` must equal a scan of the articles for what the widened search
promises: the typed term as it always matched (each of its jieba words in
the field) or any other name of the entry as an exact substring.  So a
widening can neither lose a literal match nor invent one.  The oracle
normalizes with ``tests/reference_normalize.py``.
"""

from __future__ import annotations

import os
import random
import shutil
from pathlib import Path

import pytest

from index.analysis import JiebaTokenizer
from index.store import IndexStore
from index.vocab import load_vocabulary
from index.vocab_snapshot import publish_vocabulary
from tests.reference_normalize import reference_match_text

pytestmark = [pytest.mark.corpus, pytest.mark.slow]

ROOT = Path(__file__).resolve().parent.parent
FIELDS = ("title", "subtitle", "body")
TOKENIZER = JiebaTokenizer()


@pytest.fixture(scope="module")
def vocab_client(corpus_index, tmp_path_factory):
    from api import create_app

    live = corpus_index.store.current()
    root = tmp_path_factory.mktemp("vocab-corpus") / "index"
    copy = root / "snapshots" / live.name
    copy.mkdir(parents=True)
    for f in live.path.iterdir():
        if f.is_file() and f.name != "meta.json":
            os.link(f, copy / f.name)
    shutil.copy(live.path / "meta.json", copy / "meta.json")
    (root / "CURRENT").write_text(live.name + "\n", encoding="utf-8")
    report = publish_vocabulary(ROOT / "bench" / "vocab.tsv", IndexStore(root))
    assert not report.problems
    app = create_app({"INDEX_DIR": str(root), "TESTING": True, "REFRESH_INTERVAL": 0, "TIME_BUDGET": 0})
    yield app.test_client()
    app.extensions["newsearch"].close()


def test_a_widened_search_finds_exactly_the_literal_matches_of_every_name(vocab_client, corpus_docs) -> None:
    texts = {d["id"]: [reference_match_text(d.get(f) or "") for f in FIELDS] for d in corpus_docs}

    def containing(name: str) -> set[str]:
        needle = reference_match_text(name)
        return {i for i, fs in texts.items() if any(needle in f for f in fs)}

    def term(name: str) -> set[str]:  # an unquoted term: each of its jieba words somewhere
        words = [w for w, *_ in TOKENIZER.words(name)] or [reference_match_text(name)]
        return {i for i, fs in texts.items() if all(any(w in f for f in fs) for w in words)}

    vocab = load_vocabulary(ROOT / "bench" / "vocab.tsv")
    present = [e for e in vocab.entries if e.aliases and any(containing(n) for n in e.names)]
    assert len(present) >= 40
    checked = widened = 0
    for entry in random.Random(14).sample(present, 40):
        for name in entry.names:
            others = vocab.alternatives(name)
            expected = term(name).union(*(containing(o) for o in others))
            body = vocab_client.get("/api/search", query_string={"q": name, "per_page": 1}).get_json()
            assert body["total"] == len(expected), (name, others)
            assert body.get("expanded") == {name: others}
            literal = vocab_client.get("/api/search", query_string={"q": name, "expand": "false"}).get_json()
            assert literal["total"] == len(term(name)), name
            checked += 1
            widened += body["total"] > literal["total"]
    assert checked >= 80 and widened >= 20  # the widening does find more, and that is what is checked
