"""The Whoosh codec of our indexes: Whoosh's W3 format with these changes.

* A posting list too long to inline is one record of :mod:`index.packed`
  (typed arrays numpy reads in a few calls) instead of W3's pickled blocks;
  :meth:`NewsCodec.postings_reader` serves it to Whoosh as a
  ``ListMatcher``, so Whoosh's searching and merging work unchanged.
* Posting lists of up to ``inlinelimit`` documents are stored inline in the
  term dictionary, compactly (:mod:`index.inline`).  Character bigrams give
  millions of rare terms: W3's default (inline only single postings, one
  zlib'd block for anything more) cost about 200 bytes per rare term, W3's
  pickled inlining about 108.
* Writing postings skips per-posting assertions and length look-ups for
  unscored fields.
* The per-document reader remembers that a field has no length column.
  Stock W3 asks the file system (``os.stat``) once per posting for every
  unscored field while writing, which dominated build time.
* An inlined posting list of a field without values reads with ``None``
  values, as a block's does, so Whoosh's own merge accepts it.
* The term dictionary (W3's ordered hash file) hashes keys with CRC-32, a
  type the file format has always offered (the reader takes it from the
  file's header), instead of MD5, and takes a field's terms in one call
  (:meth:`_TermsWriter.add_many`), and its hash tables hold bare
  positions, 6 bytes a term instead of 24 (:class:`_HashSlots`).
* Stored fields are compressed with a zstd dictionary trained per segment
  (:mod:`index.storedcol`) instead of zlib per document.

The codec object is pickled into each segment, so this import path is part
of the on-disk format (see :data:`index.format.SCHEMA_VERSION`).
"""

from __future__ import annotations

import mmap
import struct
from array import array
from collections.abc import Sequence
from typing import Any
from zlib import crc32

from whoosh.codec.whoosh3 import (
    W3Codec,
    W3FieldCursor,
    W3FieldWriter,
    W3PerDocReader,
    W3PerDocWriter,
    W3PostingsWriter,
    W3TermInfo,
    W3TermsReader,
)
from whoosh.filedb.filetables import HashWriter, OrderedHashReader, OrderedHashWriter
from whoosh.matching import ListMatcher
from whoosh.reading import TermNotFound
from whoosh.util.numlists import GrowableArray

from .inline import InlineList, decode_inline, encode_inline, is_inline
from .packed import HEADER_SIZE, encode, matcher_lists, read_extent
from .postings import PackedPositions
from .storedcol import StoredFieldsColumn

_MISSING = object()
_STORED = StoredFieldsColumn()


class _PerDocWriter(W3PerDocWriter):
    """W3's per-document writer with stored fields in a :class:`StoredFieldsColumn`."""

    def _create_column(self, fieldname: str, column: Any) -> None:
        super()._create_column(fieldname, _STORED if fieldname == "_stored" else column)


class _PerDocReader(W3PerDocReader):
    def stored_fields(self, docnum: int) -> dict[str, Any]:
        return self._cached_reader("_stored", _STORED)[docnum] or {}

    def _cached_reader(self, fieldname: str, column: Any) -> Any:
        reader = self._readers.get(fieldname, _MISSING)
        if reader is _MISSING:
            reader = super()._cached_reader(fieldname, column)
            self._readers[fieldname] = reader
        return reader


