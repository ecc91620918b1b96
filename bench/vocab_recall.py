"""Recall of vocabulary expansion on the shared corpus (issue 14).

For entries of ``bench/vocab.tsv`` (names of places, organisations and
people that occur in the corpus, aliases from public knowledge), every one
of an entry's names is searched alone, unquoted, through the engine
(:func:`search.engine.matching_ids`); the result is compared with a
brute-force scan of the articles' text for *all* of the entry's names.  The
promise is recall 1.000 for every name of every entry: whichever name a
reporter types, every article naming the entry is found.  For contrast the
same searches run with ``expand=false`` (what the literal term alone finds).

The brute force normalizes with ``tests/reference_normalize.py`` (an
independent implementation of the matching contract) over the articles as
the builder reads them (title, kicker, subtitle, summary, body).

The corpus index is built once outside the repository (about 1.5 min on an
idle 2-core machine) and reused; when its vocabulary is not this file, the
file is published into it with ``newsearch vocab`` (no rebuild)::

    python bench/vocab_recall.py [--index-dir ../scale-work/vocab-corpus-index] [--entries 50]
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import ROOT, corpus_path  # noqa: E402
from index.articles import Problem  # noqa: E402
from index.builder import build  # noqa: E402
from index.schema import TEXT_FIELDS  # noqa: E402
from index.sources import read_sources  # noqa: E402
from index.store import IndexStore, NoIndexError  # noqa: E402
from index.vocab import SNAPSHOT_FILE, load_vocabulary  # noqa: E402
from index.vocab_snapshot import publish_vocabulary, same_vocabulary  # noqa: E402
from search.engine import matching_ids  # noqa: E402
from search.models import SearchRequest  # noqa: E402
from search.snapshots import SearchIndex  # noqa: E402
from tests.reference_normalize import reference_match_text  # noqa: E402

DEFAULT_INDEX = ROOT.parent / "scale-work" / "vocab-corpus-index"
DEFAULT_VOCAB = ROOT / "bench" / "vocab.tsv"


def ensure_index(index_dir: Path, vocab: Path, corpus: Path) -> IndexStore:
    """The corpus index at ``index_dir`` carrying ``vocab``: built when
    absent, the vocabulary published into it when it carries another."""
    store = IndexStore(index_dir)
    try:
        live = store.current()
    except NoIndexError:
        started = time.monotonic()
        report = build([str(corpus)], store, vocab=vocab)
        print(f"built {report.total} articles in {time.monotonic() - started:.0f} s", file=sys.stderr)
        return store
    if not same_vocabulary(live.path, vocab.read_bytes()):
        report = publish_vocabulary(vocab, store)
        print(f"published {vocab} ({report.entries} entries) into {report.snapshot}", file=sys.stderr)
    return store


def corpus_texts(corpus: Path) -> dict[str, str]:
    """Article id → the normalized text of its fields, one field a line
    (a name never spans two fields)."""
    problems: list[Problem] = []
    return {art.id: "\n".join(reference_match_text(getattr(art, f) or "") for f in TEXT_FIELDS)
            for art in read_sources([str(corpus)], problems)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--index-dir", type=Path, default=DEFAULT_INDEX)
    ap.add_argument("--vocab", type=Path, default=DEFAULT_VOCAB)
    ap.add_argument("--entries", type=int, default=50, help="entries with aliases to measure (random, fixed seed)")
    ap.add_argument("--seed", type=int, default=14)
    args = ap.parse_args()
    corpus = corpus_path()
    vocab = load_vocabulary(args.vocab)
    if vocab.problems:
        sys.exit("\n".join(map(str, vocab.problems)))
    store = ensure_index(args.index_dir, args.vocab, corpus)
    texts = corpus_texts(corpus)

    def scan(name: str) -> set[str]:
        needle = reference_match_text(name)
        return {i for i, t in texts.items() if needle in t}

    with_aliases = [e for e in vocab.entries if e.aliases and any(scan(n) for n in e.names)]
    chosen = sorted(random.Random(args.seed).sample(with_aliases, min(args.entries, len(with_aliases))),
                    key=lambda e: e.line)
    rows = []
    with SearchIndex(store.root, refresh_interval=0) as index:
        assert (index.acquire().snapshot.path / SNAPSHOT_FILE).exists()
        for entry in chosen:
            expected: set[str] = set().union(*(scan(n) for n in entry.names))
            for name in entry.names:
                found = set(matching_ids(index, SearchRequest(q=name)))
                literal = set(matching_ids(index, SearchRequest(q=name, expand=False)))
                rows.append((entry.canonical, name, len(expected), len(found & expected) / len(expected),
                             len(literal & expected) / len(expected), len(found - expected)))
    print(f"{'entry':<14} {'searched':<22} {'articles':>8} {'recall':>7} {'literal':>7} {'extra':>5}")
    for canonical, name, n, recall, literal, extra in rows:
        print(f"{canonical:<14} {name:<22} {n:>8} {recall:>7.3f} {literal:>7.3f} {extra:>5}")
    recalls = [r[3] for r in rows]
    literals = [r[4] for r in rows]
    print(f"\n{len(chosen)} entries ({len(vocab)} in {args.vocab.name}), {len(rows)} searches by one name: "
          f"recall min {min(recalls):.3f}, mean {sum(recalls) / len(recalls):.3f}; without expansion "
          f"min {min(literals):.3f}, mean {sum(literals) / len(literals):.3f}; "
          f"{sum(1 for r in rows if r[5])} searches also found articles by the typed term's words apart")
    if min(recalls) < 1.0:
        sys.exit(1)


if __name__ == "__main__":
    main()
