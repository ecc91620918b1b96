"""Index directory layout: snapshots, the ``CURRENT`` pointer and the writer lock.

::

    INDEX_DIR/
      CURRENT                 name of the live snapshot (replaced atomically)
      .lock                   held by the one build/update/rollback/sync running
      snapshots/<name>/       a complete Whoosh index plus meta.json
      snapshots/.tmp-<name>/  a snapshot being written (never read)

A writer builds a snapshot under ``.tmp-…``, renames it into place and then
replaces ``CURRENT`` with ``os.replace``; so a reader sees the old snapshot
or the new one, never a half-built one, and a crash at any point leaves the
live index serving.  Leftover ``.tmp-`` directories are removed by the next
writer, under the lock.

The lock is a POSIX record lock (``fcntl.lockf``): the kernel drops it when
its process dies, even by ``kill -9``, and unlike ``flock`` it is not
inherited by the worker processes of a build, so a stale lock cannot
outlive its owner.
"""

from __future__ import annotations

import datetime as dt
import errno
import fcntl
import hashlib
import json
import os
import secrets
import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .faults import failpoint
from .format import SCHEMA_VERSION

#: Default index directory, relative to the working directory.
DEFAULT_INDEX_DIR = "var/index"
INDEX_DIR_ENV = "NEWSEARCH_INDEX_DIR"
#: Snapshots kept besides the live one, for ``newsearch rollback``.
DEFAULT_KEEP = 3
META_FILE = "meta.json"
TMP_PREFIX = ".tmp-"


_HELD: set[str] = set()
_HELD_GUARD = threading.Lock()


class StoreError(Exception):
    """Base class of the index errors a user can act on."""


class NoIndexError(StoreError):
    """There is no built index at the given directory."""


class SchemaMismatchError(StoreError):
    """The snapshot was written by another schema version; rebuild it."""


class LockedError(StoreError):
    """Another build, update or rollback holds the lock."""


class CorruptSnapshotError(StoreError):
    """A snapshot's files are missing or damaged."""


def resolve_index_dir(path: str | os.PathLike[str] | None = None) -> Path:
    return Path(path or os.environ.get(INDEX_DIR_ENV) or DEFAULT_INDEX_DIR)


@dataclass(frozen=True)
class Snapshot:
    name: str
    path: Path

    def meta(self) -> dict[str, Any]:
        try:
            with open(self.path / META_FILE, encoding="utf-8") as fh:
                data: dict[str, Any] = json.load(fh)
        except (OSError, ValueError) as exc:
            raise CorruptSnapshotError(f"snapshot {self.name}: cannot read {META_FILE}: {exc}") from exc
        return data


def new_snapshot_name() -> str:
    now = dt.datetime.now(dt.timezone.utc)
    return now.strftime("%Y%m%dT%H%M%S") + f"{now.microsecond // 1000:03d}Z-" + secrets.token_hex(3)


