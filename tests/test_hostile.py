"""Hostile input: arbitrary queries and broken files never crash anything."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from index.articles import Problem
from index.sources import MAX_LINE_BYTES, read_sources
from search.engine import search
from search.models import SearchRequest
from search.grammar import QueryError, parse
from search.models import MAX_QUERY_CHARS

# Query text: every kind of Unicode plus the query language's own syntax.
SYNTAX = st.sampled_from(['"', "“", "”", "(", ")", "-", " OR ", " NOT ", "title:", "date:", "tag:", ":",
                          "..", "*", "?", "~", "^", "\\", "\u200f", "\u202e", "\u0301", "\x00", "\ud800",
                          "😀", "郑州", "中原科技城", "ＲＣＥＰ", " "])
QUERY = st.lists(st.one_of(st.text(max_size=8), SYNTAX), max_size=40).map("".join)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(QUERY)
def test_parser_returns_a_tree_or_a_query_error(q):
    try:
        parse(q)
    except QueryError as exc:
        assert exc.message


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(q=QUERY)
def test_search_answers_or_refuses(seed_index, q):
    try:
        result = search(seed_index, SearchRequest(q=q, facets=True))
    except QueryError:
        return
    assert 0 <= result.total <= 4


@pytest.mark.parametrize("q", [
    "郑" * MAX_QUERY_CHARS,
    " OR ".join(["发展"] * 31),
    "(" * 16 + "发展" + ")" * 16,
    "-" * 500 + "发展",
    '"' + "市委书记" * 200 + '"',
])
def test_worst_cases_are_answered_or_refused(seed_index, q):
    # Time is bounded by the limits these hit (query length, terms, nesting),
    # not asserted here: the machines are shared (speed lives in bench/).
    try:
        result = search(seed_index, SearchRequest(q=q))
    except QueryError as exc:
        assert exc.message
    else:
        assert result.total <= 4


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(params=st.dictionaries(
    st.sampled_from(["q", "page", "per_page", "sort", "date_from", "date_to", "source", "tag", "facets",
                     "fragments", "fragment_size", "x"]),
    st.one_of(st.text(max_size=30), st.integers(-5, 2000).map(str)), max_size=8))
def test_api_never_500s(client, params):
    resp = client.get("/api/search", query_string=params)
    assert resp.status_code in (200, 400), resp.get_data(as_text=True)
    body = resp.get_json()
    assert ("error" in body) == (resp.status_code == 400)


def read(tmp_path, name: str, data: bytes):
    path = tmp_path / name
    path.write_bytes(data)
    problems: list[Problem] = []
    return list(read_sources([str(path)], problems)), problems


# Lines for a JSON Lines file: random bytes, and JSON values of every shape (good articles among them).
_JSON_VALUE = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=6)
_RECORD = st.fixed_dictionaries(
    {}, optional={"id": st.one_of(st.text(max_size=4), st.integers(), st.none(), st.lists(st.integers())),
                  "title": st.one_of(st.text(max_size=10), st.integers()), "body": st.text(max_size=30),
                  "date": st.one_of(st.text(max_size=12), st.just("2023-07-27")),
                  "tags": st.one_of(st.lists(st.text(max_size=3), max_size=2), st.text(max_size=3)),
                  "url": st.sampled_from(["https://example.org/a", "javascript:x", ""]), "x": _JSON_VALUE})
_LINE = st.one_of(st.binary(max_size=120),
                  st.one_of(_RECORD, _JSON_VALUE).map(lambda v: json.dumps(v, ensure_ascii=False).encode()))
_FILE = st.one_of(st.binary(max_size=2000), st.lists(_LINE, max_size=12).map(b"\n".join))


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=_FILE, ext=st.sampled_from(["page.txt", "lines.jsonl"]))
def test_random_bytes_are_reported_not_raised(tmp_path, data, ext):
    articles, problems = read(tmp_path, ext, data)
    path = str(tmp_path / ext)
    nlines = data.count(b"\n") + 1
    for p in problems:
        # Every problem is a foreseen one, names the file and a real line, and says why.
        assert p.path == path and 0 <= p.line <= nlines and p.reason.strip(), p
        assert not p.reason.startswith("unexpected error"), f"the reader's safety net caught a bug: {p}"
    for a in articles:
        assert a.origin == path and 1 <= a.line <= nlines
        assert a.title or a.body.strip()
        text = a.title + a.subtitle + a.body + a.author + a.source
        assert not any(c in text for c in "\x00\r\x1b"), a  # control characters are dropped
    if ext.endswith(".jsonl") and not any(p.line == 0 for p in problems):
        # Every non-blank line is accounted for exactly once: an article or a problem at its number.
        nonblank = [i for i, line in enumerate(data.split(b"\n"), 1) if line.strip()]
        accounted = sorted([a.line for a in articles] + [p.line for p in problems])
        assert accounted == nonblank


def test_broken_lines_are_skipped_and_the_rest_kept(tmp_path):
    good = json.dumps({"id": "ok", "title": "好文章", "body": "正文"}, ensure_ascii=False).encode()
    nested = b'{"id": "deep", "title": "x", "extra": ' + b"[" * 100000 + b"]" * 100000 + b"}"
    lines = [
        good,
        b'{"id": "nul", "title": "\\u0000\\u6807\\u9898", "body": "a\\u0000b"}',
        nested,
        b'{"id": "huge", "title": "t", "body": "' + b"x" * (MAX_LINE_BYTES + 10) + b'"}',
        "{\"id\": \"gbk\", \"title\": \"标题\"}".encode("gbk"),
        b'{"id": "raw-nul", "title": "a\x00b"}',
        json.dumps({"id": "ok2", "title": "另一篇", "body": "正文"}, ensure_ascii=False).encode(),
    ]
    articles, problems = read(tmp_path, "mixed.jsonl", b"\n".join(lines) + b"\n")
    ids = [a.id for a in articles]
    assert ids[0] == "ok" and ids[-1] == "ok2" and "huge" not in ids and "deep" not in ids
    nul = [a for a in articles if a.id == "nul"]
    assert nul and "\x00" not in nul[0].title + nul[0].body
    reasons = {p.line: p.reason for p in problems}
    assert "nested too deeply" in reasons[3]
    assert "longer than" in reasons[4]
    assert 5 in reasons  # GBK bytes in a UTF-8 file
    assert "malformed JSON" in reasons[6]  # a raw NUL byte inside a JSON string


def test_a_file_that_vanishes_is_reported(tmp_path):
    (tmp_path / "a.jsonl").write_text('{"title": "甲", "body": "正文"}\n', encoding="utf-8")
    gone = tmp_path / "b.jsonl"
    gone.write_text('{"title": "乙", "body": "正文"}\n', encoding="utf-8")
    problems: list[Problem] = []
    seen = []
    for art in read_sources([str(tmp_path)], problems):
        seen.append(art.title)
        gone.unlink(missing_ok=True)  # vanishes after the walk listed it
    assert seen == ["甲"]
    assert problems and "b.jsonl" in problems[0].path and "cannot read" in problems[0].reason
