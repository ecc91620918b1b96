"""The search page and article view, rendered on the server.

Every state of the page lives in its URL (``/?q=…&page=2&source=…``), so a
search can be bookmarked and shared, back and forward work, and the page is
fully usable without JavaScript; ``static/search.js`` only adds keyboard
niceties and suggestions as you type (``/api/suggest``).  Snippets are the search layer's highlights: article text is
HTML-escaped there and only ``<mark>`` is ever inserted, which is why the
templates may mark them ``safe``.
"""

from __future__ import annotations

import calendar
from typing import Any
from urllib.parse import urlencode, urlsplit

from flask import Blueprint, Response, current_app, render_template, request, send_from_directory, url_for
from marshmallow import ValidationError

from index.store import StoreError
from search.engine import article_highlights, article_view, search
from search.entities import narrowed_query
from search.models import FILTERS, MAX_RESULT_DEPTH, RequestError, SearchRequest
from search.related import related

from .operations import query_args
from .schemas import SearchArgsSchema
from .live import live_index, time_budget

bp = Blueprint("pages", __name__, template_folder="templates", static_folder="static",
               static_url_path="/assets")

_search_args = SearchArgsSchema()


@bp.context_processor
def _limits() -> dict[str, Any]:
    """The search box's ``maxlength``: the deployment's ``MAX_QUERY_CHARS``."""
    return {"max_query_chars": int(current_app.config["MAX_QUERY_CHARS"])}

#: Related articles listed under an article.
PAGE_RELATED = 5


def _filter_params() -> list[tuple[str, str]]:
    """The filter and sort parameters of this request, in order."""
    out = []
    for name in FILTERS:
        out += [(name, v) for v in request.args.getlist(name) if v]
    for name in ("date_from", "date_to", "sort", "per_page", "expand", "collapse"):
        value = request.args.get(name, "")
        if value and not (name == "sort" and value == "relevance") and not (name == "collapse" and value == "story"):
            out.append((name, value))
    return out


#: Parameters of the page's URL that are choices of how to search, not filters to show.
_NOT_FILTERS = ("sort", "per_page", "expand")


def _url(q: str, params: list[tuple[str, str]], page: int = 1) -> str:
    query = [("q", q)] + params + ([("page", str(page))] if page > 1 else [])
    return url_for("pages.home") + "?" + urlencode(query)


def _request_from_args(q: str) -> SearchRequest:
    """The page's URL read exactly as ``GET /api/search`` reads it (the same
    schema, bounds and messages); fields the page's forms leave empty are
    absent, other parameters (not the API's) are ignored, facets always on."""
    data = {k: v for k, v in query_args(_search_args).items()
            if k in _search_args.fields and k != "facets" and v not in ("", [])}
    for name in FILTERS:
        if name in data:
            data[name] = [v for v in data[name] if v]
    data.update(q=q, facets=True, histogram="day")
    data.setdefault("collapse", "story")  # the page shows one hit per story unless asked (collapse=none)
    try:
        req: SearchRequest = _search_args.load(data)
    except ValidationError as exc:
        messages = exc.messages if isinstance(exc.messages, dict) else {"": exc.messages}
        field, problems = next(iter(messages.items()))
        text = problems[0] if isinstance(problems, list) else str(problems)
        raise RequestError(text if str(field) in text else f"{field}: {text}", str(field)) from None
    return req


_UNIT_LABELS = {4: "年", 7: "月", 10: "日"}


def _period(key: str) -> tuple[str, str]:
    """First and last day of a histogram key (``2023``, ``2023-07``, ``2023-07-27``)."""
    if len(key) == 4:
        return f"{key}-01-01", f"{key}-12-31"
    if len(key) == 7:
        year, month = (int(p) for p in key.split("-"))
        return f"{key}-01", f"{key}-{calendar.monthrange(year, month)[1]:02d}"
    return key, key


def _timeline(days: list[dict[str, Any]], url: Any) -> dict[str, Any] | None:
    """The page's bar chart: the result's daily counts regrouped by the
    unit that suits the range they cover (days up to two months, months up
    to three years, else years), each bar a link narrowing the dates."""
    if not days:
        return None
    first, last = days[0]["key"], days[-1]["key"]
    months = (int(last[:4]) - int(first[:4])) * 12 + int(last[5:7]) - int(first[5:7])
    size = 10 if months <= 2 else 7 if months <= 36 else 4
    counts: dict[str, int] = {}
    for bucket in days:
        key = bucket["key"][:size]
        counts[key] = counts.get(key, 0) + bucket["count"]
    top = max(counts.values())
    bars = [{"key": k, "count": c, "url": url(k), "height": max(2, round(56 * c / top))} for k, c in counts.items()]
    return {"unit": _UNIT_LABELS[size], "bars": bars, "width": 10 * len(bars)}


