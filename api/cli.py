"""The ``newsearch`` command line (click), for operators and cron."""

from __future__ import annotations

import html
import itertools
import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import click

from index.articles import Problem
from index.entities import ENTITY_FIELDS
from index.store import DEFAULT_KEEP, INDEX_DIR_ENV, IndexStore, LockedError, StoreError
from search.models import DEFAULT_TIME_BUDGET, INT_PARAMS, SORTS, IntParam, RequestError, SearchRequest

from .exports import EXPORT_FORMATS

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_SKIPPED = 3
EXIT_NO_INDEX = 4
EXIT_LOCKED = 75  # EX_TEMPFAIL: try again later
MAX_PROBLEMS_SHOWN = 50
ENTITY_KINDS = tuple(ENTITY_FIELDS)

EXIT_HELP = f"""
\b
Exit status:
  {EXIT_OK}   success
  {EXIT_ERROR}   error: nothing was changed (message on stderr)
  2   bad command-line usage
  {EXIT_SKIPPED}   done, but some input was skipped (each listed as file:line: reason)
  {EXIT_NO_INDEX}   no index built yet, or it cannot be read (another schema version)
  {EXIT_LOCKED}  another build/update/rollback/sync holds the lock; try again later
"""


class CliExit(click.ClickException):
    """An error message on stderr and the documented exit status ``code``."""

    def __init__(self, message: str, code: int) -> None:
        super().__init__(message)
        # click declares exit_code a class variable; each instance carries its own status here
        setattr(self, "exit_code", code)


def index_dir_option(fn: Callable[..., Any]) -> Callable[..., Any]:
    return click.option("--index-dir", envvar=INDEX_DIR_ENV, default=None, metavar="DIR",
                        help=f"Index directory (default: ${INDEX_DIR_ENV} or var/index).")(fn)


@click.group(epilog=EXIT_HELP)
@click.version_option(package_name="newsearch")
def main() -> None:
    """Full-text search over local Chinese news.

    Build an index from article files, keep it up to date from cron, search
    it from the command line, and serve it over HTTP.
    """


@contextmanager
def _errors() -> Iterator[None]:
    try:
        yield
    except LockedError as exc:
        raise CliExit(str(exc), EXIT_LOCKED) from None
    except RequestError as exc:
        raise CliExit(exc.message, EXIT_ERROR) from None
    except StoreError as exc:
        from index.store import NoIndexError, SchemaMismatchError

        code = EXIT_NO_INDEX if isinstance(exc, (NoIndexError, SchemaMismatchError)) else EXIT_ERROR
        raise CliExit(str(exc), code) from None
    except OSError as exc:
        raise CliExit(f"{exc.strerror or exc}: {exc.filename or ''}".rstrip(": "), EXIT_ERROR) from None


def _report_problems(problems: list[Problem]) -> None:
    for p in problems[:MAX_PROBLEMS_SHOWN]:
        click.echo(str(p), err=True)
    if len(problems) > MAX_PROBLEMS_SHOWN:
        click.echo(f"… and {len(problems) - MAX_PROBLEMS_SHOWN} more problems", err=True)


@contextmanager
def _progress(quiet: bool, label: str) -> Iterator[Callable[[int], None] | None]:
    if quiet or not sys.stderr.isatty():
        yield None
        return
    from tqdm import tqdm

    bar = tqdm(desc=label, unit=" articles", file=sys.stderr, dynamic_ncols=True)
    try:
        yield bar.update
    finally:
        bar.close()


def _run_writer(kind: str, sources: tuple[str, ...], index_dir: str | None, quiet: bool,
                vocab: str | None, **kwargs: Any) -> None:
    from index import builder
    from index.vocab import resolve_vocabulary_path

    store = IndexStore(index_dir)
    with _errors(), _progress(quiet, kind) as progress:
        fn = builder.build if kind == "build" else builder.update
        report = fn(list(sources), store, on_progress=progress, vocab=resolve_vocabulary_path(vocab), **kwargs)
    _report_problems(report.vocab_problems + report.problems)
    click.echo(report.summary())
    if report.problems or report.vocab_problems:
        sys.exit(EXIT_SKIPPED)