class _PostingsWriter(W3PostingsWriter):
    """W3's postings writer, but a list too long to inline is buffered whole
    and written at :meth:`finish_postings` as one record of
    :mod:`index.packed` instead of blocks of ``blocklimit`` postings."""

    # set by W3PostingsWriter; declared for the type checker
    _maxweight: float
    _minlength: int | None
    _maxlength: int
    _terminfo: Any
    _format: Any
    _ids: Any
    _weights: Any
    _values: list[bytes]
    _postfile: Any

    def add_posting(self, id_: int, weight: float, vbytes: bytes, length: int | None = None) -> None:
        # W3's version, without its per-posting type assertions and blocks;
        # every value is kept (empty ones too) so they stay aligned with ids.
        self._ids.append(id_)
        self._weights.append(weight)
        if weight > self._maxweight:
            self._maxweight = weight
        self._values.append(vbytes)
        if length:
            if self._minlength is None or length < self._minlength:
                self._minlength = length
            if length > self._maxlength:
                self._maxlength = length

    def finish_postings(self) -> Any:
        # W3 calls a misspelled ``set_inline`` here, so stock Whoosh can
        # never inline.
        terminfo = self._terminfo
        terminfo.add_block(self)
        if len(self) < self._inlinelimit:
            fmt = self._format
            packed = encode_inline(self._ids, self._weights, self._values, isinstance(fmt, PackedPositions),
                                   float(fmt.field_boost), length_byte(self._minlength),
                                   length_byte(self._maxlength))
            self._terminfo = None
            info = TermInfo()
            info._packed = packed
            return info
        else:
            fmt = self._format
            record = encode(self._ids, self._weights, self._values, isinstance(fmt, PackedPositions),
                            float(fmt.field_boost), fmt.fixed_value_size())
            terminfo.set_extent(self._postfile.tell(), len(record))
            self._postfile.write(record)
        self._terminfo = None
        return terminfo


def length_byte(length: int | None) -> int:
    """A field length as W3's one-byte approximation (0 for none)."""
    from whoosh.util.numeric import length_to_byte

    return 0 if not length else int(length_to_byte(length))


class TermInfo(W3TermInfo):
    """W3's term info, read and written compactly when its postings are
    inlined (:mod:`index.inline`).  Reading one is cheap (its few header
    bytes): the postings are decoded only when asked for, as arrays
    (``decoded``, for :mod:`search.arrays`) or as Whoosh's tuples."""

    _packed: bytes | None = None
    _decoded: InlineList | None = None

    def to_bytes(self) -> bytes:
        return self._packed if self._packed is not None else super().to_bytes()

    @classmethod
    def from_bytes(cls, s: bytes) -> TermInfo:
        if not is_inline(s):
            info: TermInfo = super().from_bytes(s)
            return info
        from whoosh.util.numeric import byte_to_length

        info = cls()
        info._packed = bytes(s)
        info._df = s[3]
        info._minlength = byte_to_length(s[1])
        info._maxlength = byte_to_length(s[2])
        return info

    @property
    def decoded(self) -> InlineList | None:
        """The inlined postings as arrays (None for a list in the ``.pst`` file)."""
        if self._decoded is None and self._packed is not None:
            self._decoded = decode_inline(self._packed)
        return self._decoded

    def is_inlined(self) -> bool:
        return self._packed is not None or super().is_inlined()

    def inlined_postings(self) -> Any:
        d = self.decoded
        if d is None:
            return super().inlined_postings()
        values = d.values()
        return tuple(d.ids.tolist()), tuple(d.weights.tolist()), tuple(values) if values else ()

    def weight(self) -> float:
        d = self.decoded
        return float(d.weights.sum()) if d is not None else super().weight()

    def max_weight(self) -> float:
        d = self.decoded
        return float(d.weights.max()) if d is not None else super().max_weight()

    def min_id(self) -> int:
        d = self.decoded
        return int(d.ids[0]) if d is not None else super().min_id()

    def max_id(self) -> int:
        d = self.decoded
        return int(d.ids[-1]) if d is not None else super().max_id()


class _FieldCursor(W3FieldCursor):
    def term_info(self) -> Any:
        if self._pos is None:
            return None
        return TermInfo.from_bytes(self._tindex.dbfile.get(self._datapos, self._datalen))


