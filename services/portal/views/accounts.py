"""Quản trị đơn vị → Quản lý tài khoản: the accounts of the units I administer (unit and subtree, status, role and
free-text filters, paging, counts per status), one account's page (edit, lock/unlock, archive, a new one-time
password, the edit history), and Thống kê tài khoản. Identity decides what each admin may see and do: an account
outside my subtrees is "not found", said in words."""
from __future__ import annotations

import re

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from services.common.text import sort_key
from services.portal.api import ApiError
from services.portal.views import (
    UnitNames,
    account_names,
    explain,
    listed_accounts,
    missing,
    portal,
    signed_in,
    unsaved,
)
from services.portal.views.admin import ROLES

bp = Blueprint("accounts", __name__, url_prefix="/quan-tri/tai-khoan")
STATUS_LABELS = {"pending": "Chờ duyệt", "inactive": "Chưa kích hoạt", "approved": "Đã duyệt", "locked": "Đã khóa",
                 "archived": "Lưu trữ", "rejected": "Từ chối"}
ARCHIVE_LABELS = {"retired": "Nghỉ hưu", "transferred_out": "Chuyển công tác ra ngoài tỉnh", "deceased": "Từ trần",
                  "converted": "Đã chuyển đổi sang tài khoản mới"}
CHANGE_LABELS = {"registered": "Đăng ký", "approved": "Duyệt", "rejected": "Từ chối", "updated": "Sửa thông tin",
                 "locked": "Khóa", "unlocked": "Mở khóa", "archived": "Lưu trữ", "imported": "Chuyển từ hệ thống cũ",
                 "one_time_password_issued": "Cấp mật khẩu dùng một lần", "password_changed": "Đổi mật khẩu",
                 "transferred": "Chuyển công tác", "transfer_requested": "Đề nghị chuyển công tác",
                 "transfer_rejected": "Từ chối chuyển công tác", "appointed": "Kiêm nhiệm",
                 "appointment_ended": "Thôi kiêm nhiệm", "converted_to": "Chuyển đổi sang tài khoản mới",
                 "converted_from": "Nhận chuyển đổi từ tài khoản cũ", "needs_redeclare": "Cần khai báo lại đơn vị",
                 "demo_created": "Tạo dữ liệu mẫu", "bootstrapped": "Khởi tạo hệ thống",
                 "added_from_eid": "Thêm từ định danh điện tử", "activated": "Kích hoạt",
                 "declaration_approved": "Phiếu kê khai được phê duyệt",
                 "declaration_returned": "Phiếu kê khai bị trả lại"}
FIELD_LABELS = {"full_name": "Họ và tên", "date_of_birth": "Ngày sinh", "phone": "Điện thoại",
                "email": "Thư điện tử", "department": "Phòng ban", "position": "Chức vụ",
                "staff_category": "Ngạch, chức danh", "roles": "Vai trò", "note": "Ghi chú", "is_head": "Thủ trưởng",
                "manager_id": "Người quản lý", "status": "Trạng thái", "unit_id": "Đơn vị",
                "archive_group": "Nhóm lưu trữ"}
EDITABLE = ("full_name", "phone", "email", "department", "position", "staff_category", "note")


@bp.get("")
@signed_in
def listing():
    args = request.args
    status = args.get("status") if args.get("status") in STATUS_LABELS else None
    role = args.get("role") if args.get("role") in ROLES else None
    listed = listed_accounts(args, chosen={"status": status, "role": role})
    unit_id = listed.filters["unit_id"]
    counts: dict[str, int] = {}
    for row in portal().call("GET", "/api/identity/accounts/stats",
                             params={"unit_id": unit_id} if unit_id else None)["items"]:
        for name, count in row["by_status"].items():
            counts[name] = counts.get(name, 0) + count
    unit = portal().call("GET", f"/api/orgunits/units/{unit_id}") if unit_id else None
    template = "partials/account_rows.html" if request.headers.get("HX-Request") else "accounts.html"
    return render_template(template, **listed._asdict(), counts=counts, unit=unit, statuses=STATUS_LABELS,
                           roles=ROLES, unit_name=UnitNames())


