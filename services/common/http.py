"""HTTP plumbing shared by every service: the app factory, problem+json errors (RFC 9457), correlation
ids and one access-log line per request, health endpoints, and reading the caller's token."""
from __future__ import annotations

import re
import time
from typing import Any

import structlog
from flask import Response, g, jsonify, request
from flask_openapi3 import Info, OpenAPI
from pydantic import BaseModel, ValidationError
from sqlalchemy.exc import IntegrityError, OperationalError
from werkzeug.datastructures import FileStorage
from werkzeug.exceptions import HTTPException

from services.common import i18n
from services.common.auth import Principal
from services.common.errors import DomainError, Invalid, Unauthorized
from services.common.i18n import msg
from services.common.logging import get_logger, new_correlation_id

log = get_logger("http")
access_log = get_logger("access")
PROBLEM = "application/problem+json"
_SAFE_CID = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")
BEARER = {"bearer": []}


class Problem(BaseModel):
    """An error, as RFC 9457 problem details."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str
    correlation_id: str | None = None


PROBLEM_RESPONSES = {status: Problem for status in (400, 401, 403, 404, 409, 422)}


class Page(BaseModel):
    total: int
    limit: int
    offset: int


def problem(status: int, title: str, detail: str, **extra: Any) -> Response:
    """The problem+json answer; a ``msg`` detail (and any in ``extra``, e.g. a deployment's problems) is said in
    the language the request asks for, which ``Content-Language`` then names. A detail of another kind (a
    request's schema errors naming its fields, a library's text) names no language: it is not a sentence for
    people, and the portal says the refusal its own way."""
    sentence = isinstance(detail, i18n.Message)
    language = i18n.requested() if sentence else i18n.DEFAULT
    body = {"type": "about:blank", "title": title, "status": status, "detail": i18n.say(detail, language),
            "correlation_id": g.get("correlation_id"), **i18n.say(extra, language)}
    response = jsonify(body)
    response.status_code = status
    response.mimetype = PROBLEM
    if sentence:
        response.headers["Content-Language"] = language
    return response


def _validation_problem(exc: ValidationError) -> Response:
    errors = []
    for err in exc.errors(include_url=False, include_context=False, include_input=False):
        where = ".".join(str(part) for part in err["loc"]) or "body"
        errors.append({"field": where, "message": err["msg"]})
    if request.method in ("POST", "PUT", "PATCH") and request.get_json(silent=True) is None and \
            request.mimetype not in ("multipart/form-data", "application/x-www-form-urlencoded"):
        detail = "the request body must be a JSON object sent as application/json"
    else:
        detail = "; ".join(f"{e['field']}: {e['message']}" for e in errors[:10])
    return problem(422, "Invalid request", detail, errors=errors)


def create_service_app(runtime, *, title: str, description: str, blueprints=(), version: str = "1.0.0") -> OpenAPI:
    """The Flask app of one service: its blueprints under ``/api/<service>``, problem+json errors, the
    OpenAPI document, health endpoints on its database and bus; the runtime at ``extensions["egov"]``."""
    service = runtime.name
    app = OpenAPI(
        f"services.{service}",
        info=Info(title=title, description=description, version=version),
        security_schemes={"bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}},
        doc_ui=False,
        validation_error_status=422,
        validation_error_callback=_validation_problem,
    )
    app.json.ensure_ascii = False
    app.json.sort_keys = False
    settings = runtime.settings
    app.config["MAX_CONTENT_LENGTH"] = int(settings.max_request_mb * 1024 * 1024)
    app.extensions["egov.limits"] = (settings.max_json_kb * 1024, settings.max_json_depth)
    app.add_url_rule(f"/api/{service}/openapi.json", "openapi_json", lambda: jsonify(app.api_doc))
    _install_request_hooks(app)
    _install_error_handlers(app)
    for blueprint in blueprints:
        app.register_api(blueprint)
    add_health_routes(app, service, {"database": runtime.db.ping, "bus": runtime.bus.ping})
    app.extensions["egov"] = runtime
    trusted = {a.strip() for a in settings.trusted_proxies.split(",") if a.strip()}
    if trusted:
        app.wsgi_app = ForwardedFor(app.wsgi_app, trusted)
    return app


class ForwardedFor:
    """The person's address behind a trusted proxy (the portal, a reverse proxy): the right-most address of
    X-Forwarded-For that is not itself a trusted proxy. A request from anywhere else keeps its own address, so
    nobody can pick the address their sign-in attempts are counted against."""

    def __init__(self, wsgi_app, trusted: set[str]):
        self.wsgi_app, self.trusted = wsgi_app, frozenset(trusted)

    def __call__(self, environ, start_response):
        forwarded = environ.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded and environ.get("REMOTE_ADDR") in self.trusted:
            hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
            outside = [hop for hop in hops if hop not in self.trusted]
            if outside:
                environ["REMOTE_ADDR"] = outside[-1]
        return self.wsgi_app(environ, start_response)


def _install_request_hooks(app: OpenAPI) -> None:
    @app.before_request
    def _begin() -> Response | None:
        supplied = request.headers.get("X-Correlation-ID", "")
        g.correlation_id = supplied if _SAFE_CID.match(supplied) else new_correlation_id()
        g.started = time.perf_counter()
        structlog.contextvars.clear_contextvars()
        structlog.contextvars.bind_contextvars(correlation_id=g.correlation_id)
        if request.method in ("POST", "PUT", "PATCH") and request.is_json and request.content_length:
            return _check_json(*app.extensions["egov.limits"])
        return None

    @app.after_request
    def _finish(response: Response) -> Response:
        response.headers["X-Correlation-ID"] = g.get("correlation_id", "")
        response.headers["X-Content-Type-Options"] = "nosniff"
        elapsed = (time.perf_counter() - g.get("started", time.perf_counter())) * 1000
        access_log.info("request", method=request.method, path=request.path, status=response.status_code,
                        duration_ms=round(elapsed, 2), remote=request.remote_addr)
        return response


def _check_json(max_bytes: int, max_depth: int) -> Response | None:
    """Refuse what no form of ours sends before anything parses it further: too large, too deep, not JSON."""
    if request.content_length > max_bytes:
        return problem(413, "Request too large", msg("the JSON body is larger than {kb} KB", kb=max_bytes // 1024),
                       code="too_large")
    try:
        body = request.get_json()
    except RecursionError:
        return _too_deep(max_depth)
    except HTTPException:
        return problem(400, "Malformed JSON", msg("the request body is not valid JSON"), code="malformed_json")
    if _depth(body) > max_depth:
        return _too_deep(max_depth)
    return None


def _too_deep(max_depth: int) -> Response:
    return problem(422, "Invalid request", msg("the JSON body is nested more than {depth} levels deep",
                                               depth=max_depth),
                   code="too_deep")


def _depth(value: Any) -> int:
    """How deeply lists and objects nest (iteratively: a hostile body cannot exhaust the stack here)."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, dict):
            items = item.values()
        elif isinstance(item, list):
            items = item
        else:
            continue
        deepest = max(deepest, level)
        stack.extend((child, level + 1) for child in items)
    return deepest


def _install_error_handlers(app: OpenAPI) -> None:
    @app.errorhandler(DomainError)
    def _domain(exc: DomainError) -> Response:
        response = problem(exc.status, exc.title, exc.detail, **exc.extra)
        if "retry_after" in exc.extra:
            response.headers["Retry-After"] = str(exc.extra["retry_after"])
        return response

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException) -> Response:
        if exc.response is not None and exc.response.mimetype == PROBLEM:
            return exc.response
        return problem(exc.code or 500, exc.name, exc.description or exc.name)

    @app.errorhandler(IntegrityError)
    def _integrity(exc: IntegrityError) -> Response:
        log.warning("db.integrity_error", error=str(exc.orig)[:300])
        return problem(409, "Conflict", msg("the change conflicts with data saved meanwhile; reload and retry"))

    @app.errorhandler(OperationalError)
    def _db_down(exc: OperationalError) -> Response:
        log.error("db.unavailable", error=str(exc.orig)[:300])
        return problem(503, "Service unavailable", msg("the database is unavailable; try again shortly"))

    @app.errorhandler(RecursionError)
    def _too_deep_anywhere(exc: RecursionError) -> Response:
        return _too_deep(app.extensions["egov.limits"][1])

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception) -> Response:
        log.exception("unhandled_error")
        return problem(500, "Internal error",
                       msg("something went wrong on our side; quote the correlation id to support"))


