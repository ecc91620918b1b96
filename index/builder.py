"""Build and update snapshots: sources → articles → Whoosh segments → publish.

``build`` writes a fresh snapshot with one Whoosh segment per worker process
(jieba and posting writing both run in parallel; the parent only reads and
parses the sources).  ``update`` hard-links the live snapshot's immutable
segment files into a new snapshot and applies the changes there, so the live
snapshot is never written to.  Both publish through
:meth:`index.store.IndexStore.publish` and hold the store's lock throughout.
"""

from __future__ import annotations

import contextlib
import gc
import multiprocessing
import os
import queue
import shutil
import logging
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .analysis import load_cutter, load_segmenter, resolve_userdict, vocabulary_words
from .articles import Article, Problem
from .codec import NewsCodec
from .entities import EntityTagger, warm_up as warm_up_tagger
from .faults import failpoint
from .normalization import warm_up
from .inverter import InvertingWriter
from .schema import build_schema, content_digest, to_document
from .stamps import CarryOver, live_carry_over, now_stamp
from .sources import read_sources
from .stories import Sketcher, Sketches, StoryTable, index_ids
from .suggestions import write_suggestions
from .store import DEFAULT_KEEP, IndexStore, NoIndexError, StoreError, new_snapshot_name
from .vocab_snapshot import VocabularyFile, read_vocabulary_file, same_vocabulary, write_vocabulary
from .vocab import Vocabulary, snapshot_vocabulary

_log = logging.getLogger(__name__)

ProgressFn = Callable[[int], None]

