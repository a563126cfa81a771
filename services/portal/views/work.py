"""Công việc: my inbox (or my unit's) by deadline bucket, a task's page with the form its model declares and
the actions its step allows as buttons, and acting on it."""
from __future__ import annotations

from flask import Blueprint, Response, flash, g, redirect, render_template, request, session, url_for
from flask_babel import gettext as _

from services.portal.api import ApiError
from services.portal.views import explain, portal, served_file, signed_in

bp = Blueprint("work", __name__)
BUCKETS = ("overdue", "due_today", "due_soon", "in_time")
BUCKET_LABELS = {"overdue": "Quá hạn", "due_today": "Đến hạn hôm nay", "due_soon": "Sắp đến hạn",
                 "in_time": "Trong hạn"}
# the runtime's verbs, named as the seeds name them; a model's own outcomes keep the words it declares
ACTION_LABELS = {"complete": "Hoàn thành", "delegate": "Chuyển người khác", "return_to_previous": "Trả lại bước trước",
                 "request_extension": "Xin gia hạn", "claim": "Nhận xử lý", "assign": "Phân phối",
                 "handle": "Hoàn thành xử lý", "approve": "Phê duyệt", "return": "Trả lại",
                 "return_to_ioc": "Trả về IOC", "agree": "Đồng ý", "disagree": "Không đồng ý", "reject": "Từ chối",
                 "grant_extension": "Đồng ý gia hạn", "refuse_extension": "Không đồng ý gia hạn"}
HISTORY_LABELS = {"started": "Khởi tạo", "cancel": "Hủy", "claim": "Nhận xử lý",
                  "decide_extension": "Quyết định gia hạn", "delegate": "Chuyển người khác",
                  "job_completed": "Hệ thống xử lý xong",
                  "job_created": "Chuyển hệ thống xử lý", "migrated": "Chuyển sang phiên bản mới",
                  "request_extension": "Xin gia hạn", "return_to_previous": "Trả lại bước trước",
                  "timer": "Hết thời gian chờ", "withdrawn": "Thu hồi", "comment": "Ý kiến",
                  "attach": "Đính kèm tệp"}
FORM_ACTIONS = ("delegate", "return_to_previous", "request_extension")   # verbs with their own form


@bp.get("/")
@signed_in
def home():
    return redirect(url_for("work.inbox"))


@bp.get("/cong-viec")
@signed_in
def inbox():
    scope = "unit" if request.args.get("scope") == "unit" else "mine"
    bucket = request.args.get("bucket") if request.args.get("bucket") in BUCKETS else None
    page = max(1, min(request.args.get("page", 1, type=int) or 1, 10000))
    found = portal().call("GET", "/api/process/inbox", params={
        "scope": scope, "page": page, "page_size": 20, **({"bucket": bucket} if bucket else {})})
    template = "partials/inbox_rows.html" if request.headers.get("HX-Request") else "inbox.html"
    return render_template(template, found=found, scope=scope, bucket=bucket, page=page, buckets=BUCKETS,
                           bucket_labels=BUCKET_LABELS)


def _label(action: str) -> str:
    """An action as the people of the seeds name it; a model's own outcome keeps the word it declares."""
    known = ACTION_LABELS.get(action) or HISTORY_LABELS.get(action)
    return _(known) if known else action.replace("_", " ").capitalize()


def _actor(entry: dict) -> str:
    actor = entry.get("actor") or ""
    if actor == "system:ioc":
        return _("Trung tâm IOC")
    if actor.startswith("system:"):
        return _("Hệ thống")
    return entry.get("actor_name") or ""


@bp.get("/cong-viec/tra-cuu")
@signed_in
def lookup():
    """Tra cứu: where an instance stands by the key its sender gave it (the IOC's report id)."""
    processes = [d for d in (portal().optional("GET", "/api/process/definitions") or {}).get("items", [])
                 if d.get("kind", "process") == "process"]
    key = (request.args.get("ma") or "").strip()[:200]
    process_key = (request.args.get("quy_trinh") or "").strip()[:200]
    found, missing = None, False
    if key and process_key:
        try:
            found = portal().call("GET", "/api/process/instances/by-key",
                                  params={"process_key": process_key, "business_key": key})
        except ApiError as error:
            if error.status != 404:
                raise
            missing = True
    return render_template("lookup.html", processes=processes, key=key, process_key=process_key, found=found,
                           missing=missing, bucket_labels=BUCKET_LABELS)


@bp.get("/cong-viec/<task_id>")
@signed_in
def task(task_id: str):
    page = portal().call("GET", f"/api/process/tasks/{task_id}")
    instance = portal().call("GET", f"/api/process/instances/{page['task']['instance_id']}")
    outcomes = [a for a in page["actions"] if a not in FORM_ACTIONS]
    draft = session.pop(f"draft:{task_id}", None) or {}
    return render_template("task.html", page=page, instance=instance, outcomes=outcomes, label=_label, actor=_actor,
                           draft=draft,
                           verbs=[a for a in page["actions"] if a in FORM_ACTIONS], bucket_labels=BUCKET_LABELS)


@bp.get("/cong-viec/<task_id>/so-do.bpmn")
@signed_in
def diagram(task_id: str):
    """The BPMN of the version the task's instance runs, for the diagram on the task's page."""
    page = portal().call("GET", f"/api/process/tasks/{task_id}")
    instance = page["instance"]
    answer = portal().api.call("GET", f"/api/process/definitions/{instance['process_key']}/versions/"
                                      f"{instance['definition_version']}/xml")
    if not answer.ok:
        raise ApiError(answer)
    return Response(answer.text, mimetype="application/xml", headers={"Cache-Control": "private, max-age=300"})


