"""Every matching article as CSV or JSON Lines, written a row at a time.

CSV starts with a UTF-8 BOM so that Excel reads Chinese correctly, and its
header names columns the CSV reader (``index/csvsource.py``) maps back, so
an export read with ``newsearch build`` gives the same articles.  A JSON
Lines record has the API's article fields; no file paths or other server
details.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator
from typing import Any

from index.articles import Article
from index.schema import article_authors

EXPORT_FORMATS = ("csv", "jsonl")
EXPORT_FORMAT_MESSAGE = f"format must be one of {', '.join(EXPORT_FORMATS)}"
MEDIA_TYPES = {"csv": "text/csv; charset=utf-8", "jsonl": "application/x-ndjson; charset=utf-8"}
CSV_COLUMNS = ("id", "date", "source", "author", "kicker", "title", "subtitle", "url")


def record(art: Article) -> dict[str, Any]:
    """An article as a JSON Lines export record."""
    return {"id": art.id, "title": art.title, "kicker": art.kicker, "subtitle": art.subtitle,
            "authors": article_authors(art), "date": art.date.isoformat() if art.date else None,
            "source": art.source, "page": art.page, "url": art.url, "tags": list(art.tags), "body": art.body}


def export_lines(articles: Iterable[Article], fmt: str, body: bool = False) -> Iterator[str]:
    """The export as text chunks, one per article (after a header for CSV)."""
    if fmt == "jsonl":
        for art in articles:
            yield json.dumps(record(art), ensure_ascii=False) + "\n"
        return
    columns = CSV_COLUMNS + (("body",) if body else ())
    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def row(values: Iterable[Any]) -> str:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow(values)
        return buffer.getvalue()

    yield "\ufeff" + row(columns)
    for art in articles:
        data = {"date": art.date.isoformat() if art.date else "", **{c: getattr(art, c) for c in columns
                                                                      if c != "date"}}
        yield row(data[c] for c in columns)
