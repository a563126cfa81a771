"""Mirroring the engine into tasks: after every change, ``process_task`` holds exactly the engine's ready human
tasks (so inboxes are SQL), each with the people its lane names — the unit's staffing of the step, the
accounts or units an instance role names, or the person who did an earlier step — its unit and its due time."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import delete
from sqlmodel import Session, col, select

from services.common.errors import Invalid
from services.common.i18n import msg
from services.common.models import utcnow
from services.process import engine
from services.process.conventions import Lane
from services.process.domain import incidents, jobs
from services.process.domain.definitions import shape
from services.process.domain.instances import ending
from services.process.domain.instances.context import (
    Context,
    new_id,
    open_tasks,
    person_name,
    run_engine,
    staff_of,
    step_config,
)
from services.process.domain.people import active
from services.process.domain.sla import step_hours
from services.process.models import PersonRef, ProcessTask, ProcessWait, TaskActor, UnitRole

MAX_ENGINE_STATE_BYTES = 8 * 1024 * 1024  # every task keeps a copy of the data it saw


@dataclass(frozen=True)
class People:
    """Who may act on a new task and in which unit it sits."""

    candidates: list[str]
    unit_id: str


def set_actors(session: Session, task: ProcessTask, people: list[str], *, new: bool = False) -> None:
    if not new:
        session.execute(delete(TaskActor).where(col(TaskActor.task_id) == task.id))
    for account_id in dict.fromkeys(people):
        session.add(TaskActor(account_id=account_id, task_id=task.id))


def role_holders(session: Session, unit_id: str, role: str) -> list[str]:
    return list(session.exec(select(UnitRole.account_id).where(UnitRole.unit_id == unit_id, UnitRole.role == role)
                             .order_by(UnitRole.account_id)).all())


def _from_role(ctx: Context, lane: Lane, name: str, data: dict) -> People:
    value = data.get(name)
    entries = [str(v) for v in (value if isinstance(value, list) else [value]) if v]
    units = [e.removeprefix("unit:") for e in entries if e.startswith("unit:")]
    accounts = [e for e in entries if not e.startswith("unit:")]
    if units and not lane.props.unit_role:
        raise Invalid(msg("step “{name}” is given units in “{name2}” but its lane names no unit_role to find the "
                          "people of a unit", name=lane.name, name2=name), code="role_unresolved")
    people = list(accounts)
    for unit_id in units:
        holders = role_holders(ctx.session, unit_id, lane.props.unit_role)
        if not holders:
            raise Invalid(msg("unit {unit_id} has nobody in the role “{unit_role}”, so nobody can do “{name}”; an "
                              "admin of that unit names them (process roles of the unit)", unit_id=unit_id,
                              unit_role=lane.props.unit_role, name=lane.name),
                          code="role_unresolved", unit_id=unit_id, role=lane.props.unit_role)
        people += holders
    candidates = active(ctx.session, list(dict.fromkeys(people)))
    if not candidates:
        raise Invalid(msg("nobody can do “{name}”: the process data “{name2}” names no active person or unit",
                          name=lane.name, name2=name),
                      code="role_unresolved", role=name)
    if units:
        unit_id = units[0]
    else:
        person = ctx.session.get(PersonRef, candidates[0])
        unit_id = person.unit_id if person and person.unit_id else ctx.inst.unit_id
    return People(candidates, unit_id)


def _performer(ctx: Context, lane: Lane, number: int) -> People:
    done = ctx.session.exec(select(ProcessTask).where(
        ProcessTask.instance_id == ctx.inst.id, ProcessTask.step == number, ProcessTask.status == "completed")
        .order_by(col(ProcessTask.ended_at).desc()).limit(1)).first()
    candidates = active(ctx.session, [done.ended_by]) if done is not None and done.ended_by else []
    if not candidates:
        raise Invalid(msg("“{name}” goes to whoever did step {number}, and nobody active did it in this instance",
                          name=lane.name, number=number), code="role_unresolved")
    return People(candidates, done.unit_id)


def people_for(ctx: Context, lane: Lane, step: dict, data: dict) -> People:
    source = lane.props.people
    if source.startswith("role:"):
        return _from_role(ctx, lane, source[5:], data)
    if source.startswith("performer:"):
        return _performer(ctx, lane, int(source[10:]))
    if source == "starter":
        candidates = active(ctx.session, [ctx.inst.started_by] if ctx.inst.started_by else [])
        if not candidates:
            raise Invalid(msg("“{name}” goes to whoever started the instance, and that is no active person",
                              name=lane.name),
                          code="role_unresolved")
        return People(candidates, ctx.inst.unit_id)
    return People(active(ctx.session, staff_of(ctx.steps, step)), ctx.inst.unit_id)


def _due(ctx: Context, lane_id: str, now: datetime, data: dict) -> datetime | None:
    variable = ctx.shape.conventions.process.due_from if "/" not in lane_id else None
    if variable:   # the model says when: a deadline the instance carries
        try:
            due = datetime.fromisoformat(str(data.get(variable))) if data.get(variable) else None
        except ValueError:
            due = None
        return due.astimezone(UTC) if due is not None and due.tzinfo else due
    hours = step_hours(ctx.inst.total_days, ctx.steps, ctx.policy.calendar.hours_per_day)
    index = next(i for i, s in enumerate(ctx.steps) if s["lane_id"] == lane_id)
    return ctx.policy.calendar.add(now, hours[index]) if hours[index] else None


def _after_extension(ctx: Context, extension: dict) -> tuple[list[str], datetime | None]:
    """The task that asked for time comes back to who asked, with the due time moved by what was granted."""
    old_due = datetime.fromisoformat(extension["due_at"]) if extension.get("due_at") else None
    granted = (extension.get("granted_days") or 0) if extension["approved"] else 0
    due = ctx.policy.calendar.add(old_due, granted * ctx.policy.calendar.hours_per_day) \
        if old_due and granted else old_due
    return list(extension.get("assignees") or []), due


def _waits_and_throws(ctx: Context, run: engine.Run) -> None:
    """Record what the instance now waits to be told (messages with the value they must match, signals), and
    publish what it threw that nothing inside it caught — process delivers those to other instances."""
    session, inst = ctx.session, ctx.inst
    session.execute(delete(ProcessWait).where(col(ProcessWait.instance_id) == inst.id))
    for kind, name, element_id, data in run.waits():
        variable = ctx.shape.conventions.correlate_by.get(element_id) or next(
            (shape(d).conventions.correlate_by[element_id] for d in ctx.processes_called.values()
             if element_id in shape(d).conventions.correlate_by), None)
        value = data.get(variable) if variable else inst.business_key
        session.add(ProcessWait(instance_id=inst.id, kind=kind, name=name[:200], element_id=element_id[:200],
                                correlate_by=variable, correlation=None if value is None else str(value)[:200]))
    for kind, name, payload in run.thrown():
        subject = (inst.business_key or name) if kind == "message" else name
        ctx.uow.emit(f"process.{kind}.sent", subject, {"kind": kind, "name": name, "variables": payload,
                                                     "from_instance": inst.id, "unit_id": inst.unit_id,
                                                     "process_key": inst.process_key,
                                                     "correlation_key": inst.business_key})


def close(ctx: Context, task: ProcessTask, status: str, action: str, *, reason: str | None = None,
          announce: bool = True, by_engine: bool = False) -> None:
    """End a task. However it ends, ``process.task.closed`` is its subject's last event (a caller that publishes
    ``process.task.completed`` first announces it itself). A task the engine withdrew was ended by nobody."""
    task.status, task.ended_at, task.action = status, utcnow(), action
    task.ended_by = None if by_engine else ctx.actor
    ctx.session.execute(delete(TaskActor).where(col(TaskActor.task_id) == task.id))
    if announce:
        ctx.emit_task("process.task.closed", task, reason=reason)


def mirror(ctx: Context, run: engine.Run) -> dict:
    """Bring process_task in line with the engine's ready human tasks; returns the instance's new columns."""
    session, inst, now = ctx.session, ctx.inst, utcnow()
    ready = {t.engine_id: t for t in run.ready()}
    for row in open_tasks(session, inst.id):
        if row.engine_id not in ready:       # moved on without a person (a timer, an end elsewhere)
            close(ctx, row, "cancelled", "withdrawn", by_engine=True)
            ctx.history("withdrawn", row, actor="system:engine")
        else:
            ready.pop(row.engine_id)
    for job in jobs.open_jobs(session, inst.id):
        if job.engine_id in ready:
            ready.pop(job.engine_id)         # still waiting for its worker
        else:
            job.status, job.ended_at = "cancelled", now
    extension = dict(ctx.extension if ctx.extension is not None else inst.extension or {})
    for found in ready.values():
        job = ctx.conventions_of(found).jobs.get(found.spec_id)
        if job is not None:                  # a service task: an external job for the workers of its topic
            topic, retries = job
            jobs.create(ctx.uow, inst, found.engine_id, found.spec_id, found.name, topic, retries, found.data,
                        inst.unit_id)
            ctx.history("job_created", data={"element": found.spec_id, "topic": topic})
            continue
        lane_id = ctx.lane_of(found)
        if lane_id is None:
            raise Invalid(msg("user task {spec_id} is in no lane", spec_id=found.spec_id))
        lane, step = ctx.lane(lane_id), step_config(ctx.steps, lane_id)
        people = people_for(ctx, lane, step, found.data)
        assignees: list[str] = []
        if extension.get("spec_id") == found.spec_id and "approved" in extension:
            assignees, due = _after_extension(ctx, extension)
            extension = {}
        else:
            due = _due(ctx, lane_id, now, found.data)
            if ctx.designated:
                outside = [a for a in ctx.designated if a not in people.candidates]
                if outside:
                    names = ", ".join(person_name(session, a) or a for a in outside)
                    raise Invalid(msg("{names} cannot do step “{display_name}” of this instance", names=names,
                                      display_name=step['display_name']),
                                  code="not_staff_of_step")
                assignees = list(ctx.designated)
            elif ctx.returning_to in people.candidates:
                assignees = [ctx.returning_to]
        task = ProcessTask(id=new_id(), instance_id=inst.id, engine_id=found.engine_id, process_key=inst.process_key,
                           unit_id=people.unit_id, lane_id=lane_id, step=lane.step, spec_id=found.spec_id,
                           name=found.name, assignees=assignees, candidates=people.candidates, created_at=now,
                           due_at=due)
        session.add(task)
        set_actors(session, task, assignees or people.candidates, new=True)
        ctx.created.append(task)
        ctx.emit_task("process.task.created", task, push=bool(step.get("push", True)))
        if assignees:
            ctx.emit_task("process.task.assigned", task)
    _waits_and_throws(ctx, run)
    state = run_engine(run.dump)
    if len(state) > MAX_ENGINE_STATE_BYTES:
        raise Invalid(msg("the process data would grow past {value} MB; keep large content in attachments, not in "
                          "process variables", value=MAX_ENGINE_STATE_BYTES // 1024 // 1024), code="state_too_large")
    columns = {"engine_state": state, "wake_at": run.wake_at(), "extension": extension}
    if run.completed:
        columns.update(ending.completed(ctx, run, now))
        incidents.resolve_all(ctx.uow, inst.id, ctx.actor or "system:engine", "gone")
    return columns
