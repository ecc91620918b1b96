"""The query language: a user's ``q`` parsed into a syntax tree.

This module is the grammar alone: no index, no Whoosh.  :mod:`search.compile`
turns the tree into queries over an index.

Syntax (one string):

* ``郑州 地铁`` — terms separated by spaces must all match (AND).  A term is
  segmented by jieba into words, each of which must match; documents where
  the words stand together rank higher.
* ``"中原科技城"`` (also “…” and 「…」) — an exact phrase: the characters stand
  contiguous in one field.
* ``a OR b``, ``NOT a``, ``-a``, parentheses.  ``OR`` binds tighter than the
  implicit AND, so ``郑州 地铁 OR 公交 -停运`` means
  ``郑州 AND (地铁 OR 公交) AND NOT 停运``.
* ``field:term`` / ``field:"phrase"`` for the fields of
  :data:`search.models.QUERY_FIELDS` (``：`` works too).  An unknown name
  before ``:`` is an error; before ``：`` it is just text, as in the headline
  ``BBC：中国…``.  Author, source, category and tag values are matched as one
  substring (names are not segmented); ``person:``, ``place:`` and ``org:``
  name an entity the article was tagged with, as a whole (any of a
  vocabulary entity's names).
* ``date:2023-01-01..2023-06-30``; either end may be left open.

Matching is on the normalized form (:func:`index.normalization.match_text`):
a term or phrase matches a field iff its normalized text is a substring of
the field's normalized text.

Repairs, rather than errors, for common slips: an unclosed quote runs to the
end of the query; unclosed parentheses close at the end; a stray ``)`` and an
operator with nothing to apply to (``OR`` at either end, ``OR OR``, a
trailing ``-``) are ignored.  Errors (:class:`QueryError`): an empty query
(also one of punctuation only, which normalizes to nothing), an unknown
field, a bad date, and the limits of :mod:`search.models`.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Union

from index.normalization import match_text

from .models import MAX_PAREN_DEPTH, MAX_QUERY_CHARS, MAX_QUERY_TERMS, QUERY_FIELDS, RequestError

#: The answer to a query with nothing to search for (empty, or only
#: punctuation and spaces, which normalization drops).
EMPTY_QUERY_MESSAGE = "empty query: type a word or a \"phrase\""


class QueryError(RequestError):
    """The query cannot be run; the message says why, in the user's terms."""


# --------------------------------------------------------------------------
# AST


@dataclass
class Leaf:
    text: str  # as typed (without quotes or field prefix)
    field: str | None = None  # one of QUERY_FIELDS minus "date", or None (title/subtitle/body)
    phrase: bool = False


@dataclass
class DateRange:
    start: dt.date | None
    end: dt.date | None


@dataclass
class Not:
    child: "Node"


@dataclass
class And:
    children: list["Node"] = field(default_factory=list)


@dataclass
class Or:
    children: list["Node"] = field(default_factory=list)


Node = Union[Leaf, DateRange, Not, And, Or]


# --------------------------------------------------------------------------
# Lexer

_QUOTES = {'"': '"', "“": "”", "「": "」", "『": "』", "”": "”"}
_FIELD_RE = re.compile(r"([A-Za-z_]+)[:：]")


@dataclass
class _Tok:
    kind: str  # "word", "phrase", "(", ")", "OR", "AND", "NOT"
    text: str = ""
    field: str | None = None
    neg: bool = False


def _lex(q: str) -> list[_Tok]:
    toks: list[_Tok] = []
    i, n = 0, len(q)
    while i < n:
        ch = q[i]
        if ch.isspace():
            i += 1
            continue
        if ch in "(（":
            toks.append(_Tok("("))
            i += 1
            continue
        if ch in ")）":
            toks.append(_Tok(")"))
            i += 1
            continue
        neg = False
        if ch == "-" and i + 1 < n and not q[i + 1].isspace():
            neg = True
            i += 1
            ch = q[i]
            if ch in "(（":
                toks.append(_Tok("NOT"))
                continue
        fieldname = None
        m = _FIELD_RE.match(q, i)
        # "BBC：中国…" is how Chinese headlines quote a speaker: a full-width
        # colon makes a field only of a known field name.
        if m and (m.group(1).lower() in QUERY_FIELDS or q[m.end() - 1] == ":"):
            fieldname = m.group(1).lower()
            if fieldname not in QUERY_FIELDS:
                raise QueryError(f"unknown field '{m.group(1)}:' (fields: {', '.join(QUERY_FIELDS)})")
            i = m.end()
            if i >= n or q[i].isspace():
                raise QueryError(f"'{m.group(1)}:' needs a term or a \"phrase\" after it")
            ch = q[i]
        if ch in _QUOTES:
            close = _QUOTES[ch]
            j = q.find(close, i + 1)
            if j < 0:  # unclosed quote: the phrase runs to the end
                j = n
            toks.append(_Tok("phrase", q[i + 1:j], fieldname, neg))
            i = j + 1
            continue
        j = i
        while j < n and not q[j].isspace() and q[j] not in "()（）\"“”「」『』":
            j += 1
        if j == i:  # a stray closing quote: skip it
            i += 1
            continue
        word = q[i:j]
        i = j
        if fieldname is None and not neg and word in ("OR", "AND", "NOT", "|"):
            toks.append(_Tok("OR" if word == "|" else word))
            continue
        if word:
            toks.append(_Tok("word", word, fieldname, neg))
    return toks


