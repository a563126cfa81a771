"""The lists a person works from (created by me, assigned to me, followed by me, my unit's, took part in) with
their filters and deadline buckets counted by the database, a task's page (the tree around it, history,
handovers, files, what the person may do), and the reports by assigning unit with their Excel export."""
from __future__ import annotations

import io
from datetime import datetime

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from sqlalchemy import and_, case, exists, func, or_
from sqlmodel import Session, col, select

from services.common.auth import Principal
from services.common.db import UnitOfWork
from services.common.errors import Forbidden, Invalid
from services.common.i18n import msg
from services.common.models import iso, utcnow
from services.common.text import fold, sort_key
from services.process.domain.access import oversees, require_sees_unit, unit_or_404
from services.process.domain.direction import setup
from services.process.domain.direction.creating import assignment_view
from services.process.domain.direction.tasks import (
    StatusNames,
    ancestors,
    file_view,
    people_of,
    roles_on,
    shown_progress,
    task_view,
    visible_task,
)
from services.process.domain.direction.working import allowed_actions, handovers
from services.process.domain.instances.context import Policy, person_name
from services.process.domain.sla import VIETNAM, WorkingCalendar, bucket_bounds, deadline_bucket
from services.process.models import (
    DirectionAssignment,
    DirectionCoordinator,
    DirectionFile,
    DirectionHistory,
    DirectionParticipant,
    DirectionTag,
    DirectionTask,
    DirectionTaskTag,
    UnitRef,
)

VIEWS = ("created", "assigned", "followed", "unit", "took_part")
BUCKETS = ("overdue", "due_today", "due_soon", "in_time")
ROLES = ("created", "assigned", "followed", "all")
MEASURES = ("total", "done_on_time", "done_late", "open", "open_overdue")


def _soon_hours(session: Session, principal: Principal, calendar: WorkingCalendar) -> float:
    unit = session.get(UnitRef, principal.unit_id) if principal.unit_id else None
    days = setup.settings_of(session, unit).due_soon_days if unit is not None else setup.DEFAULTS["due_soon_days"]
    return days * calendar.hours_per_day


def _buckets(now: datetime, calendar: WorkingCalendar, soon_hours: float) -> dict:
    end_of_today, soon = bucket_bounds(now, calendar, soon_hours)
    due = col(DirectionTask.deadline)
    return {"overdue": due <= now, "due_today": and_(due > now, due < end_of_today),
            "due_soon": and_(due >= end_of_today, due <= soon),
            "in_time": or_(due.is_(None), and_(due >= end_of_today, due > soon))}


def _participated(account_id: str, *roles: str):
    query = select(DirectionParticipant.task_id).where(DirectionParticipant.account_id == account_id)
    if roles:
        query = query.where(col(DirectionParticipant.role).in_(roles))
    return col(DirectionTask.id).in_(query)


def _within(query, executing_unit_id: str | None, created_from: datetime | None, created_to: datetime | None):
    """Tasks of one executing unit and assigned in a period, where they are asked for."""
    if executing_unit_id:
        query = query.where(DirectionTask.executing_unit_id == executing_unit_id)
    if created_from:
        query = query.where(col(DirectionTask.created_at) >= created_from)
    if created_to:
        query = query.where(col(DirectionTask.created_at) < created_to)
    return query


