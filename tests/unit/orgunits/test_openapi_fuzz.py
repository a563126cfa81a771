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
    failures, operations = [], 0
    for result in schema.get_all_operations():
        operations += 1
        _fuzz(result.ok(), auth(super_token), failures)
    assert operations >= 20
    assert failures == []


def _fuzz(operation, headers: dict[str, str], failures: list) -> None:
    @given(case=operation.as_strategy())
    @settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    def run(case):
        response = case.call(headers=headers)
        if response.status_code >= 500:
            failures.append((operation.label, case.as_curl_command(), response.text[:300]))

    run()


def test_the_document_describes_every_route(fuzzed_app):
    doc = fuzzed_app.test_client().get("/api/orgunits/openapi.json").get_json()
    assert doc["openapi"].startswith("3.")
    assert "/api/orgunits/units/{unit_id}/move" in doc["paths"]
    assert "bearer" in doc["components"]["securitySchemes"]
    assert doc["paths"]["/api/orgunits/units"]["post"]["responses"]["409"]
