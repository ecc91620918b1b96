"""Search results equal brute-force substring matching, on real news text.

Over 3,000 corpus articles, several hundred generated queries (random runs
of characters, jieba words, quoted phrases, ANDs, ``title:``, ``NOT`` and
``OR``) are run through the real index, and the complete result sets are
compared with a scan of the normalized text: one missing or extra document
fails the test.

The oracle normalizes with ``tests/reference_normalize.py``, an independent
implementation of the README's matching contract, never with the engine's own
``match_text``: a normalization bug shared by the index and its oracle could
not fail this test.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from dataclasses import dataclass

import pytest

from index.analysis import JiebaTokenizer
from search.engine import matching_ids, search
from search.models import SearchRequest
from tests.reference_normalize import reference_match_text

pytestmark = [pytest.mark.corpus, pytest.mark.slow]

HAN = re.compile(r"[\u4e00-\u9fff]+")
TOKENIZER = JiebaTokenizer()
FIELDS = ("title", "subtitle", "body")


def words(text: str) -> list[str]:
    return [w for w, *_ in TOKENIZER.words(text)] or [reference_match_text(text)]


@dataclass
class Doc:
    id: str
    norm: dict[str, str]


Oracle = Callable[[Doc], bool]


def has_phrase(text: str, scope: str | None = None) -> Oracle:
    needle = reference_match_text(text)
    fields = (scope,) if scope else FIELDS
    return lambda d: any(needle in d.norm[f] for f in fields)


def has_term(text: str, scope: str | None = None) -> Oracle:
    parts = [has_phrase(w, scope) for w in words(text)]
    return lambda d: all(p(d) for p in parts)


@dataclass
class Case:
    kind: str
    q: str
    oracle: Oracle


def generate(docs: list[dict], rng: random.Random) -> list[Case]:
    bodies = [d["body"] for d in docs if d.get("body")]
    titles = [d["title"] for d in docs if d.get("title")]

    def han_run(lo: int, hi: int) -> str:
        while True:
            runs = [r for r in HAN.findall(rng.choice(bodies)) if len(r) >= lo]
            if runs:
                run = rng.choice(runs)
                n = rng.randint(lo, min(hi, len(run)))
                i = rng.randint(0, len(run) - n)
                return run[i:i + n]

    def raw_run(n: int) -> str:  # may cross punctuation, as copied from an article
        body = rng.choice([b for b in bodies if len(b) > n])
        i = rng.randint(0, len(body) - n)
        return body[i:i + n].replace('"', "").strip() or han_run(2, 4)

    def word(source: list[str] | None = None) -> str:
        while True:
            text = rng.choice(source or bodies)
            ws = [w for w in (t for t, *_ in TOKENIZER.words(text[:300])) if HAN.fullmatch(w) and len(w) >= 2]
            if ws:
                return rng.choice(ws)

    cases: list[Case] = []
    for _ in range(50):
        t = han_run(1, 8)
        cases.append(Case("run", t, has_term(t)))
    for _ in range(50):
        t = han_run(3, 8)
        cases.append(Case("phrase", f'"{t}"', has_phrase(t)))
    for _ in range(20):
        t = raw_run(rng.randint(4, 10))
        cases.append(Case("phrase-punct", f'"{t}"', has_phrase(t)))
    for _ in range(40):
        t = word()
        cases.append(Case("word", t, has_term(t)))
    for _ in range(40):
        a, b = word(), han_run(1, 3)
        cases.append(Case("and", f"{a} {b}", lambda d, x=has_term(a), y=has_term(b): x(d) and y(d)))
    for _ in range(40):
        t = word(titles)
        cases.append(Case("title", f"title:{t}", has_term(t, "title")))
    def title_run() -> str:
        while True:
            runs = [r for r in HAN.findall(rng.choice(titles)) if len(r) >= 3]
            if runs:
                run = rng.choice(runs)
                n = rng.randint(3, min(7, len(run)))
                i = rng.randint(0, len(run) - n)
                return run[i:i + n]

    for _ in range(20):
        t = title_run()
        cases.append(Case("title-run", f"title:{t}", has_term(t, "title")))
    for _ in range(10):
        t = title_run()
        cases.append(Case("title-phrase", f'title:"{t}"', has_phrase(t, "title")))
    for _ in range(30):
        a, b = word(), word()
        cases.append(Case("not", f"{a} -{b}", lambda d, x=has_term(a), y=has_term(b): x(d) and not y(d)))
    for _ in range(30):
        a, b, c = word(), word(), han_run(1, 2)
        cases.append(Case("or", f"({a} OR {b}) {c}",
                          lambda d, x=has_term(a), y=has_term(b), z=has_term(c): (x(d) or y(d)) and z(d)))
    for _ in range(10):
        a = "".join(rng.choice("郑州鄭龘靐齉爩") for _ in range(3))
        cases.append(Case("absent", f'"{a}"', has_phrase(a)))
    for _ in range(15):  # a pasted passage: where was this published?
        t = raw_run(rng.randint(20, 300))
        cases.append(Case("pasted", f'"{t}"', has_phrase(t)))
    for _ in range(10):
        t = han_run(12, 60)
        cases.append(Case("pasted-words", t, has_term(t)))
    return cases


@pytest.fixture(scope="module")
def docs(corpus_docs):
    out = []
    for d in corpus_docs:
        out.append(Doc(str(d["id"]), {f: reference_match_text(d.get(f) or "") for f in FIELDS}))
    return out


def test_results_equal_brute_force(corpus_index, corpus_docs, docs):
    rng = random.Random(20261125)
    cases = generate(corpus_docs, rng)
    assert len(cases) >= 300
    failures = []
    kinds_with_hits = set()
    for case in cases:
        expected = {d.id for d in docs if case.oracle(d)}
        got = set(matching_ids(corpus_index, SearchRequest(q=case.q)))
        if got != expected:
            failures.append(f"{case.kind} {case.q!r}: missing {sorted(expected - got)[:5]} "
                            f"extra {sorted(got - expected)[:5]}")
        if expected:
            kinds_with_hits.add(case.kind)
    assert not failures, f"{len(failures)} of {len(cases)} queries differ:\n" + "\n".join(failures[:20])
    # the generator must exercise every kind of query with real matches
    assert kinds_with_hits >= {"run", "phrase", "phrase-punct", "word", "and", "title", "title-run",
                               "title-phrase", "not", "or", "pasted", "pasted-words"}


def test_total_counts_every_match(corpus_index, docs):
    expected = sum(1 for d in docs if has_term("香港")(d))
    result = search(corpus_index, SearchRequest(q="香港", per_page=5))
    assert result.total == expected > 100
    assert len(result.hits) == 5
