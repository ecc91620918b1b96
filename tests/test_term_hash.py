"""The term dictionary's compact hash tables (schema 7): every key written is
found with its value, no other key is, and stock Whoosh refuses the file."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from whoosh.filedb.filestore import FileStorage, RamStorage, Storage
from whoosh.filedb.filetables import FileFormatError, OrderedHashReader

from index.codec import _TermsHashReader, _TermsWriter

keys = st.binary(min_size=1, max_size=12)


def _write(items: dict[bytes, bytes], storage: Storage | None = None) -> tuple[Storage, int]:
    storage = storage or RamStorage()
    writer = _TermsWriter(storage.create_file("t.trm"))
    ordered = sorted(items)
    # in two calls, as the inverter adds one field's terms at a time
    half = len(ordered) // 2
    writer.add_many(ordered[:half], [items[k] for k in ordered[:half]])
    writer.add_many(ordered[half:], [items[k] for k in ordered[half:]])
    writer.extras["fieldmap"] = {}
    length = writer.close()
    return storage, length


@settings(max_examples=60, deadline=None)
@given(st.dictionaries(keys, st.binary(max_size=40), min_size=1, max_size=600),
       st.lists(keys, max_size=50))
def test_every_key_is_found_and_no_other(items: dict[bytes, bytes], probes: list[bytes]) -> None:
    storage, length = _write(items)
    reader = _TermsHashReader(storage.open_file("t.trm"), length)
    for key, value in items.items():
        assert reader[key] == value
    for key in probes:
        if key not in items:
            assert key not in reader
            assert reader.get(key) is None
    assert [k for k, _ in reader.items()] == sorted(items)
    # near misses: a stored key's prefix, extension or same-length neighbour
    for key in list(items)[:50]:
        for near in (key[:-1], key + b"\0", key[:-1] + bytes([(key[-1] + 1) % 256])):
            if near and near not in items:
                assert near not in reader


@pytest.mark.parametrize("on_disk", [False, True], ids=["in memory", "mapped file"])
def test_full_tables_and_crowded_buckets(on_disk: bool, tmp_path: Path) -> None:
    # 20,000 keys: every one of the 256 tables is crowded and probes wrap around
    items = {f"k{i:05d}".encode(): i.to_bytes(4, "little") for i in range(20_000)}
    storage, length = _write(items, FileStorage(str(tmp_path)) if on_disk else None)
    reader = _TermsHashReader(storage.open_file("t.trm"), length)
    assert (reader._map is not None) == on_disk
    assert all(reader[k] == v for k, v in items.items())
    assert b"k20000" not in reader and b"k0000" not in reader
    # 6 bytes of table a term (plus a slot for odd counts), not W3's 24
    tables = sum(n for _, n in reader.tables)
    assert tables <= 1.5 * len(items) + 256
    reader.close()


def test_stock_whoosh_refuses_the_file() -> None:
    storage, length = _write({b"a": b"1"})
    with pytest.raises(FileFormatError):
        OrderedHashReader(storage.open_file("t.trm"), length)