def _pages(q: str, params: list[tuple[str, str]], page: int, per_page: int,
           total: int) -> list[tuple[str, str | None, bool]]:
    size = per_page
    last = max(1, min((total + size - 1) // size, MAX_RESULT_DEPTH // size))
    out: list[tuple[str, str | None, bool]] = []
    if page > 1:
        out.append(("上一页", _url(q, params, page - 1), False))
    shown = sorted({1, last, *range(max(1, page - 2), min(last, page + 2) + 1)})
    prev = 0
    for n in shown:
        if n - prev > 1:
            out.append(("…", None, False))
        out.append((str(n), _url(q, params, n), n == page))
        prev = n
    if page < last:
        out.append(("下一页", _url(q, params, page + 1), False))
    return out


@bp.get("/")
def home() -> str:
    q = request.args.get("q", "").strip()
    params = _filter_params()
    ctx: dict[str, Any] = {"q": q, "error": None, "result": None, "keep_params": [],
                           "filter_params": params, "sort": request.args.get("sort") or "relevance",
                           "date_from": request.args.get("date_from"), "date_to": request.args.get("date_to"),
                           "autofocus": not q}
    if q:
        try:
            result = search(live_index(), _request_from_args(q), time_budget())
        except RequestError as exc:
            ctx["error"] = f"查询有误：{exc.message}"
        except StoreError:
            current_app.logger.exception("search page: index unavailable")
            ctx["error"] = "检索服务暂时不可用（索引尚未建立或正在维护），请稍后再试。"
        else:
            ctx["result"] = result

            def period_url(key: str) -> str:
                """The search narrowed to one year, month or day."""
                start, end = _period(key)
                narrowed = [(k, v) for k, v in params if k not in ("date_from", "date_to")]
                return _url(q, narrowed + [("date_from", start), ("date_to", end)])

            def facet_url(facet: str, value: str) -> str:
                if facet == "month":
                    return period_url(value)
                return _url(q, params + [(facet, value)])

            ctx["facet_url"] = facet_url
            ctx["entity_url"] = lambda facet, value: _url(narrowed_query(q, facet, value), params)
            ctx["query_url"] = lambda other: _url(other, params)  # "did you mean": same filters
            ctx["timeline"] = _timeline(result.histogram or [], period_url)
            export_params = [(k, v) for k, v in params if k not in ("per_page", "collapse")]
            ctx["export_url"] = url_for("api.export_articles") + "?" + urlencode([("q", q)] + export_params)
            feed_params = [(k, v) for k, v in params if k not in ("per_page", "sort")]
            ctx["feed_url"] = url_for("api.feed") + "?" + urlencode([("q", q)] + feed_params)
            ctx["active_filters"] = [
                (f"{name}: {value}", _url(q, [p for p in params if p != (name, value)]))
                for name, value in params if name not in _NOT_FILTERS]
            ctx["pages"] = _pages(q, params, result.page, result.per_page,
                                  result.total if result.stories is None else result.stories)
            others = [(k, v) for k, v in params if k != "collapse"]
            ctx["collapse_url"] = _url(q, others + ([("collapse", "none")] if result.stories is not None else []))
            ctx["back_url"] = _url(q, params, result.page)
            # the same search without (or, after that link, again with) the vocabulary's widening
            plain = [(k, v) for k, v in params if k != "expand"]
            ctx["unexpanded_url"] = _url(q, plain + [("expand", "false")])
            ctx["widened_off"] = len(plain) != len(params)
            ctx["expanded_url"] = _url(q, plain)
    return render_template("search.html", **ctx)


def _safe_back(url: str | None) -> str:
    """Only a link back to our own search page (no open redirect)."""
    home_url = url_for("pages.home")
    if url and url.startswith(home_url + "?") and not urlsplit(url).netloc:
        return url
    return home_url


def _safe_link(url: str) -> str | None:
    return url if urlsplit(url).scheme in ("http", "https") else None


@bp.get("/articles/<path:article_id>")
def article(article_id: str) -> tuple[str, int] | str:
    q = request.args.get("q", "").strip() or None
    back = _safe_back(request.args.get("back"))
    try:
        view = article_view(live_index(), article_id, q)
    except RequestError:
        view = article_view(live_index(), article_id)
    except StoreError:
        current_app.logger.exception("article page: index unavailable")
        return render_template("search.html", q=q, error="检索服务暂时不可用，请稍后再试。",
                               result=None, keep_params=[], filter_params=[]), 503
    if view is None:
        return render_template("search.html", q=q, error="没有找到这篇文章。", result=None,
                               keep_params=[], filter_params=[]), 404
    art = view.article
    shown = view.highlights or article_highlights(art)
    found = related(live_index(), art.id, PAGE_RELATED)
    return render_template("article.html", article=art, view=shown, q=q, back_url=back,
                           safe_url=_safe_link(art.url), keep_params=[],
                           related=found.hits if found else [], versions=view.versions)


@bp.get("/widget.js")
def widget() -> Response:
    """The embeddable ``<news-search>`` element (see README, "Embedding")."""
    assert bp.static_folder is not None
    resp = send_from_directory(bp.static_folder, "widget.js", mimetype="text/javascript")
    resp.headers["Access-Control-Allow-Origin"] = "*"  # a script anyone may load
    return resp
