"""A property-based client driven by the live app's OpenAPI document.

Requests are generated from the parameters the spec declares (valid values
and junk alike); every answer must be a 2xx/4xx, never a 5xx, and its JSON
must match the response schema the spec gives for that status.
"""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openapi_schema_validator import OAS30Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

# Spec-driven: several seconds of generated requests; make test-fast leaves it out.
pytestmark = pytest.mark.slow

SETTINGS = settings(max_examples=150, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


@pytest.fixture(scope="module")
def spec(app):
    with app.test_client() as client:
        return client.get("/api/openapi.json").get_json()


def validator_for(spec: dict, schema: dict) -> OAS30Validator:
    registry = Registry().with_resource("urn:spec", Resource.from_contents(spec, default_specification=DRAFT4))
    wrapped = {"$ref": "urn:spec#" + schema["$ref"][1:]} if "$ref" in schema else schema
    return OAS30Validator(wrapped, registry=registry)


def check_response(spec: dict, path: str, method: str, resp) -> None:
    assert resp.status_code < 500, resp.get_data(as_text=True)
    responses = spec["paths"][path][method]["responses"]
    documented = responses.get(str(resp.status_code))
    assert documented is not None, f"status {resp.status_code} of {method.upper()} {path} is not documented"
    if resp.status_code == 304:
        return
    schema = documented["content"]["application/json"]["schema"]
    validator_for(spec, schema).validate(resp.get_json())


def value_for(schema: dict) -> st.SearchStrategy:
    junk = st.text(max_size=12)
    kind = schema.get("type")
    if kind == "integer":
        lo, hi = schema.get("minimum", -5), schema.get("maximum", 2000)
        valid = st.integers(lo, hi).map(str)
        return st.one_of(valid, st.integers(-10, 5000).map(str), junk)
    if kind == "boolean":
        return st.one_of(st.sampled_from(["true", "false", "1", "0"]), junk)
    if schema.get("format") == "date":
        return st.one_of(st.dates(dt.date(1990, 1, 1), dt.date(2030, 12, 31)).map(str), junk)
    if "enum" in schema:
        return st.one_of(st.sampled_from(schema["enum"]), junk)
    if kind == "array":
        return st.lists(st.sampled_from(["郑州晚报", "郑州日报", "交通", "王芳"]) | junk, max_size=3)
    words = st.sampled_from(["地铁", '"黑灯工厂"', "title:郑州", "发展 OR 交通", "-公交", "融中", "date:2023-01-01.."])
    return st.one_of(words, st.lists(words, min_size=1, max_size=4).map(" ".join), junk)


@st.composite
def search_params(draw, spec):
    params = {}
    for p in spec["paths"]["/api/search"]["get"]["parameters"]:
        if p.get("required") or draw(st.booleans()):
            params[p["name"]] = draw(value_for(p["schema"]))
    if draw(st.integers(0, 9)) == 0:
        params["unexpected"] = "1"
    return params


def test_get_search(client, spec):
    @SETTINGS
    @given(search_params(spec))
    def run(params):
        check_response(spec, "/api/search", "get", client.get("/api/search", query_string=params))

    run()


def test_post_search(client, spec):
    @SETTINGS
    @given(search_params(spec))
    def run(params):
        body = dict(params)
        check_response(spec, "/api/search", "post", client.post("/api/search", json=body))

    run()


def test_get_suggest(client, spec):
    @SETTINGS
    @given(st.fixed_dictionaries({}, optional={
        p["name"]: value_for(p["schema"]) for p in spec["paths"]["/api/suggest"]["get"]["parameters"]}))
    def run(params):
        check_response(spec, "/api/suggest", "get", client.get("/api/suggest", query_string=params))

    run()


def test_articles_health_stats(client, spec):
    @SETTINGS
    @given(st.one_of(st.sampled_from(["n1", "n3", "xss"]), st.text(min_size=1, max_size=20)),
           st.one_of(st.none(), value_for({"type": "string"})))
    def run(article_id, q):
        query = {"q": q} if q is not None else {}
        resp = client.get("/api/articles/" + article_id.replace("/", "%2F").replace("?", "%3F"), query_string=query)
        if resp.status_code == 404 and not resp.is_json:  # werkzeug refused the URL itself
            return
        check_response(spec, "/api/articles/{article_id}", "get", resp)

    run()
    check_response(spec, "/api/health", "get", client.get("/api/health"))
    check_response(spec, "/api/stats", "get", client.get("/api/stats"))


def test_related(client, spec):
    limit = next(p["schema"] for p in spec["paths"]["/api/articles/{article_id}/related"]["get"]["parameters"]
                 if p["name"] == "limit")

    @SETTINGS
    @given(st.one_of(st.sampled_from(["n1", "n3", "xss"]), st.text(min_size=1, max_size=20)),
           st.one_of(st.none(), value_for(limit)))
    def run(article_id, value):
        query = {"limit": value} if value is not None else {}
        resp = client.get("/api/articles/" + article_id.replace("/", "%2F").replace("?", "%3F") + "/related",
                          query_string=query)
        if resp.status_code == 404 and not resp.is_json:  # werkzeug refused the URL itself
            return
        check_response(spec, "/api/articles/{article_id}/related", "get", resp)

    run()


def _component(spec: dict, schema: dict) -> dict:
    while "$ref" in schema:
        schema = spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


def _undocumented_keys(spec: dict, schema: dict, value, where: str = "") -> list[str]:
    """Keys of ``value`` that ``schema`` (recursively) does not declare."""
    schema = _component(spec, schema)
    out: list[str] = []
    if isinstance(value, dict) and "properties" in schema:
        for key, item in value.items():
            if key not in schema["properties"]:
                out.append(f"{where}.{key}")
            else:
                out += _undocumented_keys(spec, schema["properties"][key], item, f"{where}.{key}")
    elif isinstance(value, list) and "items" in schema:
        for item in value[:3]:
            out += _undocumented_keys(spec, schema["items"], item, f"{where}[]")
    return out


def test_each_route_documents_the_schemas_it_uses(app, spec):
    """The schema named in the document is the one the view dumps with and
    loads from, and a real answer has no field the document leaves out."""
    from api.operations import operation_of

    checked = 0
    for rule in app.url_map.iter_rules():
        op = operation_of(app, rule.endpoint)
        if op is None:
            continue
        path = rule.rule.replace("<path:article_id>", "{article_id}")
        for method in (m.lower() for m in rule.methods if m not in ("HEAD", "OPTIONS")):
            documented = spec["paths"][path][method]
            ok = documented["responses"]["200"]
            if op.response is not None:
                ref = ok["content"]["application/json"]["schema"]["$ref"]
                assert ref.endswith("/" + type(op.response).__name__.removesuffix("Schema")), (path, ref)
            if op.args is not None and op.location == "query":
                names = {p["name"] for p in documented["parameters"] if p["in"] == "query"}
                assert names == set(op.args.fields), (path, names)
            if op.args is not None and op.location == "json":
                ref = documented["requestBody"]["content"]["application/json"]["schema"]["$ref"]
                assert ref.endswith("/" + type(op.args).__name__.removesuffix("Schema")), (path, ref)
            checked += 1
    assert checked == 10

    with app.test_client() as client:
        answers = [(("/api/search", "get"), client.get("/api/search?q=郑州&facets=true")),
                   (("/api/search", "get"), client.get("/api/search?q=郑洲")),  # with did_you_mean
                   (("/api/suggest", "get"), client.get("/api/suggest?q=zz")),
                   (("/api/articles/{article_id}", "get"), client.get("/api/articles/n1?q=地铁")),
                   (("/api/articles/{article_id}/related", "get"), client.get("/api/articles/n1/related?limit=3")),
                   (("/api/health", "get"), client.get("/api/health")),
                   (("/api/stats", "get"), client.get("/api/stats"))]
    assert answers[1][1].get_json()["did_you_mean"] and answers[2][1].get_json()["suggestions"]
    for (path, method), resp in answers:
        assert resp.status_code == 200, path
        schema = spec["paths"][path][method]["responses"]["200"]["content"]["application/json"]["schema"]
        assert _undocumented_keys(spec, schema, resp.get_json()) == [], path
        validator_for(spec, schema).validate(resp.get_json())