# --------------------------------------------------------------------------
# Parser: query := andexpr; andexpr := orexpr+; orexpr := unary (OR unary)*;
#         unary := NOT unary | primary; primary := ( andexpr ) | word | phrase


class _Parser:
    def __init__(self, toks: list[_Tok]) -> None:
        self.toks = toks
        self.i = 0
        self.leaves = 0

    def peek(self) -> _Tok | None:
        return self.toks[self.i] if self.i < len(self.toks) else None

    def parse(self) -> Node | None:
        node = self.and_expr(0)
        while self.peek() is not None:  # stray ")": skip it and go on
            self.i += 1
            more = self.and_expr(0)
            if more is not None:
                node = more if node is None else And([node, more])
        return node

    def and_expr(self, depth: int) -> Node | None:
        if depth > MAX_PAREN_DEPTH:
            raise QueryError(f"parentheses nested deeper than {MAX_PAREN_DEPTH} levels")
        children: list[Node] = []
        while True:
            tok = self.peek()
            if tok is None or tok.kind == ")":
                break
            if tok.kind in ("AND", "OR"):  # operator with no left operand
                self.i += 1
                continue
            node = self.or_expr(depth)
            if node is not None:
                children.append(node)
        if not children:
            return None
        return children[0] if len(children) == 1 else And(children)

    def or_expr(self, depth: int) -> Node | None:
        node = self.unary(depth)
        children = [node] if node is not None else []
        while (tok := self.peek()) is not None and tok.kind == "OR":
            self.i += 1
            nxt = self.unary(depth)
            if nxt is not None:
                children.append(nxt)
        if not children:
            return None
        return children[0] if len(children) == 1 else Or(children)

    def unary(self, depth: int) -> Node | None:
        tok = self.peek()
        if tok is None:
            return None
        if tok.kind == "NOT":
            self.i += 1
            child = self.unary(depth + 1)
            return Not(child) if child is not None else None
        return self.primary(depth)

    def primary(self, depth: int) -> Node | None:
        tok = self.peek()
        if tok is None or tok.kind in (")", "OR", "AND"):
            return None
        self.i += 1
        if tok.kind == "(":
            group = self.and_expr(depth + 1)
            if (close := self.peek()) is not None and close.kind == ")":
                self.i += 1
            return group
        self.leaves += 1
        if self.leaves > MAX_QUERY_TERMS:
            raise QueryError(f"too many terms: at most {MAX_QUERY_TERMS}")
        node: Node
        if tok.field == "date":
            node = _parse_date_range(tok.text)
        else:
            node = Leaf(tok.text, tok.field, tok.kind == "phrase")
        return Not(node) if tok.neg else node


_DATE_RE = re.compile(r"^\d{4}-\d{1,2}-\d{1,2}$")


def parse_date(text: str, name: str = "date") -> dt.date:
    """An ISO date (``YYYY-MM-DD``) or a :class:`QueryError` naming ``name``."""
    text = text.strip()
    if not _DATE_RE.match(text):
        raise QueryError(f"{name}: '{text}' is not a date (use YYYY-MM-DD)", name)
    try:
        y, m, d = (int(p) for p in text.split("-"))
        return dt.date(y, m, d)
    except ValueError:
        raise QueryError(f"{name}: '{text}' is not a valid date", name) from None


def _parse_date_range(text: str) -> DateRange:
    if ".." in text:
        lo, hi = text.split("..", 1)
    else:
        lo = hi = text
    try:
        start = parse_date(lo, "date") if lo.strip() else None
        end = parse_date(hi, "date") if hi.strip() else None
    except QueryError as exc:
        raise QueryError(exc.message) from None  # a mistake in q
    if start is None and end is None:
        raise QueryError("date: needs a date or a range like 2023-01-01..2023-06-30")
    if start and end and start > end:
        raise QueryError(f"date: the range {text} ends before it starts")
    return DateRange(start, end)


def parse(q: str) -> Node:
    """Parse ``q`` into an AST, repairing slips; :class:`QueryError` if unusable."""
    if len(q) > MAX_QUERY_CHARS:
        raise QueryError(f"query is too long: {len(q)} characters, at most {MAX_QUERY_CHARS}")
    node = _Parser(_lex(q)).parse()
    node = _prune_empty(node)
    if node is None:
        raise QueryError(EMPTY_QUERY_MESSAGE)
    return node


def _prune_empty(node: Node | None) -> Node | None:
    """Drop leaves with nothing to match (only punctuation) and empty groups."""
    if node is None:
        return None
    if isinstance(node, Leaf):
        return node if match_text(node.text) else None
    if isinstance(node, DateRange):
        return node
    if isinstance(node, Not):
        child = _prune_empty(node.child)
        return Not(child) if child is not None else None
    kids = [k for k in (_prune_empty(c) for c in node.children) if k is not None]
    if not kids:
        return None
    if len(kids) == 1:
        return kids[0]
    return type(node)(kids)
