"""Entities per article (issue 14): what posseg costs a build, and how precise the tags are.

``speed``: time :func:`index.schema.to_document` on the first ``--limit``
articles of an archive (default: the generated 100,000-article archive of
``bench/scale.py``), in this one process, without entity tagging, with the
vocabulary only, and with posseg's candidates over the first N characters
of the lead (``--leads``; ``all``: posseg reads the whole article).  Each setting's
extra cost is reported per article and as extra wall time per 100,000
articles for a build with ``--procs`` worker processes (CPU time divided by
the processes, which is how a build's workers share the work).

``build``: CPU time of two real one-process builds of the first
``--limit`` articles, without tagging and with the default tagging (the
vocabulary and posseg on the lead): the whole cost of re-tagging, as a share
of a build.

``sample``: pick ``--n`` corpus articles (fixed seed) that the vocabulary
tags with at least one entity, and print each entity with a short context
so a person can judge it; nothing is written into the repository.

``precision``: read the judgments file (``bench/entities_judgments.tsv``:
article id, verified yes/no, kind, entity, correct yes/no; no corpus text),
re-tag the same articles and report the precision of verified and
unverified tags, and whether the judged tags are still what the tagger says.
"""

from __future__ import annotations

import argparse
import itertools
import json
import random
import sys
import time
from pathlib import Path

from common import ROOT, corpus_path  # noqa: F401  (puts the repository on sys.path)

from index.articles import Article
from index.entities import ENTITY_FIELDS, EntityTagger
from index.normalization import warm_up
from index.schema import TEXT_FIELDS, to_document
from index.sources import read_sources
from index.vocab import load_vocabulary

DEFAULT_ARCHIVE = ROOT.parent / "scale-work" / "100000" / "archive"
DEFAULT_VOCAB = ROOT / "bench" / "entities_vocab.tsv"
JUDGMENTS = ROOT / "bench" / "entities_judgments.tsv"
#: The lead length the committed judgments were made with (the build's default reads less).
JUDGED_LEAD = 200


def _articles(source: Path, limit: int) -> list[Article]:
    problems: list = []
    return list(itertools.islice(read_sources([str(source)], problems), limit))


def _time(articles: list[Article], tagger: EntityTagger | None, whole: bool = False) -> float:
    """CPU seconds to make the documents of ``articles``; with ``whole``,
    posseg reads each whole article instead of its lead."""
    started = time.process_time()
    for art in articles:
        if whole and tagger is not None:
            to_document(art, "2024-01-01T00:00:00+00:00", None)
            texts = tuple(getattr(art, f) for f in TEXT_FIELDS)
            tagger.tag(texts, "\n".join(t for t in texts if t))
        else:
            to_document(art, "2024-01-01T00:00:00+00:00", tagger)
    return time.process_time() - started


def _check_posseg(articles: list[Article]) -> None:
    """Say whether the numpy Viterbi tags ``articles`` exactly as jieba.posseg does."""
    import jieba.posseg

    from index.analysis import load_segmenter, resolve_userdict
    from index.normalization import fold
    from index.posviterbi import fast_pos_tokenizer

    segmenter = load_segmenter(resolve_userdict(None))
    slow, fast = jieba.posseg.POSTokenizer(segmenter), fast_pos_tokenizer(segmenter)
    same = 0
    for art in articles:
        text = fold("\n".join((art.title, art.body)))
        same += [(p.word, p.flag) for p in slow.cut(text)] == [(p.word, p.flag) for p in fast.cut(text)]
    print(f"numpy Viterbi: {same} of {len(articles)} whole articles tagged exactly as jieba.posseg tags them")