class IndexStore:
    """The snapshots of one index directory.  Reading needs no lock."""

    def __init__(self, root: str | os.PathLike[str] | None = None) -> None:
        self.root = resolve_index_dir(root)
        self.snapshots_dir = self.root / "snapshots"
        self.current_file = self.root / "CURRENT"
        self.lock_file = self.root / ".lock"

    # -- reading -----------------------------------------------------------

    def current_name(self) -> str | None:
        try:
            return self.current_file.read_text(encoding="utf-8").strip() or None
        except FileNotFoundError:
            return None

    def current(self) -> Snapshot:
        """The live snapshot; :class:`NoIndexError` when none was built."""
        name = self.current_name()
        if name is None:
            raise NoIndexError(f"no index at {self.root}: run 'newsearch build SOURCE…' first")
        snap = Snapshot(name, self.snapshots_dir / name)
        if not snap.path.is_dir():
            raise CorruptSnapshotError(f"the live snapshot {name} is missing from {self.snapshots_dir}")
        return snap

    def snapshots(self) -> list[Snapshot]:
        """Complete snapshots, oldest first."""
        if not self.snapshots_dir.is_dir():
            return []
        names = sorted(p.name for p in self.snapshots_dir.iterdir()
                       if p.is_dir() and not p.name.startswith(TMP_PREFIX)
                       and (p / META_FILE).exists())
        return [Snapshot(n, self.snapshots_dir / n) for n in names]

    def open(self, snapshot: Snapshot | None = None) -> tuple[Snapshot, Any]:
        """Open a snapshot (the live one by default) as a Whoosh index."""
        from whoosh import index as windex

        snap = snapshot or self.current()
        meta = snap.meta()
        require_schema(snap.name, meta, "rebuild the index with 'newsearch build'")
        damage = verify_files(snap, meta, deep=False)
        if damage:
            raise CorruptSnapshotError(f"snapshot {snap.name} is damaged: {damage[0]}"
                                       + (f" (and {len(damage) - 1} more)" if len(damage) > 1 else ""))
        try:
            ix = windex.open_dir(str(snap.path), readonly=True)
        except Exception as exc:  # whoosh raises many types for damaged files
            raise CorruptSnapshotError(f"snapshot {snap.name} cannot be opened: {exc}") from exc
        return snap, ix

    # -- writing (callers hold the lock) -------------------------------------

    @contextmanager
    def lock(self, purpose: str) -> Iterator[None]:
        """Hold the writer lock, or raise :class:`LockedError` at once.

        POSIX locks do not exclude the process that holds them, so the
        directories locked by this process are also remembered in-process.
        """
        self.root.mkdir(parents=True, exist_ok=True)
        key = str(self.lock_file.resolve())
        with _HELD_GUARD:
            if key in _HELD:
                raise LockedError(f"another newsearch run holds the lock on {self.root} "
                                  f"(pid {os.getpid()}, this process)")
            _HELD.add(key)
        try:
            with self._file_lock(purpose):
                yield
        finally:
            with _HELD_GUARD:
                _HELD.discard(key)

    @contextmanager
    def _file_lock(self, purpose: str) -> Iterator[None]:
        fd = os.open(self.lock_file, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        try:
            try:
                fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError as exc:
                if exc.errno not in (errno.EACCES, errno.EAGAIN):
                    raise
                try:
                    holder = os.pread(fd, 512, 0).decode("utf-8", "replace").strip()
                except OSError:
                    holder = ""
                raise LockedError(
                    f"another newsearch run holds the lock on {self.root}"
                    + (f" ({holder})" if holder else "")) from None
            info = f"pid {os.getpid()}, {purpose}, since {dt.datetime.now().isoformat(timespec='seconds')}"
            os.ftruncate(fd, 0)
            os.pwrite(fd, info.encode("utf-8"), 0)
            self.clear_partial()
            yield
        finally:
            os.close(fd)  # releases the lock

    def clear_partial(self) -> list[str]:
        """Remove what a crashed run left: half-written or half-deleted
        snapshots (no ``meta.json``) and unfinished ``CURRENT`` replacements.
        Never the live snapshot.  Called under the lock."""
        removed = []
        live = self.current_name()
        if self.snapshots_dir.is_dir():
            for p in self.snapshots_dir.iterdir():
                if p.name == live or not p.is_dir():
                    continue
                if p.name.startswith(TMP_PREFIX) or not (p / META_FILE).exists():
                    shutil.rmtree(p, ignore_errors=True)
                    removed.append(p.name)
        for p in self.root.glob("CURRENT.tmp*"):
            p.unlink(missing_ok=True)
            removed.append(p.name)
        return removed

    def new_tmp_dir(self, name: str) -> Path:
        path = self.snapshots_dir / (TMP_PREFIX + name)
        path.mkdir(parents=True)
        return path

    def publish(self, tmp_dir: Path, name: str, meta: dict[str, Any], keep: int = DEFAULT_KEEP,
                parent: Snapshot | None = None) -> Snapshot:
        """Seal a written snapshot, make it live, and prune old ones.

        The snapshot's ``meta.json`` records each file's size and SHA-256
        (reused from ``parent`` for files hard-linked from it), so damage can
        be detected when the snapshot is opened or checked.
        """
        known: dict[tuple[int, int], dict[str, Any]] = {}
        if parent is not None:
            try:
                for fname, info in parent.meta().get("files", {}).items():
                    st = os.stat(parent.path / fname)
                    known[(st.st_ino, st.st_size)] = info
            except (OSError, CorruptSnapshotError):
                known = {}
        meta = dict(meta, schema_version=SCHEMA_VERSION, snapshot=name, files=_manifest(tmp_dir, known))
        _write_atomic(tmp_dir / META_FILE, json.dumps(meta, ensure_ascii=False, indent=2))
        failpoint("publish:meta")
        return self.install(tmp_dir, name, keep)

    def install(self, tmp_dir: Path, name: str, keep: int = DEFAULT_KEEP) -> Snapshot:
        """Make a sealed snapshot directory live: fsync it, rename it into
        ``snapshots/``, switch ``CURRENT`` to it, and prune old ones.

        ``tmp_dir`` must already hold its ``meta.json`` (written by
        :meth:`publish`, or copied and checked by ``newsearch sync``).  A
        snapshot of the same name that is not live (an older copy of it) is
        replaced; the live one never is.
        """
        for entry in tmp_dir.iterdir():
            if entry.is_file():
                _fsync_path(entry)
        _fsync_path(tmp_dir)
        failpoint("publish:fsync")
        final = self.snapshots_dir / name
        if final.exists():
            if name == self.current_name():
                raise StoreError(f"snapshot {name} is already live in {self.snapshots_dir}")
            self._discard(Snapshot(name, final))
        os.rename(tmp_dir, final)
        _fsync_path(self.snapshots_dir)
        failpoint("publish:renamed")
        self.switch(name)
        failpoint("publish:switched")
        self.prune(keep)
        failpoint("publish:pruned")
        return Snapshot(name, final)

    def switch(self, name: str) -> None:
        """Make snapshot ``name`` live; one of another schema version is
        refused (the servers could not read it)."""
        if not (self.snapshots_dir / name / META_FILE).exists():
            raise NoIndexError(f"no complete snapshot named {name!r} in {self.snapshots_dir}")
        require_schema(name, Snapshot(name, self.snapshots_dir / name).meta(), "it cannot be made live")
        _write_atomic(self.current_file, name + "\n")

    def prune(self, keep: int) -> list[str]:
        """Delete all but the newest ``keep`` snapshots besides the live one."""
        current = self.current_name()
        others = [s for s in self.snapshots() if s.name != current]
        doomed = others[:-keep] if keep > 0 else others
        for snap in doomed:
            self._discard(snap)
        return [s.name for s in doomed]

    def _discard(self, snap: Snapshot) -> None:
        # Unpublish first (drop meta.json) so a crash mid-delete leaves no
        # half-deleted snapshot that looks complete.
        (snap.path / META_FILE).unlink(missing_ok=True)
        failpoint("prune:partial")
        shutil.rmtree(snap.path, ignore_errors=True)

    def previous(self) -> Snapshot | None:
        """The newest complete snapshot older than the live one that this
        program can read (snapshots of an earlier schema version are skipped)."""
        current = self.current_name()
        older = [s for s in self.snapshots() if (current is None or s.name < current)
                 and _schema_version(s) == SCHEMA_VERSION]
        return older[-1] if older else None


def require_schema(name: str, meta: dict[str, Any], remedy: str) -> None:
    """Refuse (:class:`SchemaMismatchError`) a snapshot of another schema version."""
    version = meta.get("schema_version")
    if version != SCHEMA_VERSION:
        raise SchemaMismatchError(f"snapshot {name} has schema version {version}, this program reads "
                                  f"version {SCHEMA_VERSION}: {remedy}")


def _schema_version(snap: Snapshot) -> Any:
    try:
        return snap.meta().get("schema_version")
    except CorruptSnapshotError:
        return None


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _manifest(folder: Path, known: dict[tuple[int, int], dict[str, Any]]) -> dict[str, Any]:
    files: dict[str, Any] = {}
    for entry in sorted(folder.iterdir()):
        if not entry.is_file() or entry.name == META_FILE or entry.name.endswith("WRITELOCK"):
            continue
        st = entry.stat()
        info = known.get((st.st_ino, st.st_size))
        files[entry.name] = info or {"size": st.st_size, "sha256": _sha256(entry)}
    return files


def verify_files(snap: Snapshot, meta: dict[str, Any] | None = None, deep: bool = False) -> list[str]:
    """What is wrong with a snapshot's files (empty when nothing is).

    Shallow: every file of the manifest exists with its recorded size (one
    ``stat`` each, done once per snapshot open).  Deep: contents hashed too.
    """
    meta = meta if meta is not None else snap.meta()
    problems = []
    for fname, info in meta.get("files", {}).items():
        path = snap.path / fname
        try:
            size = path.stat().st_size
        except OSError:
            problems.append(f"{fname} is missing")
            continue
        if size != info.get("size"):
            problems.append(f"{fname} has {size} bytes, expected {info.get('size')}")
        elif deep and _sha256(path) != info.get("sha256"):
            problems.append(f"{fname} content does not match its checksum")
    return problems


def _fsync_path(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _write_atomic(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + f".tmp{os.getpid()}")
    with open(tmp, "w", encoding="utf-8") as fh:
        fh.write(text)
        fh.flush()
        os.fsync(fh.fileno())
    if path.name == "CURRENT":
        failpoint("switch:tmp-written")
    os.replace(tmp, path)
    _fsync_path(path.parent)