def vocab_option(help_text: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    from index.vocab import VOCAB_ENV

    return click.option("--vocab", type=click.Path(dir_okay=False), default=None, metavar="FILE",
                        help=f"{help_text} (default: ${VOCAB_ENV}; README, \"The vocabulary\").")


def writer_options(fn: Callable[..., Any]) -> Callable[..., Any]:
    """SOURCES, --index-dir, --keep and --quiet: what build and update share."""
    fn = click.option("-q", "--quiet", is_flag=True, help="No progress bar; print the one-line summary.")(fn)
    fn = click.option("--keep", type=click.IntRange(0, 100), default=DEFAULT_KEEP, show_default=True,
                      help="Older snapshots to keep for rollback.")(fn)
    fn = index_dir_option(fn)
    return click.argument("sources", nargs=-1, required=True, type=click.Path())(fn)


@main.command(epilog=EXIT_HELP)
@writer_options
@click.option("--procs", type=click.IntRange(1, 64), default=None,
              help="Worker processes (default: one per core).")
@click.option("--userdict", type=click.Path(exists=True, dir_okay=False), default=None,
              help="jieba user dictionary (default: $NEWSEARCH_USERDICT or the shipped one).")
@vocab_option("Vocabulary file to put into the snapshot; its names also become jieba words")
def build(sources: tuple[str, ...], index_dir: str | None, procs: int | None, keep: int,
          userdict: str | None, quiet: bool, vocab: str | None) -> None:
    """Rebuild the index from SOURCES (files or directories) into a new snapshot.

    Newspaper pages (.txt) and JSON Lines (.jsonl) are read; directories are
    walked recursively.  The new snapshot goes live atomically once complete;
    a failed or interrupted build leaves the live index as it was.
    Refused lines of the vocabulary are listed as file:line: reason (exit 3);
    the rest of it is used.
    """
    _run_writer("build", sources, index_dir, quiet, vocab, procs=procs, keep=keep, userdict=userdict)


@main.command(epilog=EXIT_HELP)
@writer_options
@click.option("--prune", is_flag=True,
              help="Also remove articles whose source file is gone or no longer holds them.")
@vocab_option("Vocabulary file to use from now on instead of the live snapshot's")
def update(sources: tuple[str, ...], index_dir: str | None, prune: bool, keep: int, quiet: bool,
           vocab: str | None) -> None:
    """Add new and changed articles from SOURCES, replacing them by id.

    Articles are analyzed with the dictionary the index was built with.  The
    live snapshot's vocabulary is kept unless --vocab (or $NEWSEARCH_VOCAB)
    gives another file.
    """
    _run_writer("update", sources, index_dir, quiet, vocab, prune=prune, keep=keep)


@main.command("vocab", epilog=EXIT_HELP)
@click.argument("file", type=click.Path(dir_okay=False))
@index_dir_option
@click.option("--keep", type=click.IntRange(0, 100), default=DEFAULT_KEEP, show_default=True,
              help="Older snapshots to keep for rollback.")
def vocab(file: str, index_dir: str | None, keep: int) -> None:
    """Publish FILE as the live vocabulary, without a rebuild.

    FILE is the editors' TSV (canonical<TAB>kind<TAB>alias|alias<TAB>notes;
    see vocab.example.tsv).  A new snapshot is made whose index files are
    hard links of the live one's, with FILE inside it; servers and 'sync'
    pick it up like any new snapshot, and searches widen by the new aliases
    at once.  Refused lines are listed as file:line: reason (exit 3) and the
    rest is published.  jieba's dictionary for ranking changes only at the
    next 'build'.  'rollback' brings the previous vocabulary back.
    """
    from index.vocab_snapshot import publish_vocabulary

    store = IndexStore(index_dir)
    with _errors():
        report = publish_vocabulary(file, store, keep=keep)
    _report_problems(report.problems)
    click.echo(report.summary())
    if report.problems:
        sys.exit(EXIT_SKIPPED)


@main.command(epilog=EXIT_HELP)
@click.argument("sources", nargs=-1, required=True, type=click.Path())
@click.option("--json", "as_json", is_flag=True, help="One JSON object per article.")
def parse(sources: tuple[str, ...], as_json: bool) -> None:
    """Show how SOURCES are read, without touching any index (a dry run).

    For articles cut from a page, the cue that started and ended each one
    and the reader's confidence (0..1) are shown; a split the reader is
    unsure of (confidence below 0.7) is listed as a problem and the exit
    status is 3, so an operator sees it before indexing.
    """
    from index.sources import read_sources

    problems: list[Problem] = []
    warnings: list[Problem] = []
    count = 0
    for art in read_sources(list(sources), problems, warnings):
        count += 1
        if as_json:
            click.echo(json.dumps(art.to_dict(diagnostics=True), ensure_ascii=False))
        else:
            date = art.date.isoformat() if art.date else "no date"
            click.echo(f"{art.origin}:{art.line}: [{art.id}] {art.title}")
            if art.kicker:
                click.echo(f"    kicker: {art.kicker}")
            if art.subtitle:
                click.echo(f"    subtitle: {art.subtitle}")
            flags = (" · teaser" if art.teaser else "") + (f" · page {art.page}" if art.page else "")
            click.echo(f"    {date} · {art.source or 'no source'} · {art.author or 'no author'}"
                       f" · {len(art.paragraphs)} paragraphs, {len(art.body)} characters{flags}")
            if art.summary:
                click.echo(f"    summary: {len(art.summary.splitlines())} lines")
            if art.parse is not None:
                p = art.parse
                mark = "  UNCERTAIN" if p.uncertain else ""
                click.echo(f"    cut: {p.start} → {p.end}, confidence {p.confidence:.2f}{mark}")
    _report_problems(problems + warnings)
    if not as_json:
        click.echo(f"{count} articles, {len(problems)} problems, {len(warnings)} uncertain")
    if problems or warnings:
        sys.exit(EXIT_SKIPPED)


def int_param_option(*decls: str, param: IntParam) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """A click option for one of the engine's integer parameters, bounds and default included."""
    return click.option(*decls, type=click.IntRange(param.minimum, param.maximum), default=param.default,
                        show_default=True, help=param.description)


no_expand_option = click.option(
    "--no-expand", "expand", is_flag=True, flag_value=False, default=True,
    help="Do not widen terms to their vocabulary aliases: search only what was typed.")


@main.command(epilog=EXIT_HELP)
@click.argument("query")
@index_dir_option
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON (as the API does).")
@int_param_option("--limit", "-n", param=INT_PARAMS["per_page"])
@int_param_option("--page", param=INT_PARAMS["page"])
@click.option("--sort", type=click.Choice(SORTS), default=SORTS[0], show_default=True)
@click.option("--facets", is_flag=True, help="Count results per source, author, category, tag, month, "
                                           "person, place and organisation.")
@click.option("--time-budget", type=click.FloatRange(0), default=DEFAULT_TIME_BUDGET, show_default=True,
              metavar="SECONDS", help="Give up on a query that takes longer (0: no limit).")
@no_expand_option
def search(query: str, index_dir: str | None, as_json: bool, limit: int, page: int, sort: str,
           facets: bool, time_budget: float, expand: bool) -> None:
    """Search the index for QUERY.

    \b
    郑州 地铁            both words (AND)
    "中原科技城"          exact phrase
    title:郑州           in the title (also subtitle, body, author, source, category, tag)
    place:郑东新区        articles tagged with that place (also person:, org:)
    地铁 OR 公交 -停运     either word, without 停运
    date:2023-01-01..2023-06-30

    An unquoted term that is a name in the index's vocabulary also finds the
    entry's other names ("also searched: …"); --no-expand searches only
    what was typed.
    """
    from search.engine import search as run_search
    from search.snapshots import SearchIndex

    with _errors(), SearchIndex(index_dir) as index:
        result = run_search(index, SearchRequest(q=query, page=page, per_page=limit, sort=sort, facets=facets,
                                                 expand=expand), time_budget or None)
    if index.error:
        click.echo(f"warning: {index.error}; answered from snapshot {result.snapshot}", err=True)
    if as_json:
        click.echo(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))
        return
    click.echo(f"{result.total} results ({result.took_ms:.1f} ms)")
    for term, names in (result.expanded or {}).items():
        click.echo(f"also searched for {term}: {', '.join(names)} (--no-expand: only what was typed)")
    if result.did_you_mean:
        click.echo("did you mean: " + ", ".join(f"{d['q']} ({d['total']})" for d in result.did_you_mean))
    for n, hit in enumerate(result.hits, (page - 1) * limit + 1):
        date = hit.date.isoformat() if hit.date else ""
        click.echo(f"{n:3}. {hit.title}  [{hit.id}] {date} {hit.source} {hit.author}".rstrip())
        if hit.matched:
            click.echo(f"     matched: {', '.join(hit.matched)}")
        for frag in hit.highlights["body"][:1]:
            # a fragment is HTML (escaped text and <mark>): bold marks, plain text
            text = html.unescape(frag.replace("<mark>", "\x1b[1m").replace("</mark>", "\x1b[0m"))
            click.echo(f"     {text}".replace("\n", " "), color=sys.stdout.isatty())


