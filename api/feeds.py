"""Every search has an Atom 1.0 feed (RFC 4287): ``GET /api/feed?q=…``.

The feed lists the :data:`~search.recent.FEED_ENTRIES` matching articles
most recently added to the index (:func:`search.recent.recent`), so a
reporter subscribed to a search in any feed reader sees what the next cron
update indexed, back-dated articles included.

* Links are absolute: ``PUBLIC_URL`` (``NEWSEARCH_PUBLIC_URL``, the URL at
  which this app's root is reached, e.g. ``https://search.intranet/news``)
  or else the request's own host URL.
* Entry ids are ``tag:`` URIs (RFC 4151) of the article id,
  ``tag:HOST,2026:article:ID`` with HOST that URL's host name: the same in
  every snapshot, and in every feed that lists the article, so a reader
  never shows one article twice.  The feed's id is the ``tag:`` URI of its
  query string (parameters in sorted order).
* ``updated`` of an entry is when the article (this version of it) was
  indexed; ``published`` is the article's date (00:00 UTC, which reads as
  the right day in China's time zone); the feed's ``updated`` is its newest
  entry's (or the snapshot's time when nothing matches).
* Summaries are plain text (``type="text"``): the query's body fragments
  with the marks dropped.
* The ETag is that of the snapshot, the request and the base URL: it
  changes when (and only when) a build or update switches snapshots.
"""

from __future__ import annotations

import hashlib
import re
from typing import Any
from urllib.parse import quote, urlencode, urlsplit

from flask import Response, current_app, request, url_for
from lxml import etree
from werkzeug.routing import BuildError

from index.schema import article_authors
from search.models import FILTERS, SearchRequest
from search.recent import RecentArticle, RecentResult, recent
from search.snapshots import SearchIndex

ATOM_NS = "http://www.w3.org/2005/Atom"
MEDIA_TYPE = "application/atom+xml"
#: The date part of every ``tag:`` URI minted here (fixed forever: ids must not change).
TAG_DATE = "2026"
SERVICE = "新闻检索"
#: Characters XML 1.0 cannot carry (C0 controls but tab and newlines, lone surrogates, U+FFFE/F).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def base_url() -> str:
    """The absolute URL of this app's root, without a trailing slash."""
    public = str(current_app.config.get("PUBLIC_URL") or "").strip()
    return (public or request.url_root).rstrip("/")


def absolute(path: str) -> str:
    """An absolute URL for a path from ``url_for`` (which includes the app's script root)."""
    return base_url() + path[len(request.script_root):]


def _authority() -> str:
    return urlsplit(base_url()).hostname or "localhost"


def entry_id(article_id: str) -> str:
    """The stable Atom id of an article (see the module docstring)."""
    return f"tag:{_authority()},{TAG_DATE}:article:{quote(article_id, safe='')}"


def _self_url() -> str:
    query = quote(request.query_string, safe="/?:@!$&'()*+,;=%~")  # as sent, any raw byte encoded
    return base_url() + quote(request.path) + (f"?{query}" if query else "")


def _params() -> list[tuple[str, str]]:
    return sorted((k, v) for k in request.args for v in request.args.getlist(k))


def feed_tag(snapshot: str) -> str:
    """The ETag of this request's feed from ``snapshot``."""
    key = f"{snapshot}\x1f{request.full_path}\x1f{base_url()}"
    return hashlib.sha1(key.encode()).hexdigest()[:24]


def feed_response(index: SearchIndex, req: SearchRequest, budget: float | None) -> Response:
    """The feed of ``req`` as a response, or 304 when the client's ETag is
    that of the live snapshot (answered before any searching)."""
    live = index.acquire().snapshot.name
    if feed_tag(live) in request.if_none_match:
        resp = Response(status=304)
        _cache_headers(resp, feed_tag(live))
        return resp
    result = recent(index, req, budget=budget)
    resp = Response(feed_document(result, req), content_type=f"{MEDIA_TYPE}; charset=utf-8")
    _cache_headers(resp, feed_tag(result.snapshot))
    resp.make_conditional(request)
    return resp


