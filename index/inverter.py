"""How a build inverts documents: :class:`InvertingWriter`.

A Whoosh ``SegmentWriter`` for builds that keeps each field's inverted lists
in memory (term → documents in docnum order) instead of Whoosh's posting
pool of one tuple per posting that is sorted at the end, and writes them
with :func:`write_field`, which lays out whole posting lists at once in the
codec's layout.  The segment it writes reads back, through Whoosh's API, the same as one written by
Whoosh's own writer with Whoosh's own codec (``tests/test_postings.py``
compares every term of both).  A full-corpus build went from 153.6 s to
72–80 s with it (``bench/README.md``).
"""

from __future__ import annotations

from typing import Any

from whoosh.codec.whoosh3 import W3TermInfo
from whoosh.util.numeric import byte_to_length, length_to_byte
from whoosh.writing import SegmentWriter

from .inline import encode_inline
from .packed import encode
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


class InvertingWriter(SegmentWriter):
    """A ``SegmentWriter`` that inverts in memory (see the module docstring).

    Only for writing new documents (a build); merging other segments into
    it (``add_reader``) is refused.  Fields that offer ``positions(value)``
    (term → positions) are inverted without Whoosh's per-token objects.
    :meth:`postings_count` tells how much is held, so a caller can finish
    the segment and start another before memory runs short.
    """

    def __init__(self, ix: Any, **kwargs: Any) -> None:
        super().__init__(ix, **kwargs)
        self._inverted: dict[str, _Inverted] = {}
        self._postings = 0

    def postings_count(self) -> int:
        return self._postings

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
            if field.indexed:
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
        for name in sorted(self._inverted):
            write_field(fieldwriter, name, self.schema[name], self._inverted[name])
        self._inverted = {}
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


def _length_bytes(lens: list[int] | None) -> tuple[int, int]:
    """Shortest and longest field length of the postings, as W3 stores them."""
    if not lens:
        return _NO_LENGTH, _NO_LENGTH
    return length_to_byte(min(lens)), length_to_byte(max(lens))


def _terminfo_bytes(inlined: bool, ids: list[int], weights: list[float], lens: list[int] | None) -> bytes:
    minlength, maxlength = _length_bytes(lens)
    return _TERMINFO.pack(inlined, sum(weights), len(ids), minlength, maxlength,
                          max(weights), ids[0], ids[-1])