@main.command(epilog=EXIT_HELP)
@click.argument("query")
@index_dir_option
@click.option("--format", "fmt", type=click.Choice(EXPORT_FORMATS), default="csv", show_default=True,
              help="csv (UTF-8 with BOM, for Excel) or jsonl.")
@click.option("--body", is_flag=True, help="CSV: add the body column (JSON Lines always has it).")
@click.option("--sort", type=click.Choice(SORTS), default="-date", show_default=True)
@no_expand_option
def export(query: str, index_dir: str | None, fmt: str, body: bool, sort: str, expand: bool) -> None:
    """Write every article matching QUERY to standard output, as the API's
    /api/export does: no page or depth limit, one snapshot from start to end.

    \b
    newsearch export '"中原科技城"' --format csv > out.csv
    """
    from search.engine import export as export_articles
    from search.snapshots import SearchIndex

    from .exports import export_lines

    with _errors(), SearchIndex(index_dir) as index:
        articles = export_articles(index, SearchRequest(q=query, sort=sort, expand=expand))
        first = next(articles, None)  # a bad query fails here, before any output
        for chunk in export_lines(itertools.chain([first] if first else [], articles), fmt, body):
            sys.stdout.write(chunk)


@main.command(epilog=EXIT_HELP)
@index_dir_option
@click.option("--unverified", is_flag=True,
              help="List posseg's unverified candidates instead of the vocabulary's entities.")
