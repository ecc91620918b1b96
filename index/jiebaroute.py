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

The runs of characters the dictionary does not join (names, mostly) go
to jieba's HMM (``jieba.finalseg``), whose Viterbi search over its four
states was 6% of a build; :func:`hmm_cut` is the same search unrolled.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from math import log
from typing import Any

import jieba
from jieba import finalseg


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

    def _Tokenizer__cut_DAG(self, sentence: str) -> Iterator[str]:  # jieba's private __cut_DAG (HMM on)
        """jieba's walk along the route: dictionary words as they are, runs of
        single characters through :meth:`_unjoined`."""
        route: dict[int, tuple[float, int]] = {}
        self.calc(sentence, self.get_DAG(sentence), route)
        x, n, run = 0, len(sentence), ""
        while x < n:
            y = route[x][1] + 1
            if y - x == 1:
                run += sentence[x]
            else:
                if run:
                    yield from self._unjoined(run)
                    run = ""
                yield sentence[x:y]
            x = y
        if run:
            yield from self._unjoined(run)

    def _unjoined(self, run: str) -> Iterator[str]:
        """A run of characters the route left single, as jieba cuts it: one
        character as it is, a run that is not a word by the HMM, a word
        (a zero-frequency one) character by character."""
        if len(run) == 1:
            yield run
        elif not self.FREQ.get(run):
            yield from hmm_cut(run)
        else:
            yield from run


def hmm_cut(text: str) -> Iterator[str]:
    """``jieba.finalseg.cut(text)``, with :func:`_hmm_states` for its Viterbi search."""
    for block in finalseg.re_han.split(text):
        if not finalseg.re_han.match(block):
            yield from (x for x in finalseg.re_skip.split(block) if x)
            continue
        begin = after = 0
        for i, state in enumerate(_hmm_states(block)):
            if state == "B":
                begin = i
            elif state == "E" or state == "S":
                after = i + 1
                yield from _split_forced(block[begin:after] if state == "E" else block[i])
        if after < len(block):
            yield from _split_forced(block[after:])


def _split_forced(word: str) -> Iterable[str]:
    """``word``, or its characters when jieba's ``Force_Split_Words`` holds it."""
    return word if word in finalseg.Force_Split_Words else (word,)


def _hmm_states(obs: str) -> list[str]:
    """The most probable B/M/E/S state of each character of ``obs`` under
    jieba's HMM: ``finalseg.viterbi`` with its four states and their allowed
    predecessors written out, the same sums in the same order, and ties
    going to the greater state as its ``max`` over ``(prob, state)`` does."""
    low = finalseg.MIN_FLOAT
    start, trans, emit = finalseg.start_P, finalseg.trans_P, finalseg.emit_P
    e_b, e_m, e_e, e_s = emit["B"].get, emit["M"].get, emit["E"].get, emit["S"].get
    t_eb, t_sb = trans["E"].get("B", low), trans["S"].get("B", low)
    t_mm, t_bm = trans["M"].get("M", low), trans["B"].get("M", low)
    t_ss, t_es = trans["S"].get("S", low), trans["E"].get("S", low)
    t_be, t_me = trans["B"].get("E", low), trans["M"].get("E", low)
    c = obs[0]
    b, m, e, s = (start["B"] + e_b(c, low), start["M"] + e_m(c, low),
                  start["E"] + e_e(c, low), start["S"] + e_s(c, low))
    back: list[tuple[str, str, str, str]] = []  # per character after the first: each state's predecessor
    for c in obs[1:]:
        em = e_b(c, low)
        from_e, from_s = e + t_eb + em, s + t_sb + em
        nb, pb = (from_s, "S") if from_s >= from_e else (from_e, "E")
        em = e_m(c, low)
        from_m, from_b = m + t_mm + em, b + t_bm + em
        nm, pm = (from_m, "M") if from_m >= from_b else (from_b, "B")
        em = e_s(c, low)
        from_s2, from_e2 = s + t_ss + em, e + t_es + em
        ns, ps = (from_s2, "S") if from_s2 >= from_e2 else (from_e2, "E")
        em = e_e(c, low)
        from_b2, from_m2 = b + t_be + em, m + t_me + em
        ne, pe = (from_m2, "M") if from_m2 >= from_b2 else (from_b2, "B")
        back.append((pb, pm, pe, ps))
        b, m, e, s = nb, nm, ne, ns
    state = "S" if s >= e else "E"
    states = [state]
    index = {"B": 0, "M": 1, "E": 2, "S": 3}
    for step in reversed(back):
        state = step[index[state]]
        states.append(state)
    states.reverse()
    return states
