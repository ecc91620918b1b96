"""Render article rows into newspaper page texts, in every layout the page
reader must handle, and compare what it reads back with what a person reads.

A *row* is a dict with ``kicker``, ``title``, ``subtitle`` and ``paragraphs``
(the raw text of the article, bylines, labels and summary lines still in
it, one paragraph an item).  :func:`render` lays several rows out as one
page in a layout:

* ``blank-line`` — every block separated by a blank line, the subtitle marked
  by ``——``, and one long paragraph cut in two by a column break (as in
  the seed page);
* ``compact`` — no blank lines, one paragraph a line, the next headline
  right after the previous article's last line;
* ``indented`` — headline lines flush left, each paragraph opened by an
  indent (four ASCII spaces, or two ideographic spaces), several paragraphs
  on one line;
* ``kicker`` — kicker, headline and subtitle on lines of their own with no
  dashes, paragraphs one a line, a blank line between articles only;
* ``mixed`` — each article in the next of the layouts above.

:func:`bounds` gives hashes of a body's first and last sentence, so expected
values can be committed without the text.
"""

from __future__ import annotations

import csv
import hashlib
import re
from pathlib import Path

LAYOUTS = ("blank-line", "compact", "indented", "kicker", "mixed")
_SENTENCE = re.compile(r"[^。！？!?]*[。！？!?]+[”」』）)]*")


def bounds(body: str) -> tuple[str, str]:
    """Hashes (12 hex digits) of the first and the last sentence of ``body``,
    whitespace removed; a body with no sentence end is its own sentence."""
    flat = re.sub(r"\s+", "", body)
    sentences = [s for s in _SENTENCE.findall(flat) if s] or [flat]
    tail = flat[sum(len(s) for s in sentences):]
    last = tail if tail else sentences[-1]

    def h(s: str) -> str:
        return hashlib.sha1(s[:80].encode("utf-8")).hexdigest()[:12]

    return h(sentences[0]), h(last)


def _xinmin_paragraphs(content: str) -> list[str]:
    return [p.strip(" \u3000") for p in re.split(r" {3,}|\u3000{2,}", content) if p.strip(" \u3000")]


def load_rows(directory: Path) -> dict[str, list[dict]]:
    """The shared rows as generator input, per file name (``xinmin``, ``cnki``)."""
    out: dict[str, list[dict]] = {}
    with open(directory / "xinmin_dev.csv", encoding="utf-8-sig", newline="") as fh:
        out["xinmin"] = [
            {"kicker": r["special_title"].strip(), "title": r["title"].strip(), "subtitle": r["subtitle"].strip(),
             "paragraphs": _xinmin_paragraphs(r["content"]), "raw": r["content"], "date": r["date"],
             "paper": "xinmin"}
            for r in csv.DictReader(fh)]
    with open(directory / "cnki_dev.csv", encoding="utf-8-sig", newline="") as fh:
        out["cnki"] = [
            {"kicker": "", "title": r["Title"].strip(), "subtitle": "",
             "paragraphs": [p.strip() for p in r["Contents"].split("\n") if p.strip()], "raw": None,
             "date": r["Date"], "paper": "cnki"}
            for r in csv.DictReader(fh)]
    return out


def pages_of(rows: list[dict]) -> list[list[int]]:
    """Row indexes grouped as one page per date (a day's page set), in order."""
    groups: dict[str, list[int]] = {}
    for i, r in enumerate(rows):
        groups.setdefault(r["date"], []).append(i)
    return list(groups.values())


def _cut(paragraphs: list[str]) -> list[str]:
    """A column break: the longest middle paragraph cut in two mid-sentence."""
    if len(paragraphs) < 3:
        return paragraphs
    k = max(range(1, len(paragraphs) - 1), key=lambda i: len(paragraphs[i]))
    p = paragraphs[k]
    if len(p) < 80:
        return paragraphs
    at = len(p) // 2
    while at < len(p) - 1 and (p[at - 1] in "。！？!?”」』）)：:；;，、,\"' " or p[at] in "。！？，、”"):
        at += 1
    return paragraphs[:k] + [p[:at], p[at:]] + paragraphs[k + 1:]


def render_article(row: dict, layout: str, k: int = 0) -> str:
    """One article laid out in ``layout`` (``mixed`` is decided per page)."""
    heads = [row["kicker"], row["title"], row["subtitle"]]
    paras = row["paragraphs"]
    if layout == "blank-line":
        lines = [h for h in heads[:2] if h]
        if row["subtitle"]:
            lines.append("——" + row["subtitle"])
        return "\n\n".join(lines + _cut(paras)) + "\n\n"
    if layout == "compact":
        return "\n".join([h for h in heads if h] + paras) + "\n"
    if layout == "kicker":
        return "\n".join([h for h in heads if h] + paras) + "\n\n"
    if layout == "indented":
        head = "\n".join(h for h in heads if h) + "\n"
        if row.get("raw") is not None and k % 2 == 0:
            return head + row["raw"].strip("\n") + "\n"  # the export as it is: one line
        indent = "\u3000\u3000" if k % 2 else "    "
        return head + "\n".join(indent + p for p in paras) + "\n"
    raise ValueError(layout)


def render(rows: list[dict], layout: str) -> str:
    """A page of ``rows`` in ``layout``."""
    out = []
    for k, row in enumerate(rows):
        lay = LAYOUTS[k % 3] if layout == "mixed" else layout
        out.append(render_article(row, lay, k))
    return "".join(out)