def read_only_map(fileno: int, random: bool) -> mmap.mmap | None:
    """A read-only map of the whole file, or None where it cannot be mapped
    (an empty file, a file system without maps: read as W3 does).

    With ``random`` the map is advised so: a page fault reads that page,
    not the kernel's read-around window, which is the device's read-ahead
    (8 MB on this machine's disk).  That suits the postings file, whose
    reader asks for each record's needed bytes itself.  The term
    dictionary is left to read-around: a cold 1,000,000-article index then
    read 41 MB a query from disk, where with every map advised random it
    read 7 MB, in 4 KB requests whose latency made the queries 40% slower
    (``bench/README.md``).
    """
    try:
        mapped = mmap.mmap(fileno, 0, access=mmap.ACCESS_READ)
    except (OSError, ValueError):
        return None
    if random and hasattr(mmap, "MADV_RANDOM"):
        mapped.madvise(mmap.MADV_RANDOM)
    return mapped


class _TermsReader(W3TermsReader):
    """W3's terms reader over :class:`_TermsHashReader`, decoding term infos
    with :class:`TermInfo`."""

    def __init__(self, codec: Any, dbfile: Any, length: int, postfile: Any) -> None:
        # W3TermsReader.__init__, with the compact-hash reader.
        self._codec = codec
        self._dbfile = dbfile
        self._tindex = _TermsHashReader(dbfile, length)
        self._fieldmap = self._tindex.extras["fieldmap"]
        self._postfile = postfile
        self._fieldunmap = [None] * len(self._fieldmap)
        for fieldname, num in self._fieldmap.items():
            self._fieldunmap[num] = fieldname
        self._postmap: Any = None
        self._postview: memoryview | None = None
        if getattr(postfile, "is_real", False):
            self._postmap = read_only_map(postfile.fileno(), random=True)
            if self._postmap is not None:
                self._postview = memoryview(self._postmap)

    def record(self, offset: int, length: int, positions: bool = True) -> bytes | memoryview:
        """The bytes of the posting record at ``offset`` in the postings file,
        of which the caller decodes the positions or not.

        Through the file's read-only map where it has one, without a copy,
        and reading from disk only what will be decoded: ranking decodes a
        record's documents and counts, not its positions (most of a word's
        record), and a read of the whole record copied them all (a fifth of
        the time of 1,000,000-article queries in py-spy).  The map reads
        nothing around a page it faults in (:func:`read_only_map`);
        the part of the record that is needed is asked for in one request.
        """
        view = self._postview
        if view is None:
            data: bytes = self._postfile.get(offset, length)
            return data
        need = length if positions else read_extent(view[offset:offset + HEADER_SIZE], length, False)
        start = offset - offset % mmap.PAGESIZE
        if offset + need - start > mmap.PAGESIZE:
            self._postmap.madvise(mmap.MADV_WILLNEED, start, offset + need - start)
        return view[offset:offset + length]

    def close(self) -> None:
        if self._postmap is not None:
            try:
                assert self._postview is not None
                self._postview.release()
                self._postmap.close()
            except BufferError:  # a view is still in use: the map closes when it goes
                pass
            self._postmap = self._postview = None
        super().close()

    def cursor(self, fieldname: str, fieldobj: Any) -> Any:
        return _FieldCursor(self._tindex, fieldname, self._keycoder, self._keydecoder, fieldobj)

    def items(self) -> Any:
        decode = self._keydecoder
        return ((decode(k), TermInfo.from_bytes(v)) for k, v in self._tindex.items())

    def items_from(self, fieldname: str, prefix: bytes) -> Any:
        decode = self._keydecoder
        return ((decode(k), TermInfo.from_bytes(v))
                for k, v in self._tindex.items_from(self._keycoder(fieldname, prefix)))

    def term_info(self, fieldname: str, tbytes: bytes) -> Any:
        try:
            return TermInfo.from_bytes(self._tindex[self._keycoder(fieldname, tbytes)])
        except KeyError:
            raise TermNotFound(f"No term {fieldname}:{tbytes!r}") from None

    # Whoosh's reader turns a KeyError (only) into 0 for a missing term.
    def frequency(self, fieldname: str, tbytes: bytes) -> float:
        return float(TermInfo.from_bytes(self._tindex[self._keycoder(fieldname, tbytes)]).weight())

    def doc_frequency(self, fieldname: str, tbytes: bytes) -> int:
        return int(TermInfo.from_bytes(self._tindex[self._keycoder(fieldname, tbytes)]).doc_frequency())


