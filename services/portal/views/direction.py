"""Nhiệm vụ (chỉ đạo điều hành, seed 001): the lists as tabs with their deadline buckets, giving tasks (several per
document, units limited to those below, people limited to the role holders), a task's page (the sub-task tree,
progress, history and the actions the person's roles allow), the report with its chart and Excel export, and
the settings (unit roles, status groups, tags)."""
from __future__ import annotations

import json
from datetime import date

from flask import Blueprint, abort, flash, g, redirect, render_template, request, session, url_for
from flask_babel import gettext as _

from services.portal.api import ApiError
from services.portal.views import explain, portal, served_file, signed_in

bp = Blueprint("direction", __name__)
D = "/api/process/direction"
VIEWS = {"assigned": "Được giao cho tôi", "created": "Tôi tạo", "followed": "Tôi theo dõi", "unit": "Của đơn vị",
         "took_part": "Tôi đã tham gia"}
BUCKETS = {"overdue": "Quá hạn", "due_today": "Đến hạn hôm nay", "due_soon": "Sắp đến hạn", "in_time": "Trong hạn"}
PRIORITIES = {"none": "Không", "urgent": "Hỏa tốc", "high": "Khẩn", "normal": "Thường", "low": "Thấp"}
CATEGORIES = {"new": "Mới", "in_progress": "Đang xử lý", "waiting_approval": "Chờ duyệt", "done": "Hoàn thành",
              "refused": "Bị từ chối", "cancelled": "Đã hủy"}
ACTIONS = {"forward": "Chuyển xử lý", "refuse": "Từ chối", "complete": "Hoàn thành", "approve": "Duyệt kết quả",
           "reject": "Không duyệt", "reassign": "Giao lại", "cancel": "Hủy nhiệm vụ"}
HISTORY = {"created": "Giao nhiệm vụ", "forward": "Chuyển xử lý", "refuse": "Từ chối", "complete": "Hoàn thành",
           "approve": "Duyệt kết quả", "reject": "Không duyệt", "reassign": "Giao lại", "cancel": "Hủy",
           "progress": "Cập nhật tiến độ", "subtask_created": "Giao nhiệm vụ con", "comment": "Ý kiến",
           "attach": "Đính kèm tệp", "deleted": "Xóa"}
ROLES = {"created": "Tôi tạo", "assigned": "Tôi giao", "followed": "Tôi theo dõi", "all": "Tất cả"}
MEASURES = {"total": "Tổng số", "done_on_time": "Hoàn thành đúng hạn", "done_late": "Hoàn thành quá hạn",
            "open": "Đang thực hiện", "open_overdue": "Đang thực hiện, quá hạn"}
SIDES = {"assign": "Đơn vị giao", "execute": "Đơn vị thực hiện"}
UNIT_ROLE_NAMES = {"admin": "Quản trị", "leader": "Lãnh đạo", "creator": "Người tạo nhiệm vụ", "head": "Thủ trưởng",
                   "representative": "Đại diện nhận nhiệm vụ", "officer": "Chuyên viên", "follower": "Theo dõi"}
TASK_ROLE_NAMES = {"creator": "Người tạo", "assigner": "Người giao", "follower": "Người theo dõi",
                   "doer": "Người xử lý", "subtask_doer": "Người xử lý nhiệm vụ con",
                   "coordinator": "Đơn vị phối hợp", "participant": "Người tham gia"}
PURPOSES = {"result": "Kết quả", "progress": "Minh chứng tiến độ", "input": "Ý kiến phối hợp",
            "document": "Văn bản giao"}


UNITS_OFFERED = 2000   # a province's whole tree below its people's committee fits


def _units_below(unit_id: str | None) -> list[dict]:
    """The units a task of ``unit_id`` may go to, nearest levels first."""
    if not unit_id:
        return []
    return portal().call("GET", f"{D}/units/{unit_id}/units-below", params={"limit": UNITS_OFFERED})["items"]


