"""The portal's pages. ``Portal`` calls the services as the signed-in person (their tokens stay in the
server-side session; a refused access token is refreshed once), and turns a service's refusal into a sentence
in the person's language — never a raw field name, code or 500."""
from __future__ import annotations

import functools
import hashlib
import threading
import time
from dataclasses import dataclass
from typing import NamedTuple

from flask import (
    Flask,
    Response,
    current_app,
    flash,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError

from services.common.auth import Principal
from services.common.errors import Unauthorized
from services.portal.api import Answer, Api, ApiError


class SignInRequired(Exception):
    """The session holds no usable tokens: the person signs in again (and comes back where they were)."""


@dataclass
class Me:
    account_id: str
    name: str
    unit_id: str | None
    principal: Principal

    def holds(self, permission: str) -> bool:
        """Whether the menus offer what needs ``permission`` somewhere (the services decide per unit)."""
        return self.principal.is_super_admin or any(permission in grant.permissions for grant in self.principal.grants)


class Portal:
    def __init__(self, api: Api, verifier, settings):
        self.api, self.verifier, self.settings = api, verifier, settings

    def anonymous(self, method: str, path: str, **kw):
        return self.api.call(method, path, client_ip=request.remote_addr, language=_language(), **kw)

    def call(self, method: str, path: str, **kw):
        """As the signed-in person; raises ApiError with the service's problem, SignInRequired when the
        tokens are gone."""
        return self.fetch(method, path, **kw).body

    def fetch(self, method: str, path: str, **kw):
        """``call``, giving the whole answer (headers, bytes) of a service that agreed."""
        token = session.get("access_token")
        if not token:
            raise SignInRequired
        answer = self.api.call(method, path, token=token, client_ip=request.remote_addr, language=_language(), **kw)
        if answer.status == 401 and self.refresh():
            answer = self.api.call(method, path, token=session["access_token"], client_ip=request.remote_addr,
                                   language=_language(), **kw)
        if answer.status == 401:
            session.clear()
            raise SignInRequired
        if not answer.ok:
            raise ApiError(answer)
        return answer

    def optional(self, method: str, path: str, **kw) -> dict | None:
        """``call`` for what a page can show without (a name, a title): None where the service refuses."""
        try:
            body = self.call(method, path, **kw)
        except ApiError:
            return None
        return body if isinstance(body, dict) else None

    def refresh(self) -> bool:
        """New tokens for the session's refresh token, which identity accepts once (a second use is a replay and
        ends the session). Requests of one session that arrive together — htmx fragments, the live stream — are
        served one at a time here: the first rotates the token, the others take what it got."""
        refresh_token = session.get("refresh_token")
        if not refresh_token:
            return False
        key = hashlib.sha256(refresh_token.encode()).hexdigest()
        with _ROTATION_LOCKS.setdefault(key, threading.Lock()):
            rotated = _ROTATED.get(key)
            if rotated is not None and rotated[0] > time.monotonic():
                keep_tokens(rotated[1])
                return True
            answer = self.anonymous("POST", "/api/identity/auth/refresh", json={"refresh_token": refresh_token})
            if not answer.ok or not answer.body.get("access_token"):
                return False
            now = time.monotonic()
            for old in [k for k, (until, _tokens) in _ROTATED.items() if until <= now]:
                _ROTATED.pop(old, None)
                _ROTATION_LOCKS.pop(old, None)
            _ROTATED[key] = (now + ROTATION_GRACE_SECONDS, answer.body)
            keep_tokens(answer.body)
            return True

    def me(self) -> Me | None:
        token = session.get("access_token")
        if not token:
            return None
        try:
            principal = self.verifier.verify(token)
        except Unauthorized:
            try:
                principal = self.verifier.verify(session["access_token"]) if self.refresh() else None
            except Unauthorized:
                principal = None
            if principal is None:
                session.clear()
                return None
        return Me(principal.account_id, session.get("name") or principal.name or "", principal.unit_id, principal)


# the tokens a refresh token was just rotated into, for the requests of the same session that came with it
# (per process: the portal runs as one process with threads, deploy/Procfile)
ROTATION_GRACE_SECONDS = 60
_ROTATED: dict[str, tuple[float, dict]] = {}
_ROTATION_LOCKS: dict[str, threading.Lock] = {}


def portal() -> Portal:
    from flask import current_app
    return current_app.extensions["portal"]


def keep_tokens(tokens: dict) -> None:
    session["access_token"] = tokens["access_token"]
    session["refresh_token"] = tokens.get("refresh_token") or session.get("refresh_token")
    session["account_id"] = tokens.get("account_id") or session.get("account_id")
    session.pop("change_token", None)


def _language() -> str:
    return session.get("lang") or "vi"


def signed_in(view):
    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        g.me = portal().me()
        if g.me is None:
            raise SignInRequired
        return view(*args, **kwargs)
    return wrapper


# A service's refusal as a sentence: by its code where it gives one, else by the HTTP status.
CODES = {
    "throttled": "Bạn đã thử quá nhiều lần. Hãy đợi vài phút rồi thử lại.",
    "password_weak": "Mật khẩu quá dễ đoán. Hãy dùng một cụm từ dài hơn, khó đoán hơn.",
    "password_too_short": "Mật khẩu quá ngắn.",
    "password_too_long": "Mật khẩu quá dài.",
    "password_personal": "Mật khẩu không được chứa tên, tên đăng nhập hay số CCCD của bạn.",
    "password_unchanged": "Mật khẩu mới phải khác mật khẩu cũ.",
    "account_inactive": "Tài khoản này không đăng nhập được (chưa duyệt, đã khóa hoặc đã lưu trữ).",
    "permission_missing": "Bạn không có quyền làm việc này ở đơn vị này.",
    "account_outranks_you": "Tài khoản này có quyền ở nơi bạn không quản trị, nên bạn không sửa được.",
    "changed_meanwhile": "Dữ liệu vừa được người khác thay đổi. Hãy tải lại trang rồi làm lại.",
    "reason_required": "Hãy ghi lý do.",
    "attachment_required": "Bước này cần đính kèm tệp trước khi hoàn thành.",
    "action_not_allowed": "Bước này không cho phép thao tác đó.",
    "not_staff_of_step": "Người được chọn không thuộc danh sách cán bộ của bước này.",
    "step_not_staffed": "Bước này chưa có cán bộ; hãy chọn cán bộ trước.",
    "assignee_required": "Hãy chọn người xử lý tiếp theo.",
    "token_revoked": "Phiên đăng nhập đã bị thu hồi. Hãy đăng nhập lại.",
    "process_owned_elsewhere": "Quy trình này thuộc phạm vi khác; chỉ người thiết kế ở đó mới triển khai được.",
    "file_empty": "Tệp đính kèm rỗng.",
    "file_too_large": "Tệp đính kèm quá lớn.",
}
STATUSES = {
    400: "Dữ liệu gửi lên không hợp lệ.",
    401: "Tên đăng nhập hoặc mật khẩu không đúng.",
    403: "Bạn không có quyền làm việc này.",
    404: "Không tìm thấy nội dung này (có thể đã bị xóa, hoặc nằm ngoài phạm vi bạn quản lý).",
    409: "Việc này xung đột với trạng thái hiện tại. Hãy tải lại trang.",
    413: "Tệp quá lớn.",
    422: "Dữ liệu chưa hợp lệ.",
    429: "Bạn đã thử quá nhiều lần. Hãy đợi vài phút rồi thử lại.",
}


def served_file(path: str, params: dict | None = None) -> Response:
    """A file a service serves (an attachment, a workbook), passed on as it came: its type from its bytes, its
    name and sandbox, never cached, never sniffed into something a browser would run."""
    answer = portal().fetch("GET", path, params=params)
    headers = {name: answer.headers[name] for name in ("Content-Disposition", "Content-Security-Policy")
               if name in answer.headers}
    return Response(answer.content, mimetype=answer.headers.get("Content-Type") or "application/octet-stream",
                    headers={**headers, "Cache-Control": "private, no-store", "X-Content-Type-Options": "nosniff"})


def explain(error: ApiError) -> str:
    if error.code in CODES:
        return _(CODES[error.code])
    detail = error.problem.get("detail")
    if isinstance(detail, str) and detail and error.status in TOLD and error.language == _language():
        return _as_sentence(detail)
    return _(STATUSES.get(error.status, "Hệ thống đang bận. Hãy thử lại sau ít phút."))


# A refusal whose detail the service said in the person's language is shown as it is: it names what is wrong
# (the step, the status, the unit) where the status alone could only say "not valid" or "conflict". A 404 keeps
# the portal's sentence, which also says the thing may lie outside the person's scope (and shows no id).
TOLD = (400, 403, 409, 422)


def _as_sentence(detail: str) -> str:
    detail = detail.strip()
    detail = detail[:1].upper() + detail[1:]
    return detail if detail[-1:] in ".!?…" else detail + "."


def missing(detail: str) -> ApiError:
    """A 404 of the portal's own (a page for something the services do not have), said as the services' are."""
    return ApiError(Answer(404, {"detail": detail}, {}))


def unsaved(error: ApiError, labels: dict[str, str]) -> str:
    """A refused edit in words: the fields to correct by their labels, or the service's refusal."""
    fields = sorted({e.get("field") for e in error.problem.get("errors") or [] if e.get("field")})
    if not fields:
        return explain(error)
    return _("Chưa lưu. Hãy sửa: %(fields)s.", fields=", ".join(_(labels.get(f, f)) for f in fields))


class UnitNames:
    """Unit names for the rows of one page, each unit read once."""

    def __init__(self):
        self.known: dict[str, str] = {}

    def __call__(self, unit_id: str | None) -> str:
        if not unit_id:
            return ""
        if unit_id not in self.known:
            self.known[unit_id] = (portal().optional("GET", f"/api/orgunits/units/{unit_id}") or {}).get("name", "")
        return self.known[unit_id]


def account_names(ids) -> dict[str, str | None]:
    """Account names for a page, each read once as the signed-in person (None outside what they may read)."""
    return {account_id: (portal().optional("GET", f"/api/identity/accounts/{account_id}") or {}).get("full_name")
            for account_id in {i for i in ids if i}}


PAGE_SIZE = 20


class Listed(NamedTuple):
    found: dict       # identity's page of accounts
    filters: dict     # what the page's links keep (a box left unticked as subtree="0")
    subtree: bool
    page: int
    pages: int


def listed_accounts(args, *, chosen: dict | None = None, fixed: dict | None = None) -> Listed:
    """A page of identity's accounts for a list's filters: free text, a unit with or without the units below it
    (ticked unless the form says otherwise), the page; ``chosen`` are the list's own filters, already checked,
    ``fixed`` what the list always asks (not carried in its links)."""
    q = (args.get("q") or "").strip()[:200]
    unit_id = (args.get("unit_id") or "").strip()[:64] or None
    ticked = args.getlist("subtree")      # the form sends "0" and, when ticked, "1"; a plain link sends nothing
    subtree = "1" in ticked if ticked else True
    page = max(1, min(args.get("page", 1, type=int) or 1, 10000))
    filters = {"q": q or None, **(chosen or {}), "unit_id": unit_id}
    params = {"limit": PAGE_SIZE, "offset": (page - 1) * PAGE_SIZE, "subtree": str(subtree).lower(), **(fixed or {}),
              **{k: v for k, v in filters.items() if v}}
    found = portal().call("GET", "/api/identity/accounts", params=params)
    return Listed(found, {**filters, "subtree": None if subtree else "0"}, subtree, page,
                  max(1, -(-found["total"] // PAGE_SIZE)))


def register(app: Flask) -> None:
    from services.portal.views import (
        accounts,
        admin,
        auth,
        declaration,
        design,
        direction,
        notices,
        notify_admin,
        rights,
        signup,
        staffing,
        units,
        work,
    )

    for module in (auth, signup, work, direction, declaration, admin, accounts, units, staffing, design, notices,
                   notify_admin, rights):
        app.register_blueprint(module.bp)

    @app.errorhandler(SignInRequired)
    def sign_in_again(_error):
        target = url_for("auth.login", next=request.full_path if request.method == "GET" else None)
        if request.headers.get("HX-Request"):
            return "", 204, {"HX-Redirect": target}
        return redirect(target)

    @app.errorhandler(CSRFError)
    def stale_form(_error):
        if request.accept_mimetypes.best == "application/json":   # the page's own script, not a form
            return jsonify({"message": _("Trang đã mở quá lâu hoặc đã hết phiên. Hãy tải lại trang.")}), 400
        flash(_("Trang đã mở quá lâu hoặc đã hết phiên. Hãy thử lại."), "error")
        return redirect(request.referrer or url_for("work.inbox"))

    @app.errorhandler(ApiError)
    def refused(error: ApiError):
        status = error.status if error.status in (403, 404) else 400
        return render_template("error.html", message=explain(error)), status

    @app.errorhandler(413)
    def too_large(_error):
        limit = (current_app.config.get("MAX_CONTENT_LENGTH") or 0) // 1024 // 1024
        flash(_("Các tệp gửi một lần quá lớn (tối đa %(mb)s MB). Hãy gửi từng tệp.", mb=limit), "error")
        return redirect(request.referrer or url_for("work.inbox"))

    @app.errorhandler(404)
    def not_found(_error):
        return render_template("error.html", message=_("Không có trang này.")), 404

    @app.errorhandler(500)
    def broken(_error):
        return render_template("error.html", message=_("Hệ thống gặp sự cố. Hãy thử lại sau ít phút.")), 500

    @app.get("/ngon-ngu/<code>")
    def language(code: str):
        if code in ("vi", "en"):
            session["lang"] = code
        return redirect(request.referrer or url_for("work.inbox"))