_CRC32_HASH = 1  # whoosh.filedb.filetables._hash_functions[1]
_LENGTHS = struct.Struct("!ii")
_TERMS_MAGIC = b"NsT7"
#: Hash slots read at once, and bytes read past a candidate key (see _TermsHashReader._find).
_SLOTS_READ = 8
_VALUE_READ = 96


class _HashSlots:
    """The hash tables of the term dictionary (schema 7).

    W3's tables hold two 12-byte slots per term (hash and position): 24
    bytes a term, a third of the ``.trm`` file when most terms are rare
    bigrams.  Here a slot is the item's position alone (``<I``, or ``<Q``
    for a file past 4 GiB, as the file's extras say), three slots for two
    terms: 6 bytes a term.  Without a stored hash a probe compares the key
    itself (one read of the item: lengths, key and the start of its value);
    at this load a hit takes about 2 probes and a miss about 5 (linear
    probing).
    """

    @staticmethod
    def slot_count(entries: int) -> int:
        return entries + (entries + 1) // 2 if entries else 0


class _TermsHashReader(OrderedHashReader):
    """Reads a term dictionary written by :class:`_TermsWriter`.

    Look-ups read the file through a read-only map where the file has a
    descriptor: a probe is then a slice, not a seek and a buffered read
    (0.2 instead of about 4 microseconds), which matters when every probe
    reads a key (``bench/term_lookup.py``: 6–9 microseconds a look-up on the
    shared corpus, 12 for W3's tables read with seeks; with ``os.pread``
    instead of the map, 20).  The pages
    a worker has touched count in its RSS as file-backed memory: page cache
    shared by every worker and dropped by the kernel under pressure, not
    memory the worker holds (``bench/scale.py`` reports the two apart).
    """

    def __init__(self, dbfile: Any, length: int) -> None:
        super().__init__(dbfile, length, magic=_TERMS_MAGIC)
        self._slot = struct.Struct("<" + self.extras["slots"])
        self._map: Any = None
        if getattr(dbfile, "is_real", False) and length:
            self._map = read_only_map(dbfile.fileno(), random=False)

    def _get(self, pos: int, length: int) -> bytes:
        if self._map is not None:
            return self._map[pos:pos + length]
        return self.dbfile.get(pos, length)

    def all(self, key: bytes) -> Any:
        found = self._find(key)
        if found is not None:
            datapos, datalen, value = found
            yield value if value is not None else self._get(datapos, datalen)

    def ranges_for_key(self, key: bytes) -> Any:
        found = self._find(key)
        if found is not None:
            yield found[0], found[1]

    def _find(self, key: bytes) -> tuple[int, int, bytes | None] | None:
        """``(data position, data length, the data if already read)`` of ``key``.

        Slots are read :data:`_SLOTS_READ` at a time and each candidate item
        with :data:`_VALUE_READ` bytes past its key, which hold most values
        (inlined posting lists), so a look-up is a few small reads."""
        keyhash = crc32(key)
        tablestart, numslots = self.tables[keyhash & 255]
        if not numslots:
            return None
        get = self._get
        width = self._slot.size
        fmt = self._slot
        want = _LENGTHS.pack(len(key), 0)[:4]
        span = _LENGTHS.size + len(key)
        slot = (keyhash >> 8) % numslots
        seen = 0
        while seen < numslots:
            n = min(_SLOTS_READ, numslots - slot, numslots - seen)
            for (itempos,) in fmt.iter_unpack(get(tablestart + slot * width, n * width)):
                if not itempos:
                    return None
                item = get(itempos, span + _VALUE_READ)
                if item[:4] == want and item[8:span] == key:
                    datalen = _LENGTHS.unpack(item[:8])[1]
                    value = item[span:span + datalen] if len(item) >= span + datalen else None
                    return itempos + span, datalen, value
            seen += n
            slot = (slot + n) % numslots
        return None

    def close(self) -> None:
        if self._map is not None:
            self._map.close()
            self._map = None
        super().close()


