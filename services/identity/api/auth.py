"""Signing in over HTTP: password login, password change, refresh, logout, forgotten passwords, JWKS, SSO."""
from __future__ import annotations

from flask import Response, jsonify, redirect, request
from flask_openapi3 import APIBlueprint, Tag

from services.common.errors import Invalid
from services.common.http import PROBLEM_RESPONSES
from services.common.i18n import msg
from services.identity.api.schemas import SsoCallbackQuery, Tokens
from services.identity.domain import sessions
from services.identity.schemas import ForgotCommand, LoginCommand, PasswordChange, RefreshCommand, ResetCommand

DEVICE_COOKIE = "egov_device"
NOT_REGISTERED = """<!doctype html><html lang="vi"><meta charset="utf-8"><title>Chưa đăng ký tài khoản</title>
<body style="font-family:sans-serif;max-width:40em;margin:3em auto">
<h1>Chưa có tài khoản cho số định danh này</h1>
<p>Định danh điện tử của bạn đã được xác thực, nhưng chưa có tài khoản cán bộ nào được duyệt với số CCCD này.
Hãy đăng ký tài khoản và chờ quản trị đơn vị duyệt, rồi đăng nhập lại.</p>
<p lang="en">Your national e-ID was verified, but no approved officer account has this citizen ID.
Register and wait for your unit's admin to approve you, then sign in again.</p></body></html>"""


def blueprint(parts) -> APIBlueprint:
    rt, issuer, policy, oidc = parts.runtime, parts.issuer, parts.policy, parts.oidc
    bp = APIBlueprint("auth", __name__, url_prefix="/api/identity", abp_tags=[Tag(name="sign-in")],
                      abp_responses={**PROBLEM_RESPONSES, 429: PROBLEM_RESPONSES[400]})

    def ip() -> str:
        return request.remote_addr or "unknown"

    def device(body) -> str | None:
        return body.device_token or request.cookies.get(DEVICE_COOKIE)

    def with_device_cookie(result: dict) -> Response:
        response = jsonify(result)
        if result.get("device_token"):
            response.set_cookie(DEVICE_COOKIE, result["device_token"], max_age=365 * 24 * 3600, httponly=True,
                                secure=request.is_secure, samesite="Strict", path="/api/identity/auth")
        return response

    @bp.post("/auth/login", summary="Sign in with a password", responses={200: Tokens})
    def login(body: LoginCommand):
        with rt.db.uow() as uow:
            return with_device_cookie(sessions.login(uow, issuer, policy, body.username, body.password, ip(),
                                                     device(body)))

    @bp.post("/auth/password", summary="Choose a new password (after a one-time password, or any time)",
             responses={200: Tokens})
    def change_password(body: PasswordChange):
        with rt.db.uow() as uow:
            return jsonify(sessions.change_password(
                uow, issuer, policy, new_password=body.new_password, ip=ip(), change_token=body.change_token,
                username=body.username, current_password=body.current_password, device_token=device(body)))

    @bp.post("/auth/refresh", summary="New tokens for a refresh token (which is used up)", responses={200: Tokens})
    def refresh(body: RefreshCommand):
        with rt.db.uow() as uow:
            return jsonify(sessions.refresh(uow, issuer, body.refresh_token))

    @bp.post("/auth/logout", summary="Revoke a refresh token", responses={204: None})
    def logout(body: RefreshCommand):
        with rt.db.uow() as uow:
            sessions.logout(uow, body.refresh_token)
        return "", 204

    @bp.post("/auth/forgot", summary="Ask for a password-reset link (always answers the same)",
             responses={202: None})
    def forgot(body: ForgotCommand):
        with rt.db.uow() as uow:
            sessions.forgot(uow, policy, parts.sealer, body.username, ip())
        return jsonify({"detail": "if the account exists, a reset link is on its way by e-mail or SMS"}), 202

    @bp.post("/auth/reset", summary="Set a new password with a reset token", responses={204: None})
    def reset(body: ResetCommand):
        with rt.db.uow() as uow:
            sessions.reset(uow, body.token, body.new_password)
        return "", 204

    @bp.get("/.well-known/jwks.json", summary="The public keys that verify access tokens")
    def jwks():
        response = jsonify(issuer.jwks())
        response.headers["Cache-Control"] = "public, max-age=300"
        return response

    @bp.get("/sso", summary="Whether sign-in with the national e-ID is offered on this server")
    def sso_offered():
        return jsonify({"enabled": oidc is not None})

    @bp.get("/sso/login", summary="Sign in with the national e-ID (redirects to the provider)")
    def sso_login():
        if oidc is None:
            raise Invalid(msg("sign-in with the national e-ID is not configured on this server"))
        with rt.db.uow() as uow:
            return redirect(oidc.start(uow), code=302)

    @bp.get("/sso/callback", summary="Where the e-ID provider returns", responses={200: Tokens})
    def sso_callback(query: SsoCallbackQuery):
        if oidc is None:
            raise Invalid(msg("sign-in with the national e-ID is not configured on this server"))
        if query.error or not query.state or not query.code:
            raise Invalid(msg("the e-ID sign-in did not complete ({value})", value=query.error or 'no code'))
        with rt.db.uow() as uow:
            citizen_id = oidc.citizen_id(uow, query.state, query.code)
            tokens = sessions.sign_in_by_citizen_id(uow, issuer, citizen_id, ip())
        if tokens is None:
            return Response(NOT_REGISTERED, status=403, mimetype="text/html")
        return jsonify(tokens)

    return bp
