"""schemathesis over notify's OpenAPI document: whatever it sends, no 5xx comes back. The live stream is
left out (a fuzzer would hold it open for its whole duration); tests/unit/notify/test_stream.py covers it."""
from __future__ import annotations

import schemathesis

from tests.unit.orgunits.test_openapi_fuzz import _fuzz


def test_no_request_gets_a_server_error(suite):
    schema = schemathesis.openapi.from_wsgi("/api/notify/openapi.json", suite.gateway.apps["notify"])
    headers = suite.headers("admin")
    failures, operations, hostile = [], 0, 0
    for result in schema.get_all_operations():
        operation = result.ok()
        if operation.path.endswith("/stream"):
            continue
        operations += 1
        hostile += _fuzz(operation, headers, failures, suite.gateway.apps["notify"])
    assert operations >= 10 and hostile >= 3
    assert failures == []