def task_list(session: Session, principal: Principal, calendar: WorkingCalendar, *, view: str = "assigned",
              unit_id: str | None = None, status: str | None = None, category: str | None = None,
              priority: str | None = None, tag_id: int | None = None, executing_unit_id: str | None = None,
              created_from: datetime | None = None, created_to: datetime | None = None, q: str | None = None,
              bucket: str | None = None, page: int = 1, page_size: int = 20, now: datetime | None = None) -> dict:
    if view not in VIEWS:
        raise Invalid(msg("view is one of {items}", items=", ".join(VIEWS)))
    if bucket is not None and bucket not in BUCKETS:
        raise Invalid(msg("bucket is one of {items}", items=", ".join(BUCKETS)))
    now = now or utcnow()
    me = principal.account_id
    base = select(DirectionTask).where(col(DirectionTask.deleted_at).is_(None))
    if view == "created":
        base = base.where(DirectionTask.created_by == me)
    elif view == "assigned":
        base = base.where(_participated(me, "holder"))
    elif view == "followed":
        base = base.where(_participated(me, "follower"))
    elif view == "took_part":
        base = base.where(_participated(me))
    else:
        unit = require_sees_unit(session, principal, unit_id or principal.unit_id)
        base = base.where(DirectionTask.executing_unit_id == unit.id)
    if status:
        base = base.where(DirectionTask.status == status)
    if category:
        base = base.where(DirectionTask.category == category)
    if priority:
        base = base.where(DirectionTask.priority == priority)
    if tag_id is not None:
        base = base.where(exists().where(DirectionTaskTag.task_id == DirectionTask.id,
                                         DirectionTaskTag.tag_id == tag_id))
    base = _within(base, executing_unit_id, created_from, created_to)
    if q and fold(q).strip():
        base = base.where(col(DirectionTask.search).contains(fold(q).strip()))
    conditions = _buckets(now, calendar, _soon_hours(session, principal, calendar))
    open_ = col(DirectionTask.category).in_(setup.OPEN)
    counts_query = base.with_only_columns(*[func.sum(case((and_(open_, cond), 1), else_=0)).label(name)
                                            for name, cond in conditions.items()], func.count().label("all"))
    row = session.execute(counts_query).one()
    counts = dict(zip(BUCKETS, (int(v or 0) for v in row[:4]), strict=True))
    listed = base.where(open_, conditions[bucket]) if bucket else base
    total = counts[bucket] if bucket else int(row[4] or 0)
    rows = session.exec(listed.order_by(col(DirectionTask.deadline).is_(None), col(DirectionTask.deadline),
                                        col(DirectionTask.created_at).desc(), col(DirectionTask.id))
                        .offset((page - 1) * page_size).limit(page_size)).all()
    names, units = StatusNames(session), _unit_names(session, {t.executing_unit_id for t in rows})
    soon = _soon_hours(session, principal, calendar)
    items = []
    for task in rows:
        view_ = task_view(session, task, names)
        view_.update(executing_unit_name=units.get(task.executing_unit_id),
                     bucket=deadline_bucket(task.deadline, now, calendar, soon) if task.category in setup.OPEN
                     else None)
        items.append(view_)
    return {"items": items, "counts": counts, "total": total, "page": page, "page_size": page_size}


def _unit_names(session: Session, ids: set[str]) -> dict[str, str]:
    if not ids:
        return {}
    return {u.id: u.name for u in session.exec(select(UnitRef).where(col(UnitRef.id).in_(list(ids)))).all()}


def _node(session: Session, task: DirectionTask, names: StatusNames, units: dict) -> dict:
    status = names(task.status_group_id, task.status)
    return {"id": task.id, "name": task.name, "depth": task.depth, "parent_id": task.parent_id,
            "status": task.status, "status_name": status.name if status else task.status, "category": task.category,
            "progress": shown_progress(task), "deadline": iso(task.deadline),
            "executing_unit_id": task.executing_unit_id, "executing_unit_name": units.get(task.executing_unit_id),
            "handlers": [{"id": a, "name": person_name(session, a)} for a in task.handlers]}


