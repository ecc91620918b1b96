"""Golden responses: a fixed set of API and page requests, normalized for comparison.

``tests/test_golden.py`` sends every request in :data:`CASES` to an app over
the ``news_dir`` index (seeds/ plus the NEWS articles of ``conftest``) and
compares the answer with ``tests/golden/<name>.json``.  The golden files are
what the code answered when they were recorded; a refactor must leave them
alone, and an intended change of behaviour shows up as a reviewed update of
the files.  To record them again (after reviewing the diff the test prints)::

    .venv/bin/python -m tests.golden_record            # all cases
    .venv/bin/python -m tests.golden_record NAME …     # only these

Only what is volatile by nature is normalized: ``took_ms``, snapshot names,
``built_at``, the ``snapshots`` list, the ``ETag`` value and the ``Date``
header (their presence is kept).  Pages are recorded as their visible text
with ``<mark>`` shown as ``⟦…⟧``, link targets (percent-decoded once, for reading) and form fields, one block per
line, whitespace collapsed; the static footer (query-syntax help) is left out.
"""

from __future__ import annotations

import json
import re
import sys
import tempfile
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from search.models import MAX_QUERY_CHARS

GOLDEN_DIR = Path(__file__).resolve().parent / "golden"

SEED_ID = "c176767b90ea10a5"  # 以先进制造业为主攻方向… (seeds/), a stable derived id (page and position in it since issue 12)

# Headers whose value is part of the behaviour; ETag and Date are recorded as present/absent.
KEPT_HEADERS = ("Content-Type", "Cache-Control", "Access-Control-Allow-Origin", "Vary", "Retry-After",
                "Allow")
PRESENCE_HEADERS = ("ETag",)


@dataclass(frozen=True)
class Case:
    """One request.  ``query`` is a list of pairs (repeatable keys repeat)."""

    name: str
    path: str
    query: list[tuple[str, str]] = field(default_factory=list)
    method: str = "GET"
    json: Any = None
    data: str | None = None  # a raw body (sent as application/json)
    headers: dict[str, str] = field(default_factory=dict)
    config: dict[str, Any] = field(default_factory=dict)  # app settings beyond the defaults
    repeat: int = 1  # send this many times and record the last answer (rate limit)

    @property
    def page(self) -> bool:
        return not self.path.startswith("/api/")


Q = "郑州"

