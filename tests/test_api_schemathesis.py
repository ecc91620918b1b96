"""Schemathesis (pinned in pyproject) against the live app's own OpenAPI
document, with every check it has (``--checks all``).

Cases come from each operation's strategy, valid and invalid data both, and
are sent through WSGI with a fixed seed.  The one exemption: a request the
document calls valid may still get one of the 400s that the operation
documents as semantic (a page past the result depth, a query that
normalizes to nothing, ...), which ``positive_data_acceptance`` would
otherwise report; any other failure of any check fails the test.
"""

from __future__ import annotations

import pytest

schemathesis = pytest.importorskip("schemathesis")
from hypothesis import HealthCheck, given, seed, settings
from schemathesis import GenerationMode
from schemathesis.checks import CHECKS, load_all_checks
from schemathesis.core.failures import FailureGroup
from schemathesis.openapi.checks import RejectedPositiveData

from api.views import SEARCH_SEMANTIC_400
from search.grammar import EMPTY_QUERY_MESSAGE
from search.models import DEPTH_MESSAGE

pytestmark = pytest.mark.slow

load_all_checks()
ALL_CHECKS = CHECKS.get_all()
#: Every operation but the document itself (schemathesis does not test the spec's own URL).
OPERATIONS = ["GET /api/search", "POST /api/search", "GET /api/articles/{article_id}", "GET /api/export",
              "GET /api/feed", "GET /api/articles/{article_id}/related", "GET /api/suggest", "GET /api/health",
              "GET /api/stats"]
#: The messages of the documented semantic 400s (each also named in SEARCH_SEMANTIC_400).
SEMANTIC_MESSAGES = (DEPTH_MESSAGE, EMPTY_QUERY_MESSAGE, "date_from is after date_to")


def test_semantic_messages_are_the_documented_ones():
    documented = " ".join(SEARCH_SEMANTIC_400)
    assert all(m in documented for m in SEMANTIC_MESSAGES[:2]) and "date_from after date_to" in documented


@pytest.fixture(scope="module")
def operations(app):
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", app)
    ops = {}
    for result in schema.get_all_operations():
        op = result.ok()
        ops[f"{op.method.upper()} {op.path}"] = op
    return ops


def test_every_route_is_exercised(operations):
    assert sorted(operations) == sorted(OPERATIONS)


def _is_semantic_400(response) -> bool:
    """A documented semantic 400: the engine's own refusal (its message, not the
    schema's "invalid request: …"), naming q, page or date_from."""
    if response.status_code != 400:
        return False
    error = (response.json() or {}).get("error", {})
    return (not error.get("message", "").startswith("invalid request")
            and set(error.get("details") or {}) <= {"q", "page", "date_from"})


# Negative data needs input to spoil: only the first seven operations take any.
CASES = [(name, GenerationMode.POSITIVE) for name in OPERATIONS] + [
    (name, GenerationMode.NEGATIVE) for name in OPERATIONS[:7]]


@pytest.mark.parametrize("name, mode", CASES, ids=[f"{n}-{m.value}" for n, m in CASES])
def test_api_conforms_to_its_spec(operations, name, mode):
    op = operations[name]
    statuses: set[int] = set()
    semantic: list[str] = []

    @seed(20261201)
    @settings(max_examples=60, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
    @given(case=op.as_strategy(generation_mode=mode))
    def run(case):
        response = case.call()
        statuses.add(response.status_code)
        try:
            case.validate_response(response, checks=ALL_CHECKS)
        except FailureGroup as group:
            others = [f for f in group.exceptions if not isinstance(f, RejectedPositiveData)]
            if others or not _is_semantic_400(response):
                raise
            semantic.append(response.json()["error"]["message"])

    run()
    assert statuses, "no request was sent"
    if mode is GenerationMode.NEGATIVE:
        assert statuses & {400, 404}, statuses  # junk was sent, and refused
