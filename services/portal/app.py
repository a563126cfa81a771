"""Composition root of the portal: settings → the services' API, server-side sessions (the person's tokens never
leave the server), CSRF protection, Vietnamese first with English selectable, and the pages."""
from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from cachelib.file import FileSystemCache
from flask import Flask, abort, g, send_from_directory, session
from flask_babel import Babel, format_datetime, format_decimal
from flask_session import Session
from flask_wtf.csrf import CSRFProtect

from services.common.auth import TokenVerifier
from services.common.http import ForwardedFor
from services.common.logging import get_logger
from services.portal import views
from services.portal.api import Api, HttpTransport, WsgiTransport
from services.portal.settings import PortalSettings

log = get_logger(__name__)
HERE = Path(__file__).resolve().parent
LANGUAGES = {"vi": "Tiếng Việt", "en": "English"}
# browser packages the pages load, served from the portal's own origin (installed by `npm ci`)
VENDOR = {"htmx.js": "htmx.org/dist/htmx.min.js", "sse.js": "htmx-ext-sse/dist/sse.min.js",
          "alpine.js": "alpinejs/dist/cdn.min.js",
          "bpmn-viewer.js": "bpmn-js/dist/bpmn-navigated-viewer.production.min.js",
          "diagram-js.css": "bpmn-js/dist/assets/diagram-js.css", "bpmn-js.css": "bpmn-js/dist/assets/bpmn-js.css",
          # built from services/portal/assets by `make install` (esbuild)
          "modeler.js": ".egov/modeler.js", "modeler.css": ".egov/modeler.css"}


def _secret(settings: PortalSettings) -> str:
    if settings.secret_key:
        return settings.secret_key
    path = settings.var_dir / "portal-secret"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()


def _translations(settings: PortalSettings) -> Path:
    """The English catalogue compiled from its .po (the pages are written in Vietnamese)."""
    target = settings.var_dir / "portal-translations"
    for po in (HERE / "translations").glob("*/LC_MESSAGES/messages.po"):
        mo = target / po.relative_to(HERE / "translations").with_suffix(".mo")
        if not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
            mo.parent.mkdir(parents=True, exist_ok=True)
            with po.open("rb") as source, mo.open("wb") as out:
                write_mo(out, read_po(source))
    return target


def create_app(settings: PortalSettings | None = None, *, services=None) -> Flask:
    """``services``: the embedded suite's WSGI app (requests go into it); None: the services' URLs over HTTP."""
    settings = settings or PortalSettings()
    app = Flask(__name__, template_folder=str(HERE / "templates"), static_folder=str(HERE / "static"),
                static_url_path="/static")
    app.config.update(
        SECRET_KEY=_secret(settings), SESSION_TYPE="cachelib", SESSION_PERMANENT=True,
        SESSION_CACHELIB=FileSystemCache(str(settings.var_dir / "portal-sessions"), threshold=5000),
        PERMANENT_SESSION_LIFETIME=timedelta(hours=settings.session_hours), SESSION_COOKIE_NAME="egov_portal",
        SESSION_COOKIE_HTTPONLY=True, SESSION_COOKIE_SAMESITE="Lax", SESSION_COOKIE_SECURE=settings.secure_cookies,
        WTF_CSRF_TIME_LIMIT=None, WTF_CSRF_SSL_STRICT=settings.secure_cookies,
        BABEL_DEFAULT_LOCALE=settings.default_language, BABEL_DEFAULT_TIMEZONE=settings.timezone,
        BABEL_TRANSLATION_DIRECTORIES=str(_translations(settings)),
        MAX_CONTENT_LENGTH=20 * 1024 * 1024)
    Session(app)
    CSRFProtect(app)
    Babel(app, locale_selector=lambda: session.get("lang") or settings.default_language,
          timezone_selector=lambda: settings.timezone)
    transport = WsgiTransport(services) if services is not None else HttpTransport(settings.service_urls())
    verifier = TokenVerifier(issuer=settings.jwt_issuer, audience=settings.jwt_audience,
                             public_key=settings.jwt_public_key, jwks_url=settings.jwks_url)
    app.extensions["portal"] = views.Portal(Api(transport), verifier, settings)
    zone = ZoneInfo(settings.timezone)

    @app.template_filter("local")
    def local(value: str | None, style: str = "short") -> str:
        """An ISO time from a service as the person reads it: Vietnam's time, Vietnamese format."""
        if not value:
            return ""
        if style == "date" and len(value) == 10:      # a calendar date (a document's date): no time zone
            return format_datetime(datetime.fromisoformat(value), "dd/MM/yyyy")
        moment = datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(zone)
        if style == "date":
            return format_datetime(moment, "dd/MM/yyyy")
        return format_datetime(moment, "dd/MM/yyyy HH:mm" if style == "short" else "EEEE, dd/MM/yyyy HH:mm")

    @app.template_filter("num")
    def num(value) -> str:
        """A number as the person writes it (10, 2,5 in Vietnamese)."""
        return "" if value is None else format_decimal(value)

    @app.get("/vendor/<name>")
    def vendor(name: str):
        if name not in VENDOR:
            abort(404)
        folder, _sep, file = (settings.node_modules / VENDOR[name]).as_posix().rpartition("/")
        kind = "text/css" if name.endswith(".css") else "text/javascript"
        return send_from_directory(folder, file, mimetype=kind, max_age=86400)

    @app.context_processor
    def common():
        return {"languages": LANGUAGES, "lang": session.get("lang") or settings.default_language,
                "me": g.get("me")}

    @app.after_request
    def headers(response):
        """No inline script or style, no framing, no sniffing; pages with people's data are not cached."""
        response.headers.setdefault("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; "
                                    "font-src 'self' data:; object-src 'none'; base-uri 'self'; form-action 'self'; "
                                    "frame-ancestors 'none'")
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        if response.mimetype == "text/html":
            response.headers.setdefault("Cache-Control", "no-store")
        return response

    views.register(app)
    trusted = {a.strip() for a in settings.trusted_proxies.split(",") if a.strip()}
    if trusted:
        app.wsgi_app = ForwardedFor(app.wsgi_app, trusted)
    return app


def wsgi() -> Flask:
    """Production entry point (gunicorn 'services.portal.app:wsgi()'): the services over ``PORTAL_API_URL``."""
    settings = PortalSettings()
    missing = [name for name, url in settings.service_urls().items() if not url]
    if missing:
        raise SystemExit(f"the portal does not know where {', '.join(missing)} answer: set PORTAL_API_URL, or "
                         "PORTAL_<SERVICE>_URL for each")
    if settings.env == "production" and not settings.secret_key:
        raise SystemExit("PORTAL_SECRET_KEY is not set (it signs the session cookie and CSRF tokens)")
    return create_app(settings)
