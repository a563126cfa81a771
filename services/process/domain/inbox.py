"""The inbox as SQL over the mirrored tasks: the tasks I may act on (I staff the lane for that unit, or the task
was assigned/delegated to me) or my unit's open tasks, with filters, paging and deadline buckets
(overdue / due today / due soon / in time) counted by the database."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, case, func, or_
from sqlmodel import Session, col, select

from services.common.auth import Principal
from services.common.errors import Invalid
from services.common.i18n import msg
from services.common.models import utcnow
from services.process.domain import instances
from services.process.domain.access import require_sees_unit
from services.process.domain.definitions import shape
from services.process.domain.sla import WorkingCalendar, bucket_bounds, deadline_bucket
from services.process.models import ProcessInstance, ProcessTask, TaskActor

BUCKETS = ("overdue", "due_today", "due_soon", "in_time")
SCOPES = ("mine", "unit")


def _bucket_conditions(now: datetime, calendar: WorkingCalendar) -> dict:
    end_of_today, soon = bucket_bounds(now, calendar)
    due = col(ProcessTask.due_at)
    return {
        "overdue": due <= now,
        "due_today": and_(due > now, due < end_of_today),
        "due_soon": and_(due >= end_of_today, due <= soon),
        "in_time": or_(due.is_(None), and_(due >= end_of_today, due > soon)),
    }


def inbox(session: Session, principal: Principal, calendar: WorkingCalendar, *, scope: str = "mine",
          unit_id: str | None = None, bucket: str | None = None, process_key: str | None = None,
          page: int = 1, page_size: int = 20, now: datetime | None = None) -> dict:
    if scope not in SCOPES:
        raise Invalid(msg("scope is one of {items}", items=', '.join(SCOPES)))
    if bucket is not None and bucket not in BUCKETS:
        raise Invalid(msg("bucket is one of {items}", items=', '.join(BUCKETS)))
    now = now or utcnow()
    conditions = _bucket_conditions(now, calendar)
    base = select(ProcessTask).where(ProcessTask.status == "ready")
    if scope == "mine":
        base = base.join(TaskActor, col(TaskActor.task_id) == ProcessTask.id).where(
            TaskActor.account_id == principal.account_id)
    else:
        unit = require_sees_unit(session, principal, unit_id or principal.unit_id)
        base = base.where(ProcessTask.unit_id == unit.id)
    if process_key:
        base = base.where(ProcessTask.process_key == process_key)
    counts_query = base.with_only_columns(*[func.sum(case((cond, 1), else_=0)).label(name)
                                            for name, cond in conditions.items()])
    counts = dict(zip(BUCKETS, (int(v or 0) for v in session.execute(counts_query).one()), strict=True))
    listed = base.where(conditions[bucket]) if bucket else base
    rows = session.execute(listed.add_columns(ProcessInstance.title, ProcessInstance.definition_id,
                                              ProcessInstance.unit_id, ProcessInstance.business_key)
                        .join(ProcessInstance, col(ProcessInstance.id) == ProcessTask.instance_id)
                        .order_by(col(ProcessTask.due_at).is_(None), col(ProcessTask.due_at), col(ProcessTask.id))
                        .offset((page - 1) * page_size).limit(page_size)).all()
    items, names = [], instances.StepNames(session)
    for task, title, definition_id, instance_unit, business_key in rows:
        view = instances.task_view(task, step_names=names(definition_id, task.process_key, instance_unit))
        view.update(instance_title=title, bucket=deadline_bucket(task.due_at, now, calendar),
                    business_key=business_key,
                    worked_by=shape(instances.definition_of(session, definition_id)).conventions.process.worked_by)
        items.append(view)
    return {"items": items, "counts": counts, "total": sum(counts.values()) if not bucket else counts[bucket],
            "page": page, "page_size": page_size}

