"""When each article entered the index, and how a rebuild keeps it.

Every document records ``indexed_at``: the UTC time of the build or update
that wrote this version of the article — stored as ISO 8601 text and, in the
``indexed_ts`` column, as epoch seconds that a search reads as one numpy
array per segment (feeds list the matching articles most recently added).

**The carry-over rule.** ``newsearch update`` leaves an article whose content
digest is already live untouched, so it keeps its stamp; a new or changed
article gets the update's stamp.  A full ``newsearch build`` (a nightly
cron) must not make the whole archive look new, so it applies the same
rule: an article whose digest is live in the snapshot being replaced keeps
that document's stamp (:class:`CarryOver`), every other article gets the
build's.  The digest (:func:`index.schema.content_digest`) covers the
article's id and everything indexed about it, not the file it was read
from, so "same digest" means "same id, same text".  An *edited* article
(a corrected headline, an added paragraph) is therefore stamped anew by a
build exactly as by an update: to a subscriber, a corrected article is news
again; its feed entry keeps its id (the article id), so a feed reader shows
it as updated rather than as a second article.

Only a live snapshot of the current schema version is read; after an
upgrade of the schema (or when the live snapshot cannot be read) the build
stamps every article with its own time, once, and says so in the log.

The map lives in two numpy arrays (sorted 20-byte digests and their
stamps, about 28 bytes an article): a build's worker processes are forked
after it is read, so they share it instead of each receiving a copy.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
from pathlib import Path
from typing import Any

import numpy as np
from whoosh import columns, fields

from .columns import fixed_column

_log = logging.getLogger(__name__)

#: The column holding each document's ``indexed_at`` as epoch seconds.
STAMP_COLUMN = "indexed_ts"
#: The column holding each document's content digest (raw SHA-1 bytes).
DIGEST_COLUMN = "digest_col"
DIGEST_BYTES = 20
_STAMP_DTYPE = np.dtype(">i8")  # Whoosh's NumericColumn("q") is big-endian
_DIGEST_DTYPE = np.dtype(f"S{DIGEST_BYTES}")


def schema_fields() -> dict[str, Any]:
    """The schema's fields for stamps (see :func:`index.schema.build_schema`)."""
    return {
        "indexed_at": fields.STORED(),
        STAMP_COLUMN: fields.COLUMN(columns.NumericColumn("q", default=0)),
        DIGEST_COLUMN: fields.COLUMN(columns.FixedBytesColumn(DIGEST_BYTES)),
    }


def now_stamp() -> str:
    """The stamp of a build or update starting now: UTC, to the second."""
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")


def epoch_seconds(stamp: str) -> int:
    """An ISO 8601 stamp (with its zone) as seconds since 1970."""
    return int(dt.datetime.fromisoformat(stamp).timestamp())


@functools.lru_cache(maxsize=4096)  # a build carries over a few distinct stamps, a million times
def stamp_of(seconds: int) -> str:
    """Epoch seconds as the ISO 8601 UTC stamp :func:`now_stamp` writes."""
    return dt.datetime.fromtimestamp(seconds, dt.timezone.utc).isoformat(timespec="seconds")


def stamp_fields(digest: str, stamp: str) -> dict[str, Any]:
    """A document's stamp fields, for its hex ``digest`` and ISO ``stamp``."""
    return {"indexed_at": stamp, STAMP_COLUMN: epoch_seconds(stamp), DIGEST_COLUMN: bytes.fromhex(digest)}


def segment_stamps(reader: Any) -> np.ndarray:
    """A segment's ``indexed_ts`` (epoch seconds, int64) by docnum; 0 where unknown."""
    return fixed_column(reader, STAMP_COLUMN, _STAMP_DTYPE, 0).astype(np.int64)


class CarryOver:
    """``digest → indexed_ts`` of the live documents of a snapshot (see the
    module docstring): :meth:`apply` gives a document whose digest is there
    its earlier stamp."""

    def __init__(self, digests: np.ndarray, stamps: np.ndarray) -> None:
        order = np.argsort(digests, kind="stable")
        self.digests = digests[order]
        self.stamps = stamps[order]

    def __len__(self) -> int:
        return len(self.digests)

    @classmethod
    def empty(cls) -> CarryOver:
        return cls(np.zeros(0, dtype=_DIGEST_DTYPE), np.zeros(0, dtype=np.int64))

    @classmethod
    def of_index(cls, path: str | Path) -> CarryOver:
        """The live documents' digests and stamps of the Whoosh index at ``path``."""
        from whoosh import index as windex

        ix = windex.open_dir(str(path), readonly=True)
        digests: list[np.ndarray] = []
        stamps: list[np.ndarray] = []
        with ix.reader() as reader:
            for sub, _ in reader.leaf_readers():
                d = fixed_column(sub, DIGEST_COLUMN, _DIGEST_DTYPE, b"")
                s = segment_stamps(sub)
                keep = (s > 0) & (d != b"")
                if sub.has_deletions():
                    keep[np.fromiter(sub.segment().deleted_docs(), dtype=np.int64)] = False
                digests.append(d[keep])
                stamps.append(s[keep])
        if not digests:
            return cls.empty()
        return cls(np.concatenate(digests), np.concatenate(stamps))

    def stamp(self, digest: str) -> int | None:
        """The earlier stamp (epoch seconds) of the hex ``digest``, or None."""
        if not len(self.digests):
            return None
        key = np.array(bytes.fromhex(digest), dtype=_DIGEST_DTYPE)
        i = int(np.searchsorted(self.digests, key))
        if i < len(self.digests) and self.digests[i] == key:
            return int(self.stamps[i])
        return None

    def apply(self, doc: dict[str, Any]) -> dict[str, Any]:
        """``doc`` (from :func:`index.schema.to_document`) with its earlier
        stamp when its digest is live in the replaced snapshot."""
        earlier = self.stamp(doc["digest"])
        if earlier is not None:
            doc["indexed_at"] = stamp_of(earlier)
            doc[STAMP_COLUMN] = earlier
        return doc


def live_carry_over(store: Any) -> CarryOver:
    """The carry-over map of ``store``'s live snapshot (an :class:`index.store.IndexStore`);
    empty, with a logged reason, when there is none or it cannot be read."""
    from .store import NoIndexError

    try:
        snap = store.current()
        store.open(snap)  # checks the schema version and the files' sizes
        return CarryOver.of_index(snap.path)
    except NoIndexError:
        return CarryOver.empty()
    except Exception as exc:  # a damaged or older snapshot must not stop a build
        _log.warning("articles keep no earlier indexed_at: the live snapshot cannot be read (%s); "
                     "every article gets this build's time", exc)
        return CarryOver.empty()
