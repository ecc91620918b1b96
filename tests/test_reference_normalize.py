"""The engine's normalization agrees with an independent reference of the README's contract.

``tests/reference_normalize.py`` is written from README.md ("Query language")
alone; the brute-force suite uses it as its oracle.  Here the engine's
``match_text`` is compared with it on every code point, on every canonical
and compatibility decomposition (base + marks sequences), on hypothesis text
and on corpus snippets.  Where they differ and the engine is wrong, the case
is listed in ``KNOWN_ENGINE_BUGS`` and pinned by an ``xfail(strict=True)``
test, so fixing the engine turns it into an unexpected pass to clean up.
"""

from __future__ import annotations

import random
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from index.normalization import match_text
from tests.conftest import corpus_sample
from tests.reference_normalize import clusters, reference_match_text

#: Characters where the engine is known to disagree with the contract (none since schema 4).
KNOWN_ENGINE_BUGS: set[str] = set()


def _known(text: str) -> bool:
    return any(ch in KNOWN_ENGINE_BUGS for ch in text)


@pytest.mark.parametrize("raw, expected", [
    ("ＲＣＥＰ 示范区", "rcep示范区"),       # NFKC (full width), casefold, space dropped
    ("鄭州舉辦國際金融論壇", "郑州举办国际金融论坛"),  # t2s per character
    ("乾隆", "干隆"),                    # per character, never phrases: 乾 → 干 regardless of context
    ("Straße", "strasse"),              # full case folding
    ("e\u0301", "é"),                   # base + mark compose
    ("\u0301\u0302abc", "abc"),          # leading marks are a cluster of their own, dropped
    ("x\u0301", "x"),                   # a mark that cannot compose is dropped
    ("①½", "112"),                      # compatibility forms, fraction slash dropped
    ("İ", "i"),                         # casefold adds U+0307, which is then dropped (a mark)
    ("😀\x00\ud800郑", "郑"),            # emoji, control, lone surrogate dropped
])
def test_reference_follows_the_readme(raw, expected):
    assert reference_match_text(raw) == expected


def test_clusters():
    assert clusters("\u0301a\u0300b\u0bd7") == ["\u0301", "a\u0300", "b\u0bd7"]
    assert clusters("") == []


def _disagreements(texts):
    """(text, reference, engine) wherever the two differ, known engine bugs aside."""
    out = []
    for t in texts:
        if not _known(t):
            ref, got = reference_match_text(t), match_text(t)
            if ref != got:
                out.append((t.encode("unicode_escape").decode(), ref, got))
    return out


def test_every_bmp_code_point():
    texts = [chr(cp) for cp in range(0x10000)]
    assert _disagreements(texts) == []


@pytest.mark.slow
def test_every_code_point_beyond_the_bmp():
    assert _disagreements(chr(cp) for cp in range(0x10000, 0x110000)) == []


def test_every_decomposition_with_and_without_neighbours():
    texts = set()
    for cp in range(0x110000):
        if 0xD800 <= cp <= 0xDFFF:
            continue
        for form in ("NFD", "NFKD"):
            d = unicodedata.normalize(form, chr(cp))
            if d != chr(cp):
                texts |= {d, "a" + d, d + "\u0301", "\u0301" + d, "鄭" + d + "國"}
    assert len(texts) > 50_000
    assert _disagreements(sorted(texts)) == []


_MARKS = [chr(cp) for cp in range(0x300, 0x370)] + ["\u20dd", "\u0903", "\u093e", "\u0bbe", "\u3099"]
_TEXT = st.lists(st.one_of(
    st.text(max_size=6),
    st.sampled_from(_MARKS),
    st.text(alphabet="鄭州國際金融中心論壇乾隆發展著ＲＣＥＰａｂ１２ÉéßİΣσςǅ①½　“”，。", max_size=6),
    st.characters(min_codepoint=0x20000, max_codepoint=0x2FA1F),
), max_size=12).map("".join)


@settings(max_examples=400, deadline=None)
@given(_TEXT)
def test_hypothesis_text(text):
    if not _known(text):
        assert match_text(text) == reference_match_text(text)


@pytest.mark.corpus
def test_corpus_snippets():
    rng = random.Random(11)
    texts = []
    for doc in corpus_sample(1500, seed=11):
        for key in ("title", "subtitle", "author", "source"):
            if doc.get(key):
                texts.append(doc[key])
        body = doc.get("body") or ""
        for _ in range(2):
            i = rng.randint(0, max(0, len(body) - 200))
            texts.append(body[i:i + 200])
    assert len(texts) >= 3000
    assert _disagreements(texts) == []


def test_spacing_marks_join_their_base():
    """Was an engine bug (fixed in schema 4): a mark of combining class 0
    (general category M) was not joined to its base, so 'ஒ' + U+0BD7 and its
    canonical equivalent 'ஔ' (U+0B94) did not match each other."""
    for base, mark in (("\u0b92", "\u0bd7"), ("\u1025", "\u102e"), ("\u1b05", "\u1b35")):
        composed = unicodedata.normalize("NFC", base + mark)
        assert len(composed) == 1
        assert match_text(base + mark) == match_text(composed) == reference_match_text(composed)


def test_t2s_outside_the_bmp():
    """Was an engine bug (fixed in schema 4): OpenCC t2s simplifies U+30EDE to
    U+30EDD (CJK extension G), which the engine's table did not cover."""
    assert match_text("\U00030ede") == reference_match_text("\U00030ede") == "\U00030edd"
