"""Task direction (chỉ đạo điều hành) over HTTP: unit set-up, status groups, tags, assignments and sub-tasks, the
actions on a task, the lists with deadline buckets, the task page, reports and their Excel export."""
from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Annotated
from urllib.parse import quote

from flask import Response, jsonify
from flask_openapi3 import APIBlueprint, FileStorage, Tag
from pydantic import BaseModel, Field

from services.common.errors import NotFound
from services.common.http import BEARER, PROBLEM_RESPONSES, bearer_principal, uploaded_file
from services.common.i18n import msg
from services.process.domain.access import unit_or_404
from services.process.domain.direction import creating, setup, tasks, views, working
from services.process.domain.instances import detected_type
from services.process.models import DirectionFile

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class UnitPath(BaseModel):
    unit_id: str = Field(max_length=32)


class RolePath(UnitPath):
    side: str = Field(max_length=10, description="assign | execute")
    role: str = Field(max_length=20)


class RoleBody(BaseModel):
    accounts: list[str] = Field(max_length=200, description="people of the unit or its subtree; [] clears it")


class SettingsBody(BaseModel):
    status_group_id: int | None = Field(default=None, ge=1, le=2**31 - 1)
    assign_roles: list[str] | None = Field(default=None, max_length=5)
    receive_roles: list[str] | None = Field(default=None, max_length=5)
    follow_roles: list[str] | None = Field(default=None, max_length=5)
    due_soon_days: int | None = Field(default=None, ge=1, le=60, description="the “due soon” horizon in working "
                                                                            "days")


class PeopleQuery(BaseModel):
    purpose: str = Field(pattern="^(assigner|follower|representative|officer)$")


class UnitsQuery(BaseModel):
    q: str | None = Field(default=None, max_length=100)
    limit: int = Field(default=50, ge=1, le=2000, description="at most this many, nearest levels first")


class GroupPath(BaseModel):
    group_id: int = Field(ge=1, le=2**31 - 1)


class StatusPath(GroupPath):
    code: str = Field(max_length=40)


class GroupBody(BaseModel):
    unit_id: str = Field(max_length=32)
    name: str = Field(min_length=1, max_length=200)
    copy_from: int | None = Field(default=None, ge=1, le=2**31 - 1)


class StatusBody(BaseModel):
    name: str | None = Field(default=None, max_length=100)
    category: str | None = Field(default=None, max_length=20)
    color: str | None = Field(default=None, max_length=7)
    task_roles: list[str] | None = Field(default=None, max_length=10)
    unit_roles: list[str] | None = Field(default=None, max_length=10)
    reason_required: bool | None = None
    attachment_required: bool | None = None


class TagQuery(BaseModel):
    unit_id: str = Field(max_length=32)


class TagBody(BaseModel):
    unit_id: str = Field(max_length=32)
    name: str = Field(min_length=1, max_length=100)
    color: str = Field(default="#1d4ed8", max_length=7)


class TagPath(BaseModel):
    tag_id: int = Field(ge=1, le=2**31 - 1)


class AssignmentForm(BaseModel):
    assignment: creating.AssignmentSpec = Field(description="the assignment, as a JSON text field")
    files: list[FileStorage] = Field(default_factory=list, description="the document's files (≤ 16 MB each)")


class AssignmentPath(BaseModel):
    assignment_id: str = Field(max_length=32)


class TaskPath(BaseModel):
    task_id: str = Field(max_length=32)


class ActionPath(TaskPath):
    action: str = Field(max_length=20, description="forward | refuse | complete | approve | reject | reassign | "
                                                   "cancel")


class ActionBody(BaseModel):
    to: list[str] | None = Field(default=None, max_length=20, description="forward: the officer; reassign: the "
                                                                          "representatives")
    reason: str | None = Field(default=None, max_length=4000, description="the note, or the reason where one is "
                                                                          "required")
    with_open_subtasks: bool = Field(default=False, description="complete although sub-tasks are open")


class ProgressBody(BaseModel):
    percent: int = Field(ge=0, le=100)
    note: str | None = Field(default=None, max_length=4000)


class CommentBody(BaseModel):
    text: str = Field(min_length=1, max_length=4000)