@click.option("--top", type=click.IntRange(1, 100_000), default=50, show_default=True,
              help="How many names to list.")
@click.option("--kind", "kinds", type=click.Choice(list(ENTITY_KINDS)), multiple=True,
              help="Only this kind (repeatable; default: all three).")
def entities(index_dir: str | None, unverified: bool, top: int, kinds: tuple[str, ...]) -> None:
    """The most frequent people, places and organisations of the live snapshot.

    One line per name, most articles first: NAME<TAB>KIND<TAB>ARTICLES.  The
    first two columns are those of the vocabulary file, so an editor can
    take the right candidates from

    \b
      newsearch entities --unverified --top 200 | cut -f1,2 >> vocab.tsv

    and add aliases there.  Nothing is printed when no article has any.
    Entities are tagged at build time: after a change of the vocabulary,
    existing articles are re-tagged by the next `newsearch build`.
    """
    from search.entities import entity_counts
    from search.snapshots import SearchIndex

    with _errors(), SearchIndex(index_dir) as index, index.lease() as opened:
        rows = entity_counts(opened, unverified=unverified, kinds=kinds or ENTITY_KINDS, top=top)
    for name, kind, count in rows:
        click.echo(f"{name}\t{kind}\t{count}")


@main.command(epilog=EXIT_HELP)
@index_dir_option
@click.option("--json", "as_json", is_flag=True)
def stats(index_dir: str | None, as_json: bool) -> None:
    """Article count, live snapshot, when it was built, from which sources."""
    store = IndexStore(index_dir)
    with _errors():
        snap, ix = store.open()
        meta = snap.meta()
        with ix.reader() as reader:
            count = reader.doc_count()
        snapshots = [s.name for s in store.snapshots()]
    data = {
        "index_dir": str(store.root),
        "snapshot": snap.name,
        "articles": count,
        "built_at": meta.get("built_at"),
        "kind": meta.get("kind"),
        "sources": meta.get("sources", []),
        "snapshots": snapshots,
    }
    if as_json:
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    for key, value in data.items():
        if isinstance(value, list):
            value = ", ".join(value) or "-"
        click.echo(f"{key:10} {value}")


@main.command(epilog=EXIT_HELP)
@click.argument("snapshot", required=False)
@index_dir_option
def rollback(snapshot: str | None, index_dir: str | None) -> None:
    """Make SNAPSHOT (default: the one before the live one) live again."""
    from index.faults import failpoint

    store = IndexStore(index_dir)
    with _errors(), store.lock("rollback"):
        failpoint("rollback:locked")
        if snapshot is None:
            prev = store.previous()
            if prev is None:
                raise CliExit("no older snapshot to roll back to", EXIT_ERROR)
            snapshot = prev.name
        store.switch(snapshot)
    click.echo(f"live snapshot is now {snapshot}")


