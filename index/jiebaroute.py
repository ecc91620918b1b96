"""jieba's segmentation with its dictionary search done in one pass.

jieba segments a run of Chinese text in two passes: ``get_DAG`` lists, for
every character, the dictionary words that start there (a dict of lists),
then ``calc`` walks back from the end choosing the most probable route,
slicing every word again to look up its frequency.  The two took 28% of a
build worker's time (py-spy of a 1,000,000-article build), 85% of ``cut``.
:class:`RouteTokenizer` does both in one backward pass over the same
dictionary with the same arithmetic and tie-breaking, so every route, and
so every cut (posseg's included, which asks the same two methods), is
jieba's own: ``tests/test_jiebaroute.py`` compares them.  ``get_DAG`` still
gives the mapping to a caller that reads it (``cut_all``).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from math import log
from typing import Any

import jieba


class _DeferredDAG(Mapping[int, list[int]]):
    """What :meth:`RouteTokenizer.get_DAG` returns: jieba's DAG of ``sentence``,
    worked out only if something reads it; :meth:`RouteTokenizer.calc`
    does not need it."""

    __slots__ = ("_dag", "_sentence", "_tokenizer")

    def __init__(self, tokenizer: RouteTokenizer, sentence: str) -> None:
        self._tokenizer = tokenizer
        self._sentence = sentence
        self._dag: dict[int, list[int]] | None = None

    def _read(self) -> dict[int, list[int]]:
        if self._dag is None:
            self._dag = jieba.Tokenizer.get_DAG(self._tokenizer, self._sentence)
        return self._dag

    def __getitem__(self, k: int) -> list[int]:
        return self._read()[k]

    def __iter__(self) -> Iterator[int]:
        return iter(self._read())

    def __len__(self) -> int:
        return len(self._read())


class RouteTokenizer(jieba.Tokenizer):
    """A ``jieba.Tokenizer`` whose ``get_DAG`` + ``calc`` is one pass (see the module docstring)."""

    def get_DAG(self, sentence: str) -> Mapping[int, list[int]]:
        self.check_initialized()
        return _DeferredDAG(self, sentence)

    def calc(self, sentence: str, DAG: Any, route: dict[int, tuple[float, int]]) -> None:
        """Fill ``route`` as jieba's ``calc`` does: ``route[k]`` is the best
        (log probability of the rest, end of the word starting at ``k``)."""
        if not isinstance(DAG, _DeferredDAG) or DAG._sentence is not sentence:
            super().calc(sentence, DAG, route)
            return
        freq = self.FREQ.get
        logtotal = log(self.total)
        n = len(sentence)
        after: tuple[float, int] = (0, 0)
        route[n] = after
        for k in range(n - 1, -1, -1):
            f = freq(sentence[k])
            best = (log(f) - logtotal + after[0], k) if f else None
            if f is not None:  # FREQ holds every prefix of every word (as 0 if not a word itself)
                i = k + 1
                while i < n:
                    f = freq(sentence[k:i + 1])
                    if f is None:
                        break
                    if f:
                        # jieba's max() over (score, end): the greater end wins a tie
                        candidate = (log(f) - logtotal + route[i + 1][0], i)
                        if best is None or candidate > best:
                            best = candidate
                    i += 1
            if best is None:  # no word starts here: the character alone, as jieba's `or 1`
                best = (log(1) - logtotal + after[0], k)
            route[k] = after = best
