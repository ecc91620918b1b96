"""jieba's part-of-speech tagger with its Viterbi search done in numpy.

``jieba.posseg`` finds the words its dictionary does not know (most names
of people) with an HMM of 256 states (B/M/E/S × part of speech); its pure
Python Viterbi search takes about 90% of posseg's time.  :class:`FastPOSTokenizer`
is posseg's own tokenizer with only that search replaced by
:func:`viterbi`, which computes the same thing — the same model tables, the
same candidate states per character, the same tie-breaking (the greater
state wins, as Python's ``max`` over ``(prob, state)`` tuples does) — over
dense arrays.  ``tests/test_entities.py`` and ``bench/entities.py speed``
check that it tags text exactly as posseg does.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np

MIN_FLOAT = -3.14e100


@functools.lru_cache(maxsize=1)
def _model() -> tuple[list[Any], np.ndarray, np.ndarray, np.ndarray, dict[str, np.ndarray], np.ndarray,
                      list[dict[str, float]]]:
    """posseg's HMM as arrays: states sorted (so a greater index is a greater
    state), transitions (−inf where none) and where they exist, start
    probabilities, each character's candidate states, which states have
    any successor, and each state's emissions."""
    from jieba.posseg import char_state_tab_P, emit_P, start_P, trans_P

    states = sorted(trans_P)
    index = {s: i for i, s in enumerate(states)}
    n = len(states)
    trans = np.full((n, n), -np.inf)
    for a, nxt in trans_P.items():
        for b, p in nxt.items():
            trans[index[a], index[b]] = p
    start = np.array([start_P[s] for s in states])
    candidates = {ch: np.array(sorted(index[s] for s in sts), dtype=np.int64) for ch, sts in char_state_tab_P.items()}
    finite = np.isfinite(trans)
    has_next = finite.any(axis=1)
    emit = [emit_P[s] for s in states]
    return states, trans, finite, start, candidates, has_next, emit


@functools.lru_cache(maxsize=20_000)
def _emission(ch: str) -> np.ndarray:
    """Every state's log probability of emitting ``ch`` (jieba's MIN_FLOAT where none)."""
    emit = _model()[6]
    return np.array([e.get(ch, MIN_FLOAT) for e in emit])


def viterbi(obs: str) -> tuple[float, list[Any]]:
    """``jieba.posseg.viterbi.viterbi(obs, …)`` with posseg's own tables:
    the most probable (probability, state per character) of ``obs``."""
    states, trans, finite, start, candidates, has_next, _ = _model()
    all_states = np.arange(len(states), dtype=np.int64)
    cur = candidates.get(obs[0], all_states)
    score = start[cur] + _emission(obs[0])[cur]
    back: list[tuple[np.ndarray, np.ndarray]] = []  # per step: its states, and each one's predecessor
    for t in range(1, len(obs)):
        ch = obs[t]
        keep = has_next[cur]
        prev, prev_score = cur[keep], score[keep]
        if len(prev) == 0:  # jieba's max() over no predecessor fails the same way
            raise ValueError("no state to continue from")
        expect = finite[prev].any(axis=0)
        cand = candidates.get(ch, all_states)
        nxt = cand[expect[cand]]
        if len(nxt) == 0:
            nxt = np.flatnonzero(expect) if expect.any() else all_states
        # (V + trans) + emit, in jieba's order: a huge negative emission can
        # round different predecessors to a tie, which the greater state wins
        total = (prev_score[:, None] + trans[prev[:, None], nxt[None, :]]) + _emission(ch)[nxt][None, :]
        best = len(prev) - 1 - total[::-1].argmax(axis=0)
        score = total[best, np.arange(len(nxt))]
        back.append((nxt, prev[best]))
        cur = nxt
    last = len(score) - 1 - int(score[::-1].argmax())
    prob, state = float(score[last]), int(cur[last])
    route = [0] * len(obs)
    route[-1] = state
    for i in range(len(obs) - 1, 0, -1):
        nxt, pred = back[i - 1]
        state = int(pred[np.searchsorted(nxt, state)])
        route[i - 1] = state
    return prob, [states[s] for s in route]


#: Runs of unknown characters whose tags are kept (:func:`tag_run`).
RUN_CACHE = 1 << 16


@functools.lru_cache(maxsize=RUN_CACHE)
def tag_run(sentence: str) -> tuple[tuple[str, str], ...]:
    """The ``(word, flag)`` pairs posseg's HMM gives a run of characters its
    dictionary does not know (posseg's private ``__cut``, with :func:`viterbi`).

    Kept for the last :data:`RUN_CACHE` runs: names recur (a run is
    typically a person's name with the characters around it).  Over the
    leads of the 18,697 articles of the shared corpus, 63% of the runs had
    been seen before (148,342 runs, 54,148 distinct)."""
    _, pos_list = viterbi(sentence)
    out: list[tuple[str, str]] = []
    begin, nexti = 0, 0
    for i, char in enumerate(sentence):
        pos = pos_list[i][0]
        if pos == "B":
            begin = i
        elif pos == "E":
            out.append((sentence[begin:i + 1], pos_list[i][1]))
            nexti = i + 1
        elif pos == "S":
            out.append((char, pos_list[i][1]))
            nexti = i + 1
    if nexti < len(sentence):
        out.append((sentence[nexti:], pos_list[nexti][1]))
    return tuple(out)


def fast_pos_tokenizer(tokenizer: Any, route: Callable[[str], Iterable[str] | None] | None = None) -> Any:
    """A ``jieba.posseg.POSTokenizer`` over ``tokenizer`` whose HMM search is :func:`viterbi`.

    ``route(block)``, when given, is the words of jieba's dictionary route
    through ``block`` (jieba's cut without its HMM, over the same
    dictionary: :meth:`index.rustcut.RustCut.route`), or None where it
    cannot tell; posseg then reads the route from it instead of working it out
    in Python (``get_DAG`` and ``calc``: half of posseg's time once its HMM
    search was in numpy).  The walk along the route is posseg's own."""
    import jieba.posseg as posseg

    class FastPOSTokenizer(posseg.POSTokenizer):
        def __init__(self, tokenizer: Any) -> None:
            super().__init__(tokenizer)
            # posseg takes the user dictionary's tags once and empties the
            # tokenizer's table, so a second POSTokenizer over the same
            # tokenizer would tag without them: copy them now
            self.word_tag_tab.update(tokenizer.user_word_tag_tab)

        def _POSTokenizer__cut(self, sentence: str) -> Any:  # replaces posseg's private __cut
            for word, flag in tag_run(sentence):
                yield posseg.pair(word, flag)

        def _POSTokenizer__cut_DAG(self, sentence: str) -> Any:  # replaces posseg's private __cut_DAG
            words = None if route is None else route(sentence)
            if words is None:
                yield from super()._POSTokenizer__cut_DAG(sentence)
                return
            tags, freq, pair = self.word_tag_tab, self.tokenizer.FREQ, posseg.pair
            run = ""
            for word in (*words, ""):  # "" ends the last run
                if len(word) == 1:
                    run += word
                    continue
                if len(run) == 1:
                    yield pair(run, tags.get(run, "x"))
                elif run and not freq.get(run):
                    yield from self._POSTokenizer__cut_detail(run)
                else:
                    for char in run:
                        yield pair(char, tags.get(char, "x"))
                run = ""
                if word:
                    yield pair(word, tags.get(word, "x"))

    return FastPOSTokenizer(tokenizer)
