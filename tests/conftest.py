"""Shared fixtures: small on-disk indexes built with the CLI's own builder."""

from __future__ import annotations

import json
import os
import random
from pathlib import Path

import pytest
from hypothesis import settings

ROOT = Path(__file__).resolve().parent.parent

# CI replays the same generated examples every run (a red CI must mean a
# change broke something); on a developer's machine they vary and explore.
settings.register_profile("ci", derandomize=True, print_blob=True)


def running_in_ci() -> bool:
    """``CI`` is set to anything but empty, ``0``, ``false`` or ``no`` (as CI services set ``CI=true``)."""
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


if running_in_ci():
    settings.load_profile("ci")
# Apps that tests make start no warm-up thread (it would outlive a test's
# index); tests/test_warm_up.py turns it on where it checks it.
os.environ.setdefault("NEWSEARCH_WARM_UP", "false")
SEEDS = ROOT / "seeds"
CORPUS_ENV = "NEWSEARCH_CORPUS"


def corpus_path() -> Path:
    return Path(os.environ.get(CORPUS_ENV) or ROOT.parent / "shared" / "corpus" / "news.jsonl")


def require_corpus() -> Path:
    """The corpus path; without the corpus, skip the test, or fail it under CI.

    On a developer's machine the corpus may simply not be there.  Under CI its
    absence is a broken setup: skipping would let the run pass with the main
    correctness suite (brute force against the corpus) never run.
    """
    path = corpus_path()
    if not path.is_file():
        reason = f"shared corpus not found at {path} (set {CORPUS_ENV} to its news.jsonl)"
        if running_in_ci():
            pytest.fail(f"{reason}; CI is set, so a missing corpus fails the run instead of skipping "
                        "the corpus tests", pytrace=False)
        pytest.skip(reason)
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
    from search.snapshots import SearchIndex

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
    from search.snapshots import SearchIndex

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


# Small articles written for these tests (not from any newspaper).
NEWS = [
    {"id": "n1", "title": "郑州地铁12号线开通运营", "body": "郑州地铁12号线今日开通。\n市民乘坐地铁前往中原科技城。",
     "date": "2023-07-27", "source": "郑州日报", "author": "李明", "category": "城市", "tags": ["地铁", "交通"],
     "url": "https://example.org/n1"},
    {"id": "n2", "title": "公交线路调整", "body": "因道路施工，部分公交线路临时调整，地铁不受影响。",
     "date": "2023-06-02", "source": "郑州晚报", "author": "王芳", "category": "城市", "tags": ["公交", "交通"]},
    {"id": "n3", "title": "黑灯工厂参观记", "body": "记者走进经开区的黑灯工厂，机器人昼夜不停。",
     "date": "2022-12-01", "source": "郑州晚报", "author": "王芳", "category": "经济", "tags": ["制造业"]},
    {"id": "n4", "title": "鄭州舉辦國際金融論壇", "body": "論壇在國際金融中心舉行。",
     "date": "2023-01-15", "source": "大河报", "author": "陈静", "category": "经济", "tags": ["金融"]},
    {"id": "xss", "title": "<script>alert('t')</script>网页安全提示",
     "body": "有人在评论里写了<img src=x onerror=alert(1)>，也写了 &lt;b&gt; 这样的文字。",
     "date": "2023-03-03", "source": "郑州晚报", "author": "测试员", "category": "科技", "tags": ["安全"],
     "url": "javascript:alert(3)"},
]


def write_jsonl(path: Path, docs: list[dict]) -> Path:
    with open(path, "w", encoding="utf-8") as fh:
        for d in docs:
            fh.write(json.dumps(d, ensure_ascii=False) + "\n")
    return path


@pytest.fixture(scope="session")
def news_dir(tmp_path_factory):
    """An index of seeds/ plus NEWS, built with the CLI's builder."""
    tmp = tmp_path_factory.mktemp("news")
    src = write_jsonl(tmp / "news.jsonl", NEWS)
    store, report = build_index(tmp, [str(SEEDS), str(src)])
    assert report.indexed == 4 + len(NEWS)
    return store.root


@pytest.fixture(scope="session")
def app(news_dir):
    from api import create_app

    app = create_app({"INDEX_DIR": str(news_dir), "TESTING": True, "REFRESH_INTERVAL": 0,
                      "CORS_ORIGINS": "http://intranet.example"})
    yield app
    app.extensions["newsearch"].close()


@pytest.fixture
def client(app):
    return app.test_client()
