"""Quản trị thông báo: which event × recipient × channel is on for the people of a unit (the province's rule or
the unit's own), the templates with a preview on the event type's example, and the delivery log of e-mail and
SMS with a replay of what was parked. Notify decides who may configure where."""
from __future__ import annotations

from flask import Blueprint, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _

from services.portal.api import ApiError
from services.portal.views import explain, portal, signed_in

bp = Blueprint("notify_admin", __name__, url_prefix="/quan-tri/thong-bao")
ROLE_LABELS = {"assignee": "Người được giao", "assigner": "Người giao việc", "follower": "Người theo dõi",
               "creator": "Người tạo", "step": "Cán bộ của bước", "account": "Chủ tài khoản",
               "admin": "Quản trị đơn vị"}
CHANNEL_LABELS = {"in_app": "Trên hệ thống", "email": "Thư điện tử", "sms": "Tin nhắn SMS"}
SOURCE_LABELS = {"default": "mặc định", "province": "cấp tỉnh"}   # else a unit's id: its own, or an upper unit's
DELIVERY_STATUS = {"queued": "Chờ gửi", "sent": "Đã gửi", "failed": "Lỗi, sẽ thử lại", "parked": "Tạm dừng"}


def _scope() -> str | None:
    """The unit whose rules are shown: the one asked for, else the person's own (the province for a super admin)."""
    asked = (request.values.get("unit_id") or "").strip()[:64]
    if asked:
        return asked
    return None if g.me.principal.is_super_admin else g.me.unit_id


@bp.get("")
@signed_in
def rules():
    unit_id = _scope()
    items = portal().call("GET", "/api/notify/rules", params={"unit_id": unit_id} if unit_id else None)["items"]
    table: dict[str, dict] = {}
    for rule in items:
        row = table.setdefault(rule["event_type"], {"label": rule.get("label") or rule["event_type"], "cells": {}})
        row["cells"][(rule["role"], rule["channel"])] = rule
    unit = portal().call("GET", f"/api/orgunits/units/{unit_id}") if unit_id else None
    return render_template("notify_rules.html", table=table, unit=unit, roles=ROLE_LABELS, channels=CHANNEL_LABELS,
                           sources=SOURCE_LABELS)


@bp.post("/quy-tac")
@signed_in
def set_rule():
    unit_id = _scope()
    body = {"event_type": request.form.get("event_type") or "", "role": request.form.get("role") or "",
            "channel": request.form.get("channel") or "", "enabled": request.form.get("enabled") == "on",
            "unit_id": unit_id}
    try:
        rule = portal().call("PUT", "/api/notify/rules", json=body)
    except ApiError as error:
        if request.headers.get("HX-Request"):
            return render_template("partials/notify_rule.html", rule={**body, "enabled": not body["enabled"]},
                                   error=explain(error), unit_id=unit_id, roles=ROLE_LABELS, channels=CHANNEL_LABELS,
                                   sources=SOURCE_LABELS), 200
        flash(explain(error), "error")
        return redirect(url_for("notify_admin.rules", unit_id=unit_id))
    if request.headers.get("HX-Request"):
        return render_template("partials/notify_rule.html", rule=rule, unit_id=unit_id, roles=ROLE_LABELS,
                               channels=CHANNEL_LABELS, sources=SOURCE_LABELS, saved=True)
    flash(_("Đã lưu."), "success")
    return redirect(url_for("notify_admin.rules", unit_id=unit_id))


@bp.route("/mau/<event_type>/<channel>", methods=["GET", "POST"])
@signed_in
def template(event_type: str, channel: str):
    if channel not in CHANNEL_LABELS:
        return render_template("error.html", message=_("Không có trang này.")), 404
    unit_id = _scope()
    path = f"/api/notify/templates/{event_type}/{channel}"
    current = portal().call("GET", path, params={"unit_id": unit_id} if unit_id else None)
    values, preview, error = current, None, None
    if request.method == "POST":
        values = {"subject": request.form.get("subject") or "", "body": request.form.get("body") or ""}
        try:
            if request.form.get("action") == "preview":
                preview = portal().call("POST", "/api/notify/templates/preview", json={
                    "event_type": event_type, "channel": channel, **values})
            else:
                portal().call("PUT", path, json={**values, "unit_id": unit_id})
                flash(_("Đã lưu mẫu thông báo."), "success")
                return redirect(url_for("notify_admin.template", event_type=event_type, channel=channel,
                                        unit_id=unit_id))
        except ApiError as error_:
            error = error_.problem.get("detail") if error_.status == 422 else explain(error_)
    label = next((i["label"] for i in portal().call("GET", "/api/notify/catalogue")["items"]
                  if i["event_type"] == event_type), event_type)
    return render_template("notify_template.html", event_type=event_type, channel=channel, label=label,
                           values=values, preview=preview, error=error, unit_id=unit_id, channels=CHANNEL_LABELS), \
        400 if error else 200


@bp.get("/gui-di")
@signed_in
def deliveries():
    status = request.args.get("status") if request.args.get("status") in DELIVERY_STATUS else None
    page = max(1, min(request.args.get("page", 1, type=int) or 1, 10000))
    found = portal().call("GET", "/api/notify/deliveries", params={
        "limit": 50, "offset": (page - 1) * 50, **({"status": status} if status else {})})
    return render_template("notify_deliveries.html", found=found, status=status, page=page,
                           pages=max(1, -(-found["total"] // 50)), statuses=DELIVERY_STATUS, channels=CHANNEL_LABELS)


@bp.post("/gui-di/<int:delivery_id>/gui-lai")
@signed_in
def replay(delivery_id: int):
    try:
        portal().call("POST", f"/api/notify/deliveries/{delivery_id}/replay")
    except ApiError as error:
        flash(explain(error), "error")
    else:
        flash(_("Đã đưa vào hàng gửi lại."), "success")
    return redirect(request.referrer or url_for("notify_admin.deliveries"))