def uploaded_file(value: Any) -> FileStorage:
    """The file of a multipart form; a sentence when the field came as text (a broken or hand-made form)."""
    if not isinstance(value, FileStorage):
        raise Invalid(msg("send the file as a multipart/form-data file field named “file”"), code="file_missing")
    return value


def bearer_principal(verifier, *, required: bool = True) -> Principal | None:
    """The caller's principal from ``Authorization: Bearer …``; 401 problem when required and absent."""
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        if required:
            raise Unauthorized(msg("send an access token: Authorization: Bearer <token>"))
        return None
    principal = verifier.verify(token.strip())
    structlog.contextvars.bind_contextvars(account_id=principal.account_id)
    return principal


def add_health_routes(app: OpenAPI, service: str, checks: dict[str, Any]) -> None:
    """``/healthz``: the process is up. ``/readyz``: each dependency (database, bus) answers."""

    def healthz() -> Response:
        return jsonify({"status": "ok", "service": service})

    def readyz() -> Response:
        results, ok = {}, True
        for name, check in checks.items():
            try:
                check()
                results[name] = "ok"
            except Exception as exc:  # noqa: BLE001 - readiness reports any failure
                ok = False
                results[name] = f"unavailable: {str(exc)[:200]}"
        response = jsonify({"status": "ok" if ok else "unavailable", "service": service, "checks": results})
        response.status_code = 200 if ok else 503
        return response

    for prefix in ("", f"/api/{service}"):
        app.add_url_rule(f"{prefix}/healthz", f"healthz{prefix.replace('/', '_')}", healthz)
        app.add_url_rule(f"{prefix}/readyz", f"readyz{prefix.replace('/', '_')}", readyz)
