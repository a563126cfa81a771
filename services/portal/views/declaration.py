"""Kê khai: an officer updates their own record — department (among the units directly under their unit),
position, grade code, title category, salary coefficient, and after a merge or dissolution the unit they now
work in — and submits the form; the declared unit's approver decides it in Công việc. Only an approved form
changes the record; a returned one shows why."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from services.portal.api import ApiError
from services.portal.views import explain, portal, signed_in

bp = Blueprint("declaration", __name__)
FIELDS = ("unit_id", "department_id", "position", "grade_code", "title_category", "salary_coefficient")
STATUS_LABELS = {"submitted": "Chờ phê duyệt", "approved": "Đã phê duyệt", "returned": "Bị trả lại"}


def _page(values: dict | None, error: str | None = None, status: int = 200):
    """The page; ``values`` are what was typed (None: the record as it is, and the unit chosen in the address)."""
    me = portal().call("GET", "/api/identity/me")
    if values is None:
        values = {"position": me.get("position"), "grade_code": me.get("grade_code"),
                  "title_category": me.get("title_category"), "salary_coefficient": me.get("salary_coefficient"),
                  "unit_id": request.args.get("unit_id") or ""}
    mine = portal().call("GET", "/api/identity/me/declarations")["items"]
    unit_id = values.get("unit_id") or (None if me["needs_redeclare"] else me["unit_id"])
    unit = departments = None
    if unit_id:
        unit = portal().optional("GET", f"/api/orgunits/units/{unit_id}")
        if unit is not None:
            departments = portal().call("GET", f"/api/orgunits/units/{unit_id}/children",
                                        params={"limit": 500})["items"]
            departments = [d for d in departments if d.get("status") == "active"]
    waiting = next((d for d in mine if d["status"] == "submitted"), None)
    residence = portal().optional("GET", "/api/orgunits/me/residence-cell")
    return render_template("declaration.html", record=me, mine=mine, unit=unit, departments=departments or [],
                           values=values, error=error, waiting=waiting, status_labels=STATUS_LABELS,
                           residence=residence), status


@bp.get("/ca-nhan/ke-khai")
@signed_in
def form():
    return _page(None)


@bp.post("/ca-nhan/ke-khai")
@signed_in
def submit():
    values = {name: (request.form.get(name) or "").strip() for name in FIELDS}
    body = {name: value.replace(",", ".") if name == "salary_coefficient" else value
            for name, value in values.items() if value}
    try:
        sent = portal().call("POST", "/api/identity/me/declarations", json=body)
    except ApiError as failure:
        fields = {e.get("field") for e in failure.problem.get("errors") or []}
        if fields & {"grade_code", "salary_coefficient", "title_category"}:
            error = _("Mã ngạch viết dạng 01.003 hoặc V.07.03.29; hệ số lương từ 1,00 đến 10,00; hạng I đến IV.")
        else:
            error = explain(failure)
        return _page(values, error, 400 if failure.status < 500 else 502)
    flash(_("Đã nộp phiếu kê khai. Quản trị viên của %(unit)s sẽ phê duyệt.", unit=sent["unit_name"]), "success")
    return redirect(url_for("declaration.form"))


RESIDENCE_KINDS = ("party_upper", "party_grassroots", "party_partial", "party_cell")


@bp.get("/ca-nhan/chi-bo/tim")
@signed_in
def party_units():
    """The party organisations whose name holds what was typed (diacritics optional), for the residence cell."""
    q = (request.args.get("cell_q") or "").strip()[:100]
    found = []
    if len(q) >= 2:
        for kind in RESIDENCE_KINDS:
            found += portal().call("GET", "/api/orgunits/units", params={"q": q, "kind": kind, "status": "active",
                                                                        "limit": 10})["items"]
    return render_template("partials/cell_choices.html", cells=found, q=q)


@bp.post("/ca-nhan/chi-bo")
@signed_in
def residence():
    """Cập nhật thông tin chi bộ sinh hoạt nơi cư trú (seed 003 §1)."""
    unit_id = (request.form.get("unit_id") or "").strip()[:64]
    if not unit_id:
        flash(_("Hãy tìm và chọn chi bộ."), "error")
        return redirect(url_for("declaration.form", _anchor="residence-title"))
    try:
        portal().call("PUT", "/api/orgunits/me/residence-cell", json={"unit_id": unit_id})
    except ApiError as failure:
        flash(explain(failure), "error")
    else:
        flash(_("Đã cập nhật chi bộ sinh hoạt nơi cư trú."), "success")
    return redirect(url_for("declaration.form", _anchor="residence-title"))