def _cache_headers(resp: Response, tag: str) -> None:
    resp.set_etag(tag)
    resp.headers["Cache-Control"] = f"public, max-age={current_app.config['CACHE_MAX_AGE']}"


def _xml(text: Any) -> str:
    return _NOT_XML.sub("", str(text))


def _el(parent: Any, name: str, text: Any = None, **attrs: str) -> Any:
    el = etree.SubElement(parent, f"{{{ATOM_NS}}}{name}", {k: _xml(v) for k, v in attrs.items()})
    if text is not None:
        el.text = _xml(text)
    return el


def _page_url(endpoint: str, **values: Any) -> str | None:
    """An absolute URL of a page of this app, None when the pages are not mounted
    (an intranet app that mounts only the API)."""
    try:
        return absolute(url_for(endpoint, **values))
    except BuildError:
        return None


def _title(req: SearchRequest) -> str:
    narrowed = [f"{name}: {value}" for name in FILTERS for value in getattr(req, name)]
    if req.date_from or req.date_to:
        narrowed.append(f"{req.date_from or ''}–{req.date_to or ''}")
    return f"{SERVICE}：{req.q}" + (f"（{'；'.join(narrowed)}）" if narrowed else "")


def feed_document(result: RecentResult, req: SearchRequest) -> bytes:
    """The Atom 1.0 document of ``result`` (UTF-8 XML, with its declaration)."""
    feed = etree.Element(f"{{{ATOM_NS}}}feed", nsmap={None: ATOM_NS})
    feed.set("{http://www.w3.org/XML/1998/namespace}lang", "zh-CN")
    _el(feed, "id", f"tag:{_authority()},{TAG_DATE}:feed?{urlencode(_params())}")
    _el(feed, "title", _title(req))
    newest = result.articles[0].indexed_at.isoformat().replace("+00:00", "Z") if result.articles else None
    _el(feed, "updated", newest or _rfc3339(result.built_at))
    _el(feed, "link", rel="self", type=MEDIA_TYPE, href=_self_url())
    page = [("q", req.q)] + [(name, v) for name in FILTERS for v in getattr(req, name)]
    page += [(k, str(v)) for k, v in (("date_from", req.date_from), ("date_to", req.date_to)) if v]
    home = _page_url("pages.home")
    if home:
        _el(feed, "link", rel="alternate", type="text/html", href=home + "?" + urlencode(page + [("sort", "-date")]))
    author = _el(feed, "author")
    _el(author, "name", SERVICE)
    _el(feed, "generator", "newsearch")
    for item in result.articles:
        _entry(feed, item, req)
    return etree.tostring(feed, xml_declaration=True, encoding="utf-8")


def _rfc3339(stamp: str | None) -> str:
    if not stamp:
        return "1970-01-01T00:00:00Z"
    return stamp.replace("+00:00", "Z")


def _entry(feed: Any, item: RecentArticle, req: SearchRequest) -> None:
    art = item.article
    entry = _el(feed, "entry")
    _el(entry, "id", entry_id(art.id))
    _el(entry, "title", art.title or art.kicker or art.subtitle or art.id)
    link = (_page_url("pages.article", article_id=art.id, q=req.q)
            or absolute(url_for("api.get_article", article_id=art.id)))
    _el(entry, "link", rel="alternate", type="text/html", href=link)
    _el(entry, "updated", item.indexed_at.isoformat().replace("+00:00", "Z"))
    if art.date:
        _el(entry, "published", f"{art.date.isoformat()}T00:00:00Z")
    for name in article_authors(art):
        _el(_el(entry, "author"), "name", name)
    if art.source:
        _el(entry, "category", term=art.source, label=art.source)
    _el(entry, "summary", item.summary, type="text")