def _labels() -> dict:
    return {"views": VIEWS, "buckets": BUCKETS, "priorities": PRIORITIES, "categories": CATEGORIES,
            "actions": ACTIONS, "history": HISTORY, "roles": ROLES, "measures": MEASURES, "sides": SIDES,
            "unit_roles": UNIT_ROLE_NAMES, "task_roles": TASK_ROLE_NAMES, "purposes": PURPOSES}


def _day(value: str | None) -> str | None:
    try:
        return date.fromisoformat(value).isoformat() if value else None
    except ValueError:
        return None


# ------------------------------------------------------------------------------------------------------ lists
@bp.get("/nhiem-vu")
@signed_in
def listing():
    args = request.args
    view = args.get("view") if args.get("view") in VIEWS else "assigned"
    bucket = args.get("bucket") if args.get("bucket") in BUCKETS else None
    filters = {"category": args.get("category") if args.get("category") in CATEGORIES else None,
               "priority": args.get("priority") if args.get("priority") in PRIORITIES else None,
               "tag_id": args.get("tag_id", type=int), "q": (args.get("q") or "").strip()[:200] or None,
               "created_from": _day(args.get("created_from")), "created_to": _day(args.get("created_to")),
               "executing_unit_id": (args.get("executing_unit_id") or "")[:32] or None}
    page = max(1, min(args.get("page", 1, type=int) or 1, 10000))
    params = {"view": view, "page": page, "page_size": 20, **{k: v for k, v in filters.items() if v},
              **({"bucket": bucket} if bucket else {})}
    found = portal().call("GET", f"{D}/tasks", params=params)
    tags = portal().call("GET", f"{D}/tags", params={"unit_id": g.me.unit_id})["items"] if g.me.unit_id else []
    units = _units_below(g.me.unit_id) if view in ("created", "followed", "took_part") else []
    return render_template("direction_list.html", found=found, view=view, bucket=bucket, filters=filters,
                           page=page, tags=tags, units=units, L=_labels())


@bp.get("/nhiem-vu/ho-so/<instance_id>")
@signed_in
def by_instance(instance_id: str):
    """From the inbox: a step of a task's lifecycle opens the task's page."""
    instance = portal().call("GET", f"/api/process/instances/{instance_id}")
    if not instance.get("business_key"):
        abort(404)
    return redirect(url_for("direction.task", task_id=instance["business_key"]))


# ------------------------------------------------------------------------------------------------- giving tasks
def _blank_task() -> dict:
    return {"name": "", "executing_unit_id": "", "representatives": [], "coordinating_unit_ids": [],
            "priority": "normal", "deadline": "", "note": "", "tag_ids": []}


def _read_tasks(form) -> list[dict]:
    tasks = []
    for index in range(min(form.get("task_count", 1, type=int) or 1, 50)):
        prefix = f"t{index}_"
        tasks.append({"name": (form.get(prefix + "name") or "").strip(),
                      "executing_unit_id": form.get(prefix + "unit") or "",
                      "representatives": [p for p in form.getlist(prefix + "reps") if p],
                      "coordinating_unit_ids": [u for u in form.getlist(prefix + "coord") if u],
                      "priority": form.get(prefix + "priority") if form.get(prefix + "priority") in PRIORITIES
                      else "normal",
                      "deadline": _day(form.get(prefix + "deadline")) or "",
                      "note": (form.get(prefix + "note") or "").strip(),
                      "tag_ids": [int(t) for t in form.getlist(prefix + "tags") if t.isdigit()]})
    return tasks


