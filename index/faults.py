"""Failpoints: named places where tests make a build crash or run out of space.

``NEWSEARCH_FAILPOINT=name`` makes the process kill itself with SIGKILL (as
``kill -9`` would) when it reaches that point; ``name:enospc`` raises
``OSError(ENOSPC)`` there instead, as a full disk would.  Unset (always, in
production) a failpoint costs one dictionary lookup.
"""

from __future__ import annotations

import errno
import os
import signal

ENV = "NEWSEARCH_FAILPOINT"

#: Every failpoint, in the order a build, update or sync reaches them.
POINTS = (
    "build:locked",
    "build:created",
    "build:ingest",  # after the first batch of articles went to the workers
    "worker:segment",  # a worker, before it writes its segment
    "build:segments",  # all segments written, no TOC yet
    "build:toc",
    "update:linked",
    "update:ingest",
    "update:commit",
    "publish:meta",
    "publish:fsync",
    "publish:renamed",
    "publish:switched",
    "publish:pruned",
    "switch:tmp-written",
    "prune:partial",
    "rollback:locked",
    "sync:locked",
    "sync:fetched",  # the source's CURRENT and meta.json read, nothing copied yet
    "sync:copying",  # rsync reported its first copied file (mid-copy)
    "sync:copied",
    "sync:verified",  # the copy matches its manifest; next: install (publish:fsync …)
)


def failpoint(name: str) -> None:
    """Crash here if the environment asks for it (see the module docstring)."""
    wanted = os.environ.get(ENV)
    if not wanted:
        return
    if wanted == name:
        os.kill(os.getpid(), signal.SIGKILL)
    elif wanted == name + ":enospc":
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), name)
