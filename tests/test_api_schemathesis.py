"""Schemathesis against the live app's own OpenAPI document: no 5xx, and every
answer's status, content type and body match what the document declares.

Cases come from each operation's strategy (valid and invalid data both:
schemathesis generates negative cases too) and are sent through WSGI.
"""

from __future__ import annotations

import pytest

schemathesis = pytest.importorskip("schemathesis")
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import (content_type_conformance, not_a_server_error, response_schema_conformance,
                                 status_code_conformance)

# Spec-driven: about 8 s of generated requests; make test-fast leaves it out.
pytestmark = pytest.mark.slow

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
# Every operation but openapi.json itself; the first three take input.
OPERATIONS = ["GET /api/search", "POST /api/search", "GET /api/articles/{article_id}", "GET /api/health",
              "GET /api/stats"]


@pytest.fixture(scope="module")
def operations(app):
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", app)
    ops = {}
    for result in schema.get_all_operations():
        op = result.ok()
        ops[f"{op.method.upper()} {op.path}"] = op
    return ops


CASES = [(name, GenerationMode.POSITIVE) for name in OPERATIONS] + [
    (name, GenerationMode.NEGATIVE) for name in OPERATIONS[:3]]


@pytest.mark.parametrize("name, mode", CASES, ids=[f"{n}-{m.value}" for n, m in CASES])
def test_api_conforms_to_its_spec(operations, name, mode):
    op = operations[name]
    statuses: set[int] = set()

    @settings(max_examples=50, deadline=None, suppress_health_check=list(HealthCheck))
    @given(case=op.as_strategy(generation_mode=mode))
    def run(case):
        statuses.add(case.call_and_validate(checks=CHECKS).status_code)

    run()
    if mode is GenerationMode.NEGATIVE:
        assert statuses & {400, 404}, statuses  # junk was sent, and refused
