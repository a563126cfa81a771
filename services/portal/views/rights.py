"""Phân quyền: who administers which subtree with which permissions (admin grants: give and revoke), and the
permission groups of a unit (create, rename, set their permissions, add and remove members, delete). Identity
decides what each admin may grant: never more than they hold, never outside their subtree."""
from __future__ import annotations

from flask import Blueprint, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _

from services.portal.api import ApiError
from services.portal.views import UnitNames, account_names, explain, missing, portal, signed_in

bp = Blueprint("rights", __name__, url_prefix="/quan-tri/phan-quyen")
PERMISSION_LABELS = {
    "system.admin": "Quản trị hệ thống (mọi quyền, mọi nơi)", "accounts.read": "Xem tài khoản",
    "accounts.approve": "Duyệt tài khoản, tiếp nhận cán bộ chuyển đến", "accounts.edit": "Sửa thông tin, kiêm nhiệm",
    "accounts.lock": "Khóa, mở khóa, lưu trữ tài khoản", "accounts.transfer": "Chuyển cán bộ sang đơn vị khác",
    "accounts.delete": "Xóa tài khoản theo yêu cầu", "accounts.convert": "Chuyển đổi tài khoản",
    "admins.grant": "Cấp, thu hồi quyền quản trị", "groups.manage": "Phân quyền chức năng (nhóm quyền)",
    "units.manage": "Quản lý đơn vị (tạo, sửa, sáp nhập, giải thể)", "process.design": "Thiết kế quy trình",
    "process.configure": "Cấu hình quy trình, theo dõi hồ sơ của đơn vị", "process.start": "Khởi tạo hồ sơ",
    "process.work": "Hệ thống liên thông xử lý công việc tự động", "tasks.assign": "Giao nhiệm vụ",
    "tasks.handle": "Xử lý công việc được giao", "meetings.create": "Tổ chức cuộc họp",
    "notify.configure": "Cấu hình thông báo",
}


def _permissions() -> list[dict]:
    items = portal().call("GET", "/api/identity/permissions")["items"]
    return [i for i in items if i["name"] != "system.admin"]


@bp.get("")
@signed_in
def overview():
    grants = portal().call("GET", "/api/identity/admin-grants")["items"]
    groups = portal().call("GET", "/api/identity/groups")["items"]
    return render_template("rights.html", grants=grants, groups=groups,
                           names=account_names(row["account_id"] for row in grants), unit_name=UnitNames(),
                           permissions=_permissions(), labels=PERMISSION_LABELS)


@bp.get("/tim-tai-khoan")
@signed_in
def find_account():
    """Accounts matching what is typed (no diacritics needed), to choose one."""
    q = (request.args.get("account_q") or "").strip()[:100]
    found = portal().call("GET", "/api/identity/accounts", params={"q": q, "status": "approved", "limit": 10}) \
        if len(q) >= 2 else {"items": []}
    return render_template("partials/account_choices.html", accounts=found["items"], q=q, unit_name=UnitNames())


def _chosen_permissions() -> list[str]:
    return [p for p in request.form.getlist("permissions") if p in PERMISSION_LABELS and p != "system.admin"]


@bp.post("/cap-quyen")
@signed_in
def grant():
    body = {"account_id": (request.form.get("account_id") or "").strip(),
            "unit_id": (request.form.get("unit_id") or g.me.unit_id or "").strip(),
            "permissions": _chosen_permissions()}
    if not body["account_id"] or not body["permissions"]:
        flash(_("Hãy chọn người được cấp quyền và ít nhất một quyền."), "error")
        return redirect(url_for("rights.overview"))
    try:
        portal().call("POST", "/api/identity/admin-grants", json=body)
    except ApiError as error:
        flash(explain(error), "error")
    else:
        flash(_("Đã cấp quyền quản trị."), "success")
    return redirect(url_for("rights.overview"))


@bp.post("/cap-quyen/<int:grant_id>/thu-hoi")
@signed_in
def revoke(grant_id: int):
    try:
        portal().call("DELETE", f"/api/identity/admin-grants/{grant_id}")
    except ApiError as error:
        flash(explain(error), "error")
    else:
        flash(_("Đã thu hồi quyền quản trị."), "success")
    return redirect(url_for("rights.overview"))


@bp.post("/nhom")
@signed_in
def create_group():
    name = (request.form.get("name") or "").strip()
    if not name:
        flash(_("Hãy đặt tên nhóm quyền."), "error")
        return redirect(url_for("rights.overview"))
    try:
        created = portal().call("POST", "/api/identity/groups", json={
            "name": name, "unit_id": g.me.unit_id, "permissions": _chosen_permissions()})
    except ApiError as error:
        flash(explain(error), "error")
        return redirect(url_for("rights.overview"))
    flash(_("Đã tạo nhóm quyền."), "success")
    return redirect(url_for("rights.group", group_id=created["id"]))


def _group(group_id: int) -> dict:
    found = next((x for x in portal().call("GET", "/api/identity/groups")["items"] if x["id"] == group_id), None)
    if found is None:
        raise missing("no such group")
    return found


@bp.get("/nhom/<int:group_id>")
@signed_in
def group(group_id: int):
    found = _group(group_id)
    return render_template("rights_group.html", group=found, names=account_names(found["member_ids"]),
                           permissions=_permissions(), labels=PERMISSION_LABELS, unit_name=UnitNames())


@bp.post("/nhom/<int:group_id>/<command>")
@signed_in
def group_command(group_id: int, command: str):
    path = f"/api/identity/groups/{group_id}"
    try:
        if command == "sua":
            portal().call("PATCH", path, json={"name": (request.form.get("name") or "").strip() or None,
                                               "permissions": _chosen_permissions()})
            flash(_("Đã lưu nhóm quyền."), "success")
        elif command == "them":
            account_id = (request.form.get("account_id") or "").strip()
            if not account_id:
                flash(_("Hãy tìm và chọn một tài khoản."), "error")
            else:
                portal().call("POST", f"{path}/members", json={"account_id": account_id})
                flash(_("Đã thêm vào nhóm."), "success")
        elif command == "bot":
            portal().call("DELETE", f"{path}/members/{(request.form.get('account_id') or '').strip()}")
            flash(_("Đã bỏ khỏi nhóm."), "success")
        elif command == "xoa":
            portal().call("DELETE", path)
            flash(_("Đã xóa nhóm quyền."), "success")
            return redirect(url_for("rights.overview"))
        else:
            return render_template("error.html", message=_("Không có trang này.")), 404
    except ApiError as error:
        flash(explain(error), "error")
    return redirect(url_for("rights.group", group_id=group_id))
