"""Read article files — newspaper pages and JSON Lines — into :class:`Article`\\ s.

Input is never trusted: every file, line or article that cannot be used is
reported as a :class:`~index.articles.Problem` (``file:line: reason``) and
skipped, and reading goes on, so one bad file never costs the rest of a
batch.  Articles are yielded lazily; JSON Lines are streamed line by line.

Formats, by file extension:

* ``.txt`` — a newspaper page: several articles in any layout, cut and
  read by :mod:`index.pages` (headline blocks, bylines anywhere, summary
  lines, briefs); settings from a ``newsearch.ini`` next to the pages.
* ``.csv`` — a newsroom export with a header row (see :mod:`index.csvsource`).
* ``.jsonl``, ``.ndjson``, ``.json`` — one JSON object per line (see
  :func:`parse_record`).

Problems are input that was skipped; *warnings* (``severity="warning"``,
kept in their own list) are input that was read, but whose reading is
uncertain — an article split the page reader was unsure of.

Encodings: UTF-8 (with or without BOM), GB18030/GBK or Big5 (HKSCS).  When
more than one of them decodes a file, the one whose text reads as Chinese
(most of its characters common ones) wins; bytes that fit none are reported.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO
from urllib.parse import urlsplit

from .articles import KNOWN_FIELDS, Article, Problem

PAGE_EXTENSIONS = (".txt",)
JSONL_EXTENSIONS = (".jsonl", ".ndjson", ".json")
CSV_EXTENSIONS = (".csv",)
ALL_EXTENSIONS = PAGE_EXTENSIONS + JSONL_EXTENSIONS + CSV_EXTENSIONS
#: A JSON line longer than this is reported and skipped, not parsed.
MAX_LINE_BYTES = 16 * 1024 * 1024
#: A page file larger than this is reported and skipped.
MAX_PAGE_BYTES = 64 * 1024 * 1024
_SAMPLE_BYTES = 1 << 16


class SourceError(Exception):
    """A whole file cannot be used; the message is the reason."""


# --------------------------------------------------------------------------
# Encodings

_FALLBACKS = ("gb18030", "big5hkscs")


def _plausibility(text: str) -> float:
    """How much ``text`` reads like Chinese: the share of its Han characters
    that are among the 3,755 most common ones (GB2312's first level), after
    Traditional → Simplified folding so Big5 text scores as well as GBK.

    Bytes decoded with the wrong one of GB18030 and Big5 come out as rare
    characters, so the right reading scores near 1 and the wrong one far
    lower.  Deliberately independent of jieba and the analyzer: reading a
    file must not load the segmenter's dictionary.
    """
    from .normalization import fold

    han = [c for c in fold(text) if "\u4e00" <= c <= "\u9fff" or "\u3400" <= c <= "\u4dbf"]
    if not han:
        # no Han characters at all: prefer the reading with fewer odd symbols
        return -sum(1 for c in text if not c.isprintable() and c not in "\n\r\t")
    return sum(map(_is_common_han, han)) / len(han)


@functools.lru_cache(maxsize=None)
def _is_common_han(ch: str) -> bool:
    try:
        code = ch.encode("gb2312")
    except UnicodeEncodeError:
        return False
    return len(code) == 2 and 0xB0 <= code[0] <= 0xD7  # GB2312 level 1: rows 16-55


def detect_encoding(sample: bytes) -> str:
    """The encoding of ``sample`` (a file or its first bytes), or SourceError."""
    if sample.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    candidates = []
    for enc in ("utf-8",) + _FALLBACKS:
        try:
            text = sample.decode(enc)
        except UnicodeDecodeError as exc:
            # a sample may end inside a multi-byte character
            if len(sample) >= _SAMPLE_BYTES and exc.start >= len(sample) - 4:
                text = sample[:exc.start].decode(enc, errors="strict")
            else:
                continue
        if enc == "utf-8":
            return enc  # strict UTF-8 is never an accident for CJK text
        candidates.append((enc, text))
    if not candidates:
        raise SourceError("cannot decode: not UTF-8, GB18030 or Big5")
    if len(candidates) == 1:
        return candidates[0][0]
    return max(candidates, key=lambda c: _plausibility(c[1]))[0]


def decode_bytes(data: bytes) -> str:
    """Decode a whole file, detecting its encoding (see :func:`detect_encoding`)."""
    enc = detect_encoding(data)
    try:
        return data.decode(enc)
    except UnicodeDecodeError as exc:
        raise SourceError(f"cannot decode as {enc} at byte {exc.start}") from None


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")


def clean_text(text: str) -> str:
    """Unify line ends and drop control characters (NUL and the like)."""
    return _CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))


# --------------------------------------------------------------------------
# Walking

@dataclass
class _Seen:
    ids: dict[str, str] = field(default_factory=dict)  # id -> "file:line" first seen


def read_sources(paths: Iterable[str | os.PathLike[str]], problems: list[Problem],
                 warnings: list[Problem] | None = None) -> Iterator[Article]:
    """Every article in ``paths`` (files or directories, walked recursively).

    Problems (skipped input) are appended to ``problems``; warnings (input
    read, but uncertainly — see :mod:`index.pages`) to ``warnings`` when
    given, and dropped otherwise.  An id seen twice in one call is a problem
    for the second and later occurrences.
    """
    seen = _Seen()
    sink: list[Problem] = warnings if warnings is not None else []
    for path in paths:
        p = Path(path)
        if p.is_dir():
            for file in _walk(p):
                yield from _read_checked(file, problems, seen, sink)
        elif p.exists():
            if not p.name.lower().endswith(ALL_EXTENSIONS):
                problems.append(Problem(str(p), 0, "unknown file type (expected .txt, .csv or .jsonl)"))
                continue
            yield from _read_checked(p, problems, seen, sink)
        else:
            problems.append(Problem(str(p), 0, "no such file or directory"))


def _walk(root: Path) -> Iterator[Path]:
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            if not name.startswith(".") and name.lower().endswith(ALL_EXTENSIONS):
                yield Path(dirpath) / name


def _read_checked(path: Path, problems: list[Problem], seen: _Seen,
                  warnings: list[Problem]) -> Iterator[Article]:
    for art in _read_any(path, problems, warnings):
        first = seen.ids.get(art.id)
        if first is not None:
            problems.append(Problem(str(path), art.line, f"duplicate id {art.id!r} (first at {first})"))
            continue
        seen.ids[art.id] = f"{path}:{art.line}"
        yield art


def _read_any(path: Path, problems: list[Problem], warnings: list[Problem]) -> Iterator[Article]:
    name = str(path)
    try:
        if path.name.lower().endswith(JSONL_EXTENSIONS):
            with open(path, "rb") as fh:
                yield from _read_jsonl(fh, name, problems)
        elif path.name.lower().endswith(CSV_EXTENSIONS):
            from .csvsource import read_csv
            from .pages import load_hints

            hints, errors = load_hints(path)
            warnings.extend(Problem(name, 0, e, severity="warning") for e in errors)
            yield from read_csv(path, problems, warnings, hints)
        else:
            size = path.stat().st_size
            if size > MAX_PAGE_BYTES:
                problems.append(Problem(name, 0, f"file too large for a page ({size >> 20} MB)"))
                return
            data = path.read_bytes()
            if not data.strip():
                problems.append(Problem(name, 0, "empty file"))
                return
            text = decode_bytes(data)
            from .pages import load_hints

            hints, errors = load_hints(path)
            warnings.extend(Problem(name, 0, e, severity="warning") for e in errors)
            yield from parse_page(text, name, problems, warnings=warnings, hints=hints)
    except SourceError as exc:
        problems.append(Problem(name, 0, str(exc)))
    except OSError as exc:
        problems.append(Problem(name, 0, f"cannot read: {exc.strerror or exc}"))
    except Exception as exc:  # a bug or an input we did not foresee: lose this file only
        problems.append(Problem(name, 0, f"unexpected error: {type(exc).__name__}: {exc}"))


# --------------------------------------------------------------------------
# JSON Lines

def _lines(fh: BinaryIO) -> Iterator[tuple[int, bytes | None]]:
    """(line number, bytes) per line; None for a line over MAX_LINE_BYTES."""
    lineno = 0
    while True:
        chunk = fh.readline(MAX_LINE_BYTES + 1)
        if not chunk:
            return
        lineno += 1
        if len(chunk) > MAX_LINE_BYTES and not chunk.endswith(b"\n"):
            while chunk and not chunk.endswith(b"\n"):  # skip the rest of the line
                chunk = fh.readline(1 << 20)
            yield lineno, None
            continue
        yield lineno, chunk


def _read_jsonl(fh: BinaryIO, name: str, problems: list[Problem]) -> Iterator[Article]:
    sample = fh.read(_SAMPLE_BYTES)
    if not sample.strip():
        problems.append(Problem(name, 0, "empty file"))
        return
    encoding = detect_encoding(sample)
    fh.seek(0)
    for lineno, raw in _lines(fh):
        if raw is None:
            problems.append(Problem(name, lineno, f"line longer than {MAX_LINE_BYTES >> 20} MB, skipped"))
            continue
        if not raw.strip():
            continue
        try:
            text = raw.decode(encoding)
        except UnicodeDecodeError as exc:
            problems.append(Problem(name, lineno, f"cannot decode as {encoding} at byte {exc.start}"))
            continue
        if lineno == 1:
            text = text.lstrip("\ufeff")
        try:
            record = json.loads(text)
        except json.JSONDecodeError as exc:
            problems.append(Problem(name, lineno, f"malformed JSON: {exc.msg} (column {exc.colno})"))
            continue
        except RecursionError:
            problems.append(Problem(name, lineno, "malformed JSON: nested too deeply"))
            continue
        try:
            art = parse_record(record)
        except ValueError as exc:
            problems.append(Problem(name, lineno, str(exc)))
            continue
        art.origin, art.line = name, lineno
        yield art


_TEXT_KEYS = ("title", "kicker", "subtitle", "summary", "body", "source", "author", "url", "category", "page",
              "section")


def parse_date(value: Any) -> dt.date | None:
    """An ISO date (``YYYY-MM-DD``, optionally followed by a time), or None."""
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise ValueError(f"date must be a string like 2023-07-27, not {type(value).__name__}")
    m = re.match(r"^\s*(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ][\d:.+\-Z]*)?\s*$", value)
    if not m:
        raise ValueError(f"date {value[:40]!r} is not an ISO date (YYYY-MM-DD)")
    try:
        return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        raise ValueError(f"date {value[:40]!r} is not a valid date") from None


def parse_record(record: Any) -> Article:
    """An :class:`Article` from one decoded JSON value, or ValueError (the reason)."""
    if not isinstance(record, dict):
        raise ValueError(f"expected a JSON object, got {type(record).__name__}")
    values: dict[str, Any] = {}
    for key in _TEXT_KEYS:
        value = record.get(key)
        if value is None:
            value = ""
        if not isinstance(value, str):
            raise ValueError(f"{key} must be a string, not {type(value).__name__}")
        values[key] = clean_text(value).strip() if key != "body" else clean_text(value).strip("\n ")
    raw_id = record.get("id")
    if raw_id is None or raw_id == "":
        art_id = ""
    elif isinstance(raw_id, (str, int)) and not isinstance(raw_id, bool):
        art_id = str(raw_id).strip()
    else:
        raise ValueError(f"id must be a string or a number, not {type(raw_id).__name__}")
    lists = {}
    for key in ("tags", "authors"):
        items = record.get(key)
        if items is None:
            items = []
        if not isinstance(items, list) or not all(isinstance(t, str) for t in items):
            raise ValueError(f"{key} must be a list of strings")
        lists[key] = [clean_text(t).strip() for t in items if t.strip()]
    page_no = record.get("page_no")
    if page_no is not None and (isinstance(page_no, bool) or not isinstance(page_no, int)):
        raise ValueError(f"page_no must be an integer, not {type(page_no).__name__}")
    teaser = record.get("teaser", False)
    if not isinstance(teaser, bool):
        raise ValueError(f"teaser must be true or false, not {type(teaser).__name__}")
    if not values["title"] and not values["body"].strip():
        raise ValueError("article has neither title nor body")
    extra = {k: v for k, v in record.items() if k not in KNOWN_FIELDS}
    url = values["url"]
    if url and urlsplit(url).scheme.lower() not in ("http", "https"):
        # never a link a page would render (javascript:, data:, file: …);
        # kept as metadata so nothing is lost
        extra["unsafe_url"] = url
        url = ""
    return Article(
        id=art_id,
        title=values["title"],
        kicker=values["kicker"],
        subtitle=values["subtitle"],
        summary=values["summary"],
        body=values["body"],
        date=parse_date(record.get("date")),
        source=values["source"],
        author=values["author"],
        authors=lists["authors"],
        url=url,
        category=values["category"],
        tags=lists["tags"],
        page=values["page"],
        page_no=page_no,
        section=values["section"],
        teaser=teaser,
        extra=extra,
    )


# --------------------------------------------------------------------------
# Newspaper pages: see index/pages.py (kept importable from here)

from .bylines import Byline, parse_byline  # noqa: E402,F401
from .pages import date_from_filename, parse_page  # noqa: E402,F401
