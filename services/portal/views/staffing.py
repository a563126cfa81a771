"""Cấu hình quy trình (seed 000 §3): the unit's catalogue of processes (not configured / complete), and per
process the step table — name, description, actions, staff chosen from the unit's people or "the staff of step
N", a share of the process time or fixed hours, push, attachment required — saved step by step, then confirmed
complete; reset to the model's defaults; discard a draft; the audit of every change."""
from __future__ import annotations

from flask import Blueprint, g, render_template, request
from flask_babel import gettext as _

from services.common.text import sort_key
from services.portal.api import ApiError
from services.portal.views import explain, portal, signed_in
from services.portal.views.work import ACTION_LABELS

bp = Blueprint("staffing", __name__, url_prefix="/quan-tri/quy-trinh")
STATUS_LABELS = {"not_configured": "Chưa cấu hình", "complete": "Đã cấu hình đầy đủ"}
AUDIT_LABELS = {"confirmed": "Xác nhận cấu hình đầy đủ", "draft_discarded": "Bỏ các thay đổi chưa xác nhận",
                "reset": "Đưa về mặc định", "sla_changed": "Đổi thời gian xử lý", "staff_converted":
                "Chuyển cán bộ sang tài khoản mới", "staff_left": "Cán bộ rời đơn vị", "step_updated": "Sửa bước",
                "version_pinned": "Chọn phiên bản"}
PEOPLE_LABELS = {"staffing": None, "starter": "Người khởi tạo hồ sơ", "role": "Theo vai trò trong hồ sơ",
                 "performer": "Người đã làm bước trước"}


def _unit() -> str:
    return request.values.get("unit_id") or g.me.unit_id or ""


@bp.get("")
@signed_in
def catalogue():
    unit_id = _unit()
    unit = portal().call("GET", f"/api/orgunits/units/{unit_id}")
    items = portal().call("GET", f"/api/process/units/{unit_id}/processes")["items"]
    groups: dict[str, list[dict]] = {}
    for item in sorted(items, key=lambda i: sort_key(i["name"])):
        groups.setdefault(item.get("group") or _("Khác"), []).append(item)
    return render_template("staffing_catalogue.html", unit=unit, groups=sorted(groups.items(),
                           key=lambda kv: sort_key(kv[0])), status_labels=STATUS_LABELS)


def _people(unit_id: str) -> list[dict]:
    found = portal().call("GET", "/api/identity/accounts", params={"unit_id": unit_id, "subtree": "true",
                                                                   "status": "approved", "limit": 500})
    return sorted(found["items"], key=lambda a: sort_key(a["full_name"]))


def _page(key: str, unit_id: str, *, message: str | None = None, error: str | None = None, status: int = 200):
    staffing = portal().call("GET", f"/api/process/units/{unit_id}/processes/{key}/staffing")
    catalogue = portal().call("GET", f"/api/process/units/{unit_id}/processes")["items"]
    staffing["process_name"] = next((i["name"] for i in catalogue if i["key"] == key), key)
    unit = portal().call("GET", f"/api/orgunits/units/{unit_id}")
    people = _people(unit_id)
    return render_template("staffing.html", staffing=staffing, unit=unit, people=people, status_labels=STATUS_LABELS,
                           label=lambda a: _(ACTION_LABELS[a]) if a in ACTION_LABELS else a,
                           people_label=lambda p: _(PEOPLE_LABELS.get(p.split(":")[0]) or "") if p != "staffing"
                           else "", message=message, error=error), status


@bp.get("/<key>")
@signed_in
def steps(key: str):
    return _page(key, _unit())


@bp.post("/<key>/buoc/<lane_id>")
@signed_in
def save_step(key: str, lane_id: str):
    unit_id = _unit()
    form = request.form
    body: dict = {"display_name": (form.get("display_name") or "").strip() or None,
                  "description": (form.get("description") or "").strip(),
                  "actions": form.getlist("actions"), "push": form.get("push") == "on",
                  "attachment_required": form.get("attachment_required") == "on"}
    if form.get("people_source") == "staff":
        body["staff"] = form.getlist("staff")
    elif (form.get("people_source") or "").startswith("step:"):
        body["staff_of_step"] = int(form["people_source"][5:])
    time_kind, amount = form.get("time_kind"), (form.get("time_amount") or "").replace(",", ".").strip()
    try:
        value = float(amount) if amount else None
    except ValueError:
        return _page(key, unit_id, error=_("Thời gian phải là một số (ví dụ 10 hoặc 2,5)."), status=400)
    if value is not None:
        body["fixed_hours" if time_kind == "hours" else "time_share_percent"] = value
    body = {k: v for k, v in body.items() if v is not None}
    try:
        portal().call("PATCH", f"/api/process/units/{unit_id}/processes/{key}/staffing/steps/{lane_id}", json=body)
    except ApiError as error:
        return _page(key, unit_id, error=explain(error), status=400)
    return _page(key, unit_id, message=_("Đã lưu bước."))


@bp.post("/<key>/<command>")
@signed_in
def command(key: str, command: str):
    unit_id = _unit()
    calls = {"xac-nhan": ("POST", "confirm", "Đã xác nhận cấu hình đầy đủ; đơn vị có thể bắt đầu hồ sơ."),
             "mac-dinh": ("POST", "reset", "Đã đưa về mặc định của quy trình."),
             "huy-nhap": ("DELETE", "draft", "Đã bỏ các thay đổi chưa xác nhận.")}
    if command not in calls:
        return _page(key, unit_id, error=_("Không có thao tác này."), status=404)
    method, path, done = calls[command]
    try:
        portal().call(method, f"/api/process/units/{unit_id}/processes/{key}/staffing/{path}")
    except ApiError as error:
        return _page(key, unit_id, error=explain(error), status=400)
    return _page(key, unit_id, message=_(done))


@bp.get("/<key>/nhat-ky")
@signed_in
def audit(key: str):
    unit_id = _unit()
    entries = portal().call("GET", f"/api/process/units/{unit_id}/processes/{key}/staffing/audit")["items"]
    people = {p["id"]: p["full_name"] for p in _people(unit_id)}
    return render_template("partials/staffing_audit.html", entries=entries, people=people,
                           label=lambda a: _(AUDIT_LABELS[a]) if a in AUDIT_LABELS else a)
