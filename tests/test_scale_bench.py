"""The scale benchmark's generator (bench/scale.py, bench/scale_data.py): not timings.

An archive of 300 articles is generated twice by the command line, in
processes with different hash seeds, and must come out byte for byte the
same; its articles must be made of the corpus's own titles and sentences;
the query set must hold the kinds in equal shares, and every query must
match at least one article of the archive by the brute-force oracle (its
terms are drawn from the archive).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from .conftest import ROOT, require_corpus

sys.path.insert(0, str(ROOT / "bench"))

import scale  # noqa: E402
import scale_data  # noqa: E402

N = 300
QUERIES = 1000


def generate(work_dir: Path, seed: int, hashseed: str) -> Path:
    """Run ``bench/scale.py N --steps generate``; the directory of N's files."""
    env = dict(os.environ, PYTHONHASHSEED=hashseed, NEWSEARCH_CORPUS=str(require_corpus()))
    proc = subprocess.run([sys.executable, str(ROOT / "bench" / "scale.py"), str(N), "--steps", "generate",
                           "--work-dir", str(work_dir), "--seed", str(seed), "--queries", str(QUERIES)],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert f"N = {N} articles" in proc.stdout
    return work_dir / str(N)


def files(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes()
            for sub in ("archive", "updates") for p in sorted((root / sub).iterdir())}


def query_set(root: Path) -> dict:
    data = json.loads((root / "query-set.json").read_text(encoding="utf-8"))
    return {k: data[k] for k in ("queries", "warmup", "probes")}


def read_jsonl(path: Path) -> list[dict]:
    # not splitlines(): JSON strings may hold U+2028 and other line breaks of Unicode
    return [json.loads(line) for line in path.read_text(encoding="utf-8").split("\n") if line]


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("scale")
    return generate(tmp / "a", 11, "1"), generate(tmp / "b", 11, "2"), generate(tmp / "c", 12, "1")


@pytest.mark.slow
@pytest.mark.corpus
def test_the_same_seed_gives_the_same_archive_and_queries(runs):
    a, b, other = runs
    assert files(a) == files(b)
    assert query_set(a) == query_set(b)
    assert files(a) != files(other)
    assert query_set(a)["queries"] != query_set(other)["queries"]


@pytest.mark.slow
@pytest.mark.corpus
def test_articles_are_made_of_the_corpus_own_text(runs):
    root = runs[0]
    corpus = read_jsonl(require_corpus())
    titles = {d["title"] for d in corpus}
    sentences = {s for d in corpus for s in scale_data.split_sentences(d.get("body") or "")}
    sources = {d.get("source") for d in corpus}
    authors = {d.get("author") for d in corpus}
    archive = [d for p in sorted((root / "archive").iterdir()) for d in read_jsonl(p)]
    updates = sorted((root / "updates").iterdir())
    assert len(archive) == N
    assert len(updates) == scale_data.UPDATE_DAYS
    fresh = [d for p in updates for d in read_jsonl(p)]
    assert len(fresh) == scale_data.UPDATE_DAYS * scale_data.UPDATE_SIZE
    ids = [d["id"] for d in archive + fresh]
    assert len(set(ids)) == len(ids)
    pieces = in_corpus = 0
    for d in archive:
        assert d["title"] in titles
        assert d.get("subtitle", d["title"]) in titles
        assert scale_data.FIRST_DAY <= dt.date.fromisoformat(d["date"]) <= scale_data.LAST_DAY
        assert d.get("source") in sources and d.get("author") in authors
        paras = d["body"].split("\n")
        assert 1 <= len(paras) <= 40 and all(paras)
        for p in paras:
            for s in scale_data.split_sentences(p):
                pieces += 1
                in_corpus += s in sentences
    # Re-split, a sentence without a closing mark runs on into the next one
    # (about 6% of pieces); text not from the corpus would match almost never.
    assert in_corpus / pieces > 0.9
    assert pieces / N >= 5
    assert all(dt.date.fromisoformat(d["date"]) > scale_data.LAST_DAY for d in fresh)
    assert 0.1 < sum("subtitle" in d for d in archive) / N < 0.3
    assert len({d["date"][:4] for d in archive}) >= 25  # 29 years, about 10 articles each


@pytest.mark.slow
@pytest.mark.corpus
def test_the_query_set_has_every_kind_in_equal_shares_and_each_query_matches(runs):
    root = runs[0]
    qs = query_set(root)
    queries = scale_data.as_queries(qs["queries"])
    counts = Counter(q.kind for q in queries)
    assert sum(counts.values()) == QUERIES
    assert set(counts) == set(scale_data.KINDS)
    assert max(counts.values()) - min(counts.values()) <= 1
    assert [q.kind for q in queries[:50]] != sorted(q.kind for q in queries[:50])  # shuffled
    for q in queries:
        if q.kind == "char1":
            assert len(q.q) == 1
        elif q.kind == "char2":
            assert len(q.q) == 2
        elif q.kind == "phrase":
            assert q.q[0] == q.q[-1] == '"' and 3 <= len(q.q) - 2 <= 12
        elif q.kind == "and2":
            assert len(q.q.split()) == 2
        elif q.kind == "title":
            assert q.q.startswith("title:") and q.scope == "title"
        assert (q.sort == "-date") == (q.kind == "date")
    work = scale_data.Work(root.parent, N)
    titles, texts, _ = scale.load_texts(work)
    unmatched = [q.q for q in queries if scale.brute_count(titles if q.scope == "title" else texts, q.needles) == 0]
    assert not unmatched, unmatched[:10]
    probes = scale_data.as_queries(qs["probes"].values())
    by_name = dict(zip(qs["probes"], probes))
    assert by_name["zeros"].q == "0" * 1000
    assert by_name["de"].q == "的" * 500
    assert len(by_name["paste"].q) == 500
    assert by_name["paste_quoted"].q == f'"{by_name["paste"].q}"'
    assert scale.brute_count(texts, by_name["paste_quoted"].needles) >= 1


def test_sentences_split_at_their_closing_marks():
    text = "他说：「好。」然后走了！真的吗？是的；再见……\n新的一段没有句号"
    assert scale_data.split_sentences(text) == ["他说：「好。」", "然后走了！", "真的吗？", "是的；", "再见……",
                                                "新的一段没有句号"]


def test_archive_sizes_read_as_written():
    assert [scale.parse_n(s) for s in ("300", "20k", "1M", "1_000_000", "0.5M")] == \
        [300, 20_000, 1_000_000, 1_000_000, 500_000]
    with pytest.raises(argparse.ArgumentTypeError, match="not a number"):
        scale.parse_n("lots")


def test_the_work_directory_may_not_be_inside_the_repository(capsys):
    with pytest.raises(SystemExit):
        scale.main(["300", "--work-dir", str(ROOT / "var" / "scale")])
    assert "inside the repository" in capsys.readouterr().err
