"""Copy the indexer's live snapshot to a reader host: ``newsearch sync``.

A newsroom with several search hosts runs one indexer (``build``/``update``)
and readers that follow it.  Snapshots are immutable and share unchanged
files by hard links, so a reader needs only the files its own live snapshot
lacks: :func:`sync` copies ``SOURCE/snapshots/<name>/`` (``<name>`` read from
``SOURCE/CURRENT``) with Debian's ``rsync --link-dest`` against the reader's
snapshots, so unchanged files become hard links and only new segment files
travel.  The copy is written under ``snapshots/.tmp-<name>``, checked
against the snapshot's own ``meta.json`` (sizes and SHA-256 of every file)
and only then published as a build is (:meth:`IndexStore.install`): a
crash, a dropped connection or a damaged file leaves the reader serving
its previous snapshot, and the next run clears the debris.

SOURCE is anything rsync accepts as a source directory: a local path
(``/srv/newsearch/index``) or a remote one (``indexer:/srv/newsearch/index/``,
over ssh).  As for rsync, a colon before the first slash means a remote
host; write a local relative path containing a colon as ``./a:b``.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .faults import failpoint
from .store import (DEFAULT_KEEP, META_FILE, TMP_PREFIX, CorruptSnapshotError, IndexStore, Snapshot,
                    StoreError, require_schema, verify_files)

#: rsync gives up when no data moves for this long (seconds), so a dead
#: network cannot hold the lock forever (every later cron run would exit 75).
RSYNC_IO_TIMEOUT = 300
#: rsync accepts at most 20 ``--link-dest`` directories.
MAX_LINK_DEST = 20
#: What a snapshot name read from a source may look like (it becomes a path).
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}")
_PROGRESS = re.compile(r"\d%")

ProgressFn = Callable[[str], None]


class SyncError(StoreError):
    """The sync could not complete; the reader's live index is untouched."""


@dataclass
class SyncReport:
    """What one sync did; ``changed`` is False when the reader was current."""

    source: str
    snapshot: str
    changed: bool = False
    files: int = 0
    linked: int = 0
    copied: int = 0
    bytes_sent: int = 0  # rsync's "Total bytes sent" + "received": what crossed the wire
    file_bytes: int = 0  # rsync's "Total transferred file size": data of the files copied
    seconds: float = 0.0
    pruned: list[str] = field(default_factory=list)

    def add_stats(self, stats: Counter[str]) -> None:
        """Count one rsync run's ``--stats`` (every run of a sync is counted,
        the small reads of ``CURRENT`` and ``meta.json`` included)."""
        self.bytes_sent += stats["Total bytes sent"] + stats["Total bytes received"]
        self.file_bytes += stats["Total transferred file size"]

    def summary(self) -> str:
        if not self.changed:
            return f"sync: already at snapshot {self.snapshot} ({self.source})"
        return (f"sync: snapshot {self.snapshot} from {self.source} ({self.files} files: "
                f"{self.linked} linked, {self.copied} copied), {_human(self.bytes_sent)} transferred, "
                f"{self.seconds:.1f} s")


def sync(source: str, store: IndexStore, keep: int = DEFAULT_KEEP, *,
         on_progress: ProgressFn | None = None, rsync: str = "rsync") -> SyncReport:
    """Make ``store`` serve the snapshot that ``source``'s ``CURRENT`` names.

    Holds the store's lock (:class:`LockedError` when another run has it).
    A snapshot of another schema version is refused before anything is
    copied (:class:`SchemaMismatchError`); a copy that does not match its
    manifest is discarded (:class:`SyncError`).  ``on_progress`` receives
    rsync's progress lines while files are copied.
    """
    started = time.monotonic()
    with store.lock("sync"):
        failpoint("sync:locked")
        staging = store.new_tmp_dir("sync-" + os.urandom(4).hex())
        try:
            stats = _rsync(rsync, [_join(source, "CURRENT"), str(staging.absolute()) + "/"],
                           f"cannot read {_join(source, 'CURRENT')}")
            name = _snapshot_name(staging / "CURRENT", source)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        report = SyncReport(source=source, snapshot=name)
        report.add_stats(stats)
        if store.current_name() == name:
            report.seconds = time.monotonic() - started
            return report
        remote_dir = _join(source, f"snapshots/{name}/")
        tmp = store.new_tmp_dir(name)
        try:
            # The manifest first: a snapshot this program cannot read is
            # refused before its gigabytes are copied.
            report.add_stats(_rsync(rsync, [remote_dir + META_FILE, str(tmp.absolute()) + "/"],
                                    f"cannot read {remote_dir}{META_FILE}"))
            meta = _manifest(Snapshot(name, tmp))
            failpoint("sync:fetched")
            report.add_stats(_rsync(rsync, _copy_args(store, remote_dir, tmp, on_progress is not None),
                                    f"cannot copy {remote_dir}", on_progress, point="sync:copying"))
            failpoint("sync:copied")
            damage = verify_files(Snapshot(name, tmp), meta, deep=True)
            if damage:
                raise SyncError(f"the copy of snapshot {name} from {source} does not match its manifest: "
                                f"{damage[0]}" + (f" (and {len(damage) - 1} more)" if len(damage) > 1 else "")
                                + "; the live index is unchanged")
            failpoint("sync:verified")
            _count(report, tmp, meta)
            before = {s.name for s in store.snapshots()}
            store.install(tmp, name, keep)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        report.pruned = sorted(before - {s.name for s in store.snapshots()} - {name})
        report.changed = True
        report.seconds = time.monotonic() - started
    return report


