"""Acceptance 1 of the authority issue: every route of every service (read from its OpenAPI document) × ten
callers — the super admin, the admin of the unit, of a sibling, of a child unit, an admin holding only a read
grant, an officer of the unit and of a child unit, an anonymous caller, a locked account's token, a revoked
grant's token — against the declared table in tests/unit/security/matrix.py.

A caller the table lets through must not be refused for authority (401/403, or 404 before anyone of the
allowed has succeeded); every other caller must be refused (401/403/404) and change nothing (no event). A public
route answers the same whoever calls. A route missing from the table fails the test."""
from __future__ import annotations

from sqlmodel import func, select

from services.common.models import OutboxMessage
from tests.unit.security.matrix import PUBLIC, ROUTES
from tests.unit.security.matrix_world import CALLERS, MatrixWorld, Request

SERVICES = ("identity", "orgunits", "process", "notify")
REFUSED = (401, 403, 404)


def _routes(suite) -> list[tuple[str, str, str]]:
    found = []
    for service in SERVICES:
        doc = suite.gateway.apps[service].test_client().get(f"/api/{service}/openapi.json").get_json()
        for path, operations in doc["paths"].items():
            found += [(service, method.upper(), path) for method in operations]
    return found


def _events(suite) -> int:
    total = 0
    for service in SERVICES:
        with suite.runtime(service).db.session() as session:
            total += session.exec(select(func.count()).select_from(OutboxMessage)).one()
    return total


def _call(suite, service: str, method: str, path: str, request: Request, headers: dict, caller: str) -> int:
    client = suite.gateway.apps[service].test_client()
    url = path.format(**request.path)
    # each caller from its own address, so sign-in budgets of one do not answer for another
    kwargs = {"headers": headers, "environ_base": {"REMOTE_ADDR": f"10.250.0.{CALLERS.index(caller) + 1}"}}
    if request.query:
        kwargs["query_string"] = request.query
    if request.json is not None:
        kwargs["json"] = request.json
    if request.form is not None:
        form = {k: ((v[0].__class__(v[0].getvalue()), *v[1:]) if isinstance(v, tuple) else v)
                for k, v in request.form.items()}
        kwargs.update(data=form, content_type="multipart/form-data")
    response = getattr(client, method.lower())(url, **kwargs)
    status = response.status_code
    response.close()
    return status


def test_every_route_refuses_exactly_the_callers_its_declaration_refuses(suite):
    routes = _routes(suite)
    undeclared = [f"{method} {path}" for _service, method, path in routes if (method, path) not in ROUTES]
    assert undeclared == [], "routes without a declared expectation in tests/unit/security/matrix.py"
    assert len(routes) >= 100
    world = MatrixWorld(suite)
    problems: list[str] = []
    for service, method, path in routes:
        allowed, build = ROUTES[(method, path)]
        request = build(world)
        suite.deliver()
        if allowed == PUBLIC:
            answers = {caller: _call(suite, service, method, path, request, world.headers[caller], caller)
                       for caller in CALLERS}
            if len(set(answers.values())) != 1 or max(answers.values()) >= 500:
                problems.append(f"{method} {path} is public but answers {answers}")
            continue
        denied = [c for c in CALLERS if c not in allowed]
        before = _events(suite)
        for caller in denied:
            status = _call(suite, service, method, path, request, world.headers[caller], caller)
            if status not in REFUSED:
                problems.append(f"{method} {path}: {caller} got {status}, expected a refusal")
        if _events(suite) != before:
            problems.append(f"{method} {path}: a refused caller changed something (events were written)")
        succeeded = False
        for caller in [c for c in CALLERS if c in allowed]:
            status = _call(suite, service, method, path, request, world.headers[caller], caller)
            if status >= 500 or status in (401, 403) or (status == 404 and not succeeded):
                problems.append(f"{method} {path}: {caller} got {status}, expected to be let through")
            succeeded = succeeded or status < 300
        suite.deliver()
    assert problems == [], "\n".join(problems)
