"""The on-disk format's version, and the one Whoosh release it is written for.

A snapshot records :data:`SCHEMA_VERSION` in its ``meta.json``; readers refuse
a snapshot of another version instead of misreading it (``newsearch build``
makes a new one).  Bump it whenever a field, an analyzer, a posting format or
the import path of anything Whoosh pickles into the index (:mod:`index.schema`,
:mod:`index.analysis`, :mod:`index.postings`, :mod:`index.codec`) changes.

The codec and writers reach into about 30 private names of Whoosh 2.7.4
(its W3 codec, posting blocks, scorer and span queries), so exactly that
release is required: :func:`require_whoosh` says so clearly at start-up
instead of failing somewhere deep in a build or a query.
"""

from __future__ import annotations

#: 3: positions packed as uint32 (:class:`index.postings.PackedPositions`).
#: 4: kicker and summary text fields, multi-valued authors, page fields;
#: marks of any combining class join their base; Traditional characters of
#: CJK extensions G and H are simplified.
#: 5: posting lists too long to inline are one numpy-readable record each
#: (:mod:`index.packed`) instead of W3's pickled blocks.
#: 6: short posting lists inlined compactly in the term dictionary
#: (:mod:`index.inline`) instead of pickled; when each article was indexed
#: as a numeric column (``indexed_ts``) and its content digest as a column
#: (``digest_col``), for feeds (:mod:`index.stamps`).
#: The snapshot carries the vocabulary (``vocab.tsv``) and the word
#: analyzer records its names, added to jieba's dictionary (issue 14).
#: ``stories.npz`` (versions of one story, :mod:`index.stories`) and an id column.
#: People, places and organisations per article (:mod:`index.entities`):
#: ``people_col``/``people_x_col``/``people_m`` and the same for places and orgs.
#: Each snapshot carries its suggestion file (suggest.json, :mod:`index.suggestions`).
#: 7: the term dictionary's hash tables hold bare item positions, 6 bytes a term
#: instead of 24 (:class:`index.codec._HashSlots`), under its own magic; stored
#: fields compressed with a zstd dictionary per segment (:mod:`index.storedcol`);
#: story signatures in immutable chunk files beside ``stories.npz``.
SCHEMA_VERSION = 7
#: The Whoosh release the codec and writers are written against (pinned in pyproject.toml).
WHOOSH_VERSION = (2, 7, 4)


class WhooshVersionError(ImportError):
    """The installed Whoosh is not the release this program needs."""


def require_whoosh(installed: tuple[int, ...] | None = None) -> None:
    """Raise :class:`WhooshVersionError` unless Whoosh :data:`WHOOSH_VERSION` is installed."""
    if installed is None:
        import whoosh

        installed = tuple(whoosh.__version__)
    if tuple(installed) != WHOOSH_VERSION:
        want = ".".join(map(str, WHOOSH_VERSION))
        have = ".".join(map(str, installed))
        raise WhooshVersionError(f"newsearch needs Whoosh {want} exactly (its index format depends on that "
                                 f"release's internals), but Whoosh {have} is installed: "
                                 f"pip install 'whoosh=={want}'")