def _form_choices(tasks: list[dict]) -> dict:
    unit_id = g.me.unit_id
    units = _units_below(unit_id)
    people = {purpose: portal().call("GET", f"{D}/units/{unit_id}/people", params={"purpose": purpose})["items"]
              for purpose in ("assigner", "follower")} if unit_id else {"assigner": [], "follower": []}
    reps = {}
    for task in tasks:
        chosen = task["executing_unit_id"]
        if chosen and chosen not in reps:
            reps[chosen] = portal().optional("GET", f"{D}/units/{chosen}/people",
                                             params={"purpose": "representative"}) or {"items": []}
    tags = portal().call("GET", f"{D}/tags", params={"unit_id": unit_id})["items"] if unit_id else []
    return {"units": units, "people": people, "reps": {k: v["items"] for k, v in reps.items()}, "tags": tags}


@bp.route("/nhiem-vu/giao", methods=["GET", "POST"])
@signed_in
def give():
    """The form of an assignment; "Thêm nhiệm vụ" and a chosen unit re-draw it (the representatives of the unit
    chosen), "Giao nhiệm vụ" sends it."""
    form = request.form
    if request.method == "GET":
        doc = {"number": "", "doc_date": date.today().isoformat(), "signer": "", "issuing_unit": "", "summary": "",
               "assigner_id": "", "follower_ids": []}
        tasks = [_blank_task()]
    else:
        doc = {key: (form.get(key) or "").strip() for key in ("number", "doc_date", "signer", "issuing_unit",
                                                                "summary", "assigner_id")}
        doc["follower_ids"] = [p for p in form.getlist("follower_ids") if p]
        tasks = _read_tasks(form)
        step = form.get("step")
        if step == "add" and len(tasks) < 50:
            tasks.append(_blank_task())
        elif step and step.startswith("remove-") and len(tasks) > 1:
            index = int(step[7:]) if step[7:].isdigit() else -1
            tasks = [t for i, t in enumerate(tasks) if i != index]
        elif step == "save":
            body = {**{k: v or None for k, v in doc.items() if k not in ("follower_ids", "summary")},
                    "summary": doc["summary"], "follower_ids": doc["follower_ids"],
                    "tasks": [{**t, "deadline": t["deadline"] or None, "note": t["note"] or None} for t in tasks]}
            files = [("files", (f.filename, f.read(), f.mimetype or "application/octet-stream"))
                     for f in request.files.getlist("files") if f and f.filename]
            try:
                made = portal().call("POST", f"{D}/assignments", data={
                    "assignment": json.dumps(body, ensure_ascii=False)}, files=files)
            except ApiError as error:
                flash(_explain_all(error), "error")
            else:
                flash(_("Đã giao %(count)s nhiệm vụ.", count=len(made["tasks"])), "success")
                return redirect(url_for("direction.listing", view="created"))
    template = "partials/direction_give_form.html" if request.headers.get("HX-Request") else "direction_give.html"
    return render_template(template, doc=doc, tasks=tasks, choices=_form_choices(tasks), L=_labels())


def _explain_all(error: ApiError) -> str:
    """Every problem of a refused assignment, each as its own sentence."""
    problems = error.problem.get("problems")
    if isinstance(problems, list) and problems and error.language == (session.get("lang") or "vi"):
        return " ".join(p[:1].upper() + p[1:] + ("" if p.endswith(".") else ".") for p in problems if p)
    return explain(error)


# ---------------------------------------------------------------------------------------------------- a task
@bp.get("/nhiem-vu/<task_id>")
@signed_in
def task(task_id: str):
    page = portal().call("GET", f"{D}/tasks/{task_id}")
    t = page["task"]
    officers = []
    if any(a["action"] == "forward" for a in page["actions"]):
        officers = [p for p in portal().call("GET", f"{D}/units/{t['executing_unit_id']}/people",
                                             params={"purpose": "officer"})["items"] if p["id"] not in t["handlers"]]
    reps = []
    if any(a["action"] == "reassign" for a in page["actions"]):
        reps = portal().call("GET", f"{D}/units/{t['executing_unit_id']}/people",
                             params={"purpose": "representative"})["items"]
    below = []
    if page["may"]["subtask"] and g.me.unit_id:
        below = _units_below(g.me.unit_id)
    chosen = (request.args.get("sub_unit") or request.args.get("unit") or "")[:32]
    sub_reps = (portal().optional("GET", f"{D}/units/{chosen}/people", params={"purpose": "representative"}) or
                {"items": []})["items"] if chosen else []
    draft = session.pop(f"direction-draft:{task_id}", None) or {}
    return render_template("direction_task.html", page=page, officers=officers, reps=reps, below=below,
                           chosen=chosen, sub_reps=sub_reps, draft=draft, L=_labels())