def speed(args: argparse.Namespace) -> None:
    warm_up()
    vocabulary = load_vocabulary(args.vocab)
    articles = _articles(args.archive, args.limit)
    n = len(articles)
    chars = sum(len(a.title) + len(a.body) for a in articles) / max(1, n)
    print(f"{n} articles of {args.archive} (about {chars:.0f} characters each); vocabulary {args.vocab.name}: "
          f"{len(vocabulary)} entries; CPU time in one process; per 100k with {args.procs} processes")
    settings: list[tuple[str, EntityTagger | None, bool]] = [
        ("no entities", None, False), ("vocabulary only", EntityTagger(vocabulary, lead=0), False)]
    for lead in args.leads.split(","):
        if lead == "all":
            settings.append(("vocabulary + posseg on the whole article", EntityTagger(vocabulary, lead=10**9), True))
        else:
            settings.append((f"vocabulary + posseg on {lead} lead chars", EntityTagger(vocabulary, lead=int(lead)),
                             False))
    for _, tagger, _ in settings[1:]:  # load posseg's tables and the automaton outside the clock
        if tagger is not None:
            tagger.tag(("郑州",), "郑州")
    _check_posseg(articles[:args.check])
    base = None
    print(f"{'setting':44} {'articles/s':>10} {'ms/article':>10} {'extra ms':>9} {'extra s/100k':>13}")
    for label, tagger, whole in settings:
        seconds = _time(articles, tagger, whole)
        per = seconds / n * 1000
        base = per if base is None else base
        extra = per - base
        print(f"{label:44} {n / seconds:10.0f} {per:10.2f} {extra:9.2f} {extra * 100_000 / 1000 / args.procs:13.0f}")


def build_cost(args: argparse.Namespace) -> None:
    """CPU time of real builds (one process, so all of it is this process's)
    of the first ``--limit`` archive articles: without tagging (no
    vocabulary, no candidates) and as configured by default with the vocabulary."""
    import os
    import resource
    import shutil
    import tempfile

    from index.builder import build
    from index.entities import LEAD_CHARS, LEAD_CHARS_ENV
    from index.store import IndexStore

    work = Path(tempfile.mkdtemp(prefix="entities-build-", dir=ROOT / "var"))
    try:
        src = work / "articles.jsonl"
        with open(args.archive / "shard-0000.jsonl", encoding="utf-8") as fh, open(src, "w", encoding="utf-8") as out:
            out.writelines(itertools.islice(fh, args.limit))
        print(f"builds of the first {args.limit} articles of {args.archive}, one process; CPU seconds")
        base = None
        for label, chars, vocab in (("no tagging", 0, None), (f"vocabulary + posseg on {LEAD_CHARS} lead chars",
                                                              LEAD_CHARS, args.vocab)):
            os.environ[LEAD_CHARS_ENV] = str(chars)
            before = resource.getrusage(resource.RUSAGE_SELF)
            report = build([str(src)], IndexStore(work / f"index-{chars}"), procs=1, vocab=vocab)
            after = resource.getrusage(resource.RUSAGE_SELF)
            cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
            per = cpu / report.indexed * 1000
            base = per if base is None else base
            print(f"{label:44} {cpu:7.1f} s  {per:6.2f} ms/article  +{per - base:5.2f} ms  "
                  f"+{(per - base) * 100_000 / 1000 / args.procs:4.0f} s per 100k with {args.procs} processes "
                  f"({(per / base - 1) * 100:+.0f}%)")
    finally:
        os.environ.pop(LEAD_CHARS_ENV, None)
        shutil.rmtree(work, ignore_errors=True)


def _corpus(limit: int | None = None) -> list[Article]:
    problems: list = []
    out = list(read_sources([str(corpus_path())], problems))
    return out[:limit] if limit else out


def _tags(tagger: EntityTagger, art: Article) -> list[tuple[bool, str, str]]:
    doc = to_document(art, "", tagger)
    rows = []
    for kind, name in ENTITY_FIELDS.items():
        for verified, column in ((True, name + "_col"), (False, name + "_x_col")):
            raw = doc.get(column)
            for value in raw.decode("utf-8").split("\x1f") if raw else []:
                rows.append((verified, kind, value))
    return rows


def _context(art: Article, names: list[str], width: int = 18) -> str:
    text = "\n".join((art.title, art.body)).replace("\n", " ")
    norm_text = text.lower()
    for name in names:
        i = norm_text.find(name.lower())
        if i >= 0:
            return text[max(0, i - width):i + len(name) + width]
    return "(only in the normalized form)"