def task_page(uow: UnitOfWork, policy: Policy, principal: Principal, task_id: str) -> dict:
    session = uow.session
    task = visible_task(session, principal, task_id)
    names = StatusNames(session)
    line = [t for t in (session.get(DirectionTask, i) for i in ancestors(task)[:-1]) if t is not None]
    below = session.exec(select(DirectionTask).where(
        DirectionTask.root_id == task.root_id, col(DirectionTask.path).startswith(task.path),
        DirectionTask.id != task.id, col(DirectionTask.deleted_at).is_(None))
        .order_by(DirectionTask.path)).all()
    units = _unit_names(session, {t.executing_unit_id for t in [task, *line, *below]} | {task.assigning_unit_id} |
                        set(session.exec(select(DirectionCoordinator.unit_id).where(
                            DirectionCoordinator.task_id == task.id)).all()))
    roles = roles_on(session, principal, task)
    assignment = session.get(DirectionAssignment, task.assignment_id)
    files = session.exec(select(DirectionFile).where(or_(
        and_(DirectionFile.assignment_id == task.assignment_id, col(DirectionFile.task_id).is_(None)),
        DirectionFile.task_id == task.id)).order_by(DirectionFile.uploaded_at)).all()
    lines = session.exec(select(DirectionHistory).where(DirectionHistory.task_id == task.id)
                         .order_by(DirectionHistory.id)).all()
    tags = session.exec(select(DirectionTag).join(DirectionTaskTag, col(DirectionTaskTag.tag_id) == DirectionTag.id)
                        .where(DirectionTaskTag.task_id == task.id)).all()
    view = task_view(session, task, names)
    view.update(executing_unit_name=units.get(task.executing_unit_id),
                assigning_unit_name=units.get(task.assigning_unit_id),
                assigner_name=person_name(session, task.assigner_id),
                handler_names=[person_name(session, a) for a in task.handlers])
    people = {role: [{"id": a, "name": person_name(session, a)} for a in people_of(session, task.id, role)]
              for role in ("follower", "representative", "forwarder", "coordinator")}
    return {
        "task": view, "assignment": assignment_view(assignment), "people": people,
        "coordinating_units": [{"id": u, "name": units.get(u)} for u in sorted(session.exec(
            select(DirectionCoordinator.unit_id).where(DirectionCoordinator.task_id == task.id)).all())],
        "tags": [{"id": t.id, "name": t.name, "color": t.color} for t in tags],
        "ancestors": [_node(session, t, names, units) for t in line],
        "subtasks": [_node(session, t, names, units) for t in below],
        "files": [file_view(f) for f in files],
        "history": [{"action": h.action, "actor": h.actor, "actor_name": h.actor_name, "text": h.text,
                     "percent": h.percent, "status": h.status,
                     "status_name": (names(task.status_group_id, h.status).name
                                     if h.status and names(task.status_group_id, h.status) else None),
                     "data": h.data, "at": iso(h.at)} for h in lines],
        "handovers": handovers(session, task),
        "my_roles": {"task": sorted(roles.task), "unit": sorted(roles.unit)},
        "actions": allowed_actions(uow, policy, principal, task, roles),
        "may": {"progress": "doer" in roles.task and not task.progress_locked and task.category in setup.OPEN,
                "subtask": "doer" in roles.task and not task.progress_locked and task.category in setup.OPEN,
                "attach": sorted(({"result", "progress"} if "doer" in roles.task else set())
                                 | ({"input"} if "coordinator" in roles.task else set())),
                "delete": task.created_by == principal.account_id and not task.acted and not below},
    }


# ------------------------------------------------------------------------------------------------------ reports
def _report_scope(session: Session, principal: Principal, unit_id: str, role: str):
    if role not in ROLES:
        raise Invalid(msg("role is one of {items}", items=", ".join(ROLES)))
    unit = unit_or_404(session, unit_id)
    if role == "all" and not (oversees(principal, unit) or principal.unit_id == unit.id):
        raise Forbidden(msg("the report of all tasks of “{unit}” is for its people and admins; choose a role",
                            unit=unit.name), code="role_required")
    query = select(DirectionTask).where(DirectionTask.assigning_unit_id == unit.id,
                                        col(DirectionTask.deleted_at).is_(None),
                                        DirectionTask.category != "cancelled")
    me = principal.account_id
    if role == "created":
        query = query.where(DirectionTask.created_by == me)
    elif role == "assigned":
        query = query.where(DirectionTask.assigner_id == me)
    elif role == "followed":
        query = query.where(_participated(me, "follower"))
    return unit, query


def _measures(now: datetime) -> dict:
    done = DirectionTask.category == "done"
    on_time = or_(col(DirectionTask.deadline).is_(None), col(DirectionTask.completed_at) <= DirectionTask.deadline)
    open_ = DirectionTask.category != "done"
    return {"total": None, "done_on_time": and_(done, on_time), "done_late": and_(done, ~on_time),
            "open": open_, "open_overdue": and_(open_, col(DirectionTask.deadline) < now)}