CASES: list[Case] = [
    # --- /api/search, GET ---
    Case("api_search_basic", "/api/search", [("q", Q)]),
    Case("api_search_facets", "/api/search", [("q", "地铁"), ("facets", "true"), ("per_page", "5")]),
    Case("api_search_sort_date", "/api/search", [("q", "地铁"), ("sort", "date")]),
    Case("api_search_sort_newest", "/api/search", [("q", Q), ("sort", "-date"), ("facets", "1")]),
    Case("api_search_filters", "/api/search", [("q", Q), ("source", "郑州晚报"), ("source", "大河报"),
                                               ("category", "经济"), ("date_from", "2022-01-01"),
                                               ("date_to", "2023-06-30")]),
    Case("api_search_tags_all_required", "/api/search", [("q", "地铁"), ("tag", "地铁"), ("tag", "交通")]),
    Case("api_search_author", "/api/search", [("q", "黑灯工厂"), ("author", "王芳")]),
    Case("api_search_paging", "/api/search", [("q", Q), ("per_page", "2"), ("page", "2")]),
    Case("api_search_past_last_page", "/api/search", [("q", Q), ("per_page", "2"), ("page", "9")]),
    Case("api_search_fragments", "/api/search", [("q", "发展"), ("fragments", "1"), ("fragment_size", "20")]),
    Case("api_search_no_fragments", "/api/search", [("q", "发展"), ("fragments", "0")]),
    Case("api_search_phrase", "/api/search", [("q", '"中原科技城"')]),
    Case("api_search_curly_phrase", "/api/search", [("q", "“黑灯工厂”")]),
    Case("api_search_field", "/api/search", [("q", "title:郑州 body:地铁")]),
    Case("api_search_not_or", "/api/search", [("q", "(地铁 OR 公交) -停运 NOT 金融")]),
    Case("api_search_date_range_query", "/api/search", [("q", "郑州 date:2023-01-01..2023-06-30")]),
    Case("api_search_traditional_fullwidth", "/api/search", [("q", "國際ＦＩＮＡＮＣＥ 金融")]),
    Case("api_search_markup_escaped", "/api/search", [("q", "网页安全")]),
    Case("api_search_no_hits", "/api/search", [("q", "不存在的词语组合")]),
    Case("api_search_cors", "/api/search", [("q", "地铁")], headers={"Origin": "http://intranet.example"}),
    Case("api_search_cors_refused", "/api/search", [("q", "地铁")], headers={"Origin": "http://evil.example"}),
    Case("api_search_rate_limited", "/api/search", [("q", "地铁")], config={"RATE_LIMIT": 1}, repeat=2),
    # --- /api/search, GET, errors ---
    Case("api_err_per_page_too_big", "/api/search", [("q", Q), ("per_page", "101")]),
    Case("api_err_per_page_zero", "/api/search", [("q", Q), ("per_page", "0")]),
    Case("api_err_per_page_word", "/api/search", [("q", Q), ("per_page", "ten")]),
    Case("api_err_unknown_field", "/api/search", [("q", "nosuch:郑州")]),
    Case("api_err_missing_q", "/api/search"),
    Case("api_err_empty_q", "/api/search", [("q", "")]),
    Case("api_err_normalizes_to_nothing", "/api/search", [("q", "(~¬")]),
    Case("api_err_page_too_deep", "/api/search", [("q", Q), ("page", "132710")]),
    Case("api_err_unknown_parameter", "/api/search", [("q", Q), ("colour", "red")]),
    Case("api_err_sort_bad", "/api/search", [("q", Q), ("sort", "bad")]),
    Case("api_err_bad_date", "/api/search", [("q", Q), ("date_from", "2023-13-40")]),
    Case("api_err_query_too_long", "/api/search", [("q", "郑" * (MAX_QUERY_CHARS + 1))]),
    # Intended to become a 400 (issue 10: only ASCII digits in query strings).
    Case("api_fullwidth_digit_page", "/api/search", [("q", Q), ("page", "１")]),
    # --- /api/search, POST ---
    Case("api_post_basic", "/api/search", method="POST",
         json={"q": "地铁", "facets": True, "per_page": 5, "source": ["郑州日报", "郑州晚报"], "tag": ["交通"]}),
    Case("api_post_sorted_paged", "/api/search", method="POST",
         json={"q": Q, "sort": "-date", "page": 2, "per_page": 3, "fragments": 1}),
    Case("api_post_err_types", "/api/search", method="POST", json={"q": Q, "per_page": "x", "facets": "maybe"}),
    Case("api_post_err_unknown_key", "/api/search", method="POST", json={"q": Q, "limit": 5}),
    Case("api_post_err_not_object", "/api/search", method="POST", json=["q", Q]),
    Case("api_post_err_malformed", "/api/search", method="POST", data='{"q": '),
    # Intended to become 400s (issue 10: only JSON integers in JSON bodies).
    Case("api_post_fragments_fraction", "/api/search", method="POST", json={"q": Q, "fragments": 2.5}),
    Case("api_post_page_float", "/api/search", method="POST", json={"q": Q, "page": 1.0}),
    # --- articles, health, stats, misc ---
    Case("api_article", f"/api/articles/{SEED_ID}"),
    Case("api_article_highlighted", "/api/articles/n4", [("q", "国际金融")]),
    Case("api_article_bad_q", "/api/articles/n1", [("q", "nosuch:x")]),
    Case("api_article_404", "/api/articles/does-not-exist"),
    Case("api_health", "/api/health"),
    Case("api_stats", "/api/stats"),
    Case("api_unknown_route", "/api/nothing-here"),
    Case("api_method_not_allowed", "/api/health", method="POST", json={}),
    # --- the page ---
    Case("page_home_empty", "/"),
    Case("page_search", "/", [("q", Q)]),
    Case("page_search_filters", "/", [("q", Q), ("source", "郑州晚报"), ("tag", "交通"), ("sort", "-date"),
                                      ("date_from", "2023-01-01")]),
    Case("page_search_paging", "/", [("q", Q), ("per_page", "2"), ("page", "2")]),
    Case("page_search_phrase_no_hits", "/", [("q", '"地铁停运"')]),
    Case("page_err_unknown_field", "/", [("q", "nosuch:郑州")]),
    Case("page_err_page_word", "/", [("q", Q), ("page", "two")]),
    Case("page_err_bad_date", "/", [("q", Q), ("date_from", "2023-02-30")]),
    Case("page_err_page_too_deep", "/", [("q", Q), ("page", "500")]),
    # Intended to change (issue 10): the page stops clamping per_page and shows the API's message.
    Case("page_per_page_80", "/", [("q", Q), ("per_page", "80"), ("page", "2")]),  # clamped: start=51
    Case("page_per_page_0", "/", [("q", Q), ("per_page", "0")]),
    Case("page_sort_bad", "/", [("q", Q), ("sort", "bad")]),
    Case("page_article", f"/articles/{SEED_ID}", [("q", "制造业"), ("back", "/?q=制造业")]),
    Case("page_article_markup", "/articles/xss"),
    Case("page_article_404", "/articles/does-not-exist"),
]