class _TermsWriter(OrderedHashWriter):
    """W3's ordered hash file of terms, CRC-32 hashed, written in bulk, with
    compact hash tables (:class:`_HashSlots`) and its own magic, so stock
    Whoosh refuses the file instead of misreading it."""

    def __init__(self, dbfile: Any) -> None:
        # OrderedHashWriter.__init__, with the hash type and magic given to HashWriter.
        HashWriter.__init__(self, dbfile, magic=_TERMS_MAGIC, hashtype=_CRC32_HASH)
        self.index = GrowableArray("H")
        self.lastkey = b""
        # Every term's item position, and per hash table its terms' hashes
        # and positions: arrays, not W3's (hash, position) tuples, which
        # took about 120 bytes a term until the segment was closed (a
        # build's segment has millions of terms).
        self._positions = array("Q")
        self._hashes = [array("I") for _ in range(256)]
        self._items = [array("Q") for _ in range(256)]

    def add(self, key: bytes, value: bytes) -> None:
        self.add_many([key], [value])

    def add_many(self, keys: Sequence[bytes], values: Sequence[bytes]) -> None:
        """Add ``keys`` (strictly increasing, after every key added before)."""
        if not keys:
            return
        if keys[0] <= self.lastkey:
            raise ValueError(f"Keys must increase: {self.lastkey!r}..{keys[0]!r}")
        dbfile = self.dbfile
        pos = dbfile.tell()
        positions = self._positions
        hashes = self._hashes
        items = self._items
        pack = _LENGTHS.pack
        parts: list[bytes] = []
        for key, value in zip(keys, values):
            h = crc32(key)
            positions.append(pos)
            hashes[h & 255].append(h)
            items[h & 255].append(pos)
            parts.append(pack(len(key), len(value)))
            parts.append(key)
            parts.append(value)
            pos += 8 + len(key) + len(value)
        dbfile.write(b"".join(parts))
        self.lastkey = keys[-1]

    def _write_hashes(self) -> None:
        # 256 tables of bare item positions (see _HashSlots), linear probing.
        dbfile = self.dbfile
        wide = bool(self._positions) and self._positions[-1] >= 1 << 32
        self.extras["slots"] = "Q" if wide else "I"
        for hashes, items in zip(self._hashes, self._items):
            numslots = _HashSlots.slot_count(len(hashes))
            self.directory.append((dbfile.tell(), numslots))
            if not numslots:
                continue
            table = [0] * numslots
            for h, position in zip(hashes, items):
                slot = (h >> 8) % numslots
                while table[slot]:  # positions are never 0 (header)
                    slot = (slot + 1) % numslots
                table[slot] = position
            dbfile.write(struct.pack(f"<{numslots}{self.extras['slots']}", *table))

    def _write_extras(self) -> None:
        positions = self._positions
        index = GrowableArray("H")
        if positions:
            index._retype(positions[-1])  # the smallest type for the last (largest) offset
            index.array.extend(iter(positions))  # an array of another type is refused
        self.index = index
        super()._write_extras()


