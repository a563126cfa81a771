"""Đơn vị: the tree of units, opened level by level as one unfolds it (679 units in Bình Thuận: only the level
asked for travels), search by name or code without diacritics, a unit's page with its details and their edit,
its headcount against the approved figure with the people behind each department, the people of a merged or
dissolved unit still to re-declare, and merge / dissolve. Orgunits decides who may see people and change
what; its refusals are said in words."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from services.portal.api import ApiError
from services.portal.views import explain, portal, served_file, signed_in, unsaved

bp = Blueprint("units", __name__, url_prefix="/don-vi")
KIND_LABELS = {"province": "Tỉnh", "group": "Khối", "department": "Sở, ban, ngành",
               "district": "Huyện, thị xã, thành phố", "commune": "Xã, phường, thị trấn",
               "office": "Phòng, đơn vị trực thuộc",
               "party_provincial": "Đảng bộ tỉnh", "party_upper": "Đảng bộ cấp trên cơ sở",
               "party_grassroots": "Tổ chức cơ sở đảng", "party_partial": "Đảng bộ bộ phận",
               "party_cell": "Chi bộ trực thuộc"}
UNIT_STATUS = {"active": "Đang sử dụng", "inactive": "Ngừng sử dụng", "merged": "Đã sáp nhập",
               "dissolved": "Đã giải thể"}
EDITABLE = ("name", "code", "email", "phone", "address", "website", "tax_code", "description", "planned_headcount")
FIELD_LABELS = {"name": "Tên đơn vị", "code": "Mã đơn vị", "email": "Thư điện tử", "phone": "Điện thoại",
                "address": "Địa chỉ", "website": "Trang thông tin", "tax_code": "Mã số thuế", "description": "Mô tả",
                "planned_headcount": "Biên chế được giao"}
BANK_LABELS = {"bank_name": "Ngân hàng", "branch": "Chi nhánh", "account_number": "Số tài khoản",
               "holder_name": "Chủ tài khoản (tên tổ chức)", "citad_code": "Mã Citad của ngân hàng"}
PARTY_LABELS = {"province": "Tỉnh/thành phố", "district": "Quận/huyện", "commune": "Phường/xã",
                "address_detail": "Địa chỉ chi tiết"}
FEE_ALLOCATIONS = {"top_down": "Phân bổ từ cấp tỉnh ủy xuống chi bộ trực thuộc (từ trên xuống dưới)",
                   "bottom_up": "Phân bổ từ chi bộ trực thuộc lên cấp tỉnh ủy (từ dưới lên trên)"}
CELL_TYPES = {"commune": "Chi bộ thuộc đảng bộ xã, phường, thị trấn", "company": "Chi bộ đại đội",
              "border_ship": "Chi bộ đồn, tàu biên phòng, tàu hải quân, tàu cảnh sát biển",
              "radar": "Chi bộ đài, trạm ra đa",
              "remote": "Chi bộ đóng quân ở xã biên giới vùng sâu, vùng xa, trên các đảo",
              "agency": "Chi bộ cơ quan, doanh nghiệp, đơn vị sự nghiệp"}
IMAGE_KINDS = {"seal": "Con dấu", "signature": "Chữ ký"}
PAGE = 200


def _children(parent: str) -> list[dict]:
    return portal().call("GET", "/api/orgunits/units", params={"parent": parent, "limit": PAGE})["items"]


@bp.get("")
@signed_in
def tree():
    q = (request.args.get("q") or "").strip()[:200]
    found = portal().call("GET", "/api/orgunits/units", params={"q": q, "limit": 50}) if len(q) >= 2 else None
    if request.headers.get("HX-Request") and request.headers.get("HX-Target") == "results":
        return render_template("partials/unit_results.html", found=found, q=q, kinds=KIND_LABELS)
    return render_template("units.html", roots=_children("root"), found=found, q=q, kinds=KIND_LABELS,
                           statuses=UNIT_STATUS)


@bp.get("/<unit_id>/con")
@signed_in
def children(unit_id: str):
    """One level of the tree, as a node is unfolded."""
    return render_template("partials/unit_nodes.html", nodes=_children(unit_id), kinds=KIND_LABELS,
                           statuses=UNIT_STATUS)


def _page(unit_id: str, *, values: dict | None = None, error: str | None = None, status: int = 200,
          bank: dict | None = None, bank_error: str | None = None):
    unit = portal().call("GET", f"/api/orgunits/units/{unit_id}")
    ancestors = portal().call("GET", f"/api/orgunits/units/{unit_id}/ancestors")["items"]
    subtree = request.args.get("toan-bo") == "1"
    headcount = members = redeclare = None
    department = request.args.get("phong")
    people_hidden = False
    try:
        headcount = portal().call("GET", f"/api/orgunits/units/{unit_id}/headcount",
                                  params={"subtree": str(subtree).lower()})
        if department is not None:
            members = portal().call("GET", f"/api/orgunits/units/{unit_id}/members", params={
                "department": department, "subtree": str(subtree).lower(), "limit": 200})
        if unit["status"] in ("merged", "dissolved"):
            redeclare = portal().call("GET", f"/api/orgunits/units/{unit_id}/redeclare")
    except ApiError as refused:
        if refused.status not in (401, 403, 404):
            raise
        people_hidden = True     # who works where is for the unit's admins; the unit itself is public
    merged_into = portal().call("GET", f"/api/orgunits/units/{unit['merged_into_id']}") \
        if unit.get("merged_into_id") else None
    party = unit["kind"].startswith("party_")
    banking = (portal().optional("GET", f"/api/orgunits/units/{unit_id}/bank-accounts") or {"items": []})["items"] \
        if party else None
    details = portal().optional("GET", f"/api/orgunits/units/{unit_id}/party-details") if party else None
    images = (portal().optional("GET", f"/api/orgunits/units/{unit_id}/signature-images") or {}).get("items") \
        if party else None
    residents = (portal().optional("GET", f"/api/orgunits/units/{unit_id}/residents") or {}).get("items") \
        if party else None
    sign_in = portal().optional("GET", f"/api/identity/units/{unit_id}/sign-in")
    unbanked = None if people_hidden else \
        (portal().optional("GET", f"/api/orgunits/units/{unit_id}/party-without-account") or {"items": []})["items"]
    return render_template("unit.html", unit=unit, ancestors=ancestors, children=_children(unit_id),
                           headcount=headcount, members=members, department=department, subtree=subtree,
                           redeclare=redeclare, people_hidden=people_hidden, merged_into=merged_into,
                           banking=banking, bank=bank or {"holder_name": unit["name"]}, bank_error=bank_error,
                           details=details, unbanked=unbanked, party_labels=PARTY_LABELS, sign_in=sign_in,
                           fee_allocations=FEE_ALLOCATIONS, cell_types=CELL_TYPES, images=images,
                           image_kinds=IMAGE_KINDS, residents=residents,
                           values=values or unit, error=error, kinds=KIND_LABELS, statuses=UNIT_STATUS,
                           labels=FIELD_LABELS, bank_labels=BANK_LABELS), status


@bp.get("/<unit_id>")
@signed_in
def unit(unit_id: str):
    return _page(unit_id)


@bp.post("/<unit_id>")
@signed_in
def edit(unit_id: str):
    values = {name: (request.form.get(name) or "").strip() for name in EDITABLE}
    # name and code are sent only when filled (they cannot be emptied); the others emptied become none
    body: dict = {name: value or None for name, value in values.items() if value or name not in ("name", "code")}
    if values["planned_headcount"]:
        try:
            body["planned_headcount"] = int(values["planned_headcount"].replace(".", "").replace(",", ""))
        except ValueError:
            return _page(unit_id, values=values, error=_("Biên chế được giao phải là một số nguyên."), status=400)
    try:
        portal().call("PATCH", f"/api/orgunits/units/{unit_id}", json=body)
    except ApiError as error:
        return _page(unit_id, values=values, error=unsaved(error, FIELD_LABELS),
                     status=400 if error.status != 404 else 404)
    flash(_("Đã lưu thông tin đơn vị."), "success")
    return redirect(url_for("units.unit", unit_id=unit_id))


@bp.post("/<unit_id>/sap-nhap")
@signed_in
def merge(unit_id: str):
    target = (request.form.get("unit_id") or "").strip()
    if not target or request.form.get("confirm") != "on":
        flash(_("Hãy chọn đơn vị nhận và đánh dấu xác nhận trước khi sáp nhập."), "error")
        return redirect(url_for("units.unit", unit_id=unit_id))
    try:
        portal().call("POST", f"/api/orgunits/units/{unit_id}/merge", json={"target_id": target})
    except ApiError as error:
        flash(explain(error), "error")
    else:
        flash(_("Đã sáp nhập. Cán bộ của đơn vị cần khai báo lại đơn vị công tác."), "success")
    return redirect(url_for("units.unit", unit_id=unit_id))


@bp.post("/<unit_id>/giai-the")
@signed_in
def dissolve(unit_id: str):
    if request.form.get("confirm") != "on":
        flash(_("Hãy đánh dấu xác nhận trước khi giải thể."), "error")
        return redirect(url_for("units.unit", unit_id=unit_id))
    try:
        portal().call("POST", f"/api/orgunits/units/{unit_id}/dissolve",
                      json={"reason": (request.form.get("reason") or "").strip() or None})
    except ApiError as error:
        flash(explain(error), "error")
    else:
        flash(_("Đã giải thể. Cán bộ của đơn vị cần khai báo lại đơn vị công tác."), "success")
    return redirect(url_for("units.unit", unit_id=unit_id))


@bp.post("/<unit_id>/tai-khoan-ngan-hang")
@signed_in
def add_bank_account(unit_id: str):
    """A party organisation's bank account (seed 003 §3): the organisation's own, never a person's; the first
    one, or one marked so, is the account in use."""
    values = {name: (request.form.get(name) or "").strip() for name in BANK_LABELS}
    body = {**{name: value or None for name, value in values.items()}, "in_use": request.form.get("in_use") == "on"}
    try:
        portal().call("POST", f"/api/orgunits/units/{unit_id}/bank-accounts", json=body)
    except ApiError as error:
        return _page(unit_id, bank={**values, "in_use": body["in_use"]}, bank_error=unsaved(error, BANK_LABELS),
                     status=404 if error.status == 404 else 400)
    flash(_("Đã thêm tài khoản ngân hàng."), "success")
    return redirect(url_for("units.unit", unit_id=unit_id, _anchor="bank-title"))


@bp.post("/<unit_id>/dang-nhap")
@signed_in
def sign_in_rule(unit_id: str):
    """Seed 004: the unit's people sign in with the e-ID only, or with a password too."""
    eid_only = request.form.get("eid_only") == "on"
    try:
        portal().call("PUT", f"/api/identity/units/{unit_id}/sign-in", json={"password_allowed": not eid_only})
    except ApiError as error:
        flash(explain(error), "error")
    else:
        flash(_("Cán bộ của đơn vị nay chỉ đăng nhập bằng định danh điện tử.") if eid_only else
              _("Cán bộ của đơn vị đăng nhập được bằng mật khẩu hoặc định danh điện tử."), "success")
    return redirect(url_for("units.unit", unit_id=unit_id, _anchor="sign-in-title"))