# ---------------------------------------------------------------- normalizing

_SNAPSHOT = re.compile(r"\d{8}T\d{9}Z-[0-9a-f]{6}")
_TOOK_TEXT = re.compile(r"（\d+ 毫秒）")


def _scrub(value: Any) -> Any:
    """Volatile values in a JSON body replaced by placeholders."""
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            if key == "took_ms":
                out[key] = "<took_ms>" if isinstance(item, (int, float)) else item
            elif key == "built_at":
                out[key] = "<built_at>"
            elif key == "snapshots" and isinstance(item, list):
                out[key] = ["<snapshot>" for _ in item]
            else:
                out[key] = _scrub(item)
        return out
    if isinstance(value, list):
        return [_scrub(v) for v in value]
    if isinstance(value, str):
        return _SNAPSHOT.sub("<snapshot>", value)
    return value


_BLOCKS = {"p", "div", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "br", "tr", "table", "section",
           "article", "header", "main", "nav", "form", "aside", "label", "title", "option", "select", "dl",
           "dt", "dd"}
_SKIP = {"script", "style", "footer", "head"}


class _PageText(HTMLParser):
    """Visible text, one block per line; links as ``[text](href)``, marks as ``⟦…⟧``, fields as ``{…}``."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[str] = []
        self.cur: list[str] = []
        self.skip = 0
        self.hrefs: list[str | None] = []

    def _break(self) -> None:
        text = re.sub(r"\s+", " ", "".join(self.cur)).strip()
        if text:
            self.lines.append(text)
        self.cur = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "title":
            self._break()
            self.cur.append("TITLE: ")
            return
        if tag in _SKIP:
            self.skip += 1
            return
        if self.skip:
            return
        if tag in _BLOCKS:
            self._break()
        if tag == "a":
            self.hrefs.append(a.get("href"))
            self.cur.append("[")
        elif tag == "mark":
            self.cur.append("⟦")
        elif tag in ("input", "button", "select"):
            desc = " ".join(f"{k}={v!r}" for k, v in attrs if k in ("name", "type", "value", "selected")
                            or k == "autofocus")
            self.cur.append(f" {{{tag} {desc}}} ")
        elif tag == "option" and "selected" in a:
            self.cur.append("(selected) ")
        elif tag == "ol" and a.get("start"):
            self.cur.append(f"(start={a['start']})")
        elif tag in ("p", "span") and a.get("class") in ("notice", "notice error", "count", "gap"):
            self.cur.append(f"<{a['class']}> " if tag == "p" else "")
        elif a.get("aria-current"):
            self.cur.append("*")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self._break()
            return
        if tag in _SKIP:
            self.skip = max(0, self.skip - 1)
            return
        if self.skip:
            return
        if tag == "a":
            href = self.hrefs.pop() if self.hrefs else None
            self.cur.append(f"]({unquote(href) if href else href})")
        elif tag == "mark":
            self.cur.append("⟧")
        if tag in _BLOCKS:
            self._break()

    def handle_data(self, data: str) -> None:
        if not self.skip or self.lasttag == "title":
            self.cur.append(data)

    def text(self) -> list[str]:
        self._break()
        return self.lines


def page_lines(html: str) -> list[str]:
    """The page as normalized text lines (see the module docstring)."""
    parser = _PageText()
    parser.feed(html)
    parser.close()
    return [_TOOK_TEXT.sub("（<took> 毫秒）", _SNAPSHOT.sub("<snapshot>", line)) for line in parser.text()]


def record(case: Case, resp: Any) -> dict[str, Any]:
    """The comparable form of one response."""
    out: dict[str, Any] = {"request": _describe(case), "status": resp.status_code}
    headers: dict[str, str] = {}
    for name in KEPT_HEADERS:
        if name in resp.headers:
            value = resp.headers[name]
            # Werkzeug lists allowed methods in set order (varies with PYTHONHASHSEED).
            headers[name] = ", ".join(sorted(value.split(", "))) if name == "Allow" else value
    for name in PRESENCE_HEADERS:
        headers[name] = "<present>" if name in resp.headers else "<absent>"
    out["headers"] = headers
    if case.page or resp.mimetype != "application/json":
        out["page"] = page_lines(resp.get_data(as_text=True))
    else:
        out["json"] = _scrub(resp.get_json())
    return out


def _describe(case: Case) -> dict[str, Any]:
    d: dict[str, Any] = {"method": case.method, "path": case.path}
    for key in ("query", "json", "data", "headers", "config"):
        value = getattr(case, key)
        if value not in (None, [], {}):
            d[key] = [f"{k}={v}" for k, v in value] if key == "query" else value
    if case.repeat > 1:
        d["repeat"] = case.repeat
    return d


# ---------------------------------------------------------------- running

BASE_CONFIG: dict[str, Any] = {"TESTING": True, "REFRESH_INTERVAL": 0, "CORS_ORIGINS": "http://intranet.example"}


class Runner:
    """Apps over one index directory, one per distinct ``Case.config``; close() when done."""

    def __init__(self, index_dir: Path) -> None:
        self.index_dir = index_dir
        self.apps: dict[str, Any] = {}

    def app(self, config: dict[str, Any]) -> Any:
        from api import create_app

        key = json.dumps(config, sort_keys=True)
        if key not in self.apps:
            self.apps[key] = create_app({**BASE_CONFIG, "INDEX_DIR": str(self.index_dir), **config})
        return self.apps[key]

    def run(self, case: Case) -> dict[str, Any]:
        if case.config:  # a fresh app per run: e.g. rate-limit buckets must not carry over
            from api import create_app

            app = create_app({**BASE_CONFIG, "INDEX_DIR": str(self.index_dir), **case.config})
        else:
            app = self.app({})
        client = app.test_client()
        kwargs: dict[str, Any] = {"query_string": case.query, "headers": case.headers}
        if case.json is not None:
            kwargs["json"] = case.json
        if case.data is not None:
            kwargs["data"] = case.data
            kwargs["content_type"] = "application/json"
        try:
            for _ in range(case.repeat):
                resp = client.open(case.path, method=case.method, **kwargs)
            return record(case, resp)
        finally:
            if case.config:
                app.extensions["newsearch"].close()

    def close(self) -> None:
        for app in self.apps.values():
            app.extensions["newsearch"].close()


def golden_path(case: Case) -> Path:
    return GOLDEN_DIR / f"{case.name}.json"


def dumps(data: dict[str, Any]) -> str:
    return json.dumps(data, ensure_ascii=False, indent=1) + "\n"


def build_news_index(tmp: Path) -> Path:
    """The same index as conftest's ``news_dir`` fixture."""
    from tests.conftest import NEWS, SEEDS, build_index, write_jsonl

    src = write_jsonl(tmp / "news.jsonl", NEWS)
    store, report = build_index(tmp, [str(SEEDS), str(src)])
    assert report.indexed == 4 + len(NEWS), report.problems
    return store.root


def main(argv: list[str]) -> int:
    names = set(argv)
    unknown = names - {c.name for c in CASES}
    if unknown:
        print(f"unknown case(s): {', '.join(sorted(unknown))}", file=sys.stderr)
        return 2
    GOLDEN_DIR.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        runner = Runner(build_news_index(Path(tmp)))
        try:
            for case in CASES:
                if names and case.name not in names:
                    continue
                golden_path(case).write_text(dumps(runner.run(case)), encoding="utf-8")
                print(f"recorded {golden_path(case).name}")
        finally:
            runner.close()
    return 0


if __name__ == "__main__":
    if __package__ in (None, ""):  # python tests/golden_record.py
        sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    sys.exit(main(sys.argv[1:]))
