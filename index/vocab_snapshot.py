"""The vocabulary inside a snapshot: copied in by a build or an update, and
published on its own by ``newsearch vocab FILE`` (issue 14).

A snapshot carries the vocabulary it searches with as
:data:`index.vocab.SNAPSHOT_FILE`; the manifest in ``meta.json`` covers it
like every index file, so ``newsearch check`` verifies it and ``newsearch
sync`` copies it.  Workers load it with the snapshot, so a changed file goes
live, with ETags and readers following, the moment ``CURRENT`` switches.

Files of an update's or a vocabulary publish's new snapshot are hard links
of the live one's: the vocabulary is therefore never rewritten in place but
written as a new file and renamed over the link (:func:`write_vocabulary`).
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .articles import Problem
from .store import DEFAULT_KEEP, IndexStore, NoIndexError, StoreError, new_snapshot_name
from .vocab import SNAPSHOT_FILE, Vocabulary, parse_vocabulary


class VocabularyError(StoreError):
    """The vocabulary file cannot be read at all (missing, unreadable, not UTF-8)."""


@dataclass
class VocabularyFile:
    """A vocabulary file as read: its bytes (copied verbatim into snapshots)
    and what they parse to."""

    path: Path
    data: bytes
    vocabulary: Vocabulary

    @property
    def problems(self) -> list[Problem]:
        return self.vocabulary.problems

    def meta(self) -> dict[str, Any]:
        """What ``meta.json`` records about it."""
        return {"file": os.path.abspath(self.path), "entries": len(self.vocabulary),
                "digest": self.vocabulary.digest}


def read_vocabulary_file(path: str | os.PathLike[str]) -> VocabularyFile:
    """Read and parse a vocabulary file; bad lines become problems
    (``file:line: reason``), a file that cannot be read at all a
    :class:`VocabularyError`."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise VocabularyError(f"{path}: cannot read the vocabulary: {exc.strerror or exc}") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        raise VocabularyError(f"{path}:{line}: the vocabulary is not UTF-8 ({exc.reason})") from None
    return VocabularyFile(path, data, parse_vocabulary(text.splitlines(keepends=True), str(path)))


def write_vocabulary(folder: Path, data: bytes) -> None:
    """Put ``data`` into ``folder`` as the snapshot's vocabulary: a new file
    renamed over whatever is there (perhaps a hard link shared with the live
    snapshot, which must not change)."""
    tmp = folder / (".tmp-" + SNAPSHOT_FILE)
    with open(tmp, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, folder / SNAPSHOT_FILE)


def same_vocabulary(folder: Path, data: bytes) -> bool:
    """Whether ``folder`` already carries exactly this vocabulary."""
    try:
        return (folder / SNAPSHOT_FILE).read_bytes() == data
    except FileNotFoundError:
        return False


@dataclass
class VocabularyReport:
    snapshot: str
    entries: int
    problems: list[Problem] = field(default_factory=list)

    def summary(self) -> str:
        return (f"vocab: {self.entries} entries published, {len(self.problems)} lines refused "
                f"(snapshot {self.snapshot})")


def publish_vocabulary(path: str | os.PathLike[str], store: IndexStore,
                       keep: int = DEFAULT_KEEP) -> VocabularyReport:
    """Make ``path`` the live vocabulary without a rebuild: a new snapshot
    whose index files are hard links of the live one's, with the new
    vocabulary and a new ``meta.json``, published like a build's.

    jieba's dictionary (the names the build added for ranking) and the
    articles' segmentation stay as built until the next ``build``.
    """
    from .builder import _link_snapshot, _suggestions  # the one rule of what an index file is

    vfile = read_vocabulary_file(path)  # before the lock: a bad path changes nothing
    with store.lock("vocab"):
        try:
            live = store.current()
        except NoIndexError:
            raise NoIndexError(f"no index at {store.root}: run 'newsearch build' first") from None
        store.open(live)  # refuses another schema version, or a damaged snapshot
        parent_meta = live.meta()
        name = new_snapshot_name()
        tmp = store.new_tmp_dir(name)
        try:
            _link_snapshot(live.path, tmp)
            write_vocabulary(tmp, vfile.data)
            _suggestions(tmp)  # the suggestions offer the vocabulary's names
            stamp = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
            meta = {k: v for k, v in parent_meta.items() if k not in ("files", "snapshot", "schema_version")}
            meta.update(kind="vocab", built_at=stamp, indexed=0, skipped=0, parent=live.name,
                        vocabulary=vfile.meta())
            store.publish(tmp, name, meta, keep=keep, parent=live)
        except BaseException:
            import shutil

            shutil.rmtree(tmp, ignore_errors=True)
            raise
    return VocabularyReport(name, len(vfile.vocabulary), list(vfile.problems))
