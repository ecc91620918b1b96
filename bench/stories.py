"""How well and how fast versions of one story are grouped (index/stories.py).

    .venv/bin/python -m bench.stories [--corpus ../shared/corpus/news.jsonl] [--archive DIR]

Quality: 2,000 corpus articles; 600 edited copies of them as a desk edits
(headline rewritten, first or last paragraph cut, a paragraph inserted from
another article, byline changed, converted to Traditional, 10-30% of
sentences dropped; one or two edits each); 600 pairs of different articles
on the same subject (sharing at least three words that are rare in the
sample).  Pair precision and recall of the grouping:

* true pairs: each copy with its original (and copies of one original with
  each other), plus pairs of originals that our own measure calls versions
  (exact containment of 5-shingle sets >= 0.8 or exact Jaccard >= 0.5: the
  corpus has real reprints);
* a found pair is two articles in one story; precision = true found / found,
  recall = true found / true.  The same-subject pairs are reported apart:
  how many of them were (wrongly) grouped.

Cost: seconds per article of the story step (match_text, shingles,
signatures) and of the components over all rows; with ``--archive`` the
same over every article of an archive (read only, nothing is written).
"""

from __future__ import annotations

import argparse
import itertools
import json
import random
import re
import time
from collections import Counter
from pathlib import Path

import numpy as np
import opencc

from index import stories as st

S2T = opencc.OpenCC("s2t")
_SENT = re.compile(r"(?<=[。！？；])")


def sentences(text: str) -> list[str]:
    return [s for s in _SENT.split(text) if s]


def edit(doc: dict, donor: dict, rng: random.Random) -> tuple[dict, list[str]]:
    """A desk's edit of ``doc`` (one or two of the edits in the module docstring)."""
    out = dict(doc)
    paras = [p for p in doc.get("body", "").split("\n") if p]
    kinds = rng.sample(["headline", "cut", "insert", "byline", "traditional", "drop"], rng.choice([1, 2]))
    for kind in kinds:
        if kind == "headline":
            words = sentences(" ".join(paras))[:1] or [""]
            out["title"] = "（快讯）" + words[0][:rng.randint(8, 16)]
        elif kind == "cut" and len(paras) > 2:
            paras = paras[1:] if rng.random() < 0.5 else paras[:-1]
        elif kind == "insert":
            extra = [p for p in donor.get("body", "").split("\n") if p]
            if extra:
                paras.insert(rng.randint(0, len(paras)), rng.choice(extra))
        elif kind == "byline":
            out["author"] = "特约记者 " + rng.choice(["甲乙", "丙丁", "戊己"])
            paras = ["本报讯（通讯员 " + rng.choice(["甲乙", "丙丁"]) + "）"] + paras
        elif kind == "drop":
            rate = rng.uniform(0.10, 0.30)
            paras = ["".join(s for s in sentences(p) if rng.random() >= rate) or p for p in paras]
        elif kind == "traditional":
            paras = [S2T.convert(p) for p in paras]
            out["title"] = S2T.convert(out.get("title", ""))
    out["body"] = "\n".join(paras)
    return out, kinds


def rare_word_pairs(docs: list[dict], n: int, rng: random.Random) -> list[tuple[int, int]]:
    """Pairs of different articles sharing at least three words rare in ``docs``."""
    import jieba

    jieba.setLogLevel(60)
    words = [set(w for w in jieba.lcut(d.get("title", "") + d.get("body", "")[:600]) if len(w) >= 2) for d in docs]
    df = Counter(w for ws in words for w in ws)
    rare = [{w for w in ws if 2 <= df[w] <= 8} for ws in words]
    holders: dict[str, list[int]] = {}
    for i, ws in enumerate(rare):
        for w in ws:
            holders.setdefault(w, []).append(i)
    found: set[tuple[int, int]] = set()
    for w, idx in holders.items():
        for i, j in itertools.combinations(idx, 2):
            if len(rare[i] & rare[j]) >= 3:
                found.add((i, j))
    pairs = sorted(found)
    rng.shuffle(pairs)
    return pairs[:n]


def exact_similar(a: set[int], b: set[int]) -> bool:
    if not a or not b:
        return False
    shared = len(a & b)
    return shared / min(len(a), len(b)) >= 0.8 or shared / len(a | b) >= 0.5