def _back(task_id: str, fragment: str = ""):
    return redirect(url_for("direction.task", task_id=task_id) + fragment)


def _keep(task_id: str) -> None:
    session[f"direction-draft:{task_id}"] = {k: v for k, v in request.form.items() if k != "csrf_token"}


@bp.post("/nhiem-vu/<task_id>/thao-tac/<action>")
@signed_in
def act(task_id: str, action: str):
    if action not in ACTIONS:
        abort(404)
    reason = (request.form.get("reason") or "").strip() or None
    to = [p for p in request.form.getlist("to") if p]
    try:
        if action == "complete":
            for file in request.files.getlist("files"):
                if file and file.filename:
                    portal().call("POST", f"{D}/tasks/{task_id}/files", data={"purpose": "result"},
                                  files={"file": (file.filename, file.read(), file.mimetype or
                                                  "application/octet-stream")})
        portal().call("POST", f"{D}/tasks/{task_id}/actions/{action}", json={
            "reason": reason, "to": to or None, "with_open_subtasks": request.form.get("with_open_subtasks") == "on"})
    except ApiError as error:
        flash(explain(error), "error")
        _keep(task_id)
        return _back(task_id, f"#{action}")
    flash(_("Đã ghi nhận: %(action)s.", action=_(ACTIONS[action])), "success")
    return _back(task_id)


@bp.post("/nhiem-vu/<task_id>/tien-do")
@signed_in
def progress(task_id: str):
    try:
        portal().call("POST", f"{D}/tasks/{task_id}/progress", json={
            "percent": request.form.get("percent", type=int) if request.form.get("percent", type=int) is not None
            else -1, "note": (request.form.get("note") or "").strip() or None})
    except ApiError as error:
        flash(explain(error) if error.status != 422 or error.code else _("Tiến độ là số phần trăm từ 0 đến 100."),
              "error")
        _keep(task_id)
        return _back(task_id, "#progress")
    flash(_("Đã cập nhật tiến độ."), "success")
    return _back(task_id)


@bp.post("/nhiem-vu/<task_id>/nhiem-vu-con")
@signed_in
def subtask(task_id: str):
    form = request.form
    body = {"name": (form.get("name") or "").strip(), "executing_unit_id": form.get("unit") or "",
            "representatives": [p for p in form.getlist("reps") if p],
            "priority": form.get("priority") if form.get("priority") in PRIORITIES else "normal",
            "deadline": _day(form.get("deadline")), "note": (form.get("note") or "").strip() or None}
    if not body["name"] or not body["executing_unit_id"] or not body["representatives"]:
        flash(_("Hãy ghi tên nhiệm vụ con, chọn đơn vị và người nhận."), "error")
        _keep(task_id)
        return redirect(url_for("direction.task", task_id=task_id, sub_unit=body["executing_unit_id"] or None) +
                        "#subtask")
    try:
        portal().call("POST", f"{D}/tasks/{task_id}/subtasks", json=body)
    except ApiError as error:
        flash(_explain_all(error), "error")
        _keep(task_id)
        return redirect(url_for("direction.task", task_id=task_id, sub_unit=body["executing_unit_id"]) + "#subtask")
    flash(_("Đã giao nhiệm vụ con."), "success")
    return _back(task_id)


