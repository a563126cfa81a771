"""Đăng nhập: sign in, the one-time password's forced change (with a strength hint as one types), a forgotten
password (a one-time code by e-mail or SMS, then a new password), sign out."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from zxcvbn import zxcvbn

from services.portal.api import ApiError
from services.portal.views import explain, keep_tokens, portal

bp = Blueprint("auth", __name__)
STRENGTH = ["Rất yếu", "Yếu", "Tạm được", "Mạnh", "Rất mạnh"]


def _safe_next(target: str | None) -> str:
    """Back to where the person was, on this site only."""
    if target and target.startswith("/") and not target.startswith(("//", "/\\")) and not urlsplit(target).netloc:
        return target
    return url_for("work.inbox")


def _eid_offered() -> bool:
    answer = portal().anonymous("GET", "/api/identity/sso")
    return answer.ok and isinstance(answer.body, dict) and bool(answer.body.get("enabled"))


@bp.route("/dang-nhap", methods=["GET", "POST"])
def login():
    if request.method == "GET":
        return render_template("login.html", next=request.args.get("next", ""), eid=_eid_offered())
    username = (request.form.get("username") or "").strip()
    password = request.form.get("password") or ""
    if not username or not password:
        return render_template("login.html", error=_("Hãy nhập tên đăng nhập và mật khẩu."), username=username,
                               next=request.form.get("next", ""), eid=_eid_offered()), 400
    answer = portal().anonymous("POST", "/api/identity/auth/login", json={"username": username, "password": password})
    if not answer.ok:
        return render_template("login.html", error=explain(ApiError(answer)), username=username,
                               next=request.form.get("next", ""), eid=_eid_offered()), \
            answer.status if answer.status != 401 else 400
    return _signed_in(answer.body, username, request.form.get("next"))


def _signed_in(tokens: dict, username: str, target: str | None):
    """A new session (its id too: no fixation) holding the person's tokens, or the forced password change."""
    session.clear()
    session.permanent = True
    if tokens.get("password_change_required"):
        session["change_token"], session["username"] = tokens["change_token"], username
        where = url_for("auth.choose_password", next=target or "")
    else:
        keep_tokens(tokens)
        where = _safe_next(target)
    current_app.session_interface.regenerate(session)
    return redirect(where)


@bp.get("/dang-nhap/dinh-danh")
def eid_start():
    """To the national e-ID provider; it sends the person back to ``eid_back`` (identity's OIDC redirect URI)."""
    answer = portal().anonymous("GET", "/api/identity/sso/login")
    target = answer.headers.get("Location")
    if answer.status in (302, 303) and target and target.startswith(("https://", "http://")):
        return redirect(target)
    message = _("Chưa đăng nhập được bằng định danh điện tử. Hãy thử lại sau hoặc dùng mật khẩu.")
    return render_template("login.html", eid=False, next="", error=message), 503


@bp.get("/dang-nhap/dinh-danh/ve")
def eid_back():
    params = {k: v[:2000] for k, v in request.args.items() if k in ("state", "code", "error")}
    answer = portal().anonymous("GET", "/api/identity/sso/callback", params=params)
    if answer.ok and isinstance(answer.body, dict) and answer.body.get("access_token"):
        return _signed_in(answer.body, "", None)
    message = _("Số định danh này chưa có tài khoản trên hệ thống. Hãy đăng ký hoặc liên hệ quản trị đơn vị.") \
        if answer.status == 403 else _("Đăng nhập bằng định danh điện tử chưa hoàn tất. Hãy thử lại.")
    return render_template("login.html", eid=_eid_offered(), next="", error=message), 400


@bp.route("/doi-mat-khau", methods=["GET", "POST"])
def choose_password():
    if "change_token" not in session:
        return redirect(url_for("auth.login"))
    if request.method == "GET":
        return render_template("password.html", next=request.args.get("next", ""))
    new, again = request.form.get("new_password") or "", request.form.get("confirm") or ""
    if new != again:
        return render_template("password.html", error=_("Hai lần nhập mật khẩu mới không khớp."),
                               next=request.form.get("next", "")), 400
    answer = portal().anonymous("POST", "/api/identity/auth/password", json={
        "username": session["username"], "change_token": session["change_token"], "new_password": new})
    if not answer.ok:
        return render_template("password.html", error=explain(ApiError(answer)),
                               next=request.form.get("next", "")), 400
    session.pop("username", None)
    keep_tokens(answer.body)
    return redirect(_safe_next(request.form.get("next")))


@bp.post("/doi-mat-khau/do-manh")
def strength():
    """The hint shown under the new password while it is typed (identity decides when it is submitted)."""
    password = request.form.get("new_password") or ""
    if not password:
        return ""
    result = zxcvbn(password[:128], user_inputs=[session.get("username") or ""])
    return render_template("partials/strength.html", score=result["score"], label=_(STRENGTH[result["score"]]),
                           enough=result["score"] >= 3 and len(password) >= 10)


@bp.route("/quen-mat-khau", methods=["GET", "POST"])
def forgot():
    """The same answer whether the account exists or not (nobody learns who has an account here)."""
    if request.method == "GET":
        return render_template("forgot.html")
    username = (request.form.get("username") or "").strip()[:200]
    if not username:
        return render_template("forgot.html", error=_("Hãy nhập tên đăng nhập, thư điện tử hoặc số CCCD.")), 400
    answer = portal().anonymous("POST", "/api/identity/auth/forgot", json={"username": username})
    if answer.status == 429:
        return render_template("forgot.html", error=explain(ApiError(answer)), username=username), 429
    return render_template("forgot.html", sent=True)


@bp.route("/dat-lai-mat-khau", methods=["GET", "POST"])
def reset():
    if request.method == "GET":
        return render_template("reset.html")
    code = (request.form.get("code") or "").strip()
    new, again = request.form.get("new_password") or "", request.form.get("confirm") or ""
    error = None
    if not code:
        error = _("Hãy nhập mã đặt lại mật khẩu đã nhận.")
    elif new != again:
        error = _("Hai lần nhập mật khẩu mới không khớp.")
    if error:
        return render_template("reset.html", error=error, code=code), 400
    answer = portal().anonymous("POST", "/api/identity/auth/reset", json={"token": code, "new_password": new})
    if answer.status == 401:
        return render_template("reset.html", error=_("Mã không đúng, đã dùng hoặc đã hết hạn. Hãy xin mã mới.")), 400
    if not answer.ok:
        return render_template("reset.html", error=explain(ApiError(answer)), code=code), 400
    flash(_("Đã đặt mật khẩu mới. Hãy đăng nhập."), "success")
    return redirect(url_for("auth.login"))


@bp.post("/dang-xuat")
def logout():
    refresh_token = session.get("refresh_token")
    if refresh_token:
        portal().anonymous("POST", "/api/identity/auth/logout", json={"refresh_token": refresh_token})
    session.clear()
    return redirect(url_for("auth.login"))