@bp.get("/ho-so/<instance_id>/tep/<attachment_id>")
@signed_in
def attachment(instance_id: str, attachment_id: str):
    """A file of the instance, as the process service serves it (its type from its bytes, never run by the
    browser)."""
    return served_file(f"/api/process/instances/{instance_id}/attachments/{attachment_id}")


def _uploads(task_id: str) -> int:
    """The files chosen on the task's form, attached before the action (a step may need one to complete)."""
    count = 0
    for file in request.files.getlist("files"):
        if not file or not file.filename:
            continue
        portal().call("POST", f"/api/process/tasks/{task_id}/attachments",
                      files={"file": (file.filename, file.read(), file.mimetype or "application/octet-stream")})
        count += 1
    return count


@bp.post("/cong-viec/<task_id>/xu-ly")
@signed_in
def act(task_id: str):
    action = request.form.get("action") or ""
    reason = (request.form.get("reason") or "").strip() or None
    try:
        page = portal().call("GET", f"/api/process/tasks/{task_id}")
        data = {field["id"]: _value(field, request.form.get(f"field_{field['id']}")) for field in page["form"]
                if request.form.get(f"field_{field['id']}") not in (None, "")}
        attached = _uploads(task_id)
        if action == "attach":
            flash(_("Đã đính kèm %(count)s tệp.", count=attached) if attached else _("Hãy chọn tệp để đính kèm."),
                  "success" if attached else "error")
            return redirect(url_for("work.task", task_id=task_id))
        if action == "delegate":
            to = request.form.get("delegate_to") or ""
            if not to:
                flash(_("Hãy chọn người nhận công việc."), "error")
                return redirect(url_for("work.task", task_id=task_id))
            portal().call("POST", f"/api/process/tasks/{task_id}/delegate", json={"to": to, "note": reason})
        elif action in ("grant_extension", "refuse_extension"):
            days = request.form.get("granted_days", type=float)
            portal().call("POST", f"/api/process/tasks/{task_id}/extension-decision", json={
                "approved": action == "grant_extension", "days": days if action == "grant_extension" else None,
                "note": reason})
        elif action == "return_to_previous":
            portal().call("POST", f"/api/process/tasks/{task_id}/return", json={"reason": reason or ""})
        elif action == "request_extension":
            portal().call("POST", f"/api/process/tasks/{task_id}/extension", json={
                "days": request.form.get("days", type=int) or 1, "reason": reason or ""})
        else:
            body = {"action": action, "data": data, "reason": reason}
            chosen = [p for p in request.form.getlist("assign_to") if p]
            if action in page["chooses_next"]:
                body["assign_to"] = chosen
            portal().call("POST", f"/api/process/tasks/{task_id}/complete", json=body)
    except ApiError as error:
        flash(explain(error), "error")
        # what the person wrote stays on the page for them to correct (files already sent stay attached)
        session[f"draft:{task_id}"] = {name: value for name, value in request.form.items()
                                       if name.startswith("field_") or name in ("reason", "days", "granted_days")}
        return redirect(url_for("work.task", task_id=task_id))
    flash(_("Đã ghi nhận: %(action)s.", action=_label(action)), "success")
    return redirect(url_for("work.inbox"))


def _value(field: dict, raw: str | None):
    """A form value typed as the model declares the field."""
    if field.get("type") == "long":
        try:
            return int(raw or "")
        except ValueError:
            return raw
    if field.get("type") == "boolean":
        return raw in ("on", "true", "1")
    return raw


INCIDENT_KINDS = {"job": "Hệ thống bên ngoài không xử lý được", "engine": "Quy trình gặp lỗi khi chạy",
                  "timer": "Hẹn giờ không chạy được"}


@bp.get("/cong-viec/su-co")
@signed_in
def incidents():
    """Sự cố: the unit's instances stopped on an error, for its admins to retry after a fix or to cancel."""
    unit_id = (request.args.get("unit_id") or g.me.unit_id or "").strip()[:64]
    items = portal().call("GET", f"/api/process/units/{unit_id}/incidents")["items"] if unit_id else []
    titles = {}
    for item in items:
        body = portal().optional("GET", f"/api/process/instances/{item['instance_id']}") or {}
        titles[item["instance_id"]] = body.get("title") or body.get("business_key") or ""
    return render_template("incidents.html", items=items, titles=titles, kinds=INCIDENT_KINDS, unit_id=unit_id)


@bp.post("/cong-viec/su-co/<incident_id>/<command>")
@signed_in
def incident(incident_id: str, command: str):
    back = url_for("work.incidents", unit_id=(request.form.get("unit_id") or "").strip()[:64] or None)
    try:
        if command == "thu-lai":
            portal().call("POST", f"/api/process/incidents/{incident_id}/retry")
            flash(_("Đã cho chạy lại."), "success")
        elif command == "huy":
            reason = (request.form.get("reason") or "").strip()
            if not reason:
                flash(_("Hãy ghi lý do hủy hồ sơ."), "error")
                return redirect(back)
            portal().call("POST", f"/api/process/incidents/{incident_id}/cancel", json={"reason": reason})
            flash(_("Đã hủy hồ sơ."), "success")
        else:
            return render_template("error.html", message=_("Không có trang này.")), 404
    except ApiError as error:
        flash(explain(error), "error")
    return redirect(back)
