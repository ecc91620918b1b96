"""jieba's ``cut`` with the dictionary route and HMM done by jieba-rs.

After :mod:`index.jiebaroute`, jieba's ``cut`` was still the largest part
of a build worker's time: 22% in py-spy of a 5,000-article build, about
3.4 ms of CPU an article.  jieba-rs (the ``rjieba`` binding) is jieba's
algorithm over jieba's own dictionary, in Rust: five times faster in use
(74 s against 14 s, below).

:class:`RustCut` keeps jieba's outer loop, where the two differ:

* jieba cuts the text into blocks of ``re_han_default`` (CJK Unified
  Ideographs U+4E00–U+9FD5, ASCII letters and digits, ``+#&._%-``); outside
  them, it yields a whitespace run whole and any other character alone.
  jieba-rs also counts CJK extension A (``㗎``, Cantonese particles) and more
  as Chinese and would join them with their neighbours.  So only jieba's
  blocks go to jieba-rs.
* Inside a block, jieba-rs keeps a run such as ``donation.yanchai.org.hk``
  or ``4-2-3-1`` as one token; jieba's HMM step (``finalseg``) cuts it at the
  symbols.  A token with a symbol that is not a dictionary word is cut again
  by :func:`index.jiebaroute.hmm_cut`, which is that step.

What is left are near-ties in the HMM step, which jieba-rs's copy of the
model rounds the other way now and then: on 48,374 texts (31.1 M
characters: 5,000 generated articles and 20,000 of the shared corpus) 8
were cut differently, each in one place (``常在`` as one word or two).
Words only rank: a match is found by the character n-gram fields, never
by a word, so such a difference can move an article in the ranking but
cannot hide it.  Queries are cut by the same function as the articles, so
a query's words are the index's.  The same texts took 74 s to cut with
jieba (after :mod:`index.jiebaroute`) and 14 s with this.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import Any

import jieba
import rjieba

from .jiebaroute import hmm_cut

_NO_ASCII = re.compile("[^\x00-\x7f]*")


class RustCut:
    """jieba's ``Tokenizer.cut(text)`` (HMM on) over jieba-rs's dictionary
    with ``words`` added in order: (word, frequency or None, tag or None),
    as ``jieba.Tokenizer.add_word`` takes them."""

    def __init__(self, words: Iterable[tuple[str, int | None, str | None]] = ()) -> None:
        self._jieba: Any = rjieba.Jieba()
        for word, freq, tag in words:
            self._jieba.add_word(word, freq, tag)

    def cut(self, sentence: str) -> Iterator[str]:
        """The words of ``sentence``, as jieba's ``cut`` gives them."""
        block_re, skip_re = jieba.re_han_default, jieba.re_skip_default
        rust_cut, has_word = self._jieba.cut, self._jieba.has_word
        for block in block_re.split(sentence):
            if not block:
                continue
            if block_re.match(block):
                for word in rust_cut(block):
                    # Only a symbol (+#&._%-) makes a block's token not alphanumeric.
                    if len(word) > 1 and not word.isalnum() and not has_word(word):
                        yield from hmm_cut(word)
                    else:
                        yield word
            else:
                for piece in skip_re.split(block):
                    if skip_re.match(piece):
                        yield piece
                    else:
                        yield from piece

    def route(self, block: str) -> list[str] | None:
        """The words of jieba's dictionary route through ``block`` (a block
        of ``jieba.posseg``'s, no spaces or punctuation): jieba's cut
        without its HMM, so a run of characters the dictionary does not
        join stays single characters.  jieba-rs joins a run of single ASCII
        letters and digits into one token, which is split again here; None
        when such a token is also a dictionary word (the route cannot be
        told from it)."""
        words: list[str] = self._jieba.cut(block, False)
        if _NO_ASCII.fullmatch(block):
            return words
        out: list[str] = []
        for word in words:
            if len(word) > 1 and word.isascii() and word.isalnum():
                if self._jieba.has_word(word):
                    return None
                out.extend(word)
            else:
                out.append(word)
        return out
