"""schemathesis over the org-units OpenAPI document: whatever it sends, no 5xx comes back.

Driven through schemathesis' Python API (one hypothesis run per operation) rather than its pytest
plugin, which does not load under pytest 9."""
from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

from tests.conftest import auth, make_orgunits

EXAMPLES_PER_OPERATION = 40


@pytest.fixture(scope="module")
def fuzzed_app(tmp_path_factory, keys):
    app = make_orgunits(tmp_path_factory.mktemp("fuzz"), keys, demo=True)
    yield app
    app.extensions["egov"].stop()


def test_no_request_gets_a_server_error(fuzzed_app, super_token):
    schema = schemathesis.openapi.from_wsgi("/api/orgunits/openapi.json", fuzzed_app)
    failures, operations, hostile = [], 0, 0
    for result in schema.get_all_operations():
        operations += 1
        hostile += _fuzz(result.ok(), auth(super_token), failures, fuzzed_app)
    assert operations >= 20 and hostile >= 8
    assert failures == []


# Hostile bodies every JSON operation also gets once: nested past any parser's stack, and larger than any form.
DEEP = "[" * 20_000 + "]" * 20_000
DEEP_OBJECT = '{"a":' * 5_000 + "1" + "}" * 5_000
HUGE = '{"name": "' + "x" * (3 * 1024 * 1024) + '"}'


def _fuzz(operation, headers: dict[str, str], failures: list, app) -> int:
    """Hypothesis cases of one operation (and the hostile bodies once, for JSON ones); returns 1 when the
    hostile bodies were sent."""
    hostile_sent = []

    @given(case=operation.as_strategy())
    @settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    def run(case):
        response = case.call(headers=headers)
        if response.status_code >= 500:
            failures.append((operation.label, case.as_curl_command(), response.text[:300]))
        if not hostile_sent and case.media_type == "application/json":
            hostile_sent.append(True)
            _hostile(app, operation, case, headers, failures)

    run()
    return len(hostile_sent)


def _hostile(app, operation, case, headers: dict[str, str], failures: list) -> None:
    """The deep and the oversized body on this operation's path: refused with a 4xx, never a 5xx."""
    client = app.test_client()
    for body in (DEEP, DEEP_OBJECT, HUGE):
        response = client.open(case.formatted_path, method=case.method, data=body, headers={
            **headers, "Content-Type": "application/json"}, query_string=case.query)
        if response.status_code >= 500 or response.status_code < 400:
            failures.append((operation.label, f"hostile body of {len(body)} bytes", response.status_code))


def test_the_document_describes_every_route(fuzzed_app):
    doc = fuzzed_app.test_client().get("/api/orgunits/openapi.json").get_json()
    assert doc["openapi"].startswith("3.")
    assert "/api/orgunits/units/{unit_id}/move" in doc["paths"]
    assert "bearer" in doc["components"]["securitySchemes"]
    assert doc["paths"]["/api/orgunits/units"]["post"]["responses"]["409"]
