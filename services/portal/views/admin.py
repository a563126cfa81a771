"""Quản trị đơn vị → Quản lý đăng ký tài khoản: the pending registrations (Chờ duyệt) with filters, the review
dialog of seed 000 (department, position, role, head of unit) → approve, with the one-time password shown once,
or reject with a reason."""
from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_babel import gettext as _

from services.common.text import sort_key
from services.portal.api import ApiError
from services.portal.views import UnitNames, explain, listed_accounts, portal, signed_in

bp = Blueprint("admin", __name__, url_prefix="/quan-tri")
ROLES = {"officer": "Cán bộ", "leader": "Lãnh đạo", "clerk": "Văn thư", "admin": "Quản trị đơn vị"}


@bp.get("/dang-ky")
@signed_in
def registrations():
    """Chờ duyệt: free text (no diacritics needed), the unit (among those with registrations waiting, with their
    counts) with or without the units below it, paged; each row names its unit."""
    listed = listed_accounts(request.args, fixed={"status": "pending"})
    names = UnitNames()
    if request.headers.get("HX-Request"):
        return render_template("partials/registration_rows.html", **listed._asdict(), unit_name=names)
    waiting = sorted(({"id": row["unit_id"], "name": names(row["unit_id"]) or _("(chưa có đơn vị)"),
                       "count": row["by_status"].get("pending", 0)}
                      for row in portal().call("GET", "/api/identity/accounts/stats")["items"]
                      if row["by_status"].get("pending") and row["unit_id"]), key=lambda u: sort_key(u["name"]))
    unit_id = listed.filters["unit_id"]
    if unit_id and all(u["id"] != unit_id for u in waiting):
        waiting.insert(0, {"id": unit_id, "name": names(unit_id) or unit_id, "count": 0})
    return render_template("registrations.html", **listed._asdict(), waiting=waiting, unit_name=names)


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