@main.command(epilog=EXIT_HELP)
@click.argument("source")
@index_dir_option
@click.option("--keep", type=click.IntRange(0, 100), default=DEFAULT_KEEP, show_default=True,
              help="Older snapshots to keep for rollback.")
@click.option("-q", "--quiet", is_flag=True,
              help="No progress display; one summary line when a snapshot was copied, nothing when the "
                   "index was already current (for cron, which mails any output).")
def sync(source: str, index_dir: str | None, keep: int, quiet: bool) -> None:
    """Copy the live snapshot of the index at SOURCE here and make it live.

    For reader hosts that serve an index built on another host.  SOURCE is
    an index directory: a local path or an rsync source over ssh such as
    indexer:/srv/newsearch/index/ (needs Debian's rsync on both hosts).
    Files this index already has are hard-linked, not copied, so a daily
    sync sends only the new segment files.  The copy is checked against the
    snapshot's manifest (sizes and SHA-256) before it goes live; a failed
    or interrupted sync leaves the live index as it was.  Exits 0 when the
    index was already current, 4 when SOURCE's snapshot has another schema
    version than this program reads.
    """
    from index.sync import sync as run_sync

    store = IndexStore(index_dir)
    with _errors():
        if quiet or not sys.stderr.isatty():
            report = run_sync(source, store, keep=keep)
        else:
            report = run_sync(source, store, keep=keep,
                              on_progress=lambda line: click.echo("\r" + line, err=True, nl=False))
            click.echo("\r\x1b[K", err=True, nl=False)
    if report.changed or not quiet:
        click.echo(report.summary())


@main.command()
@index_dir_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option("--port", type=click.IntRange(1, 65535), envvar="PORT", default=8000, show_default=True,
              help="Port (also $PORT).")
@click.option("--debug", is_flag=True, help="Flask's debugger and reloader (never in production).")
def serve(index_dir: str | None, host: str, port: int, debug: bool) -> None:
    """Serve the API, the search page and the widget (for development).

    In production run several workers behind the intranet's reverse proxy:
    gunicorn -w 4 -b 127.0.0.1:8000 "api:create_app()"
    """
    from api import create_app

    config = {"INDEX_DIR": index_dir} if index_dir else None
    app = create_app(config)
    click.echo(f"newsearch: http://{host}:{port}/  (API at /api, docs at /api/docs)", err=True)
    app.run(host=host, port=port, debug=debug, threaded=True)


@main.command(epilog=EXIT_HELP)
@index_dir_option
@click.option("--deep", is_flag=True, help="Also verify every file's checksum (reads the whole index).")
def check(index_dir: str | None, deep: bool) -> None:
    """Verify the live snapshot (and the older ones) can be read.

    Each snapshot's files are checked against the sizes (and, with --deep,
    checksums) recorded when it was built, then the live one is opened and
    searched.  A damaged live snapshot can be replaced with 'rollback'.
    """
    from index.store import verify_files
    from search.engine import search as run_search
    from search.snapshots import SearchIndex

    store = IndexStore(index_dir)
    live = store.current_name()
    if live is None:
        raise CliExit(f"no index at {store.root}", EXIT_NO_INDEX)
    bad_live = False
    for snap in store.snapshots():
        try:
            damage = verify_files(snap, deep=deep)
        except StoreError as exc:
            damage = [str(exc)]
        marker = "*" if snap.name == live else " "
        click.echo(f"{marker} {snap.name}: " + ("ok" if not damage else "; ".join(damage)))
        bad_live |= bool(damage) and snap.name == live
    if not bad_live:
        try:
            with SearchIndex(store.root, refresh_interval=0) as index:
                result = run_search(index, SearchRequest(q="的", per_page=1))
            click.echo(f"live snapshot answers queries ({result.total} articles contain 的)")
        except Exception as exc:  # any failure here means the snapshot is not usable
            bad_live = True
            click.echo(f"live snapshot cannot be searched: {exc}", err=True)
    if bad_live:
        raise CliExit("the live snapshot is damaged: run 'newsearch rollback' or rebuild", EXIT_ERROR)


if __name__ == "__main__":  # pragma: no cover
    main()