@bp.post("/<unit_id>/to-chuc-dang")
@signed_in
def party_details(unit_id: str):
    """A party organisation's fee allocation and structured address (seed 003 §2.2.2)."""
    body = {name: (request.form.get(name) or "").strip() or None for name in PARTY_LABELS}
    body["fee_allocation"] = request.form.get("fee_allocation") if request.form.get("fee_allocation") in \
        FEE_ALLOCATIONS else None
    if request.form.get("cell_type") in CELL_TYPES:
        body["cell_type"] = request.form["cell_type"]
    try:
        portal().call("PUT", f"/api/orgunits/units/{unit_id}/party-details", json=body)
    except ApiError as error:
        flash(explain(error), "error")
    else:
        flash(_("Đã lưu địa chỉ và cách phân bổ của tổ chức đảng."), "success")
    return redirect(url_for("units.unit", unit_id=unit_id, _anchor="party-title"))


@bp.post("/<unit_id>/tai-khoan-ngan-hang/<int:account_id>/<command>")
@signed_in
def bank_account(unit_id: str, account_id: int, command: str):
    path = f"/api/orgunits/units/{unit_id}/bank-accounts/{account_id}"
    calls = {"dung": ("POST", f"{path}/use", _("Đã chọn tài khoản đang sử dụng.")),
             "xoa": ("DELETE", path, _("Đã xóa tài khoản ngân hàng."))}
    if command not in calls:
        return render_template("error.html", message=_("Không có trang này.")), 404
    method, target, done = calls[command]
    try:
        portal().call(method, target)
    except ApiError as error:
        flash(explain(error), "error")
    else:
        flash(done, "success")
    return redirect(url_for("units.unit", unit_id=unit_id, _anchor="bank-title"))