def _account_page(account_id: str, *, values: dict | None = None, error: str | None = None, status: int = 200):
    account = portal().call("GET", f"/api/identity/accounts/{account_id}")
    history = portal().call("GET", f"/api/identity/accounts/{account_id}/history")["items"]
    names = account_names(row["changed_by"] for row in history
                          if re.fullmatch(r"[0-9a-f]{32}", row.get("changed_by") or ""))
    return render_template("account.html", account=account, history=list(reversed(history)), names=names,
                           values=values or account, error=error, statuses=STATUS_LABELS, roles=ROLES,
                           archive_groups=ARCHIVE_LABELS, change_labels=CHANGE_LABELS, field_labels=FIELD_LABELS,
                           successors=_successors(account), unit_name=UnitNames()), status


def _successors(account: dict) -> list[dict]:
    """The accounts this one may be converted to: the approved others of the same unit, in Vietnamese order."""
    if account["status"] not in ("approved", "locked") or not account.get("unit_id"):
        return []
    found = portal().optional("GET", "/api/identity/accounts",
                              params={"unit_id": account["unit_id"], "subtree": "false", "status": "approved",
                                      "limit": 500}) or {"items": []}
    return sorted((a for a in found["items"] if a["id"] != account["id"]), key=lambda a: sort_key(a["full_name"]))


@bp.route("/them-tu-dinh-danh", methods=["GET", "POST"])
@signed_in
def add_from_eid():
    """Thêm mới người dùng: find the person by citizen id in the national e-ID directory, choose the unit, save
    (Chưa kích hoạt); activation is a button on the account's page."""
    source = request.form if request.method == "POST" else request.args
    citizen_id = re.sub(r"\D", "", source.get("citizen_id") or "")[:12]
    values = {"citizen_id": citizen_id, "unit_id": (source.get("unit_id") or "").strip()[:64],
              "unit_name": (source.get("unit_q") or "").strip()[:300],
              "department": (source.get("department") or "").strip()[:200],
              "position": (source.get("position") or "").strip()[:200]}
    found, error = None, None
    if citizen_id:
        try:
            found = portal().call("GET", "/api/identity/eid/people", params={"citizen_id": citizen_id})
        except ApiError as failure:
            error = explain(failure)
    if request.method == "POST" and found and found["found"] and not found["has_account"]:
        if not values["unit_id"]:
            error = _("Hãy tìm và chọn đơn vị.")
        else:
            try:
                added = portal().call("POST", "/api/identity/accounts/from-eid", json={
                    "citizen_id": citizen_id, "unit_id": values["unit_id"],
                    "department": values["department"] or None, "position": values["position"] or None})
            except ApiError as failure:
                error = explain(failure)
            else:
                flash(_("Đã thêm %(name)s, ở trạng thái Chưa kích hoạt.", name=added["full_name"]), "success")
                return redirect(url_for("accounts.account", account_id=added["id"]))
    status = 400 if error and request.method == "POST" else 200
    return render_template("account_add.html", values=values, found=found, error=error), status


@bp.get("/<account_id>")
@signed_in
def account(account_id: str):
    return _account_page(account_id)


@bp.post("/<account_id>")
@signed_in
def edit(account_id: str):
    values = {name: (request.form.get(name) or "").strip() for name in EDITABLE}
    body: dict = {name: value or None for name, value in values.items()}
    body["roles"] = [r for r in request.form.getlist("roles") if r in ROLES]
    body["is_head"] = request.form.get("is_head") == "on"
    try:
        portal().call("PATCH", f"/api/identity/accounts/{account_id}", json=body)
    except ApiError as error:
        return _account_page(account_id, values={**values, "roles": body["roles"], "is_head": body["is_head"]},
                             error=unsaved(error, FIELD_LABELS), status=400)
    flash(_("Đã lưu thông tin tài khoản."), "success")
    return redirect(url_for("accounts.account", account_id=account_id))