def sample(args: argparse.Namespace) -> None:
    vocabulary = load_vocabulary(args.vocab)
    tagger = EntityTagger(vocabulary, lead=args.lead)
    articles = _corpus()
    random.Random(args.seed).shuffle(articles)
    shown = 0
    for art in articles:
        rows = _tags(tagger, art)
        if not any(v for v, _, _ in rows):
            continue
        print(f"## {art.id} {art.title}")
        for verified, kind, value in rows:
            if not verified and shown >= args.unverified_articles:
                continue
            names = [value]
            if verified:
                names = [n for e in vocabulary.lookup(value) for n in e.names]
            print(f"{art.id}\t{'yes' if verified else 'no'}\t{kind}\t{value}\t…{_context(art, names)}…")
        shown += 1
        if shown >= args.n:
            break


def precision(args: argparse.Namespace) -> None:
    vocabulary = load_vocabulary(args.vocab)
    tagger = EntityTagger(vocabulary, lead=args.lead)
    judged: dict[str, list[tuple[bool, str, str, bool]]] = {}
    with open(args.judgments, encoding="utf-8") as fh:
        for number, line in enumerate(fh, 1):
            if not line.strip() or line.startswith("#"):
                continue
            cols = line.rstrip("\n").split("\t")
            if len(cols) != 5 or cols[1] not in ("yes", "no") or cols[4] not in ("yes", "no"):
                sys.exit(f"{args.judgments}:{number}: expected id, verified yes/no, kind, entity, correct yes/no")
            judged.setdefault(cols[0], []).append((cols[1] == "yes", cols[2], cols[3], cols[4] == "yes"))
    by_id = {a.id: a for a in _corpus() if a.id in judged}
    counts = {True: [0, 0], False: [0, 0]}
    stale = 0
    for doc_id, rows in judged.items():
        now = set(_tags(tagger, by_id[doc_id])) if doc_id in by_id else set()
        for verified, kind, value, correct in rows:
            if (verified, kind, value) not in now:
                stale += 1
            counts[verified][0] += correct
            counts[verified][1] += 1
    report = {"articles": len(judged), "vocabulary": str(args.vocab.name), "entries": len(vocabulary),
              "lead_chars": args.lead,
              "stale_judgments": stale}
    for verified, label in ((True, "verified"), (False, "unverified")):
        ok, total = counts[verified]
        report[label] = {"judged": total, "correct": ok, "precision": round(ok / total, 3) if total else None}
    print(json.dumps(report, ensure_ascii=False, indent=2))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("speed", help="what entity tagging costs a build")
    p.add_argument("--archive", type=Path, default=DEFAULT_ARCHIVE)
    p.add_argument("--limit", type=int, default=1000)
    p.add_argument("--procs", type=int, default=2)
    p.add_argument("--check", type=int, default=100, help="articles to compare with jieba.posseg's own search")
    p.add_argument("--leads", default="50,100,200,all", help="comma-separated lead lengths for posseg; 'all'")
    p.add_argument("--vocab", type=Path, default=DEFAULT_VOCAB)
    p.set_defaults(fn=speed)
    p = sub.add_parser("build", help="CPU time of real one-process builds with and without tagging")
    p.add_argument("--archive", type=Path, default=DEFAULT_ARCHIVE)
    p.add_argument("--limit", type=int, default=2000)
    p.add_argument("--procs", type=int, default=2, help="processes to divide the extra time by")
    p.add_argument("--vocab", type=Path, default=DEFAULT_VOCAB)
    p.set_defaults(fn=build_cost)
    p = sub.add_parser("sample", help="print tags with context, to judge by reading")
    p.add_argument("--n", type=int, default=100)
    p.add_argument("--seed", type=int, default=14)
    p.add_argument("--unverified-articles", type=int, default=20,
                   help="print unverified candidates for the first this many articles only")
    p.add_argument("--vocab", type=Path, default=DEFAULT_VOCAB)
    p.add_argument("--lead", type=int, default=JUDGED_LEAD, help="lead characters posseg reads")
    p.set_defaults(fn=sample)
    p = sub.add_parser("precision", help="precision of the judged tags")
    p.add_argument("--judgments", type=Path, default=JUDGMENTS)
    p.add_argument("--vocab", type=Path, default=DEFAULT_VOCAB)
    p.add_argument("--lead", type=int, default=JUDGED_LEAD, help="lead characters posseg reads")
    p.set_defaults(fn=precision)
    args = parser.parse_args()
    args.fn(args)


if __name__ == "__main__":
    main()