@bp.post("/<unit_id>/hinh-anh")
@signed_in
def upload_image(unit_id: str):
    """A party organisation's seal, or the signature image of one of its signers (seed 003 §5)."""
    file = request.files.get("file")
    kind = request.form.get("kind") if request.form.get("kind") in IMAGE_KINDS else "signature"
    if file is None or not file.filename:
        flash(_("Hãy chọn tệp hình ảnh (PNG hoặc JPEG)."), "error")
        return redirect(url_for("units.unit", unit_id=unit_id, _anchor="images-title"))
    try:
        portal().call("POST", f"/api/orgunits/units/{unit_id}/signature-images",
                      data={"kind": kind, "name": (request.form.get("name") or "").strip()},
                      files={"file": (file.filename, file.read(1024 * 1024 + 1),
                                      file.mimetype or "application/octet-stream")})
    except ApiError as error:
        flash(explain(error), "error")
    else:
        flash(_("Đã lưu hình ảnh con dấu.") if kind == "seal" else _("Đã lưu hình ảnh chữ ký."), "success")
    return redirect(url_for("units.unit", unit_id=unit_id, _anchor="images-title"))


@bp.get("/<unit_id>/hinh-anh/<image_id>")
@signed_in
def image(unit_id: str, image_id: str):
    return served_file(f"/api/orgunits/units/{unit_id}/signature-images/{image_id}")


@bp.post("/<unit_id>/hinh-anh/<image_id>/xoa")
@signed_in
def remove_image(unit_id: str, image_id: str):
    try:
        portal().call("DELETE", f"/api/orgunits/units/{unit_id}/signature-images/{image_id}")
    except ApiError as error:
        flash(explain(error), "error")
    else:
        flash(_("Đã xóa hình ảnh."), "success")
    return redirect(url_for("units.unit", unit_id=unit_id, _anchor="images-title"))