COMMANDS: dict[str, str] = {"khoa": "lock", "mo-khoa": "unlock", "luu-tru": "archive", "kich-hoat": "activate"}
DONE = {"lock": "Đã khóa tài khoản.", "unlock": "Đã mở khóa tài khoản.", "archive": "Đã chuyển tài khoản vào lưu trữ.",
        "activate": "Đã kích hoạt tài khoản. Người dùng đăng nhập bằng định danh điện tử."}


@bp.post("/<account_id>/<command>")
@signed_in
def command(account_id: str, command: str):
    if command == "mat-khau-mot-lan":
        try:
            issued = portal().call("POST", f"/api/identity/accounts/{account_id}/one-time-password")
        except ApiError as error:
            flash(explain(error), "error")
            return redirect(url_for("accounts.account", account_id=account_id))
        account = portal().call("GET", f"/api/identity/accounts/{account_id}")
        return render_template("one_time_password.html", account=account, password=issued["one_time_password"])
    if command == "chuyen-cong-tac":
        target = (request.form.get("unit_id") or "").strip()[:64]
        if not target:
            flash(_("Hãy tìm và chọn đơn vị nhận."), "error")
            return redirect(url_for("accounts.account", account_id=account_id))
        try:
            portal().call("POST", f"/api/identity/accounts/{account_id}/transfer", json={"to_unit_id": target})
        except ApiError as error:
            flash(explain(error), "error")
        else:
            flash(_("Đã gửi đề nghị chuyển công tác; chờ quản trị đơn vị nhận đồng ý."), "success")
        return redirect(url_for("accounts.account", account_id=account_id))
    if command in APPOINTMENTS:
        return APPOINTMENTS[command](account_id)
    if command == "chuyen-doi":
        return _convert(account_id)
    if command not in COMMANDS:
        return render_template("error.html", message=_("Không có trang này.")), 404
    verb = COMMANDS[command]
    body = None
    if verb == "archive":
        group = request.form.get("group")
        if group not in ARCHIVE_LABELS or group == "converted":
            flash(_("Hãy chọn nhóm lưu trữ."), "error")
            return redirect(url_for("accounts.account", account_id=account_id))
        body = {"group": group, "replacement_id": request.form.get("replacement_id") or None}
    try:
        portal().call("POST", f"/api/identity/accounts/{account_id}/{verb}", json=body)
    except ApiError as error:
        flash(explain(error), "error")
    else:
        flash(_(DONE[verb]), "success")
    return redirect(url_for("accounts.account", account_id=account_id))


def _appoint(account_id: str):
    """Kiêm nhiệm: the person also holds a post in another unit (the admin must administer that unit too)."""
    unit_id = (request.form.get("unit_id") or "").strip()[:64]
    position = (request.form.get("position") or "").strip()[:200] or None
    if not unit_id:
        flash(_("Hãy tìm và chọn đơn vị kiêm nhiệm."), "error")
        return redirect(url_for("accounts.account", account_id=account_id))
    try:
        portal().call("POST", f"/api/identity/accounts/{account_id}/appointments",
                      json={"unit_id": unit_id, "position": position})
    except ApiError as error:
        flash(explain(error), "error")
    else:
        flash(_("Đã thêm kiêm nhiệm."), "success")
    return redirect(url_for("accounts.account", account_id=account_id))


def _end_appointment(account_id: str):
    unit_id = (request.form.get("unit_id") or "").strip()[:64]
    try:
        if not unit_id:
            raise missing("no appointment chosen")
        portal().call("DELETE", f"/api/identity/accounts/{account_id}/appointments/{unit_id}")
    except ApiError as error:
        flash(explain(error), "error")
    else:
        flash(_("Đã thôi kiêm nhiệm."), "success")
    return redirect(url_for("accounts.account", account_id=account_id))


