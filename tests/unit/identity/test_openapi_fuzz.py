"""schemathesis over identity's OpenAPI document: whatever it sends, no 5xx comes back."""
from __future__ import annotations

import schemathesis

from tests.unit.orgunits.test_openapi_fuzz import _fuzz


def test_no_request_gets_a_server_error(suite):
    schema = schemathesis.openapi.from_wsgi("/api/identity/openapi.json", suite.gateway.apps["identity"])
    headers = suite.headers("admin")
    failures, operations, hostile = [], 0, 0
    for result in schema.get_all_operations():
        operations += 1
        hostile += _fuzz(result.ok(), headers, failures, suite.gateway.apps["identity"])
    assert operations >= 30 and hostile >= 15
    assert failures == []
