"""schemathesis over identity's OpenAPI document: whatever it sends, no 5xx comes back."""
from __future__ import annotations

import schemathesis

from tests.unit.orgunits.test_openapi_fuzz import _fuzz


def test_no_request_gets_a_server_error(suite):
    schema = schemathesis.openapi.from_wsgi("/api/identity/openapi.json", suite.gateway.apps["identity"])
    headers = suite.headers("admin")
    failures, operations = [], 0
    for result in schema.get_all_operations():
        operations += 1
        _fuzz(result.ok(), headers, failures)
    assert operations >= 30
    assert failures == []