APPOINTMENTS = {"kiem-nhiem": _appoint, "thoi-kiem-nhiem": _end_appointment}


def _convert(account_id: str):
    """Chuyển đổi tài khoản (seed 004 §3.4): first what would move, said in words; only a second, confirmed post
    moves it (and archives the old account)."""
    new_id = (request.form.get("new_account_id") or "").strip()[:64]
    if not new_id:
        flash(_("Hãy chọn tài khoản mới."), "error")
        return redirect(url_for("accounts.account", account_id=account_id))
    confirmed = request.form.get("confirm") == "1"
    try:
        portal().call("POST", f"/api/identity/accounts/{account_id}/convert",
                      json={"new_account_id": new_id, "confirm": confirmed})
    except ApiError as error:
        plan = error.problem.get("plan")
        if error.status == 409 and plan is not None and not confirmed:
            return _conversion_plan(account_id, new_id, plan)
        flash(explain(error), "error")
        return redirect(url_for("accounts.account", account_id=account_id))
    flash(_("Đã chuyển đổi: quyền, nhóm và quyền quản trị đã sang tài khoản mới; tài khoản cũ đã vào lưu trữ."),
          "success")
    return redirect(url_for("accounts.account", account_id=new_id))


def _conversion_plan(account_id: str, new_id: str, plan: dict):
    old = portal().call("GET", f"/api/identity/accounts/{account_id}")
    new = portal().call("GET", f"/api/identity/accounts/{new_id}")
    wanted = set(plan.get("group_ids") or [])
    groups = sorted((g["name"] for g in (portal().optional("GET", "/api/identity/groups") or {"items": []})["items"]
                     if g["id"] in wanted), key=sort_key)
    return render_template("account_convert.html", old=old, new=new, plan=plan, groups=groups,
                           unseen=len(wanted) - len(groups), roles=ROLES, unit_name=UnitNames())


@bp.get("/thong-ke")
@signed_in
def statistics():
    rows = portal().call("GET", "/api/identity/accounts/stats")["items"]
    names = UnitNames()
    table = sorted(({"unit_id": r["unit_id"], "name": names(r["unit_id"]) or _("(chưa có đơn vị)"),
                     "by_status": r["by_status"], "total": r["total"]} for r in rows),
                   key=lambda r: sort_key(r["name"]))
    totals = {name: sum(r["by_status"].get(name, 0) for r in table) for name in STATUS_LABELS}
    return render_template("account_stats.html", table=table, totals=totals, statuses=STATUS_LABELS,
                           grand_total=sum(r["total"] for r in table))


TRANSFER_STATUS = {"pending": "Chờ tiếp nhận", "accepted": "Đã tiếp nhận", "rejected": "Đã từ chối"}


@bp.get("/chuyen-cong-tac")
@signed_in
def transfers():
    """Chuyển công tác: the people sent to my units (to accept or refuse) and those I sent (to follow)."""
    status = request.args.get("status") if request.args.get("status") in TRANSFER_STATUS else "pending"
    items = portal().call("GET", "/api/identity/transfers", params={"status": status})["items"]
    return render_template("transfers.html", items=items, status=status, statuses=TRANSFER_STATUS,
                           unit_name=UnitNames())


@bp.post("/chuyen-cong-tac/<int:request_id>/<decision>")
@signed_in
def decide_transfer(request_id: int, decision: str):
    verb = {"tiep-nhan": "accept", "tu-choi": "reject"}.get(decision)
    if verb is None:
        return render_template("error.html", message=_("Không có trang này.")), 404
    try:
        portal().call("POST", f"/api/identity/transfers/{request_id}/{verb}")
    except ApiError as error:
        flash(explain(error), "error")
    else:
        flash(_("Đã tiếp nhận cán bộ vào đơn vị.") if verb == "accept" else _("Đã từ chối chuyển công tác."),
              "success")
    return redirect(url_for("accounts.transfers"))
