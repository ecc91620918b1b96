"""How a build inverts documents: :class:`InvertingWriter`.

A Whoosh ``SegmentWriter`` for builds that keeps each field's inverted lists
in memory (term → documents in docnum order) instead of Whoosh's posting
pool of one tuple per posting that is sorted at the end, and writes them
with :func:`write_field`, which lays out whole posting lists at once in the
codec's layout.  The n-gram fields (three quarters of the postings) are held
as numpy arrays of integer term keys and positions instead, and sorted and
encoded field-wide when the segment is written (:func:`write_keyed_field`):
a 5,000-article build went from 64.0 to 42.6 s with that, and wrote the
same bytes.  The segment it writes reads back, through Whoosh's API, the same as one written by
Whoosh's own writer with Whoosh's own codec (``tests/test_postings.py``
compares every term of both).  A full-corpus build went from 153.6 s to
72–80 s with it (``bench/README.md``).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from whoosh.codec.whoosh3 import W3TermInfo
from whoosh.util.numeric import byte_to_length, length_to_byte
from whoosh.writing import SegmentWriter

from .analysis import key_terms
from .inline import encode_inline, encode_inline_lists
from .packed import encode, encode_position_records
from .postings import PackedPositions, pack_positions

_TERMINFO = W3TermInfo._struct
_NO_LENGTH = 0  # length_to_byte(None) and length_to_byte(0): fields without lengths


class _Single(dict[int, bytes]):
    """``pos → pack_positions([pos])``, made once per position: most
    postings of a document hold one position."""

    LIMIT = 1 << 17  # ~10 MB; positions past it (a huge article) are packed each time

    def __missing__(self, pos: int) -> bytes:
        value = pack_positions((pos,))
        if len(self) < self.LIMIT:
            self[pos] = value
        return value


_single = _Single()


class _Inverted:
    """One field's inverted lists: term → ``[docnum, value, docnum, value, …]``
    (positional fields: weight = frequency × boost is read off the value) or
    ``[docnum, weight, value, …]`` (other fields), in docnum order."""

    __slots__ = ("boost", "lengths", "positional", "terms")

    def __init__(self, positional: bool, boost: float, scorable: bool) -> None:
        self.terms: dict[Any, list[Any]] = {}
        self.positional = positional
        self.boost = boost
        #: docnum → field length as Whoosh stores it (one byte, decoded back)
        self.lengths: dict[int, int] | None = {} if scorable else None


class _Keyed:
    """An n-gram field's postings as arrays (fields offering
    ``term_keys(value)``, :class:`index.schema.BigramField` and
    ``CharField``): per document, integer term keys and positions, one pair
    per position.  16 bytes a position while held, where a posting in
    :class:`_Inverted` takes about 40; sorted and encoded per field when the
    segment is written (:func:`write_keyed_field`)."""

    __slots__ = ("boost", "docnums", "keys", "positions", "sizes")

    def __init__(self, boost: float) -> None:
        self.boost = boost
        self.keys: list[np.ndarray] = []
        self.positions: list[np.ndarray] = []
        self.docnums: list[int] = []
        self.sizes: list[int] = []

    def add(self, docnum: int, keys: np.ndarray, positions: np.ndarray) -> None:
        if len(keys):
            self.keys.append(keys)
            self.positions.append(positions)
            self.docnums.append(docnum)
            self.sizes.append(len(keys))


class InvertingWriter(SegmentWriter):
    """A ``SegmentWriter`` that inverts in memory (see the module docstring).

    Only for writing new documents (a build); merging other segments into
    it (``add_reader``) is refused.  Fields that offer ``positions(value)``
    (term → positions) are inverted without Whoosh's per-token objects.
    :meth:`postings_count` and :meth:`keyed_positions` tell how much is held, so a caller can finish
    the segment and start another before memory runs short.
    """

    def __init__(self, ix: Any, **kwargs: Any) -> None:
        super().__init__(ix, **kwargs)
        self._inverted: dict[str, _Inverted] = {}
        self._keyed: dict[str, _Keyed] = {}
        self._postings = 0
        self._positions = 0

    def postings_count(self) -> int:
        """Postings held as Python objects (the word fields)."""
        return self._postings

    def keyed_positions(self) -> int:
        """Positions held as arrays (the n-gram fields, see :class:`_Keyed`)."""
        return self._positions

    def add_reader(self, reader: Any) -> None:
        raise NotImplementedError("InvertingWriter only adds new documents")

    def _field(self, name: str, field: Any) -> _Inverted:
        inv = self._inverted.get(name)
        if inv is None:
            positional = hasattr(field, "positions") and isinstance(field.format, PackedPositions)
            boost = float(field.format.field_boost) if positional else 1.0
            inv = self._inverted[name] = _Inverted(positional, boost, bool(field.scorable))
        return inv

    def add_document(self, **fields: Any) -> None:
        """Whoosh's ``add_document`` for the fields our schema uses (no
        per-document boosts, spelling fields or vectors)."""
        self._check_state()
        schema = self.schema
        docnum = self.docnum
        perdoc = self.perdocwriter
        names = sorted(fields)
        self._check_fields(schema, names)
        perdoc.start_doc(docnum)
        for name in names:
            value = fields[name]
            if value is None:
                continue
            field = schema[name]
            length = 0
            if field.indexed and hasattr(field, "term_keys"):
                keyed = self._keyed.get(name)
                if keyed is None:
                    keyed = self._keyed[name] = _Keyed(float(field.format.field_boost))
                keys, positions = field.term_keys(value)
                keyed.add(docnum, keys, positions)
                self._positions += len(keys)
            elif field.indexed:
                inv = self._field(name, field)
                terms = inv.terms
                count = 0
                if inv.positional:
                    poses = field.positions(value)
                    single = _single
                    for term, p in poses.items():
                        packed = single[p[0]] if len(p) == 1 else pack_positions(p)
                        lst = terms.get(term)
                        if lst is None:
                            terms[term] = [docnum, packed]
                        else:
                            lst.append(docnum)
                            lst.append(packed)
                    count = len(poses)
                    length = sum(map(len, poses.values()))
                else:
                    for tbytes, freq, weight, vbytes in field.index(value):
                        lst = terms.get(tbytes)
                        if lst is None:
                            terms[tbytes] = [docnum, weight, vbytes]
                        else:
                            lst.extend((docnum, weight, vbytes))
                        count += 1
                        length += freq
                self._postings += count
                if inv.lengths is not None:
                    inv.lengths[docnum] = byte_to_length(length_to_byte(length))
                if not field.scorable:
                    length = 0
            perdoc.add_field(name, field, value if field.stored else None, length)
            column = field.column_type
            if column:
                perdoc.add_column_value(name, column, field.to_column_value(value))
        perdoc.finish_doc()
        self._added = True
        self.docnum += 1

    def _flush_segment(self) -> None:
        self.perdocwriter.close()
        fieldwriter = self.fieldwriter
        # Field by field in name order (the term dictionary's), each let go once written.
        for name in sorted([*self._inverted, *self._keyed]):
            if name in self._keyed:
                write_keyed_field(fieldwriter, name, self.schema[name], self._keyed.pop(name))
            else:
                write_field(fieldwriter, name, self.schema[name], self._inverted.pop(name))
        fieldwriter.close()


def write_field(fieldwriter: Any, name: str, field: Any, inv: _Inverted) -> None:
    """Write one field's inverted lists through a W3 field writer.

    Lists below the codec's ``inlinelimit`` are inlined in the term info
    (:func:`index.inline.encode_inline`, as the codec writes them); longer ones are one
    record each in the postings file (:mod:`index.packed`), as the codec's
    postings writer lays them out; the term info has W3's statistics.
    """
    fieldwriter.start_field(name, field)
    postwriter = fieldwriter._postwriter
    inlinelimit = postwriter._inlinelimit
    postfile = fieldwriter._postfile
    fixed = field.format.fixed_value_size()
    prefix = fieldwriter._fieldid.to_bytes(2, "big")
    lengths = inv.lengths
    boost = inv.boost
    positional = inv.positional
    step = 2 if positional else 3
    terms = inv.terms
    keys = sorted(terms)
    nolen = _NO_LENGTH
    infos: list[bytes] = []
    append = infos.append
    for key in keys:
        data = terms[key]
        if len(data) == step:  # one posting: most terms
            docnum = data[0]
            value = data[-1]
            weight = (len(value) >> 2) * boost if step == 2 else data[1]
            if lengths is not None:
                minlength = maxlength = length_to_byte(lengths[docnum])
            else:
                minlength = maxlength = nolen
            append(encode_inline((docnum,), (weight,), (value,), positional, boost, minlength, maxlength))
            continue
        ids = data[0::step]
        values = data[step - 1::step]
        if step == 2:
            weights = [(len(v) >> 2) * boost for v in values]
        else:
            weights = data[1::3]
        df = len(ids)
        lens = [lengths[d] for d in ids] if lengths is not None else None
        if df < inlinelimit:
            # Weights are whole counts times a boost: exact as float32 too.
            minlength, maxlength = _length_bytes(lens)
            info = encode_inline(ids, weights, values, positional, boost, minlength, maxlength)
        else:
            record = encode(ids, weights, values, step == 2, boost, fixed)
            info = _terminfo_bytes(False, ids, weights, lens)
            info += postfile.tell().to_bytes(8, "big", signed=True) + len(record).to_bytes(4, "big", signed=True)
            postfile.write(record)
        append(info)
    if keys and isinstance(keys[0], str):
        keys = [prefix + k.encode("utf-8") for k in keys]
    else:
        keys = [prefix + k for k in keys]
    fieldwriter._tindex.add_many(keys, infos)
    fieldwriter.finish_field()


#: Positions of an n-gram field sorted and encoded at a time (a range of
#: term keys): bounds what writing a segment takes beyond the arrays held
#: (a 40,000-article segment holds 38 M bigram positions).
KEYED_CHUNK = 1 << 22


def write_keyed_field(fieldwriter: Any, name: str, field: Any, keyed: _Keyed) -> None:
    """Write an n-gram field's postings (:class:`_Keyed`) as :func:`write_field`
    writes the same postings, a range of term keys at a time (about
    :data:`KEYED_CHUNK` positions; a term's postings are all in one range).
    The field has no lengths (it is not scorable) and its boost is 1, so a
    term's weight is its positions' count."""
    fieldwriter.start_field(name, field)
    if keyed.keys:
        # One array at a time, each list let go once joined: the memory held
        # grows by a third at most.
        keys = np.concatenate(keyed.keys)
        keyed.keys = []
        positions = np.concatenate(keyed.positions)
        keyed.positions = []
        docs = np.repeat(np.asarray(keyed.docnums, dtype=np.uint32), keyed.sizes)
        for lo, hi in _key_ranges(keys, KEYED_CHUNK):
            if lo is None:
                _write_terms(fieldwriter, keys, docs, positions, keyed.boost)
            else:
                at = np.flatnonzero((keys >= lo) & (keys < hi))
                _write_terms(fieldwriter, keys[at], docs[at], positions[at], keyed.boost)
    fieldwriter.finish_field()


def _key_ranges(keys: np.ndarray, chunk: int) -> list[tuple[Any, Any]]:
    """``[lo, hi)`` ranges of key values that split ``keys`` into parts of
    about ``chunk`` (from quantiles of a sample); ``[(None, None)]`` when
    one part will do."""
    parts = -(-len(keys) // chunk)
    if parts <= 1:
        return [(None, None)]
    sample = np.sort(keys[::max(1, len(keys) // (64 * parts))])
    cuts = np.unique(sample[(np.arange(1, parts) * len(sample)) // parts])
    bounds = [np.uint64(0), *cuts, np.uint64(np.iinfo(np.uint64).max)]
    return list(zip(bounds, bounds[1:]))


def _write_terms(fieldwriter: Any, keys: np.ndarray, docs: np.ndarray, positions: np.ndarray,
                 boost: float) -> None:
    """Write the terms of ``keys`` (a range of them, every position of each,
    in document order): one stable sort by key puts them in term, document
    and position order; posting and term boundaries are where the key or
    document changes; short lists are inlined in bulk
    (:func:`index.inline.encode_inline_lists`), long ones are records
    (:func:`index.packed.encode_position_records`), both for all terms of
    the range at once."""
    if len(keys) == 0:
        return
    order = np.argsort(keys, kind="stable")
    keys = keys[order]
    docs = docs[order]
    positions = positions[order]
    del order
    n = len(keys)
    new_term = np.ones(n, dtype=bool)
    np.not_equal(keys[1:], keys[:-1], out=new_term[1:])
    new_posting = new_term.copy()
    new_posting[1:] |= docs[1:] != docs[:-1]
    pstarts = np.flatnonzero(new_posting)  # each posting's first position
    del new_posting
    ids = docs[pstarts].astype(np.int64)
    del docs
    counts = np.diff(pstarts, append=n)
    tstarts = np.flatnonzero(new_term[pstarts])  # each term's first posting
    del new_term
    term_keys = keys[pstarts[tstarts]]
    del keys
    dfs = np.diff(tstarts, append=len(pstarts))

    inline = dfs < fieldwriter._postwriter._inlinelimit
    tbounds = np.concatenate(([0], np.cumsum(dfs)))
    infos = _infos(inline, ids, counts, positions, dfs, boost, encode_inline_lists)
    records = _infos(~inline, ids, counts, positions, dfs, boost, encode_position_records)
    # term infos of the records: W3's statistics and where each record is
    postfile = fieldwriter._postfile
    offset = postfile.tell()
    lengths = np.fromiter(map(len, records), dtype=np.int64, count=len(records))
    offsets = (offset + np.cumsum(lengths) - lengths).tolist()
    starts = tbounds[:-1][~inline]
    totals = np.add.reduceat(counts, tbounds[:-1])[~inline].tolist()  # every term's, then the records'
    most = np.maximum.reduceat(counts, tbounds[:-1])[~inline].tolist()
    firsts = ids[starts].tolist()
    lasts = ids[tbounds[1:][~inline] - 1].tolist()
    pack = _TERMINFO.pack
    record_infos = iter([pack(False, float(total) * boost, df, _NO_LENGTH, _NO_LENGTH, float(top) * boost, first, last)
                         + at.to_bytes(8, "big", signed=True) + size.to_bytes(4, "big", signed=True)
                         for total, df, top, first, last, at, size
                         in zip(totals, dfs[~inline].tolist(), most, firsts, lasts, offsets, lengths.tolist())])
    postfile.write(b"".join(records))
    inlined = iter(infos)
    infos = [next(inlined) if is_inline else next(record_infos) for is_inline in inline.tolist()]
    prefix = fieldwriter._fieldid.to_bytes(2, "big")
    fieldwriter._tindex.add_many([prefix + t.encode("utf-8") for t in key_terms(term_keys.tolist())], infos)


def _infos(chosen: np.ndarray, ids: np.ndarray, counts: np.ndarray, positions: np.ndarray, dfs: np.ndarray,
           boost: float, encode_lists: Any) -> list[bytes]:
    """``encode_lists`` (inlined term infos, or records) of the ``chosen``
    terms, whose postings (``dfs`` of them a term) are consecutive in ``ids``
    and ``counts``, their positions in ``positions``."""
    if not chosen.any():
        return []
    if chosen.all():
        return encode_lists(ids, counts, positions, np.concatenate(([0], np.cumsum(dfs))), boost)
    held = np.repeat(chosen, dfs)  # postings of the chosen terms
    return encode_lists(ids[held], counts[held], positions[np.repeat(held, counts)],
                        np.concatenate(([0], np.cumsum(dfs[chosen]))), boost)


def _length_bytes(lens: list[int] | None) -> tuple[int, int]:
    """Shortest and longest field length of the postings, as W3 stores them."""
    if not lens:
        return _NO_LENGTH, _NO_LENGTH
    return length_to_byte(min(lens)), length_to_byte(max(lens))


def _terminfo_bytes(inlined: bool, ids: list[int], weights: list[float], lens: list[int] | None) -> bytes:
    minlength, maxlength = _length_bytes(lens)
    return _TERMINFO.pack(inlined, sum(weights), len(ids), minlength, maxlength,
                          max(weights), ids[0], ids[-1])
