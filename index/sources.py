"""Read article files — newspaper pages and JSON Lines — into :class:`Article`\\ s.

Input is never trusted: every file, line or article that cannot be used is
reported as a :class:`~index.articles.Problem` (``file:line: reason``) and
skipped, and reading goes on, so one bad file never costs the rest of a
batch.  Articles are yielded lazily; JSON Lines are streamed line by line.

Formats, by file extension:

* ``.txt`` — a newspaper page: several articles, each a headline line, an
  optional ``——`` subtitle line, paragraphs, and a closing byline such as
  ``正观新闻·郑州晚报记者 张立`` (see :func:`parse_page`).
* ``.jsonl``, ``.ndjson``, ``.json`` — one JSON object per line (see
  :func:`parse_record`).

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


def read_sources(paths: Iterable[str | os.PathLike[str]], problems: list[Problem]) -> Iterator[Article]:
    """Every article in ``paths`` (files or directories, walked recursively).

    Problems are appended to ``problems``.  An id seen twice in one call is a
    problem for the second and later occurrences.
    """
    seen = _Seen()
    for path in paths:
        p = Path(path)
        if p.is_dir():
            for file in _walk(p):
                yield from _read_checked(file, problems, seen)
        elif p.exists():
            if not p.name.lower().endswith(PAGE_EXTENSIONS + JSONL_EXTENSIONS):
                problems.append(Problem(str(p), 0, "unknown file type (expected .txt or .jsonl)"))
                continue
            yield from _read_checked(p, problems, seen)
        else:
            problems.append(Problem(str(p), 0, "no such file or directory"))


def _walk(root: Path) -> Iterator[Path]:
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            if not name.startswith(".") and name.lower().endswith(PAGE_EXTENSIONS + JSONL_EXTENSIONS):
                yield Path(dirpath) / name


def _read_checked(path: Path, problems: list[Problem], seen: _Seen) -> Iterator[Article]:
    for art in _read_any(path, problems):
        first = seen.ids.get(art.id)
        if first is not None:
            problems.append(Problem(str(path), art.line, f"duplicate id {art.id!r} (first at {first})"))
            continue
        seen.ids[art.id] = f"{path}:{art.line}"
        yield art


def _read_any(path: Path, problems: list[Problem]) -> Iterator[Article]:
    name = str(path)
    try:
        if path.name.lower().endswith(JSONL_EXTENSIONS):
            with open(path, "rb") as fh:
                yield from _read_jsonl(fh, name, problems)
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
            yield from parse_page(text, name, problems)
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


_TEXT_KEYS = ("title", "subtitle", "body", "source", "author", "url", "category")


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
    tags = record.get("tags")
    if tags is None:
        tags = []
    if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
        raise ValueError("tags must be a list of strings")
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
        subtitle=values["subtitle"],
        body=values["body"],
        date=parse_date(record.get("date")),
        source=values["source"],
        author=values["author"],
        url=url,
        category=values["category"],
        tags=[clean_text(t).strip() for t in tags if t.strip()],
        extra=extra,
    )


# --------------------------------------------------------------------------
# Newspaper pages

_DATE_IN_NAME = re.compile(r"(?<!\d)((?:19|20)\d{2})[-_.]?(\d{2})[-_.]?(\d{2})(?!\d)")
#: A paragraph ending with one of these is complete; otherwise a column break
#: may have cut it and the next paragraph continues it.
_SENTENCE_END = tuple("。！？!?…；;：:”」』）)】》\"'")
_CLAUSE_END = tuple("，、,")
_NAME_SPLIT = re.compile(r"[\s、，,/／]+")
_MAX_BYLINE = 40


def date_from_filename(name: str) -> dt.date | None:
    """A date written in a file name (``2023-07-27``, ``20230727``, ``2023_07_27``)."""
    for m in _DATE_IN_NAME.finditer(os.path.basename(name)):
        try:
            return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        except ValueError:
            continue
    return None


@dataclass
class Byline:
    source: str
    reporters: list[str]
    correspondents: list[str]

    @property
    def author(self) -> str:
        return "、".join(self.reporters + self.correspondents)


def _names(text: str) -> tuple[list[str], list[str]]:
    """Reporters and correspondents from ``张三 李四 通讯员 王五`` (also 記者/通訊員)."""
    from .normalization import fold

    text = text.strip().strip("（）()")
    folded = fold(text)  # same length: markers found in it cut the original
    cut = folded.find("通讯员")
    reporters, correspondents = (text, "") if cut < 0 else (text[:cut], text[cut + 3:])

    def split(part: str) -> list[str]:
        blanked = "".join(" " if f in "记者" else c for c, f in zip(part, fold(part)))
        return [n for n in _NAME_SPLIT.split(blanked) if n]

    return split(reporters), split(correspondents)


_BYLINE_PATTERNS = [
    # （记者 X）, (记者 X 通讯员 Y)
    re.compile(r"^[（(](?P<source>)记者\s*(?P<names>[^）)]{1,30})[）)]$"),
    # 文/图 记者 X, 文/图 X
    re.compile(r"^(?P<source>)(?:文/图|文／图|图/文|图／文|文|图)[\s/／:：]+(?:记者)?\s*(?P<names>[^，。！？]{1,30})$"),
    # 正观新闻·郑州晚报记者 张立 / 本报记者 王五 / 记者 张三 通讯员 李四
    re.compile(r"^(?P<source>[^\s，。“”（(]{0,20}?)记者[\s:：]*(?P<names>[^，。！？]{1,30})$"),
    # 通讯员 X
    re.compile(r"^(?P<source>)通讯员\s*(?P<names>[^，。！？]{1,30})$"),
]
_LEAD_BYLINE = re.compile(r"^(?P<source>[^\s（(，。]{0,20}?)讯\s*[（(](?P<inner>[^）)]{1,40})[）)]\s*")
_LOCAL_PAPER = ("本报", "本刊", "本台")


def _match_folded(pattern: re.Pattern[str], text: str) -> tuple[re.Match[str], dict[str, str]] | None:
    """Match ``pattern`` on the folded text (so 記者 is 记者) and take the
    groups from the original text: folding keeps every offset."""
    from .normalization import fold

    m = pattern.match(fold(text))
    if not m:
        return None
    return m, {name: text[m.start(name):m.end(name)] for name in m.groupdict()}


def parse_byline(line: str) -> Byline | None:
    """The byline a line is, or None.  Bylines are short and not sentences."""
    line = line.strip()
    if not line or len(line) > _MAX_BYLINE or line.endswith(("。", "！", "？", "；")):
        return None
    for pattern in _BYLINE_PATTERNS:
        found = _match_folded(pattern, line)
        if found:
            m, groups = found
            reporters, corr = _names(groups["names"])
            if not reporters and not corr:
                return None
            if pattern is _BYLINE_PATTERNS[-1]:  # only a correspondent
                reporters, corr = [], reporters
            source = groups["source"].strip(" ·")
            if m.group("source").strip(" ·") in _LOCAL_PAPER:
                source = ""
            return Byline(source, reporters, corr)
    return None


def _lead_byline(paragraph: str) -> tuple[Byline | None, str]:
    """``本报讯（记者 X）…`` at the start of a body: the byline and the rest."""
    found = _match_folded(_LEAD_BYLINE, paragraph)
    if not found:
        return None, paragraph
    m, groups = found
    if "记者" not in m.group("inner") and "通讯员" not in m.group("inner"):
        return None, paragraph
    reporters, corr = _names(groups["inner"])
    source = groups["source"].strip(" ·")
    if m.group("source").strip(" ·") in _LOCAL_PAPER:
        source = ""
    return Byline(source, reporters, corr), paragraph[m.end():]


def _rejoin(paragraphs: list[str]) -> list[str]:
    """Join paragraphs a column break cut in the middle of a sentence.

    A paragraph ending in a comma is always unfinished; one ending with no
    punctuation at all is taken as cut if it is long enough not to be a
    subheading.
    """
    out: list[str] = []
    for para in paragraphs:
        prev = out[-1] if out else ""
        if prev and (prev.endswith(_CLAUSE_END) or (not prev.endswith(_SENTENCE_END) and len(prev) >= 20)):
            out[-1] += para
        else:
            out.append(para)
    return out


def parse_page(text: str, name: str, problems: list[Problem],
               default_source: str = "") -> Iterator[Article]:
    """Articles of a newspaper page (headline, ``——`` subtitle, paragraphs, byline).

    An article ends at its byline; the next non-empty line starts the next
    one.  Text after the last byline is still an article (with no author), so
    nothing on the page is lost.
    """
    date = date_from_filename(name)
    lines = [(i, clean_text(line).strip()) for i, line in enumerate(text.split("\n"), 1)]
    lines = [(i, line) for i, line in lines if line]
    groups: list[tuple[list[tuple[int, str]], Byline | None]] = []
    current: list[tuple[int, str]] = []
    for lineno, line in lines:
        byline = parse_byline(line) if current else None
        if byline is not None:
            groups.append((current, byline))
            current = []
        else:
            current.append((lineno, line))
    if current:
        groups.append((current, None))
    for group, byline in groups:
        art = _page_article(group, byline, date, default_source)
        if art is None:
            problems.append(Problem(name, group[0][0], "article has neither title nor body"))
            continue
        art.origin, art.line = name, group[0][0]
        yield art


def _page_article(group: list[tuple[int, str]], byline: Byline | None, date: dt.date | None,
                  default_source: str) -> Article | None:
    title = group[0][1]
    rest = [line for _, line in group[1:]]
    subtitle = ""
    if rest and rest[0].startswith(("——", "--", "－－", "—")):
        subtitle = rest.pop(0).lstrip("—-－ ").strip()
    if rest:
        lead, first = _lead_byline(rest[0])
        if lead is not None:
            rest[0] = first
            rest = [p for p in rest if p]
            if byline is None:
                byline = lead
    body = "\n".join(_rejoin(rest))
    if not title and not body:
        return None
    return Article(
        title=title,
        subtitle=subtitle,
        body=body,
        date=date,
        source=(byline.source if byline and byline.source else default_source),
        author=byline.author if byline else "",
    )