@bp.post("/nhiem-vu/<task_id>/y-kien")
@signed_in
def comment(task_id: str):
    text = (request.form.get("text") or "").strip()
    if not text:
        flash(_("Hãy viết ý kiến."), "error")
        return _back(task_id, "#comment")
    try:
        portal().call("POST", f"{D}/tasks/{task_id}/comments", json={"text": text})
    except ApiError as error:
        flash(explain(error), "error")
        _keep(task_id)
        return _back(task_id, "#comment")
    flash(_("Đã gửi ý kiến."), "success")
    return _back(task_id, "#history")


@bp.post("/nhiem-vu/<task_id>/tep")
@signed_in
def attach(task_id: str):
    purpose = request.form.get("purpose") if request.form.get("purpose") in ("result", "progress", "input") \
        else "result"
    files = [f for f in request.files.getlist("files") if f and f.filename]
    if not files:
        flash(_("Hãy chọn tệp để đính kèm."), "error")
        return _back(task_id, "#files")
    try:
        for file in files:
            portal().call("POST", f"{D}/tasks/{task_id}/files", data={"purpose": purpose},
                          files={"file": (file.filename, file.read(), file.mimetype or "application/octet-stream")})
    except ApiError as error:
        flash(explain(error), "error")
        return _back(task_id, "#files")
    flash(_("Đã đính kèm %(count)s tệp.", count=len(files)), "success")
    return _back(task_id, "#files")


@bp.post("/nhiem-vu/<task_id>/xoa")
@signed_in
def delete(task_id: str):
    try:
        portal().call("DELETE", f"{D}/tasks/{task_id}")
    except ApiError as error:
        flash(explain(error), "error")
        return _back(task_id)
    flash(_("Đã xóa nhiệm vụ."), "success")
    return redirect(url_for("direction.listing", view="created"))


@bp.get("/nhiem-vu/tep/<file_id>")
@signed_in
def download(file_id: str):
    return served_file(f"{D}/files/{file_id}")


# ------------------------------------------------------------------------------------------------------ report
def _report_params() -> dict:
    args = request.args
    return {"unit_id": (args.get("unit_id") or g.me.unit_id or "")[:32],
            "role": args.get("role") if args.get("role") in ROLES else "all",
            **{k: v for k in ("created_from", "created_to") if (v := _day(args.get(k)))}}


@bp.get("/nhiem-vu/bao-cao")
@signed_in
def report():
    params = _report_params()
    data, error = None, None
    if params["unit_id"]:
        try:
            data = portal().call("GET", f"{D}/reports", params=params)
        except ApiError as refused:
            error = explain(refused)
    drill = None
    measure = request.args.get("measure")
    if data and measure in MEASURES:
        drill = portal().call("GET", f"{D}/reports/tasks", params={
            **params, "measure": measure, **({"executing_unit_id": request.args["unit"]}
                                             if request.args.get("unit") else {})})["items"]
    peak = max([r["total"] for r in data["rows"]] or [1]) if data else 1
    return render_template("direction_report.html", data=data, error=error, params=params, drill=drill,
                           measure=measure, peak=max(peak, 1), L=_labels())


@bp.get("/nhiem-vu/bao-cao/xuat")
@signed_in
def report_export():
    return served_file(f"{D}/reports/export", _report_params())


# ---------------------------------------------------------------------------------------------------- settings
@bp.get("/nhiem-vu/cai-dat")
@signed_in
def settings():
    unit_id = (request.args.get("unit_id") or g.me.unit_id or "")[:32]
    setup = portal().call("GET", f"{D}/units/{unit_id}/setup") if unit_id else None
    people = []
    if setup and setup["may_configure"]:
        people = portal().call("GET", f"{D}/units/{unit_id}/people", params={"purpose": "officer"})["items"]
    groups = portal().call("GET", f"{D}/status-groups")["items"]
    tags = portal().call("GET", f"{D}/tags", params={"unit_id": unit_id})["items"] if unit_id else []
    return render_template("direction_settings.html", setup=setup, people=people, groups=groups, tags=tags,
                           unit_id=unit_id, L=_labels())


