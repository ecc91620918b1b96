"""Read newsroom CSV exports: one article a row, columns named in the header.

Columns are matched by name, English or Chinese, case and ``_``/space
ignored (see :data:`COLUMNS`); unknown columns are kept in ``extra``.
The encoding is detected as for text files (UTF-8 with or without BOM,
GB18030/GBK, Big5).  The text in the body column is read like a page's
article text (:func:`index.pages.read_body`): bylines, labels, summary
lines and photo credits leave it; an author column wins over the text's
byline, but the byline still leaves the body.

A malformed row (too many cells, a bad date, a cell too large, no title
and no body) is a ``file:line: reason`` problem and the rest is read.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import re
from collections.abc import Iterator
from urllib.parse import urlsplit

from .articles import Article, Problem
from .pages import Hints, make_article, paper_from_path, read_body, to_units

#: A cell larger than this is reported and its row skipped.
MAX_CELL_CHARS = 16 * 1024 * 1024
_SAMPLE_BYTES = 1 << 16

#: Article field -> the header names that mean it (compared casefolded,
#: without spaces, ``_`` or ``-``).
COLUMNS: dict[str, tuple[str, ...]] = {
    "id": ("id", "articleid", "文章id", "稿件id"),
    "title": ("title", "标题", "题目", "headline", "主题"),
    "kicker": ("specialtitle", "kicker", "引题", "肩题", "眉题"),
    "subtitle": ("subtitle", "副题", "副标题"),
    "author": ("author", "authors", "作者", "byline", "署名"),
    "body": ("content", "contents", "body", "正文", "内容", "text", "全文"),
    "date": ("date", "日期", "pubdate", "publishdate", "出版日期", "发布日期", "刊期"),
    "page": ("ban", "banhao", "版次", "版面", "版号", "page"),
    "url": ("url", "links", "link", "链接", "网址"),
    "source": ("source", "来源", "报纸", "报刊", "paper", "媒体"),
    "tags": ("keywords", "keyword", "tags", "关键词", "标签"),
    "category": ("category", "栏目", "分类", "column"),
}
_NO_AUTHOR = {"na", "n/a", "none", "null", "无", "佚名", "-"}


def _key(name: str) -> str:
    return re.sub(r"[\s_\-]+", "", name.strip().lstrip("\ufeff")).casefold()


def match_columns(header: list[str]) -> dict[int, str]:
    """Column index -> article field, for the header cells that name one."""
    lookup = {alias: fieldname for fieldname, aliases in COLUMNS.items() for alias in aliases}
    out: dict[int, str] = {}
    taken: set[str] = set()
    for i, name in enumerate(header):
        fieldname = lookup.get(_key(name))
        if fieldname and fieldname not in taken:
            out[i] = fieldname
            taken.add(fieldname)
    return out


def split_authors(value: str) -> list[str]:
    """``陈华;``, ``毛锦伟;栗思``, ``张三、李四``, ``张三 李四`` -> names; ``NA`` -> []."""
    names = [n.strip() for n in re.split(r"[;；、,，/\s]+", value) if n.strip()]
    return [n for n in names if n.casefold() not in _NO_AUTHOR]


def parse_any_date(value: str) -> dt.date | None:
    """``2022-04-01`` (also with a time), ``2022/4/1``, ``2022.04.01``,
    ``20220401``, ``2022年4月1日``; empty -> None; anything else ValueError."""
    value = value.strip()
    if not value:
        return None
    m = (re.match(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?(?:[T\s].*)?$", value)
         or re.match(r"^(\d{4})(\d{2})(\d{2})$", value))
    if not m:
        raise ValueError(f"date {value[:40]!r} is not a date (YYYY-MM-DD)")
    try:
        return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        raise ValueError(f"date {value[:40]!r} is not a valid date") from None


def read_csv(path: str | os.PathLike[str], problems: list[Problem], warnings: list[Problem],
             hints: Hints | None = None) -> Iterator[Article]:
    """The articles of one CSV export (see the module docstring)."""
    from .sources import SourceError, detect_encoding

    name = str(path)
    hints = hints or Hints()
    with open(path, "rb") as raw:
        sample = raw.read(_SAMPLE_BYTES)
        if not sample.strip():
            problems.append(Problem(name, 0, "empty file"))
            return
        try:
            encoding = detect_encoding(sample)
        except SourceError as exc:
            problems.append(Problem(name, 0, str(exc)))
            return
        raw.seek(0)
        text = io.TextIOWrapper(raw, encoding=encoding, errors="strict", newline="")
        yield from _read_rows(text, name, problems, hints)


def _rows(text: io.TextIOWrapper, name: str, problems: list[Problem]) -> Iterator[tuple[int, list[str]]]:
    """(first line, cells) per record; malformed records are problems."""
    old = csv.field_size_limit()
    csv.field_size_limit(MAX_CELL_CHARS)
    try:
        reader = csv.reader(text, strict=False)
        last = 0
        while True:
            try:
                row = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                problems.append(Problem(name, last + 1, f"malformed CSV: {exc}"))
                last = reader.line_num
                continue
            except UnicodeDecodeError as exc:
                problems.append(Problem(name, last + 1, f"cannot decode at byte {exc.start} of a chunk; "
                                        "the rest of the file is skipped"))
                return
            start, last = last + 1, reader.line_num
            yield start, row
    finally:
        csv.field_size_limit(old)


def _read_rows(text: io.TextIOWrapper, name: str, problems: list[Problem], hints: Hints) -> Iterator[Article]:
    from .sources import clean_text

    rows = _rows(text, name, problems)
    header: list[str] | None = None
    for lineno, row in rows:
        if any(cell.strip() for cell in row):
            header = [cell.strip().lstrip("\ufeff") for cell in row]
            break
    if header is None:
        problems.append(Problem(name, 0, "empty file"))
        return
    columns = match_columns(header)
    if "title" not in columns.values() and "body" not in columns.values():
        problems.append(Problem(name, lineno, "no title or content column in the header "
                                f"({', '.join(h[:20] for h in header[:12])})"))
        return
    paper = hints.paper or paper_from_path(name)
    base = os.path.basename(name)
    position = 0
    for lineno, row in rows:
        if not any(cell.strip() for cell in row):
            continue
        position += 1
        if len(row) > len(header) and any(c.strip() for c in row[len(header):]):
            problems.append(Problem(name, lineno, f"row has {len(row)} cells, the header {len(header)}"))
            continue
        try:
            art = _row_article(header, columns, [clean_text(c) for c in row], paper, hints,
                               place=f"{base}#{position}")
        except ValueError as exc:
            problems.append(Problem(name, lineno, str(exc)))
            continue
        art.origin, art.line = name, lineno
        yield art


def _row_article(header: list[str], columns: dict[int, str], row: list[str], paper: str,
                 hints: Hints, place: str) -> Article:
    values: dict[str, str] = {}
    extra: dict[str, str] = {}
    for i, cell in enumerate(row):
        if i >= len(header):
            break
        fieldname = columns.get(i)
        if fieldname:
            values[fieldname] = cell
        elif cell.strip():
            extra[header[i] or f"column {i + 1}"] = cell.strip()
    title = values.get("title", "").strip()
    content = values.get("body", "")
    body = read_body(to_units(content, hints.labels), after_title=bool(title))
    if not title and not body.paragraphs:
        raise ValueError("article has neither title nor body")
    date = parse_any_date(values.get("date", ""))
    url = values.get("url", "").strip()
    if url and urlsplit(url).scheme.lower() not in ("http", "https"):
        extra["unsafe_url"] = url
        url = ""
    authors = split_authors(values.get("author", ""))
    tags = [t.strip() for t in re.split(r"[;；,，、]+", values.get("tags", "")) if t.strip()]
    from .pages import collapse

    return make_article(
        collapse(values.get("kicker", "")), collapse(title), collapse(values.get("subtitle", "")), body,
        date=date, paper=paper, place=place, page=values.get("page", "").strip(), authors=authors,
        source=values.get("source", "").strip(), id=values.get("id", "").strip(),
        url=url, tags=tags, category=values.get("category", "").strip(), extra=extra)