def quality(corpus: Path, seed: int = 13) -> None:
    rng = random.Random(seed)
    with open(corpus, encoding="utf-8") as fh:
        lines = fh.readlines()
    originals = [json.loads(line) for line in rng.sample(lines, 2000)]
    docs = [dict(d, id=f"o{k}") for k, d in enumerate(originals)]
    copies_of: dict[int, list[int]] = {}
    for c in range(600):
        k = rng.randrange(len(originals))
        copy, _ = edit(originals[k], originals[rng.randrange(len(originals))], rng)
        copies_of.setdefault(k, []).append(len(docs))
        docs.append(dict(copy, id=f"c{c}"))
    subject = rare_word_pairs(originals, 600, rng)

    t0 = time.process_time()
    sk = st.Sketcher()
    for d in docs:
        sk.add(d["id"], None, d.get("title", ""), d.get("body", ""))
    sketches = sk.sketches()
    t1 = time.process_time()
    table = st.StoryTable.from_sketches(sketches)
    t2 = time.process_time()
    story = {i: table.root[r] for r, i in enumerate(table.ids)}

    sets = [set(st.shingle_hashes(st.story_text(d.get("title", ""), d.get("body", ""))).tolist()) for d in originals]
    truth: set[tuple[str, str]] = set()
    for k, cs in copies_of.items():
        group = [f"o{k}"] + [docs[c]["id"] for c in cs]
        truth |= {tuple(sorted(p)) for p in itertools.combinations(group, 2)}  # type: ignore[misc]
    # pairs among originals: judged by the exact measure (candidates: same story or sharing a band)
    found_orig = [(i, j) for i, j in itertools.combinations(range(len(originals)), 2)
                  if story[f"o{i}"] == story[f"o{j}"]]
    real = {(f"o{i}", f"o{j}") for i, j in found_orig if exact_similar(sets[i], sets[j])}
    truth |= {tuple(sorted(p)) for p in real}  # type: ignore[misc]
    by_story: dict[int, list[str]] = {}
    for i, s in story.items():
        by_story.setdefault(s, []).append(i)
    found = {tuple(sorted(p)) for members in by_story.values() for p in itertools.combinations(members, 2)}
    hit = len(found & truth)
    print(f"articles {len(docs)} (2000 originals, 600 edited copies), stories {len(by_story)}")
    print(f"pairs: true {len(truth)}, found {len(found)}, true found {hit}")
    print(f"precision {hit / max(1, len(found)):.4f}  recall {hit / max(1, len(truth)):.4f}")
    missed = sorted(truth - found)[:5]
    print("missed (first 5):", missed)
    grouped = sum(story[f"o{i}"] == story[f"o{j}"] for i, j in subject)
    print(f"same-subject pairs (>= 3 shared rare words): {len(subject)}, grouped {grouped}")
    n = len(docs)
    print(f"CPU: signatures {1000 * (t1 - t0) / n:.3f} ms/article, components {1000 * (t2 - t1):.0f} ms "
          f"for {n} articles")


def archive_cost(archive: Path) -> None:
    from index.sources import read_sources

    problems: list = []
    sk = st.Sketcher()
    chars = count = 0
    wall = cpu = 0.0
    for a in read_sources([str(archive)], problems):
        w, c = time.perf_counter(), time.process_time()
        sk.add(a.id, a.date, a.title, a.body)
        wall += time.perf_counter() - w
        cpu += time.process_time() - c
        chars += len(a.title) + len(a.body)
        count += 1
    w, c = time.perf_counter(), time.process_time()
    sketches = sk.sketches()
    wall += time.perf_counter() - w
    cpu += time.process_time() - c
    w, c = time.perf_counter(), time.process_time()
    table = st.StoryTable.from_sketches(sketches)
    comp_wall, comp_cpu = time.perf_counter() - w, time.process_time() - c
    sizes = np.bincount(table.root)
    multi = int(np.sum(sizes > 1))
    print(f"archive {archive}: {count} articles, {chars / max(1, count):.0f} characters each")
    print(f"signatures: {cpu:.1f} s CPU ({1000 * cpu / max(1, count):.3f} ms/article), {wall:.1f} s wall; "
          f"components: {comp_cpu:.1f} s CPU, {comp_wall:.1f} s wall")
    print(f"{multi} stories of 2+ versions, {int(np.sum(table.root != np.arange(len(table.ids))))} articles "
          f"in them besides the first, the largest has {int(sizes.max()) if len(sizes) else 0}")


def build_overhead(source: Path, procs: int, rounds: int) -> None:
    """Wall time of ``build`` over ``source`` with the story step and without
    it (signatures and ``stories.npz`` patched out), alternating, ``rounds`` each."""
    import tempfile
    from unittest import mock

    from index import builder
    from index.store import IndexStore

    def timed(with_stories: bool) -> float:
        with tempfile.TemporaryDirectory() as tmp:
            patches = [] if with_stories else [mock.patch.object(builder.Sketcher, "add", lambda *a, **k: None),
                                               mock.patch.object(builder, "_write_stories", lambda *a, **k: None)]
            for p in patches:
                p.start()
            try:
                started = time.perf_counter()
                builder.build([str(source)], IndexStore(Path(tmp) / "ix"), procs=procs)
                return time.perf_counter() - started
            finally:
                for p in patches:
                    p.stop()

    times: dict[bool, list[float]] = {True: [], False: []}
    for _ in range(rounds):
        for flag in (False, True):
            times[flag].append(timed(flag))
    base, full = min(times[False]), min(times[True])
    print(f"build of {source} with {procs} processes: without stories {times[False]} s, "
          f"with {times[True]} s; best {base:.1f} -> {full:.1f} s (+{100 * (full - base) / base:.1f}%)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--corpus", default=str(Path(__file__).resolve().parent.parent.parent / "shared/corpus/news.jsonl"))
    ap.add_argument("--archive", default=None)
    ap.add_argument("--no-quality", action="store_true", help="only the archive's cost")
    ap.add_argument("--build", default=None, help="also time builds of this source with and without stories")
    ap.add_argument("--procs", type=int, default=2)
    ap.add_argument("--rounds", type=int, default=1)
    args = ap.parse_args()
    if not args.no_quality:
        quality(Path(args.corpus))
    if args.archive:
        archive_cost(Path(args.archive))
    if args.build:
        build_overhead(Path(args.build), args.procs, args.rounds)


if __name__ == "__main__":
    main()