class FileForm(BaseModel):
    file: FileStorage
    purpose: str = Field(default="result", pattern="^(result|progress|input)$")


class FilePath(BaseModel):
    file_id: str = Field(max_length=32)


# a period's days: a date the calendar (and Vietnam's offset from UTC) can hold, far beyond any task
Day = Annotated[date, Field(ge=date(1900, 1, 1), le=date(2999, 12, 31))]


class ListQuery(BaseModel):
    view: str = Field(default="assigned", pattern="^(created|assigned|followed|unit|took_part)$")
    unit_id: str | None = Field(default=None, max_length=32, description="view=unit: which unit (default mine)")
    status: str | None = Field(default=None, max_length=40)
    category: str | None = Field(default=None, pattern="^(new|in_progress|waiting_approval|done|refused|cancelled)$")
    priority: str | None = Field(default=None, pattern="^(none|urgent|high|normal|low)$")
    tag_id: int | None = Field(default=None, ge=1, le=2**31 - 1)
    executing_unit_id: str | None = Field(default=None, max_length=32)
    created_from: Day | None = None
    created_to: Day | None = Field(default=None, description="inclusive")
    q: str | None = Field(default=None, max_length=200, description="words of the name or number, diacritics "
                                                                    "optional")
    bucket: str | None = Field(default=None, pattern="^(overdue|due_today|due_soon|in_time)$")
    page: int = Field(default=1, ge=1, le=100000)
    page_size: int = Field(default=20, ge=1, le=200)


class ReportQuery(BaseModel):
    unit_id: str = Field(max_length=32, description="the assigning unit")
    role: str = Field(default="all", pattern="^(created|assigned|followed|all)$")
    created_from: Day | None = None
    created_to: Day | None = Field(default=None, description="inclusive")


class DrillQuery(ReportQuery):
    measure: str = Field(pattern="^(total|done_on_time|done_late|open|open_overdue)$")
    executing_unit_id: str | None = Field(default=None, max_length=32)


def _start(day: date | None) -> datetime | None:
    return datetime.combine(day, time(0), creating.VIETNAM).astimezone(UTC) if day else None


def _after(day: date | None) -> datetime | None:
    return datetime.combine(day, time(23, 59, 59, 999999), creating.VIETNAM).astimezone(UTC) if day else None