def _default_pool_mb() -> int:
    """Memory (MB) for each build worker's in-memory postings before it
    closes its segment and starts another: min(2 GB, RAM/8).  A full-corpus
    build (18,697 articles, two workers) needs about 1.5 GB per worker and
    so writes one segment each; an archive too big for the budget gets more
    segments per worker instead of failing or swapping."""
    try:
        total_mb = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE") // (1 << 20)
    except (OSError, ValueError, AttributeError):
        total_mb = 8192
    return int(max(64, min(2048, total_mb // 8)))


#: Posting memory per build worker; ``NEWSEARCH_POOL_MB`` overrides it.
POOL_MB = int(os.environ.get("NEWSEARCH_POOL_MB") or _default_pool_mb())
#: The memory one held posting is taken to cost when sizing segments.  80
#: (RSS growth over postings on the 18,697-article corpus) overstated it at
#: scale: a worker held 34 bytes a posting at its first segment of a
#: 1,000,000-article build, which made 68 segments there.  At 40, a
#: 100,000-article build (`bench/scale.py`) wrote 4 segments instead of 8,
#: 4.24 instead of 4.72 times the text on disk, in 623 s (746 s before the
#: tokenizer's two speed-ups), its largest process at 2.7 GB and all of them
#: together at 3.9 GB (PSS); the same queries took about 10% less.
BYTES_PER_POSTING = 40
#: The memory one position of an n-gram field is taken to cost: 16 bytes
#: held as arrays (:class:`index.inverter._Keyed`), up to 32 while its
#: field is sorted at the segment's end.
BYTES_PER_KEYED_POSITION = 24
BATCH_SIZE = 64


class BuildError(StoreError):
    """The build could not complete; the live index is untouched."""


@dataclass
class BuildReport:
    snapshot: str
    kind: str
    indexed: int = 0
    unchanged: int = 0
    deleted: int = 0
    total: int = 0
    chars: int = 0
    seconds: float = 0.0
    problems: list[Problem] = field(default_factory=list)
    #: Input read with an uncertain reading (e.g. an article split); not skipped.
    warnings: list[Problem] = field(default_factory=list)
    #: Lines of the vocabulary file that were refused (the rest is used).
    vocab_problems: list[Problem] = field(default_factory=list)
    #: Entries of the vocabulary this run put into the snapshot (None: none given).
    vocab_entries: int | None = None

    @property
    def skipped(self) -> int:
        return len(self.problems)

    def summary(self) -> str:
        parts = [f"{self.kind}: {self.indexed} articles indexed"]
        if self.kind == "update":
            parts.append(f"{self.unchanged} unchanged, {self.deleted} removed")
        parts.append(f"{self.skipped} skipped")
        parts.append(f"{self.total} in index")
        parts.append(f"{self.seconds:.1f} s")
        if self.vocab_entries is not None:
            parts.append(f"vocabulary of {self.vocab_entries} entries")
        return ", ".join(parts) + f" (snapshot {self.snapshot})"


def _log_warnings(warnings: list[Problem]) -> None:
    """Uncertain readings were indexed as read; the operator finds them in the log."""
    for w in warnings:
        _log.warning("%s", w)


def _codec() -> NewsCodec:
    return NewsCodec()


def _prepare(userdict: str | None, vocab_words: tuple[str, ...], tagger: EntityTagger) -> None:
    # Load jieba, posseg and the normalization tables once, before any fork,
    # so workers share them instead of each paying the start-up cost.
    warm_up()
    load_segmenter(resolve_userdict(userdict), vocab_words)
    load_cutter(resolve_userdict(userdict), vocab_words)
    warm_up_tagger(tagger)


def _sketch(sketcher: Sketcher, art: Article, doc: dict[str, Any]) -> None:
    """Sketch ``art`` for the stories, with the matching forms its document
    ``doc`` (:func:`index.schema.to_document`) already computed."""
    sketcher.add(art.id, art.date, art.title, art.body, doc["text_ng"].normalize)


def _batches(articles: Iterable[Article], size: int) -> Iterator[list[Article]]:
    batch: list[Article] = []
    for art in articles:
        batch.append(art)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _with_abs_origin(articles: Iterable[Article]) -> Iterator[Article]:
    for art in articles:
        if art.origin:
            art.origin = os.path.abspath(art.origin)
        yield art


class _SegmentSeries:
    """Documents written into segments of the index ``indexname`` at ``tmp_dir``.

    Each segment is inverted in memory (:class:`index.postings.InvertingWriter`);
    :meth:`check`, called between batches, closes the current segment once it
    holds ``pool_mb`` of postings (as :data:`BYTES_PER_POSTING` and
    :data:`BYTES_PER_KEYED_POSITION` count them), and the next document starts a new one.

    Parallel workers each write under their own index name: Whoosh names a
    writer's scratch directories after the index, and the first writer to
    finish would delete a shared one.  The segments keep their file names
    when the final TOC gathers them under the main index name.
    """

    def __init__(self, tmp_dir: str, indexname: str, pool_mb: int) -> None:
        self.tmp_dir = tmp_dir
        self.indexname = indexname
        self.max_bytes = max(1, pool_mb * (1 << 20))
        self.writer: InvertingWriter | None = None
        self.segments: list[Any] = []

    def add(self, doc: dict[str, Any]) -> None:
        if self.writer is None:
            from whoosh.filedb.filestore import FileStorage

            ix = FileStorage(self.tmp_dir).open_index(self.indexname)
            self.writer = InvertingWriter(ix, _lk=False, codec=_codec(), compound=False)
        self.writer.add_document(**doc)

    def check(self) -> None:
        if self._held_bytes() >= self.max_bytes:
            self._close()

    def _held_bytes(self) -> int:
        """The memory the open segment's postings are taken to hold."""
        if self.writer is None:
            return 0
        return (self.writer.postings_count() * BYTES_PER_POSTING
                + self.writer.keyed_positions() * BYTES_PER_KEYED_POSITION)

    def _close(self) -> None:
        writer, self.writer = self.writer, None
        if writer is None:
            return
        if writer.docnum == 0:
            writer.cancel()
        else:
            self.segments.append(writer._finalize_segment())
        del writer
        # Whoosh's writer objects reference each other (about 175,000 objects
        # in cycles a segment, its term index among them), and the cycle
        # collector is off while documents are inverted: without this, each
        # finished segment stayed in memory (measured: +200 MB a segment per
        # build worker, 7 GB a worker at a million articles).
        gc.collect()

    def finish(self) -> list[Any]:
        """Close the last segment; every segment written, in order."""
        failpoint("worker:segment")
        self._close()
        return self.segments


@contextlib.contextmanager
def _without_cyclic_gc() -> Iterator[None]:
    """Pause Python's cycle collector while documents are inverted.

    Inverting allocates millions of lists that live until the segment is
    written; the collector would traverse them again and again (measured:
    7% of a 3,000-article build).  Indexing creates no reference cycles
    worth collecting meanwhile; the previous state comes back afterwards.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _die_with_parent(parent: int) -> None:
    """Ask Linux to kill this worker when the build process dies (even by
    ``kill -9``), so no orphan is left blocked on a half-written queue."""
    try:
        import ctypes
        import signal

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):  # not Linux: the getppid() check remains
        pass
    if os.getppid() != parent:
        os._exit(1)


def _worker(tmp_dir: str, indexname: str, jobs: Any, results: Any, parent: int, stamp: str,
            carry: CarryOver, tagger: EntityTagger) -> None:
    """Index batches from ``jobs`` into one segment; report it on ``results``.
    ``carry`` and ``tagger`` came with the fork (shared pages, not a copy through a pipe)."""
    _die_with_parent(parent)
    gc.disable()  # this process only inverts documents: see _without_cyclic_gc
    try:
        series = _SegmentSeries(tmp_dir, indexname, POOL_MB)
        sketcher = Sketcher()
        while True:
            try:
                batch = jobs.get(timeout=1.0)
            except queue.Empty:
                if os.getppid() != parent:  # the parent died: nobody will commit
                    os._exit(1)
                continue
            if batch is None:
                break
            for art in batch:
                doc = to_document(art, stamp, tagger)
                series.add(carry.apply(doc))
                _sketch(sketcher, art, doc)
            series.check()
        results.put(("ok", (series.finish(), sketcher.sketches())))
    except BaseException as exc:  # reported to the parent, which fails the build
        results.put(("error", f"{type(exc).__name__}: {exc}"))


class _Workers:
    """A fixed set of forked segment writers fed through a bounded queue."""

    def __init__(self, indexnames: list[str], tmp_dir: str, stamp: str, carry: CarryOver,
                 tagger: EntityTagger) -> None:
        ctx = multiprocessing.get_context("fork")
        self.jobs = ctx.Queue(maxsize=len(indexnames) * 4)
        self.results = ctx.Queue()
        self.procs = [ctx.Process(target=_worker, daemon=True,
                                  args=(tmp_dir, name, self.jobs, self.results, os.getpid(), stamp, carry, tagger))
                      for name in indexnames]
        for p in self.procs:
            p.start()
        self.segments: list[Any] = []
        self.sketches: list[Sketches] = []
        self.reported = 0

    def _check(self) -> None:
        try:
            while True:
                status, payload = self.results.get_nowait()
                if status == "error":
                    raise BuildError(f"indexing worker failed: {payload}")
                self._take(payload)
        except queue.Empty:
            pass
        dead = [p for p in self.procs if p.exitcode not in (None, 0)]
        if dead:
            raise BuildError(f"indexing worker exited with status {dead[0].exitcode}")

    def _take(self, payload: tuple[list[Any], Sketches]) -> None:
        segments, sketches = payload
        self.segments.extend(segments)
        self.sketches.append(sketches)
        self.reported += 1

    def put(self, item: Any) -> None:
        while True:
            try:
                self.jobs.put(item, timeout=1.0)
                return
            except queue.Full:
                self._check()

    def finish(self) -> list[Any]:
        for _ in self.procs:
            self.put(None)
        deadline_check = time.monotonic()
        while self.reported < len(self.procs):
            try:
                status, payload = self.results.get(timeout=1.0)
            except queue.Empty:
                if time.monotonic() - deadline_check > 1.0:
                    self._check()
                continue
            if status == "error":
                raise BuildError(f"indexing worker failed: {payload}")
            self._take(payload)
        for p in self.procs:
            p.join()
        return self.segments

    def kill(self) -> None:
        for p in self.procs:
            if p.is_alive():
                p.kill()
            p.join()


def build(sources: Sequence[str], store: IndexStore, *, procs: int | None = None,
          userdict: str | None = None, keep: int = DEFAULT_KEEP,
          on_progress: ProgressFn | None = None, vocab: str | os.PathLike[str] | None = None) -> BuildReport:
    """Rebuild the index from ``sources`` into a new snapshot and switch to it.

    Every article is tagged with its people, places and organisations
    (:mod:`index.entities`) from the vocabulary file ``vocab`` and posseg's
    candidates.

    Bad input is skipped and listed in ``report.problems``.  If no article at
    all could be read, nothing is published (a cron run over an unmounted
    share must not replace the archive with an empty index).  Articles
    already live with the same content keep their ``indexed_at``
    (:mod:`index.stamps`), so a rebuild does not make the archive look new.

    ``vocab`` (a vocabulary file, :mod:`index.vocab`) is copied into the
    snapshot, and its names become jieba words for ranking; its refused
    lines are in ``report.vocab_problems``.  Without it the snapshot has none.
    """
    started = time.monotonic()
    procs = max(1, procs or os.cpu_count() or 1)
    stamp = now_stamp()
    vfile = read_vocabulary_file(vocab) if vocab is not None else None
    with store.lock("build"):
        failpoint("build:locked")
        read_started = time.monotonic()
        carry = live_carry_over(store)
        _log.info("build: %d earlier indexed_at stamps read in %.2f s", len(carry), time.monotonic() - read_started)
        name = new_snapshot_name()
        tmp = store.new_tmp_dir(name)
        with _removed_on_failure(tmp):
            words = vocabulary_words(vfile.vocabulary.words()) if vfile else ()
            report = _build_into(tmp, name, sources, procs, userdict, on_progress, stamp, carry, words,
                                 vfile.vocabulary if vfile else None)
            _add_vocabulary(report, tmp, vfile)
            _suggestions(tmp, procs=procs)
            report.seconds = time.monotonic() - started
            store.publish(tmp, name, _meta(report, sources, None, stamp, vfile), keep=keep)
    return report


def _add_vocabulary(report: BuildReport, folder: Path, vfile: VocabularyFile | None) -> bool:
    """Put the vocabulary file into the snapshot being written; whether that
    changed what the snapshot carries."""
    if vfile is None:
        return False
    report.vocab_problems = list(vfile.problems)
    report.vocab_entries = len(vfile.vocabulary)
    if same_vocabulary(folder, vfile.data):
        return False
    write_vocabulary(folder, vfile.data)
    return True


@contextlib.contextmanager
def _removed_on_failure(tmp: Path) -> Iterator[None]:
    """Remove a half-written snapshot directory if anything goes wrong."""
    try:
        yield
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def _build_into(tmp: Path, name: str, sources: Sequence[str], procs: int, userdict: str | None,
                on_progress: ProgressFn | None, stamp: str, carry: CarryOver,
                vocab_words: tuple[str, ...] = (), vocabulary: Vocabulary | None = None) -> BuildReport:
    """Write every article of ``sources`` into a new Whoosh index at ``tmp``."""
    from whoosh import index as windex
    from whoosh.filedb.filestore import FileStorage
    from whoosh.index import TOC

    problems: list[Problem] = []
    schema = build_schema(userdict, vocab_words)
    windex.create_in(str(tmp), schema)
    failpoint("build:created")
    warnings: list[Problem] = []
    tagger = EntityTagger(vocabulary, userdict=userdict)
    _prepare(userdict, vocab_words, tagger)
    report = BuildReport(snapshot=name, kind="build", problems=problems, warnings=warnings)
    articles = _with_abs_origin(read_sources(sources, problems, warnings))
    if procs == 1:
        series = _SegmentSeries(str(tmp), windex._DEF_INDEX_NAME, POOL_MB)
        sketcher = Sketcher()
        with _without_cyclic_gc():
            for k, art in enumerate(articles, 1):
                doc = to_document(art, stamp, tagger)
                series.add(carry.apply(doc))
                _sketch(sketcher, art, doc)
                _count(report, art, on_progress)
                failpoint("build:ingest")
                if k % BATCH_SIZE == 0:
                    series.check()
            segments = series.finish()
        sketches = sketcher.sketches()
    else:
        names = [f"W{k}" for k in range(procs)]
        for worker_name in names:
            windex.create_in(str(tmp), schema, indexname=worker_name)
        workers = _Workers(names, str(tmp), stamp, carry, tagger)
        try:
            for batch in _batches(articles, BATCH_SIZE):
                workers.put(batch)
                for art in batch:
                    _count(report, art, on_progress)
                failpoint("build:ingest")
            segments = workers.finish()
            sketches = Sketches.concat(workers.sketches)
        except BaseException:
            workers.kill()
            raise
    _log_warnings(warnings)
    if report.indexed == 0:
        raise BuildError("no article could be read from the sources; the live index is unchanged"
                         + (f" ({len(problems)} problems)" if problems else ""))
    failpoint("build:segments")
    # One TOC naming every worker's segment makes them one index.
    TOC(schema, segments, 1).write(FileStorage(str(tmp)), windex._DEF_INDEX_NAME)
    failpoint("build:toc")
    for toc in tmp.glob("_W*.toc"):
        toc.unlink()
    _write_stories(tmp, StoryTable.from_sketches(sketches))
    report.total = report.indexed
    return report


def _write_stories(tmp: Path, table: StoryTable) -> None:
    """Map the finished index's docnums to the table's rows and save it in the snapshot."""
    from whoosh import index as windex

    table.map_docs(index_ids(windex.open_dir(str(tmp))))
    table.save(tmp)
    failpoint("stories:saved")


def _suggestions(tmp: Path, parent: Path | None = None, changed: int = 0, procs: int = 1) -> None:
    """Write the new snapshot's suggestion file (:mod:`index.suggestions`)
    before it is published, so the manifest covers it; an update passes its
    live snapshot as ``parent`` when the vocabulary did not change, and how
    many articles it ``changed``; a build counts in as many processes as
    it built with (the cores are idle by then)."""
    table = write_suggestions(tmp, parent=parent, changed=changed, procs=procs)
    _log.info("suggestions: %d items, %d keys in %.1f s%s", len(table.items), len(table.keys), table.seconds,
              " (names and words carried over)" if table.carried else "")


def _count(report: BuildReport, art: Article, on_progress: ProgressFn | None) -> None:
    report.indexed += 1
    report.chars += len(art.title) + len(art.subtitle) + len(art.body)
    if on_progress:
        on_progress(1)


def _meta(report: BuildReport, sources: Sequence[str], parent: str | None, stamp: str,
          vfile: VocabularyFile | None = None, carried: dict[str, Any] | None = None) -> dict[str, Any]:
    """``meta.json``'s facts; ``vocabulary`` describes the vocabulary given to
    this run, else the one ``carried`` over from the parent snapshot."""
    vocabulary = vfile.meta() if vfile is not None else carried
    return {
        "kind": report.kind,
        "built_at": stamp,
        "articles": report.total,
        "indexed": report.indexed,
        "skipped": report.skipped,
        "sources": [os.path.abspath(s) for s in sources],
        "parent": parent,
        **({"vocabulary": vocabulary} if vocabulary else {}),
    }


def _link_snapshot(src: Path, dst: Path) -> None:
    """Hard-link the (immutable) index files of ``src`` into ``dst``."""
    for entry in src.iterdir():
        if entry.is_dir() or entry.name.endswith("WRITELOCK") or entry.name == "meta.json":
            continue
        os.link(entry, dst / entry.name)


def update(sources: Sequence[str], store: IndexStore, *, prune: bool = False, keep: int = DEFAULT_KEEP,
           on_progress: ProgressFn | None = None, vocab: str | os.PathLike[str] | None = None) -> BuildReport:
    """Add new and changed articles (replacing by id) in a new snapshot.

    New and changed articles are tagged with entities as a build does (the
    vocabulary ``vocab``, else the live snapshot's); unchanged ones keep
    the tags they have until the next build.

    Unchanged articles (same content digest) are not rewritten.  With
    ``prune``, articles whose source file no longer exists, or which are no
    longer in a source file that was read again, are removed.  The live
    snapshot's vocabulary is carried over unless ``vocab`` names a file to
    use instead (its names become jieba words only at the next build).
    """
    started = time.monotonic()
    stamp = now_stamp()
    vfile = read_vocabulary_file(vocab) if vocab is not None else None
    with store.lock("update"):
        try:
            live = store.current()
        except NoIndexError:
            live = None
        if live is None:
            raise NoIndexError(f"no index at {store.root} to update: run 'newsearch build' first")
        store.open(live)  # checks the schema version before anything is written
        name = new_snapshot_name()
        tmp = store.new_tmp_dir(name)
        with _removed_on_failure(tmp):
            vocabulary = vfile.vocabulary if vfile else snapshot_vocabulary(live.path)
            report = _update_into(tmp, name, live.path, sources, prune, on_progress, stamp, vocabulary)
            new_vocab = _add_vocabulary(report, tmp, vfile)
            if report.indexed or report.deleted or new_vocab:
                _suggestions(tmp, None if new_vocab else live.path, report.indexed + report.deleted)
            report.seconds = time.monotonic() - started
            if report.indexed or report.deleted or new_vocab:
                meta = _meta(report, sources, live.name, stamp, vfile, live.meta().get("vocabulary"))
                store.publish(tmp, name, meta, keep=keep, parent=live)
            else:  # nothing changed: no new snapshot
                shutil.rmtree(tmp, ignore_errors=True)
                report.snapshot = live.name
    return report


def _update_into(tmp: Path, name: str, live: Path, sources: Sequence[str], prune: bool,
                 on_progress: ProgressFn | None, stamp: str,
                 vocabulary: Vocabulary | None = None) -> BuildReport:
    """Apply ``sources`` to a hard-linked copy of the live snapshot at ``tmp``.

    Articles are analyzed by the schema's own (pickled) analyzers, so with
    the user dictionary the index was built with.
    """
    from whoosh import index as windex

    _link_snapshot(live, tmp)
    failpoint("update:linked")
    ix = windex.open_dir(str(tmp))
    warm_up()
    problems: list[Problem] = []
    warnings: list[Problem] = []
    report = BuildReport(snapshot=name, kind="update", problems=problems, warnings=warnings)
    tagger = EntityTagger(vocabulary, userdict=ix.schema["title"].analyzer[0].userdict)
    seen: dict[str, set[str]] = {}
    sketcher = Sketcher()
    removed: set[str] = set()
    with ix.reader() as reader:
        writer = ix.writer(codec=_codec(), compound=False, limitmb=POOL_MB)
        try:
            for art in _with_abs_origin(read_sources(sources, problems, warnings)):
                seen.setdefault(art.origin, set()).add(art.id)
                if _has_live(reader, "digest", content_digest(art)):  # before tagging: posseg is slow
                    report.unchanged += 1
                    continue
                doc = to_document(art, stamp, tagger)
                _replace_document(reader, writer, doc)
                _sketch(sketcher, art, doc)
                _count(report, art, on_progress)
                failpoint("update:ingest")
            _log_warnings(warnings)
            if prune:
                report.deleted = _prune(reader, writer, seen, removed)
        except BaseException:
            writer.cancel()
            raise
        if report.indexed or report.deleted:
            failpoint("update:commit")
            writer.commit(mergetype=merge_small_segments)
        else:
            writer.cancel()
    with windex.open_dir(str(tmp)).reader() as reader:
        report.total = reader.doc_count()
    if report.indexed or report.deleted:
        # every story is recomputed over all signatures: ids independent of the order of updates
        old = StoryTable.load(live)
        # (the live table's rows first, so their chunk numbers and old.chunk_sizes still agree)
        merged = Sketches.concat([old.sketches(removed), sketcher.sketches()])
        _write_stories(tmp, StoryTable.from_sketches(merged, old.chunk_sizes))
    return report


#: Segments of at most this many documents are merged by updates; bigger ones
#: (a build's, or merged ones that grew past it) are never rewritten by an
#: update, so no update's merge reads more than this many documents.
MERGE_MAX_DOCS = 3_000
#: Small segments an update leaves before it merges them.
MERGE_AT = 10


def merge_small_segments(writer: Any, segments: list[Any]) -> list[Any]:
    """The update's merge policy (Whoosh's ``mergetype``): once there are
    :data:`MERGE_AT` segments of at most :data:`MERGE_MAX_DOCS` documents,
    merge the smallest of them into the new segment, as many as fit in
    :data:`MERGE_MAX_DOCS` documents together; return the segments kept.

    Whoosh's own ``MERGE_SMALL`` may pick a build's big segments and rewrite
    them posting by posting: at 100,000 articles the 14th daily update of a
    row took minutes.  Here the segment count stays bounded (the build's,
    one per :data:`MERGE_MAX_DOCS` documents added since, and fewer than
    :data:`MERGE_AT` small ones) and each update's work too.
    """
    from whoosh.reading import SegmentReader

    small = sorted((s for s in segments if s.doc_count_all() <= MERGE_MAX_DOCS), key=lambda s: s.doc_count_all())
    if len(small) < MERGE_AT:
        return segments
    chosen: list[Any] = []
    total = 0
    for seg in small:
        if len(chosen) >= 2 and total + seg.doc_count_all() > MERGE_MAX_DOCS:
            break
        chosen.append(seg)
        total += seg.doc_count_all()
    for seg in chosen:
        reader = SegmentReader(writer.storage, writer.schema, seg)
        writer.add_reader(reader)
        reader.close()
    return [s for s in segments if s not in chosen]


def _live_docnums(reader: Any, fieldname: str, text: str) -> list[int]:
    from whoosh.reading import TermNotFound

    try:
        docnums = reader.postings(fieldname, text).all_ids()
    except TermNotFound:
        return []
    return [d for d in docnums if not reader.is_deleted(d)]


def _has_live(reader: Any, fieldname: str, text: str) -> bool:
    return bool(_live_docnums(reader, fieldname, text))


def _replace_document(reader: Any, writer: Any, doc: dict[str, Any]) -> None:
    """Whoosh's ``update_document`` through the reader the update already
    holds: Whoosh's own opens a searcher over every segment for each
    article (at 1,000,000 articles, 70 segments: 10 of a day's 40 s)."""
    for docnum in _live_docnums(reader, "id", doc["id"]):
        writer.delete_document(docnum)
    writer.add_document(**doc)


def _prune(reader: Any, writer: Any, seen: dict[str, set[str]], removed: set[str]) -> int:
    """Delete articles no source holds any more; return how many.

    An article goes when its file was read in this update and no longer
    holds it, or when its file is gone, unless this update read its id
    elsewhere.  The ids deleted are added to ``removed``.
    """
    seen_anywhere = set().union(*seen.values()) if seen else set()
    deleted = 0
    for raw in list(reader.lexicon("origin")):
        origin = raw.decode("utf-8")
        if origin not in seen and os.path.exists(origin):
            continue
        for docnum in reader.postings("origin", raw).all_ids():
            if reader.is_deleted(docnum):
                continue
            doc_id = reader.stored_fields(docnum)["id"]
            if doc_id not in seen_anywhere:
                deleted += writer.delete_by_term("id", doc_id)
                removed.add(doc_id)
    return deleted