def report(session: Session, principal: Principal, unit_id: str, *, role: str = "all",
           created_from: datetime | None = None, created_to: datetime | None = None,
           now: datetime | None = None) -> dict:
    """Per executing unit: total, done on time, done late, open, open and overdue (cancelled left out), over the
    tasks the unit assigned in the period."""
    now = now or utcnow()
    unit, query = _report_scope(session, principal, unit_id, role)
    query = _within(query, None, created_from, created_to)
    measures = _measures(now)
    columns = [func.count().label("total")] + [func.sum(case((cond, 1), else_=0)).label(name)
                                               for name, cond in measures.items() if cond is not None]
    grouped = query.with_only_columns(DirectionTask.executing_unit_id, *columns).group_by(
        DirectionTask.executing_unit_id)
    found = session.execute(grouped).all()
    units = _unit_names(session, {r[0] for r in found})
    rows = [{"unit_id": r[0], "unit_name": units.get(r[0], r[0]),
             **dict(zip(MEASURES, (int(v or 0) for v in r[1:]), strict=True))} for r in found]
    rows.sort(key=lambda r: sort_key(r["unit_name"]))
    totals = {m: sum(r[m] for r in rows) for m in MEASURES}
    return {"unit": {"id": unit.id, "name": unit.name}, "role": role, "from": iso(created_from),
            "to": iso(created_to), "at": iso(now), "rows": rows, "totals": totals}


def drill_down(session: Session, principal: Principal, unit_id: str, *, role: str, measure: str,
               executing_unit_id: str | None, created_from: datetime | None = None,
               created_to: datetime | None = None, now: datetime | None = None) -> list[dict]:
    if measure not in MEASURES:
        raise Invalid(msg("measure is one of {items}", items=", ".join(MEASURES)))
    now = now or utcnow()
    _unit, query = _report_scope(session, principal, unit_id, role)
    condition = _measures(now)[measure]
    if condition is not None:
        query = query.where(condition)
    query = _within(query, executing_unit_id, created_from, created_to)
    names = StatusNames(session)
    return [task_view(session, t, names) for t in session.exec(
        query.order_by(col(DirectionTask.deadline).is_(None), col(DirectionTask.deadline)).limit(500)).all()]


HEADERS = ("Đơn vị thực hiện", "Tổng số", "Hoàn thành đúng hạn", "Hoàn thành quá hạn", "Đang thực hiện",
           "Đang thực hiện, quá hạn")
ROLE_NAMES = {"created": "Tôi tạo", "assigned": "Tôi giao", "followed": "Tôi theo dõi", "all": "Tất cả"}


def report_xlsx(data: dict) -> bytes:
    """The report as a real workbook: a title, a frozen header row, Vietnamese text, widths, a totals row."""
    book = Workbook()
    sheet = book.active
    sheet.title = "Báo cáo nhiệm vụ"
    sheet.append([f"Báo cáo nhiệm vụ — {data['unit']['name']}"])
    sheet.append([f"Vai trò: {ROLE_NAMES.get(data['role'], data['role'])}; từ {_day(data['from'])} "
                  f"đến {_day(data['to'])}; số liệu lúc {_moment(data['at'])}"])
    sheet.append(list(HEADERS))
    for row in data["rows"]:
        sheet.append([row["unit_name"], *(row[m] for m in MEASURES)])
    sheet.append(["Tổng cộng", *(data["totals"][m] for m in MEASURES)])
    sheet["A1"].font = Font(bold=True, size=14)
    header = sheet.max_row - len(data["rows"]) - 1
    for cell in sheet[header]:
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = PatternFill("solid", fgColor="1D4ED8")
        cell.alignment = Alignment(wrap_text=True, vertical="center")
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = f"A{header + 1}"
    sheet.column_dimensions["A"].width = max(30, min(70, max((len(r["unit_name"]) for r in data["rows"]),
                                                             default=30) + 2))
    for letter in "BCDEF":
        sheet.column_dimensions[letter].width = 16
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def statuses_xlsx(group: dict) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "Trạng thái"
    sheet.append(["Mã", "Tên trạng thái", "Nhóm", "Màu", "Khi", "Vai trò nhiệm vụ", "Vai trò đơn vị",
                  "Cần lý do", "Cần tệp đính kèm"])
    for s in group["statuses"]:
        sheet.append([s["code"], s["name"], s["category"], s["color"], s["on_action"], ", ".join(s["task_roles"]),
                      ", ".join(s["unit_roles"]), "có" if s["reason_required"] else "không",
                      "có" if s["attachment_required"] else "không"])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    for letter, width in zip("ABCDEFGHI", (18, 28, 18, 10, 12, 34, 24, 10, 16), strict=True):
        sheet.column_dimensions[letter].width = width
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _day(value: str | None) -> str:
    return datetime.fromisoformat(value).astimezone(VIETNAM).strftime("%d/%m/%Y") if value else "…"


def _moment(value: str) -> str:
    return datetime.fromisoformat(value).astimezone(VIETNAM).strftime("%H:%M %d/%m/%Y")
