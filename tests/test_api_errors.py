"""Every error is JSON of one shape, with the right status; never a traceback."""

from __future__ import annotations

import pytest

import api.views
from search.models import MAX_QUERY_CHARS


def assert_error(resp, status):
    assert resp.status_code == status
    assert resp.mimetype == "application/json"
    body = resp.get_json()
    assert set(body) == {"error"}
    err = body["error"]
    assert {"code", "message", "details"} <= set(err)
    assert err["code"] == status and isinstance(err["message"], str) and err["message"]
    assert "Traceback" not in resp.get_data(as_text=True)
    return err


@pytest.mark.parametrize(
    "query, field",
    [
        ({"q": "地铁", "per_page": "abc"}, "per_page"),
        ({"q": "地铁", "page": "0"}, "page"),
        ({"q": "地铁", "per_page": "1000"}, "per_page"),
        ({"q": "地铁", "sort": "popular"}, "sort"),
        ({"q": "foo:地铁"}, "q"),
        ({"q": "地铁", "date_from": "2023-13-45"}, "date_from"),
        ({"q": "地" * (MAX_QUERY_CHARS + 1)}, "q"),
        ({"q": ""}, "q"),
        ({"q": "，。"}, "q"),
        ({}, "q"),
        ({"q": "地铁", "colour": "red"}, "colour"),
        ({"q": "地铁", "page": "200"}, "page"),
        ({"q": "date:2023-02-30"}, "q"),
    ],
)
def test_400_names_the_field(client, query, field):
    err = assert_error(client.get("/api/search", query_string=query), 400)
    assert field in err["details"]


def test_400_for_malformed_json_body(client):
    err = assert_error(client.post("/api/search", data="{not json", content_type="application/json"), 400)
    assert err["details"]
    err = assert_error(client.post("/api/search", json={"q": "地铁", "per_page": "many"}), 400)
    assert "per_page" in err["details"]


def test_404_unknown_route_and_article(client):
    assert_error(client.get("/api/nothing-here"), 404)
    assert "id" in assert_error(client.get("/api/articles/does-not-exist"), 404)["details"]


def test_405(client):
    resp = client.delete("/api/search")
    assert_error(resp, 405)
    assert "GET" in resp.headers["Allow"]


def test_500_carries_a_request_id_and_is_logged(client, monkeypatch, caplog):
    def boom(*args, **kwargs):
        raise RuntimeError("secret /srv/path detail")

    monkeypatch.setattr(api.views, "search", boom)
    resp = client.get("/api/search", query_string={"q": "地铁"})
    err = assert_error(resp, 500)
    assert err["request_id"] and "secret" not in resp.get_data(as_text=True)
    assert err["request_id"] in caplog.text and "secret /srv/path detail" in caplog.text


def test_429_when_rate_limited(news_dir):
    from api import create_app

    app = create_app({"INDEX_DIR": str(news_dir), "RATE_LIMIT": 3})
    client = app.test_client()
    codes = [client.get("/api/search?q=地铁").status_code for _ in range(5)]
    assert codes[:3] == [200, 200, 200] and codes[3] == 429
    resp = client.get("/api/search?q=地铁")
    assert_error(resp, 429)
    assert int(resp.headers["Retry-After"]) >= 1
    assert client.get("/api/health").status_code == 200  # only searches are limited
    app.extensions["newsearch"].close()


def test_no_write_endpoints(app):
    for rule in app.url_map.iter_rules():
        assert not (rule.methods or set()) & {"PUT", "DELETE", "PATCH"}, rule
        if "POST" in (rule.methods or set()):
            assert rule.rule == "/api/search"