class _FieldWriter(W3FieldWriter):
    _tindex: Any  # set by W3FieldWriter; declared for the type checker

    def __init__(self, codec: Any, storage: Any, segment: Any) -> None:
        super().__init__(codec, storage, segment)
        dbfile = self._tindex.dbfile  # W3 has written an MD5 hash file's header: start again
        dbfile.seek(0)
        dbfile.truncate()
        self._tindex = _TermsWriter(dbfile)
        self._fieldmap: dict[str, int] = {}
        self._tindex.extras["fieldmap"] = self._fieldmap

    def add_postings(self, schema: Any, lengths: Any, items: Any) -> None:
        """``FieldWriter.add_postings`` with the per-posting work cut down.

        Same contract: ``items`` are sorted ``(fieldname, btext, docnum,
        weight, value)`` postings.  Field lengths are looked up only for
        scorable fields (the others have none), and the postings writer is
        called directly.
        """
        lastfn = None
        lasttext = None
        lookup: Any = None
        add: Any = None
        for fieldname, btext, docnum, weight, value in items:
            if fieldname != lastfn:
                if lasttext is not None:
                    self.finish_term()
                if lastfn is not None:
                    self.finish_field()
                fieldobj = schema[fieldname]
                self.start_field(fieldname, fieldobj)
                lookup = lengths.doc_field_length if (lengths and fieldobj.scorable) else None
                add = self._postwriter.add_posting
                lastfn = fieldname
                lasttext = None
            if docnum == -1:  # spelling-graph entries: not used by our schema
                continue
            if btext != lasttext:
                if lasttext is not None:
                    self.finish_term()
                self.start_term(btext)
                lasttext = btext
            add(docnum, weight, value or b"", lookup(docnum, fieldname) if lookup else 0)
        if lasttext is not None:
            self.finish_term()
        if lastfn is not None:
            self.finish_field()


class NewsCodec(W3Codec):
    def __init__(self, blocklimit: int = 128, compression: int = 3, inlinelimit: int = 16) -> None:
        super().__init__(blocklimit=blocklimit, compression=compression, inlinelimit=inlinelimit)

    def field_writer(self, storage: Any, segment: Any) -> Any:
        return _FieldWriter(self, storage, segment)

    def terms_reader(self, storage: Any, segment: Any) -> Any:
        tiname = segment.make_filename(self.TERMS_EXT)
        return _TermsReader(self, storage.open_file(tiname), storage.file_length(tiname),
                            segment.open_file(storage, self.POSTS_EXT))

    def postings_writer(self, dbfile: Any, byteids: bool = False) -> Any:
        if byteids:  # term vectors (our schema has none): W3's blocks, read by W3's own matcher
            return super().postings_writer(dbfile, byteids=True)
        return _PostingsWriter(dbfile, blocklimit=self._blocklimit, byteids=byteids,
                               compression=self._compression, inlinelimit=self._inlinelimit)

    def per_document_writer(self, storage: Any, segment: Any) -> Any:
        return _PerDocWriter(self, storage, segment)

    def per_document_reader(self, storage: Any, segment: Any) -> Any:
        return _PerDocReader(storage, segment)

    def postings_reader(self, dbfile: Any, terminfo: Any, format_: Any, term: Any = None,
                        scorer: Any = None) -> Any:
        # An inlined list of a field without values reads as '' per posting
        # through Whoosh's ListMatcher, which its own merge (MERGE_SMALL, in
        # an update) refuses: only bytes or None may enter the posting pool.
        # Stock W3 never inlines (see finish_postings), so it never met this.
        if terminfo.is_inlined():
            ids, weights, values = terminfo.inlined_postings()
            if not values:
                values = (None,) * len(ids)
            return ListMatcher(ids, weights, values, format_, scorer=scorer, term=term, terminfo=terminfo)
        offset, length = terminfo.extent()
        if isinstance(length, tuple):  # W3TermInfo.from_bytes leaves it as struct's 1-tuple
            length = length[0]
        ids, weights, values = matcher_lists(dbfile.get(offset, length), format_)
        return ListMatcher(ids, weights, values, format_, scorer=scorer, term=term, terminfo=terminfo)