def _join(source: str, rel: str) -> str:
    """``rel`` inside the rsync source directory ``source``."""
    if source.endswith(("/", ":")):
        return source + rel
    return source + "/" + rel


def _snapshot_name(current: Path, source: str) -> str:
    try:
        name = current.read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError) as exc:
        raise SyncError(f"cannot read {_join(source, 'CURRENT')}: {exc}") from exc
    if not _NAME.fullmatch(name) or name.startswith(TMP_PREFIX):
        raise SyncError(f"{_join(source, 'CURRENT')}: {name[:80]!r} is not a snapshot name")
    return name


def _manifest(snap: Snapshot) -> dict[str, Any]:
    """The fetched ``meta.json``, checked for what verification relies on."""
    try:
        meta = snap.meta()
    except CorruptSnapshotError as exc:
        raise SyncError(str(exc)) from exc
    require_schema(snap.name, meta, "upgrade newsearch on this host (or the indexer) so both read "
                                    "the same version")
    files = meta.get("files")
    if (meta.get("snapshot") != snap.name or not isinstance(files, dict) or not files
            or any("/" in f or f.startswith(".") for f in files)):
        raise SyncError(f"snapshot {snap.name}: {META_FILE} does not describe this snapshot's files")
    return meta


def _copy_args(store: IndexStore, remote_dir: str, tmp: Path, progress: bool) -> list[str]:
    """rsync arguments copying the snapshot's files (not Whoosh's empty
    scratch directories or lock files) with hard links to the same files of
    the local snapshots, the live one first, then the newest."""
    live = store.current_name()
    others = sorted((s for s in store.snapshots() if s.name != live), key=lambda s: s.name, reverse=True)
    local = [s for s in store.snapshots() if s.name == live] + others
    args = ["--exclude=*/", "--exclude=*WRITELOCK", "--info=progress2" if progress else "--info=name1"]
    args += [f"--link-dest={s.path.absolute()}" for s in local[:MAX_LINK_DEST]]
    return args + [remote_dir, str(tmp.absolute()) + "/"]


def _count(report: SyncReport, tmp: Path, meta: dict[str, Any]) -> None:
    """Files hard-linked from a local snapshot (a fresh copy has one link)
    versus copied."""
    for fname in meta["files"]:
        report.files += 1
        if (tmp / fname).stat().st_nlink > 1:
            report.linked += 1
        else:
            report.copied += 1


def _rsync(rsync: str, args: list[str], what: str, on_progress: ProgressFn | None = None,
           point: str | None = None) -> Counter[str]:
    """Run rsync with ``args``; its ``--stats`` figures.  A failure raises
    :class:`SyncError` starting with ``what`` and ending with rsync's reason.
    The failpoint ``point`` is reached once rsync reports its first output
    (with ``--info=name1``: the first file copied)."""
    cmd = [rsync, "--archive", "--stats", f"--timeout={RSYNC_IO_TIMEOUT}", *args]
    env = dict(os.environ, LC_ALL="C")
    with tempfile.TemporaryFile() as err:
        try:
            proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=err, env=env,
                                    preexec_fn=_die_with_parent(os.getpid()))
        except FileNotFoundError:
            raise SyncError(f"{what}: {rsync} is not installed (Debian: apt-get install rsync)") from None
        assert proc.stdout is not None
        with proc.stdout:
            out = _read_output(proc.stdout, on_progress, point)
        status = proc.wait()
        err.seek(0)
        reason = [line for line in err.read().decode("utf-8", "replace").splitlines() if line.strip()]
    if status != 0:
        raise SyncError(f"{what}: " + (reason[0] if reason else f"rsync exited with status {status}")
                        + f" (rsync status {status}); the live index is unchanged")
    return _parse_stats(out)


def _read_output(stream: Any, on_progress: ProgressFn | None, point: str | None) -> str:
    """rsync's stdout; with ``on_progress``, each progress line
    (``--info=progress2``) is passed on as it comes."""
    chunks: list[str] = []
    pending = ""
    while True:
        chunk = stream.read1(65536)
        if not chunk:
            break
        if point:
            failpoint(point)
            point = None
        text = chunk.decode("utf-8", "replace")
        chunks.append(text)
        if on_progress is not None:
            pending += text
            *done, pending = re.split(r"[\r\n]", pending)
            for line in done:
                if _PROGRESS.search(line):
                    on_progress(line.strip())
    return "".join(chunks)


def _parse_stats(text: str) -> Counter[str]:
    stats: Counter[str] = Counter()
    for line in text.splitlines():
        m = re.match(r"\s*([A-Z][A-Za-z ]+):\s*([\d,.]+)", line.split("\r")[-1])
        if m:
            try:
                stats[m.group(1).strip()] = int(m.group(2).replace(",", "").split(".")[0])
            except ValueError:
                continue
    return stats


def _die_with_parent(parent: int) -> Callable[[], None]:
    """A ``preexec_fn`` asking Linux to kill rsync when this process dies
    (even by ``kill -9``), so no orphan keeps writing into a directory the
    next run clears."""
    try:
        import ctypes

        prctl = ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):  # not Linux: an orphaned rsync may finish its copy
        prctl = None

    def preexec() -> None:
        if prctl is not None:
            prctl(1, 9)  # PR_SET_PDEATHSIG, SIGKILL
        if os.getppid() != parent:
            os._exit(1)

    return preexec


def _human(n: int) -> str:
    size = float(n)
    for unit in ("bytes", "kB", "MB", "GB"):
        if size < 1000 or unit == "GB":
            return f"{int(size)} {unit}" if unit == "bytes" else f"{size:.1f} {unit}"
        size /= 1000
    return f"{n} bytes"  # pragma: no cover
