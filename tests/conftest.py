"""Shared fixtures: small on-disk indexes built with the CLI's own builder."""

from __future__ import annotations

import json
import os
import random
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
CORPUS_ENV = "NEWSEARCH_CORPUS"


def corpus_path() -> Path:
    return Path(os.environ.get(CORPUS_ENV) or ROOT.parent / "shared" / "corpus" / "news.jsonl")


def require_corpus() -> Path:
    path = corpus_path()
    if not path.is_file():
        pytest.skip(f"shared corpus not found at {path} (set {CORPUS_ENV} to its news.jsonl)")
    return path


def corpus_sample(n: int, seed: int = 7) -> list[dict]:
    """``n`` corpus lines chosen at random (fixed seed), as parsed JSON."""
    path = require_corpus()
    with open(path, encoding="utf-8") as fh:
        lines = fh.readlines()
    rng = random.Random(seed)
    return [json.loads(line) for line in rng.sample(lines, min(n, len(lines)))]


def build_index(tmp: Path, sources: list[str], procs: int = 1):
    from index.builder import build
    from index.store import IndexStore

    store = IndexStore(tmp / "index")
    report = build(sources, store, procs=procs)
    return store, report


@pytest.fixture(scope="session")
def seed_index(tmp_path_factory):
    """An index of seeds/ (the newspaper page: 4 articles)."""
    from search.engine import SearchIndex

    tmp = tmp_path_factory.mktemp("seed")
    store, _ = build_index(tmp, [str(SEEDS)])
    index = SearchIndex(store.root, refresh_interval=0)
    yield index
    index.close()


@pytest.fixture(scope="session")
def corpus_docs():
    """3,000 corpus articles (random, fixed seed)."""
    return corpus_sample(3000)


@pytest.fixture(scope="session")
def corpus_index(tmp_path_factory, corpus_docs):
    """An index of ``corpus_docs``, built with two worker processes like the CLI."""
    from search.engine import SearchIndex

    tmp = tmp_path_factory.mktemp("corpus")
    src = tmp / "sample.jsonl"
    with open(src, "w", encoding="utf-8") as fh:
        for doc in corpus_docs:
            fh.write(json.dumps(doc, ensure_ascii=False) + "\n")
    store, report = build_index(tmp, [str(src)], procs=2)
    assert report.indexed == len(corpus_docs), report.problems[:5]
    index = SearchIndex(store.root, refresh_interval=0)
    yield index
    index.close()
