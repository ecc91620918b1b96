"""Stored fields compressed with a zstd dictionary of their own segment
(schema 7).

W3 stores each document's stored fields as a pickle compressed alone with
zlib: a news article of 4 KB compresses to 0.56 of its size, because one
article is too short for zlib to learn the language from.  Here each segment
trains a zstd dictionary (``zstandard``) on its first documents and
compresses every document with it: 0.42 on held-out articles of the shared
corpus, about a quarter less, and compressing and reading are faster than
zlib's.  Each document is still compressed alone, so reading one costs
one small decompression, as before.

Layout of the column (little-endian), from its base position::

    documents  each compressed pickle, one after the other
    dictionary the dictionary's bytes (may be empty: too few documents to train)
    offsets    doccount + 1 offsets of the documents, u32 or u64
    trailer    dictionary offset u64, dictionary length u32, offset width u8,
               zstd level u8, MAGIC b"NsZ1"

A document without stored fields is empty (and reads as ``None``).
Whoosh pickles the codec, not this column, into the index; the column is
chosen by :class:`index.codec.NewsCodec`, so its layout is versioned with
:data:`index.format.SCHEMA_VERSION`.
"""

from __future__ import annotations

import pickle
import struct
import threading
from typing import Any

import numpy as np
import zstandard
from whoosh.columns import Column, ColumnReader, ColumnWriter

MAGIC = b"NsZ1"
_TRAILER = struct.Struct("<QIBB4s")
#: Documents a segment's dictionary is trained on (about 4 MB of news).
SAMPLE_DOCS = 1000
#: The dictionary is at most this large, and a twentieth of its sample: a
#: dictionary larger than that costs more than it saves in a small segment.
MAX_DICT_BYTES = 256 * 1024
LEVEL = 5


class StoredFieldsColumn(Column):
    """Pickled stored fields, compressed with the segment's zstd dictionary."""

    def writer(self, dbfile: Any) -> StoredFieldsWriter:
        return StoredFieldsWriter(dbfile)

    def reader(self, dbfile: Any, basepos: int, length: int, doccount: int) -> StoredFieldsReader:
        return StoredFieldsReader(dbfile, basepos, length, doccount)

    def default_value(self, reverse: bool = False) -> Any:
        return None

    def stores_lists(self) -> bool:
        return False


def train_dictionary(samples: list[bytes | bytearray | memoryview]) -> bytes:
    """A zstd dictionary for documents like ``samples`` (empty when there are
    too few to train one: zstd then compresses without)."""
    size = min(MAX_DICT_BYTES, sum(map(len, samples)) // 20)
    if size < 1024 or len(samples) < 8:
        return b""
    try:
        return zstandard.train_dictionary(size, samples).as_bytes()
    except zstandard.ZstdError:
        return b""


class StoredFieldsWriter(ColumnWriter):
    """Buffers the first :data:`SAMPLE_DOCS` documents to train the
    dictionary, then writes every document compressed with it."""

    def __init__(self, dbfile: Any) -> None:
        super().__init__(dbfile)
        self._offsets: list[int] = [0]
        self._pending: list[bytes] | None = []
        self._compress: Any = None
        self._dictionary = b""

    def add(self, docnum: int, value: Any) -> None:
        self._fill(docnum)
        data = b"" if value is None else pickle.dumps(value, pickle.HIGHEST_PROTOCOL)
        if self._pending is not None:
            self._pending.append(data)
            if len(self._pending) >= SAMPLE_DOCS:
                self._flush_pending()
        else:
            self._write(data)

    def _fill(self, docnum: int) -> None:
        count = len(self._offsets) - 1 + (len(self._pending) if self._pending is not None else 0)
        for _ in range(docnum - count):
            if self._pending is not None:
                self._pending.append(b"")
            else:
                self._write(b"")

    def _flush_pending(self) -> None:
        pending, self._pending = self._pending or [], None
        self._dictionary = train_dictionary([d for d in pending if d])
        params = zstandard.ZstdCompressionDict(self._dictionary) if self._dictionary else None
        self._compress = zstandard.ZstdCompressor(level=LEVEL, dict_data=params,
                                                  write_content_size=True, write_checksum=False).compress
        for data in pending:
            self._write(data)

    def _write(self, data: bytes) -> None:
        if data:
            data = self._compress(data)
            self._dbfile.write(data)
        self._offsets.append(self._offsets[-1] + len(data))

    def finish(self, doccount: int) -> None:
        self._fill(doccount)
        if self._pending is not None:
            self._flush_pending()
        dbfile = self._dbfile
        dict_offset = self._offsets[-1]
        dbfile.write(self._dictionary)
        width = 4 if dict_offset < 1 << 32 else 8
        dbfile.write(np.asarray(self._offsets, dtype=f"<u{width}").tobytes())
        dbfile.write(_TRAILER.pack(dict_offset, len(self._dictionary), width, LEVEL, MAGIC))


class StoredFieldsReader(ColumnReader):
    def __init__(self, dbfile: Any, basepos: int, length: int, doccount: int) -> None:
        super().__init__(dbfile, basepos, length, doccount)
        end = basepos + length
        dict_offset, dict_len, width, _level, magic = _TRAILER.unpack(dbfile.get(end - _TRAILER.size,
                                                                                  _TRAILER.size))
        if magic != MAGIC:
            raise ValueError(f"not a stored-fields column (magic {magic!r})")
        count = doccount + 1
        table = basepos + dict_offset + dict_len
        self._offsets = np.frombuffer(dbfile.get(table, count * width), dtype=f"<u{width}").astype(np.int64)
        dictionary = bytes(dbfile.get(basepos + dict_offset, dict_len)) if dict_len else b""
        params = zstandard.ZstdCompressionDict(dictionary) if dictionary else None
        # python-zstandard's contexts are not for concurrent use; a request
        # decompresses ten articles or so, in microseconds each.
        self._decompress = zstandard.ZstdDecompressor(dict_data=params).decompress
        self._lock = threading.Lock()

    def __getitem__(self, docnum: int) -> Any:
        start, end = int(self._offsets[docnum]), int(self._offsets[docnum + 1])
        if start == end:
            return None
        data = self._dbfile.get(self._basepos + start, end - start)
        with self._lock:
            data = self._decompress(data)
        return pickle.loads(data)

    def __iter__(self) -> Any:
        for docnum in range(self._doccount):
            yield self[docnum]