def blueprint(rt, policy) -> APIBlueprint:
    bp = APIBlueprint("direction", __name__, url_prefix="/api/process/direction", abp_tags=[Tag(name="direction")],
                      abp_responses=PROBLEM_RESPONSES)

    def read(fn, *args, **kwargs):
        principal = bearer_principal(rt.verifier)
        with rt.db.session() as session:
            return jsonify(fn(session, principal, *args, **kwargs))

    def write(fn, *args, status: int = 200, **kwargs):
        principal = bearer_principal(rt.verifier)
        with rt.db.uow() as uow:
            return jsonify(fn(uow, principal, *args, **kwargs)), status

    def act(fn, *args, status: int = 200, **kwargs):
        principal = bearer_principal(rt.verifier)
        with rt.db.uow() as uow:
            return jsonify(fn(uow, policy, principal, *args, **kwargs)), status

    # ------------------------------------------------------------------------------------------- unit set-up
    @bp.get("/units/<unit_id>/setup", summary="A unit's direction roles and (inherited) settings",
            security=[BEARER])
    def unit_setup(path: UnitPath):
        return read(setup.setup_view, path.unit_id)

    @bp.put("/units/<unit_id>/roles/<side>/<role>", summary="Who holds a direction role in the unit (its admins)",
            security=[BEARER])
    def unit_role(path: RolePath, body: RoleBody):
        return write(setup.set_role, path.unit_id, path.side, path.role, body.accounts)

    @bp.put("/units/<unit_id>/settings", summary="Which roles assign, receive, follow; status group; horizon",
            security=[BEARER])
    def unit_settings(path: UnitPath, body: SettingsBody):
        return write(setup.save_settings, path.unit_id, body.model_dump(exclude_none=True))

    @bp.get("/units/<unit_id>/people", summary="People a form may choose: assigners, followers, representatives",
            security=[BEARER])
    def unit_people(path: UnitPath, query: PeopleQuery):
        principal = bearer_principal(rt.verifier)
        with rt.db.session() as session:
            return jsonify({"items": setup.people_in_role(session, principal, path.unit_id, query.purpose)})

    @bp.get("/units/<unit_id>/units-below", summary="Units a task of this unit may go to (search without "
                                                    "diacritics)", security=[BEARER])
    def units_below(path: UnitPath, query: UnitsQuery):
        bearer_principal(rt.verifier)
        with rt.db.session() as session:
            return jsonify({"items": setup.units_below(session, unit_or_404(session, path.unit_id), query.q,
                                                       query.limit)})

    # ------------------------------------------------------------------------------------------ status groups
    @bp.get("/status-groups", summary="Status groups with their statuses and who may move a task into each",
            security=[BEARER])
    def status_groups():
        bearer_principal(rt.verifier)
        with rt.db.session() as session:
            return jsonify({"items": setup.groups(session)})

    @bp.post("/status-groups", summary="A unit's own status group (a copy of the default or of another)",
             security=[BEARER])
    def create_group(body: GroupBody):
        return write(setup.create_group, body.unit_id, body.name, body.copy_from, status=201)

    @bp.patch("/status-groups/<int:group_id>/statuses/<code>", summary="Change a status: name, category, colour, "
                                                                       "who may, what it needs", security=[BEARER])
    def update_status(path: StatusPath, body: StatusBody):
        return write(setup.update_status, path.group_id, path.code, body.model_dump(exclude_none=True))

    @bp.get("/status-groups/<int:group_id>/export", summary="The group's statuses as an Excel workbook",
            security=[BEARER])
    def export_statuses(path: GroupPath):
        bearer_principal(rt.verifier)
        with rt.db.session() as session:
            group = setup.group_view(session, setup.group_or_404(session, path.group_id))
        return Response(views.statuses_xlsx(group), mimetype=XLSX, headers={
            "Content-Disposition": "attachment; filename=trang-thai-nhiem-vu.xlsx"})

    # ------------------------------------------------------------------------------------------------- tags
    @bp.get("/tags", summary="Tags a unit's people may use (its own and its parents')", security=[BEARER])
    def list_tags(query: TagQuery):
        bearer_principal(rt.verifier)
        with rt.db.session() as session:
            return jsonify({"items": setup.tags(session, unit_or_404(session, query.unit_id))})

    @bp.post("/tags", summary="A tag with its colour (the unit's admins)", security=[BEARER])
    def create_tag(body: TagBody):
        return write(setup.create_tag, body.unit_id, body.name, body.color, status=201)

    @bp.delete("/tags/<int:tag_id>", summary="Remove a tag (the unit's admins)", security=[BEARER])
    def delete_tag(path: TagPath):
        principal = bearer_principal(rt.verifier)
        with rt.db.uow() as uow:
            setup.delete_tag(uow, principal, path.tag_id)
        return "", 204

    # ------------------------------------------------------------------------------------ assignments, tasks
    @bp.post("/assignments", summary="Assign tasks: the document, its files and one or more tasks (multipart: "
                                     "`assignment` JSON and `files`)", security=[BEARER])
    def create_assignment(form: AssignmentForm):
        spec = form.assignment
        files = []
        for item in form.files:
            file = uploaded_file(item)
            files.append((file.filename or "", file.read(policy.max_attachment_bytes + 1)))
        return act(creating.create_assignment, spec, files, status=201)

    @bp.get("/tasks", summary="My lists (created, assigned, followed, my unit's, took part in) with filters and "
                              "deadline buckets", security=[BEARER])
    def task_list(query: ListQuery):
        principal = bearer_principal(rt.verifier)
        with rt.db.session() as session:
            return jsonify(views.task_list(
                session, principal, policy.calendar, view=query.view, unit_id=query.unit_id, status=query.status,
                category=query.category, priority=query.priority, tag_id=query.tag_id,
                executing_unit_id=query.executing_unit_id, created_from=_start(query.created_from),
                created_to=_after(query.created_to), q=query.q, bucket=query.bucket, page=query.page,
                page_size=query.page_size))

    @bp.get("/tasks/<task_id>", summary="A task: the tree around it, history, files, what I may do",
            security=[BEARER])
    def task_page(path: TaskPath):
        return act(views.task_page, path.task_id)

    @bp.delete("/tasks/<task_id>", summary="Delete (its creator, while nobody has acted on it)", security=[BEARER])
    def delete_task(path: TaskPath):
        principal = bearer_principal(rt.verifier)
        with rt.db.uow() as uow:
            working.delete_task(uow, policy, principal, path.task_id)
        return "", 204

    @bp.post("/tasks/<task_id>/actions/<action>", summary="Forward, refuse, complete, approve, reject, reassign, "
                                                          "cancel", security=[BEARER])
    def task_action(path: ActionPath, body: ActionBody):
        return act(working.act, path.task_id, path.action, to=body.to, reason=body.reason,
                   with_open_subtasks=body.with_open_subtasks)

    @bp.post("/tasks/<task_id>/progress", summary="Report progress (the handler)", security=[BEARER])
    def progress(path: TaskPath, body: ProgressBody):
        return act(working.report_progress, path.task_id, body.percent, body.note)

    @bp.post("/tasks/<task_id>/subtasks", summary="A sub-task for a unit under the handler's own", security=[BEARER])
    def subtask(path: TaskPath, body: creating.SubtaskSpec):
        return act(creating.create_subtask, path.task_id, body, status=201)

    @bp.post("/tasks/<task_id>/comments", summary="Comment (whoever sees the task)", security=[BEARER])
    def comment(path: TaskPath, body: CommentBody):
        return write(working.comment, path.task_id, body.text, status=201)

    @bp.post("/tasks/<task_id>/files", summary="Attach a result, progress evidence or a coordinator's input",
             security=[BEARER])
    def attach(path: TaskPath, form: FileForm):
        file = uploaded_file(form.file)
        content = file.read(policy.max_attachment_bytes + 1)
        return act(working.attach, path.task_id, file.filename or "", content, form.purpose, status=201)

    @bp.get("/files/<file_id>", summary="Download a file of a task or its assignment", security=[BEARER])
    def download(path: FilePath):
        principal = bearer_principal(rt.verifier)
        with rt.db.session() as session:
            row = session.get(DirectionFile, path.file_id)
            if row is None or not tasks.may_read_file(session, principal, row):
                raise NotFound(msg("no file {file_id!r}", file_id=path.file_id))
            return Response(row.content, mimetype=detected_type(row.content), headers={
                "Content-Disposition": f"attachment; filename*=UTF-8''{quote(row.filename, safe='')}",
                "Content-Security-Policy": "sandbox", "Cache-Control": "private, no-store"})

    # --------------------------------------------------------------------------------------------- reports
    @bp.get("/reports", summary="Tasks a unit assigned, per executing unit: on time, late, open, overdue",
            security=[BEARER])
    def report(query: ReportQuery):
        return read(views.report, query.unit_id, role=query.role, created_from=_start(query.created_from),
                    created_to=_after(query.created_to))

    @bp.get("/reports/tasks", summary="The tasks behind one number of the report", security=[BEARER])
    def report_tasks(query: DrillQuery):
        principal = bearer_principal(rt.verifier)
        with rt.db.session() as session:
            return jsonify({"items": views.drill_down(
                session, principal, query.unit_id, role=query.role, measure=query.measure,
                executing_unit_id=query.executing_unit_id, created_from=_start(query.created_from),
                created_to=_after(query.created_to))})

    @bp.get("/reports/export", summary="The report as an Excel workbook", security=[BEARER])
    def report_export(query: ReportQuery):
        principal = bearer_principal(rt.verifier)
        with rt.db.session() as session:
            data = views.report(session, principal, query.unit_id, role=query.role,
                                created_from=_start(query.created_from), created_to=_after(query.created_to))
        return Response(views.report_xlsx(data), mimetype=XLSX, headers={
            "Content-Disposition": "attachment; filename=bao-cao-nhiem-vu.xlsx"})

    return bp

