"""Quản trị đơn vị → Quản lý đăng ký tài khoản: the pending registrations (Chờ duyệt) with filters, the review
dialog of seed 000 (department, position, role, head of unit) → approve, with the one-time password shown once,
or reject with a reason."""
from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_babel import gettext as _

from services.common.text import sort_key
from services.portal.api import ApiError
from services.portal.views import UnitNames, explain, portal, signed_in

bp = Blueprint("admin", __name__, url_prefix="/quan-tri")
ROLES = {"officer": "Cán bộ", "leader": "Lãnh đạo", "clerk": "Văn thư", "admin": "Quản trị đơn vị"}
PAGE_SIZE = 20


@bp.get("/dang-ky")
@signed_in
def registrations():
    """Chờ duyệt: free text (no diacritics needed), the unit (among those with registrations waiting, with their
    counts) with or without the units below it, paged; each row names its unit."""
    args = request.args
    q = (args.get("q") or "").strip()[:200]
    unit_id = (args.get("unit_id") or "").strip()[:64] or None
    chosen = args.getlist("subtree")      # the form sends "0" and, when ticked, "1"; a plain link sends nothing
    subtree = "1" in chosen if chosen else True
    page = max(1, min(args.get("page", 1, type=int) or 1, 10000))
    params = {"status": "pending", "limit": PAGE_SIZE, "offset": (page - 1) * PAGE_SIZE,
              "subtree": str(subtree).lower(), **{k: v for k, v in {"q": q, "unit_id": unit_id}.items() if v}}
    found = portal().call("GET", "/api/identity/accounts", params=params)
    names = UnitNames()
    filters = {"q": q or None, "unit_id": unit_id, "subtree": None if subtree else "0"}
    pages = max(1, -(-found["total"] // PAGE_SIZE))
    if request.headers.get("HX-Request"):
        return render_template("partials/registration_rows.html", found=found, filters=filters, page=page,
                               pages=pages, unit_name=names)
    waiting = sorted(({"id": row["unit_id"], "name": names(row["unit_id"]) or _("(chưa có đơn vị)"),
                       "count": row["by_status"].get("pending", 0)}
                      for row in portal().call("GET", "/api/identity/accounts/stats")["items"]
                      if row["by_status"].get("pending") and row["unit_id"]), key=lambda u: sort_key(u["name"]))
    if unit_id and all(u["id"] != unit_id for u in waiting):
        waiting.insert(0, {"id": unit_id, "name": names(unit_id) or unit_id, "count": 0})
    return render_template("registrations.html", found=found, filters=filters, page=page, pages=pages,
                           waiting=waiting, subtree=subtree, unit_name=names)


@bp.get("/dang-ky/<account_id>")
@signed_in
def review(account_id: str):
    account = portal().call("GET", f"/api/identity/accounts/{account_id}")
    return render_template("partials/review.html", account=account, roles=ROLES)


@bp.post("/dang-ky/<account_id>/duyet")
@signed_in
def approve(account_id: str):
    roles = [r for r in request.form.getlist("roles") if r in ROLES]
    body = {"department": (request.form.get("department") or "").strip() or None,
            "position": (request.form.get("position") or "").strip() or None,
            "roles": roles or None, "is_head": request.form.get("is_head") == "on"}
    try:
        approved = portal().call("POST", f"/api/identity/accounts/{account_id}/approve", json=body)
    except ApiError as error:
        account = portal().call("GET", f"/api/identity/accounts/{account_id}")
        return render_template("partials/review.html", account=account, roles=ROLES, error=explain(error)), 400
    return render_template("partials/approved.html", account=approved["account"],
                           password=approved["one_time_password"])


@bp.post("/dang-ky/<account_id>/tu-choi")
@signed_in
def reject(account_id: str):
    reason = (request.form.get("reason") or "").strip()
    try:
        account = portal().call("POST", f"/api/identity/accounts/{account_id}/reject", json={"reason": reason})
    except ApiError as error:
        message = _("Hãy ghi lý do từ chối (ít nhất 3 ký tự).") if error.status == 422 else explain(error)
        account = portal().call("GET", f"/api/identity/accounts/{account_id}")
        return render_template("partials/review.html", account=account, roles=ROLES, error=message), 400
    return render_template("partials/rejected.html", account=account)
