"""The timeline: exact counts per year, month or day, in the API and as links on the page."""

from __future__ import annotations

import datetime as dt

import pytest

from search.engine import matching_ids, search
from search.models import SearchRequest

from .conftest import NEWS


def dated_matches(index, q: str) -> list[dt.date]:
    by_id = {d["id"]: d for d in NEWS}
    return [dt.date.fromisoformat(by_id[i]["date"]) for i in matching_ids(index, SearchRequest(q=q))
            if i in by_id and by_id[i].get("date")]


@pytest.mark.parametrize("unit, width", [("year", 4), ("month", 7), ("day", 10)])
def test_histogram_counts_every_dated_match(app, unit, width):
    index = app.extensions["newsearch"]
    result = search(index, SearchRequest(q="郑州 OR 公交 OR 论坛", histogram=unit, per_page=1))
    expected: dict[str, int] = {}
    for day in dated_matches(index, "郑州 OR 公交 OR 论坛"):
        key = day.isoformat()[:width]
        expected[key] = expected.get(key, 0) + 1
    assert result.histogram == [{"key": k, "count": c} for k, c in sorted(expected.items())]
    # the seed page's articles match too but have no date: not counted
    assert sum(b["count"] for b in result.histogram) < result.total


def test_histogram_in_the_api(client):
    body = client.get("/api/search?q=郑州&histogram=month").get_json()
    assert [b["key"] for b in body["histogram"]] == sorted(b["key"] for b in body["histogram"])
    assert "histogram" not in client.get("/api/search?q=郑州").get_json()
    bad = client.get("/api/search?q=郑州&histogram=week")
    assert bad.status_code == 400 and "histogram" in bad.get_json()["error"]["details"]


def test_the_page_draws_the_timeline_as_links_narrowing_the_dates(client):
    html = client.get("/?q=郑州 OR 公交").get_data(as_text=True)
    assert "按月分布" in html and html.count("<rect") == 3  # 2023-01, 2023-06, 2023-07
    assert 'href="/?q=%E9%83%91%E5%B7%9E+OR+%E5%85%AC%E4%BA%A4&amp;date_from=2023-07-01&amp;date_to=2023-07-31"' in html
    narrowed = client.get("/?q=郑州 OR 公交&date_from=2023-07-01&date_to=2023-07-31").get_data(as_text=True)
    assert "按日分布" in narrowed and narrowed.count("<rect") == 1