def _command(back: str, done: str, method: str, path: str, **kw):
    """One change asked of the service: its refusal or ``done`` said, then back where the person was."""
    try:
        portal().call(method, path, **kw)
    except ApiError as error:
        flash(explain(error), "error")
    else:
        flash(done, "success")
    return redirect(back)


def _settings(unit_id: str, fragment: str) -> str:
    return url_for("direction.settings", unit_id=unit_id or None) + fragment


@bp.post("/nhiem-vu/cai-dat/<unit_id>/vai-tro/<side>/<role>")
@signed_in
def save_role(unit_id: str, side: str, role: str):
    return _command(_settings(unit_id, f"#{side}-{role}"),
                    _("Đã lưu vai trò %(role)s.", role=_(UNIT_ROLE_NAMES.get(role, role))),
                    "PUT", f"{D}/units/{unit_id}/roles/{side}/{role}",
                    json={"accounts": [p for p in request.form.getlist("accounts") if p]})


@bp.post("/nhiem-vu/cai-dat/<unit_id>/thiet-lap")
@signed_in
def save_settings(unit_id: str):
    form = request.form
    body = {"assign_roles": form.getlist("assign_roles"), "receive_roles": form.getlist("receive_roles"),
            "follow_roles": form.getlist("follow_roles"), "due_soon_days": form.get("due_soon_days", type=int),
            "status_group_id": form.get("status_group_id", type=int)}
    return _command(_settings(unit_id, "#settings"), _("Đã lưu thiết lập đơn vị."), "PUT",
                    f"{D}/units/{unit_id}/settings", json={k: v for k, v in body.items() if v})


@bp.post("/nhiem-vu/cai-dat/nhom-trang-thai")
@signed_in
def create_group():
    unit_id = (request.form.get("unit_id") or "")[:32]
    return _command(_settings(unit_id, "#groups"), _("Đã tạo nhóm trạng thái."), "POST", f"{D}/status-groups",
                    json={"unit_id": unit_id, "name": (request.form.get("name") or "").strip()})


@bp.post("/nhiem-vu/cai-dat/nhom-trang-thai/<int:group_id>/<code>")
@signed_in
def save_status(group_id: int, code: str):
    form = request.form
    body = {"name": (form.get("name") or "").strip() or None, "color": form.get("color") or None,
            "task_roles": form.getlist("task_roles"), "unit_roles": form.getlist("unit_roles"),
            "reason_required": form.get("reason_required") == "on",
            "attachment_required": form.get("attachment_required") == "on"}
    return _command(_settings((form.get("unit_id") or "")[:32], f"#group-{group_id}"), _("Đã lưu trạng thái."),
                    "PATCH", f"{D}/status-groups/{group_id}/statuses/{code}",
                    json={k: v for k, v in body.items() if v is not None})


@bp.get("/nhiem-vu/cai-dat/nhom-trang-thai/<int:group_id>/xuat")
@signed_in
def export_group(group_id: int):
    return served_file(f"{D}/status-groups/{group_id}/export")


@bp.post("/nhiem-vu/cai-dat/nhan")
@signed_in
def create_tag():
    unit_id = (request.form.get("unit_id") or "")[:32]
    return _command(_settings(unit_id, "#tags"), _("Đã thêm nhãn."), "POST", f"{D}/tags", json={
        "unit_id": unit_id, "name": (request.form.get("name") or "").strip(),
        "color": request.form.get("color") or "#1d4ed8"})


@bp.post("/nhiem-vu/cai-dat/nhan/<int:tag_id>/xoa")
@signed_in
def delete_tag(tag_id: int):
    return _command(_settings((request.form.get("unit_id") or "")[:32], "#tags"), _("Đã xóa nhãn."), "DELETE",
                    f"{D}/tags/{tag_id}")
