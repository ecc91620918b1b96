"""The vocabulary's life in the index directory (issue 14): `build --vocab`,
`update` carrying it, and `newsearch vocab FILE` publishing a new one
without a rebuild, through the command line an operator uses."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from api.cli import EXIT_NO_INDEX, EXIT_OK, EXIT_SKIPPED, main
from index.store import IndexStore
from index.suggestions import SUGGEST_FILE
from index.vocab import SNAPSHOT_FILE, VOCAB_ENV
from tests.conftest import write_jsonl

ARTICLES = [
    {"id": "b1", "title": "绿城夜色", "body": "夜晚的绿城灯火通明。", "date": "2023-05-01"},
    {"id": "b2", "title": "商都遗址公园开放", "body": "游人如织。", "date": "2023-05-02"},
    {"id": "b3", "title": "郑州市举行马拉松", "body": "市民踊跃参加。", "date": "2023-05-03"},
]
FIRST = "郑州\tplace\t郑州市|绿城\t\n"
SECOND = "# the editors added 商都 and a bad line\n郑州\tplace\t郑州市|绿城|商都|郑\t\n马宏伟\tpeople\t\t\n"


def run(*args: str, env: dict[str, str] | None = None):
    return CliRunner().invoke(main, list(args), env=env)


def total(root: Path, q: str, *extra: str) -> int:
    out = run("search", q, "--json", "--index-dir", str(root), *extra)
    assert out.exit_code == EXIT_OK, out.output
    return int(json.loads(out.output)["total"])


def live_dir(root: Path) -> Path:
    store = IndexStore(root)
    return store.current().path


def index_files(folder: Path) -> dict[str, int]:
    """Index file name → inode (everything but the manifest, the vocabulary
    and the suggestions, which offer the vocabulary's names)."""
    return {p.name: p.stat().st_ino for p in folder.iterdir()
            if p.is_file() and p.name not in ("meta.json", SNAPSHOT_FILE, SUGGEST_FILE)}


def suggested(folder: Path) -> set[tuple[str, str]]:
    """The snapshot's suggestions as (text, kind)."""
    items = json.loads((folder / SUGGEST_FILE).read_text(encoding="utf-8"))["items"]
    return {(text, kind) for text, kind, *_ in items}


def test_vocab_publishes_a_hard_linked_snapshot_and_searches_change_without_rebuild(tmp_path: Path) -> None:
    root = tmp_path / "ix"
    src = write_jsonl(tmp_path / "news.jsonl", ARTICLES)
    first_vocab = tmp_path / "first.tsv"
    first_vocab.write_text(FIRST, encoding="utf-8")
    out = run("build", str(src), "--index-dir", str(root), "--quiet", "--vocab", str(first_vocab))
    assert out.exit_code == EXIT_OK, out.output
    assert "vocabulary of 1 entries" in out.output
    built = live_dir(root)
    assert (built / SNAPSHOT_FILE).read_text(encoding="utf-8") == FIRST
    assert total(root, "绿城") == 2  # 绿城 + 郑州市
    assert total(root, "绿城", "--no-expand") == 1

    second = tmp_path / "second.tsv"
    second.write_text(SECOND, encoding="utf-8")
    out = run("vocab", str(second), "--index-dir", str(root))
    assert out.exit_code == EXIT_SKIPPED, out.output  # two lines refused, the rest published
    assert f"{second}:2: alias '郑' has one character" in out.output
    assert f"{second}:3: kind must be one of person, place, org, term" in out.output
    assert "vocab: 1 entries published, 2 lines refused" in out.output

    published = live_dir(root)
    assert published != built
    assert index_files(published) == index_files(built)  # every index file a hard link
    assert (published / SNAPSHOT_FILE).read_text(encoding="utf-8") == SECOND
    assert ("商都", "place") in suggested(published) - suggested(built)  # offered as a name from now on
    assert (built / SNAPSHOT_FILE).read_text(encoding="utf-8") == FIRST  # the old snapshot is untouched
    meta = json.loads((published / "meta.json").read_text(encoding="utf-8"))
    assert meta["kind"] == "vocab" and meta["parent"] == built.name
    assert SNAPSHOT_FILE in meta["files"] and meta["vocabulary"]["entries"] == 1
    assert total(root, "绿城") == 3  # now 商都 too, no rebuild

    check = run("check", "--deep", "--index-dir", str(root))
    assert check.exit_code == EXIT_OK, check.output
    (published / SNAPSHOT_FILE).write_text(FIRST + "# edited by hand\n", encoding="utf-8")
    check = run("check", "--deep", "--index-dir", str(root))
    assert check.exit_code != EXIT_OK and SNAPSHOT_FILE in check.output

    out = run("rollback", "--index-dir", str(root))
    assert out.exit_code == EXIT_OK and total(root, "绿城") == 2


def test_update_carries_the_vocabulary_unless_given_another(tmp_path: Path) -> None:
    root = tmp_path / "ix"
    src = write_jsonl(tmp_path / "news.jsonl", ARTICLES[:2])
    vocab = tmp_path / "v.tsv"
    vocab.write_text(FIRST, encoding="utf-8")
    assert run("build", str(src), "--index-dir", str(root), "--quiet", "--vocab", str(vocab)).exit_code == 0
    built = live_dir(root)

    more = write_jsonl(tmp_path / "more.jsonl", ARTICLES[2:])
    out = run("update", str(more), "--index-dir", str(root), "--quiet")
    assert out.exit_code == EXIT_OK, out.output
    updated = live_dir(root)
    assert updated != built
    assert (updated / SNAPSHOT_FILE).read_text(encoding="utf-8") == FIRST
    assert total(root, "绿城") == 2  # b3 (郑州市) came with the update and is found by the alias

    other = tmp_path / "other.tsv"
    other.write_text("郑州\tplace\t商都\t\n", encoding="utf-8")
    out = run("update", str(more), "--index-dir", str(root), "--quiet", env={VOCAB_ENV: str(other)})
    assert out.exit_code == EXIT_OK, out.output
    newest = live_dir(root)
    assert newest != updated  # no article changed, but the vocabulary did
    assert (newest / SNAPSHOT_FILE).read_text(encoding="utf-8") == "郑州\tplace\t商都\t\n"
    # the file was replaced, not rewritten through the hard link it had with the older snapshots
    assert (updated / SNAPSHOT_FILE).read_text(encoding="utf-8") == FIRST
    assert (built / SNAPSHOT_FILE).read_text(encoding="utf-8") == FIRST
    assert total(root, "商都") == 2 and total(root, "绿城") == 1  # 绿城 is no alias any more


def test_build_reports_bad_vocabulary_lines_and_uses_the_rest(tmp_path: Path) -> None:
    root = tmp_path / "ix"
    src = write_jsonl(tmp_path / "news.jsonl", ARTICLES)
    vocab = tmp_path / "v.tsv"
    vocab.write_text(SECOND, encoding="utf-8")
    out = run("build", str(src), "--index-dir", str(root), "--quiet", env={VOCAB_ENV: str(vocab)})
    assert out.exit_code == EXIT_SKIPPED, out.output
    assert f"{vocab}:2: alias '郑'" in out.output
    assert total(root, "绿城") == 3


def test_without_a_vocabulary_nothing_widens(tmp_path: Path) -> None:
    root = tmp_path / "ix"
    src = write_jsonl(tmp_path / "news.jsonl", ARTICLES)
    out = run("build", str(src), "--index-dir", str(root), "--quiet", env={VOCAB_ENV: ""})
    assert out.exit_code == EXIT_OK, out.output
    assert not (live_dir(root) / SNAPSHOT_FILE).exists()
    assert total(root, "绿城") == 1


def test_vocab_errors_have_their_exit_statuses(tmp_path: Path) -> None:
    vocab = tmp_path / "v.tsv"
    vocab.write_text(FIRST, encoding="utf-8")
    out = run("vocab", str(vocab), "--index-dir", str(tmp_path / "none"))
    assert out.exit_code == EXIT_NO_INDEX and "newsearch build" in out.output
    root = tmp_path / "ix"
    src = write_jsonl(tmp_path / "news.jsonl", ARTICLES)
    assert run("build", str(src), "--index-dir", str(root), "--quiet").exit_code == 0
    live = IndexStore(root).current_name()
    out = run("vocab", str(tmp_path / "missing.tsv"), "--index-dir", str(root))
    assert out.exit_code == 1 and "missing.tsv" in out.output
    bad = tmp_path / "latin1.tsv"
    bad.write_bytes("郑州\tplace\t绿城\t\n".encode("utf-8") + "caf\xe9\tterm\t\t\n".encode("latin-1"))
    out = run("vocab", str(bad), "--index-dir", str(root))
    assert out.exit_code == 1 and f"{bad}:2: the vocabulary is not UTF-8" in out.output
    assert IndexStore(root).current_name() == live  # nothing changed


def test_sync_copies_a_published_vocabulary_and_the_reader_widens(tmp_path: Path) -> None:
    if shutil.which("rsync") is None:
        pytest.skip("Debian's rsync is not installed (apt-get install rsync, or run 'make test')")
    indexer, reader = tmp_path / "a", tmp_path / "b"
    src = write_jsonl(tmp_path / "news.jsonl", ARTICLES)
    assert run("build", str(src), "--index-dir", str(indexer), "--quiet").exit_code == EXIT_OK
    assert run("sync", str(indexer), "--index-dir", str(reader), "--quiet").exit_code == EXIT_OK
    assert total(reader, "绿城") == 1
    vocab = tmp_path / "v.tsv"
    vocab.write_text(FIRST, encoding="utf-8")
    assert run("vocab", str(vocab), "--index-dir", str(indexer)).exit_code == EXIT_OK
    out = run("sync", str(indexer), "--index-dir", str(reader))
    assert out.exit_code == EXIT_OK, out.output
    assert (live_dir(reader) / SNAPSHOT_FILE).read_text(encoding="utf-8") == FIRST
    assert total(reader, "绿城") == 2
