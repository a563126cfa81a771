"""Running processes: start an instance for a unit (over HTTP or from a bus message), move it on by people's
actions, mirror the engine's ready human tasks into ``process_task`` (so inboxes are SQL), keep the history in
its own table and publish every change.

One writer per instance: every change loads the instance, works on the engine state and writes it back with
``UPDATE … WHERE version = <the version read>``; a concurrent writer gets a 409 and nothing of its work is
kept. Nothing of the engine is cached between requests except the parsed spec, so an engine error leaves the
stored state as it was and the next request starts from the database again.
"""
from __future__ import annotations

import hashlib
import json
import re
import uuid
from dataclasses import dataclass, field
from datetime import datetime

import puremagic
from sqlalchemy import delete, update
from sqlmodel import Session, col, select

from services.common.auth import Principal
from services.common.db import UnitOfWork
from services.common.errors import Conflict, Forbidden, Invalid, NotFound
from services.common.models import iso, utcnow
from services.common.text import nfc
from services.process import engine
from services.process.domain.access import can_see, may_cancel, require_sees_unit, unit_or_404
from services.process.domain.access import visible_instance as _visible_instance
from services.process.domain.definitions import ProcessDefinition, Shape, shape, versions
from services.process.domain.people import active
from services.process.domain.sla import WorkingCalendar, deadline_bucket, step_hours
from services.process.models import (
    Attachment,
    InstanceHistory,
    PersonRef,
    ProcessInstance,
    ProcessTask,
    Staffing,
    TaskActor,
    UnitRef,
)

COMPLETING = ("assign", "handle", "approve", "reject", "return_to_ioc")
REASON_REQUIRED = ("return_to_ioc", "reject")
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,63}$")
MAX_VARIABLES_BYTES = 64 * 1024
MAX_ENGINE_STATE_BYTES = 8 * 1024 * 1024  # every task keeps a copy of the data it saw


@dataclass(frozen=True)
class Policy:
    """How time is counted and what is accepted (from the service settings)."""

    calendar: WorkingCalendar = field(default_factory=WorkingCalendar)
    default_total_days: float = 5.0
    max_attachment_bytes: int = 16 * 1024 * 1024


def new_id() -> str:
    return uuid.uuid4().hex


# ---------------------------------------------------------------------------------------------------- views
def task_view(task: ProcessTask, inst: ProcessInstance | None = None, lane_names: dict | None = None) -> dict:
    return {"id": task.id, "name": task.name, "instance_id": task.instance_id, "process_key": task.process_key,
            "unit_id": task.unit_id, "lane_id": task.lane_id, "step": task.step,
            "step_name": (lane_names or {}).get(task.lane_id, task.lane_id), "status": task.status,
            "assignees": list(task.assignees), "candidates": list(task.candidates), "followers": [],
            "created_by": inst.started_by if inst else None, "created_at": iso(task.created_at),
            "due_at": iso(task.due_at), "overdue_at": iso(task.overdue_at), "ended_at": iso(task.ended_at),
            "ended_by": task.ended_by, "action": task.action}


def instance_view(inst: ProcessInstance) -> dict:
    return {"id": inst.id, "process_key": inst.process_key, "definition_version": inst.definition_version,
            "unit_id": inst.unit_id, "business_key": inst.business_key, "title": inst.title, "state": inst.state,
            "result": inst.result, "variables": inst.variables, "total_days": inst.total_days,
            "started_by": inst.started_by, "started_at": iso(inst.started_at), "ended_at": iso(inst.ended_at)}


def _person_name(session: Session, account_id: str | None) -> str | None:
    if not account_id or ":" in account_id:
        return account_id
    person = session.get(PersonRef, account_id)
    return person.full_name if person else None


# ------------------------------------------------------------------------------------------------ staffing
def _staffing(session: Session, key: str, unit: UnitRef) -> Staffing:
    row = session.exec(select(Staffing).where(Staffing.process_key == key, Staffing.unit_id == unit.id)).first()
    if row is None or row.status != "complete":
        raise Conflict(f"“{unit.name}” has not confirmed its staffing of {key}; a unit admin must staff every step "
                       "and confirm before the process can start", reason="not_configured")
    return row


def _step_config(steps: list[dict], lane_id: str) -> dict:
    found = next((s for s in steps if s["lane_id"] == lane_id), None)
    if found is None:
        raise Conflict(f"the unit's staffing has no step {lane_id!r}; the process changed since it was staffed")
    return found


def _staff_of(steps: list[dict], step: dict) -> list[str]:
    if step.get("staff_of_step"):
        source = next((s for s in steps if s["step"] == step["staff_of_step"]), None)
        return list(source["staff"]) if source else []
    return list(step["staff"])


def _allowance_hours(inst: ProcessInstance, steps: list[dict], lane_id: str, calendar: WorkingCalendar) -> float:
    hours = step_hours(inst.total_days, steps, calendar.hours_per_day)
    index = next(i for i, s in enumerate(steps) if s["lane_id"] == lane_id)
    return hours[index]


# ----------------------------------------------------------------------------------------------- mirroring
@dataclass
class Context:
    """One change of one instance: what was read, what the change decided for the tasks it creates."""

    uow: UnitOfWork
    policy: Policy
    inst: ProcessInstance
    definition: ProcessDefinition
    steps: list[dict]
    actor: str | None
    read_version: int
    designated: list[str] | None = None       # assign/return: who gets the next task
    extension: dict | None = None             # an extension request/decision this change makes
    created: list[ProcessTask] = field(default_factory=list)
    names: dict = field(default_factory=dict)

    @property
    def shape(self) -> Shape:
        return shape(self.definition)

    @property
    def session(self) -> Session:
        return self.uow.session

    def name_of(self, account_id: str | None) -> str | None:
        if account_id not in self.names:
            self.names[account_id] = _person_name(self.session, account_id)
        return self.names[account_id]

    def emit_task(self, event_type: str, task: ProcessTask, **extra) -> None:
        self.uow.emit(event_type, task.id, {
            "task": task_view(task, self.inst, self.shape.lane_names), "actor": self.actor,
            "actor_name": self.name_of(self.actor), **extra})

    def history(self, action: str, task: ProcessTask | None = None, *, reason: str | None = None,
                data: dict | None = None, actor: str | None = None) -> None:
        who = actor if actor is not None else self.actor
        self.session.add(InstanceHistory(
            instance_id=self.inst.id, task_id=task.id if task else None, step=task.step if task else None,
            task_name=task.name if task else "", action=action, actor=who,
            actor_name=self.name_of(who), reason=reason, data=data or {}))


_DEFINITIONS: dict[tuple[str, int], ProcessDefinition] = {}


def definition_of(session: Session, definition_id: int) -> ProcessDefinition:
    """A deployed version never changes, so one read per database and process lifetime is enough."""
    key = (str(session.get_bind().url), definition_id)
    found = _DEFINITIONS.get(key)
    if found is None:
        found = session.get(ProcessDefinition, definition_id)
        session.expunge(found)
        if len(_DEFINITIONS) > 256:
            _DEFINITIONS.clear()
        _DEFINITIONS[key] = found
    return found


def _set_actors(session: Session, task: ProcessTask, people: list[str], *, new: bool = False) -> None:
    if not new:
        session.execute(delete(TaskActor).where(col(TaskActor.task_id) == task.id))
    for account_id in dict.fromkeys(people):
        session.add(TaskActor(account_id=account_id, task_id=task.id))


def _open_tasks(session: Session, instance_id: str) -> list[ProcessTask]:
    return list(session.exec(select(ProcessTask).where(ProcessTask.instance_id == instance_id,
                                                       ProcessTask.status == "ready")).all())


def _mirror(ctx: Context, run: engine.Run) -> dict:
    """Bring process_task in line with the engine's ready human tasks; returns the instance's new columns."""
    session, inst, now = ctx.session, ctx.inst, utcnow()
    ready = {t.engine_id: t for t in run.ready()}
    for row in _open_tasks(session, inst.id):
        if row.engine_id not in ready:       # moved on without a person (a timer, an end elsewhere)
            row.status, row.ended_at, row.action = "cancelled", now, "withdrawn"
            session.execute(delete(TaskActor).where(col(TaskActor.task_id) == row.id))
            ctx.history("withdrawn", row, actor="system:engine")
        else:
            ready.pop(row.engine_id)
    extension = dict(ctx.extension if ctx.extension is not None else inst.extension or {})
    for found in ready.values():
        lane_id = ctx.shape.lanes.get(found.spec_id)
        if lane_id is None:
            raise Invalid(f"user task {found.spec_id} is in no lane")
        step = _step_config(ctx.steps, lane_id)
        candidates = active(session, _staff_of(ctx.steps, step))
        assignees: list[str] = []
        due = None
        if extension.get("spec_id") == found.spec_id and "approved" in extension:
            assignees = list(extension.get("assignees") or [])
            old_due = datetime.fromisoformat(extension["due_at"]) if extension.get("due_at") else None
            granted = extension.get("granted_days") or 0 if extension["approved"] else 0
            due = ctx.policy.calendar.add(old_due, granted * ctx.policy.calendar.hours_per_day) \
                if old_due and granted else old_due
            extension = {}
        else:
            hours = _allowance_hours(inst, ctx.steps, lane_id, ctx.policy.calendar)
            due = ctx.policy.calendar.add(now, hours) if hours else None
            if ctx.designated:
                outside = [a for a in ctx.designated if a not in candidates]
                if outside:
                    names = ", ".join(_person_name(session, a) or a for a in outside)
                    raise Invalid(f"{names} is not staff of step “{step['display_name']}” in this unit")
                assignees = list(ctx.designated)
        task = ProcessTask(id=new_id(), instance_id=inst.id, engine_id=found.engine_id, process_key=inst.process_key,
                           unit_id=inst.unit_id, lane_id=lane_id, step=ctx.shape.steps.get(lane_id, step["step"]),
                           spec_id=found.spec_id, name=found.name, assignees=assignees, candidates=candidates,
                           created_at=now, due_at=due)
        session.add(task)
        _set_actors(session, task, assignees or candidates, new=True)
        ctx.created.append(task)
        ctx.emit_task("process.task.created", task, push=bool(step.get("push", True)))
        if assignees:
            ctx.emit_task("process.task.assigned", task)
    state = _engine(run.dump)
    if len(state) > MAX_ENGINE_STATE_BYTES:
        raise Invalid(f"the process data would grow past {MAX_ENGINE_STATE_BYTES // 1024 // 1024} MB; keep large "
                      "content in attachments, not in process variables", code="state_too_large")
    columns = {"engine_state": state, "wake_at": run.wake_at(), "extension": extension}
    if run.completed:
        ends = run.reached_ends()
        result = ctx.shape.results.get(ends[-1], "completed") if ends else "completed"
        columns.update(state="completed", result=result, ended_at=now)
        snapshot = {**instance_view(inst), "state": "completed", "result": result, "ended_at": iso(now)}
        ctx.uow.emit("process.instance.completed", inst.id, {"instance": snapshot, "actor": ctx.actor})
        _result_event(ctx, result, run.last_data(), now)
    return columns


RESULT_EVENTS = {("field_report", "approved"): "process.field_report.approved",
                 ("field_report", "returned_to_ioc"): "process.field_report.returned_to_ioc"}


def _result_event(ctx: Context, result: str, data: dict, now: datetime) -> None:
    event_type = RESULT_EVENTS.get((ctx.inst.process_key, result))
    if event_type is None:
        return
    handled = ctx.session.exec(select(InstanceHistory).where(
        InstanceHistory.instance_id == ctx.inst.id, InstanceHistory.action == "handle")
        .order_by(col(InstanceHistory.id).desc())).first()
    ctx.uow.emit(event_type, ctx.inst.business_key or ctx.inst.id, field_report_outcome(
        ctx.inst.business_key, ctx.inst.id, ctx.inst.unit_id, now,
        result=(handled.data.get("result") if handled else None) or data.get("result"),
        comment=data.get("comment") or data.get("reason"), reason=data.get("reason"),
        handled_by=handled.actor if handled else None, decided_by=ctx.actor,
        decided_by_name=ctx.name_of(ctx.actor)))


def field_report_outcome(report_id: str | None, instance_id: str | None, unit_id: str, at: datetime, *,
                         decided_by: str | None, result: str | None = None, comment: str | None = None,
                         reason: str | None = None, handled_by: str | None = None,
                         decided_by_name: str | None = None) -> dict:
    """The data of process.field_report.approved / returned_to_ioc (events.FieldReportOutcome)."""
    return {"report_id": report_id, "instance_id": instance_id, "unit_id": unit_id, "result": result,
            "comment": comment, "reason": reason, "handled_by": handled_by, "decided_by": decided_by,
            "decided_by_name": decided_by_name, "at": iso(at)}


def _save(ctx: Context, columns: dict) -> None:
    """The conditional write: only if nobody else changed the instance since it was read."""
    result = ctx.session.execute(update(ProcessInstance).where(
        col(ProcessInstance.id) == ctx.inst.id, col(ProcessInstance.version) == ctx.read_version)
        .values(version=ctx.read_version + 1, **columns).execution_options(synchronize_session=False))
    if result.rowcount != 1:
        raise Conflict("someone else changed this process at the same moment; reload it and try again")


# --------------------------------------------------------------------------------------------------- start
def _clean(value, depth: int = 0):
    """NFC every string of submitted data, refuse what a script could not use as a name."""
    if depth > 6:
        raise Invalid("the data is nested too deeply")
    if isinstance(value, str):
        return nfc(value) if "\n" not in value else "\n".join(nfc(line) for line in value.split("\n"))
    if isinstance(value, list):
        return [_clean(v, depth + 1) for v in value]
    if isinstance(value, dict):
        cleaned = {}
        for key, item in value.items():
            if depth == 0 and not _NAME.match(str(key)):
                raise Invalid(f"“{key}” cannot be a variable name (letters, digits and _; not starting with a digit)")
            cleaned[str(key)] = _clean(item, depth + 1)
        return cleaned
    return value


def _check_size(variables: dict) -> None:
    if len(json.dumps(variables, ensure_ascii=False).encode()) > MAX_VARIABLES_BYTES:
        raise Invalid(f"the data is larger than {MAX_VARIABLES_BYTES // 1024} KB; attach files instead")





def start(uow: UnitOfWork, policy: Policy, *, process_key: str, unit_id: str, variables: dict | None = None,
          business_key: str | None = None, title: str | None = None, actor: str | None = None,
          commit: bool = True) -> ProcessInstance:
    """Start the latest version of ``process_key`` for a unit whose staffing is confirmed. With a business key
    the start is idempotent: the same key again returns the instance already started."""
    session = uow.session
    unit = unit_or_404(session, unit_id)
    if business_key:
        existing = session.exec(select(ProcessInstance).where(ProcessInstance.process_key == process_key,
                                                              ProcessInstance.business_key == business_key)).first()
        if existing is not None:
            return existing
    definition = versions(session, process_key)[-1]
    staffing = _staffing(session, process_key, unit)
    variables = _clean(dict(variables or {}))
    _check_size(variables)
    try:
        run = engine.Run.start(definition.xml, definition.content_hash, process_key, variables)
    except (engine.EngineError, engine.ScriptRefused) as exc:
        raise Invalid(f"the process could not start: {exc}") from exc
    total = staffing.total_days or shape(definition).total_days or policy.default_total_days
    inst = ProcessInstance(id=new_id(), definition_id=definition.id, process_key=process_key,
                           definition_version=definition.version, unit_id=unit.id, business_key=business_key,
                           title=nfc(title or variables.get("title") or definition.name)[:500],
                           variables=variables, engine_state="{}", total_days=total, started_by=actor)
    session.add(inst)
    session.flush()
    ctx = Context(uow, policy, inst, definition, staffing.steps, actor, read_version=inst.version)
    ctx.history("started", data={"variables": variables, "business_key": business_key})
    uow.emit("process.instance.started", inst.id, {"instance": instance_view(inst), "actor": actor})
    _save(ctx, _mirror(ctx, run))
    if commit:
        uow.commit()
        session.refresh(inst)
    return inst


# ------------------------------------------------------------------------------------------------- actions
def _load(ctx_parts: tuple, policy: Policy, uow: UnitOfWork, actor: str) -> tuple[Context, engine.Run]:
    inst, definition, steps = ctx_parts
    ctx = Context(uow, policy, inst, definition, steps, actor, read_version=inst.version)
    return ctx, engine.Run.load(definition.xml, definition.content_hash, inst.process_key, inst.engine_state)


def _acting(session: Session, principal: Principal, task_id: str) -> tuple[ProcessTask, tuple]:
    """The task if the caller may act on it now: 404 when the caller cannot see it, 403 when the caller sees it
    but is not one of the people it waits on, 409 when it is no longer waiting."""
    task = session.get(ProcessTask, task_id)
    if task is None:
        raise NotFound(f"no task {task_id!r}")
    inst = session.get(ProcessInstance, task.instance_id)
    acts = session.get(TaskActor, (principal.account_id, task.id)) is not None
    if not acts and not can_see(session, principal, inst):
        raise NotFound(f"no task {task_id!r}")
    if task.status != "ready":
        raise Conflict(f"the task “{task.name}” is already {task.status}")
    if not acts:
        whom = ", ".join(_person_name(session, a) or a for a in task.assignees)
        raise Forbidden(f"the task “{task.name}” is assigned to {whom}" if task.assignees else
                        f"you are not staff of the step “{task.name}” for this unit")
    definition = definition_of(session, inst.definition_id)
    steps = _staffing(session, inst.process_key, unit_or_404(session, inst.unit_id)).steps
    return task, (inst, definition, steps)


def _allowed(steps: list[dict], task: ProcessTask, action: str) -> dict:
    step = _step_config(steps, task.lane_id)
    if action not in step.get("actions", ()):
        allowed = ", ".join(step.get("actions", ())) or "nothing"
        raise Invalid(f"“{action}” is not an action of step “{step['display_name']}” (allowed: {allowed})")
    return step


def _ready(run: engine.Run, task: ProcessTask) -> engine.ReadyTask:
    found = next((t for t in run.ready() if t.engine_id == task.engine_id), None)
    if found is None:
        raise Conflict(f"the engine no longer waits on “{task.name}”; reload the process")
    return found


def _validate_form(ready: engine.ReadyTask, data: dict) -> dict:
    fields = {f["id"]: f for f in ready.form}
    problems = [f"“{key}” is not a field of “{ready.name}”" for key in data if key not in fields]
    for field_id, spec in fields.items():
        value = data.get(field_id)
        if value in (None, "") or (isinstance(value, str) and not value.strip()):
            if spec["required"]:
                problems.append(f"“{spec['label']}” is required")
            continue
        kind = spec["type"]
        if kind == "string" and not isinstance(value, str):
            problems.append(f"“{spec['label']}” must be text")
        elif kind == "long" and (not isinstance(value, int) or isinstance(value, bool)):
            problems.append(f"“{spec['label']}” must be a whole number")
        elif kind == "boolean" and not isinstance(value, bool):
            problems.append(f"“{spec['label']}” must be true or false")
        elif kind == "date":
            try:
                datetime.fromisoformat(str(value))
            except ValueError:
                problems.append(f"“{spec['label']}” must be a date (YYYY-MM-DD)")
        elif kind == "enum" and value not in spec["options"]:
            problems.append(f"“{spec['label']}” must be one of {', '.join(spec['options'])}")
        elif isinstance(value, str) and len(value) > 20000:
            problems.append(f"“{spec['label']}” is longer than 20,000 characters")
    if problems:
        raise Invalid("; ".join(problems), problems=problems)
    return data


def _engine(action):
    try:
        return action()
    except (engine.EngineError, engine.ScriptRefused) as exc:
        raise Invalid(f"the process could not continue: {exc}") from exc


def _outcome(ctx: Context, task: ProcessTask) -> dict:
    """What an action answers: the task acted on and the tasks that became ready because of it."""
    return {"task": task_view(task, ctx.inst, ctx.shape.lane_names),
            "next": [task_view(t, ctx.inst, ctx.shape.lane_names) for t in ctx.created]}


def _with_reason(session: Session, principal: Principal, task_id: str, action: str,
                 reason: str | None) -> tuple[ProcessTask, tuple, str]:
    """The prologue of the actions that need a reason: the caller may act, the step allows it, a reason is given."""
    task, parts = _acting(session, principal, task_id)
    _allowed(parts[2], task, action)
    reason = nfc(reason or "")
    if not reason:
        raise Invalid(f"“{action}” needs a reason")
    return task, parts, reason


def _close(ctx: Context, task: ProcessTask, status: str, action: str) -> None:
    task.status, task.ended_at, task.ended_by, task.action = status, utcnow(), ctx.actor, action
    ctx.session.execute(delete(TaskActor).where(col(TaskActor.task_id) == task.id))


def complete(uow: UnitOfWork, policy: Policy, principal: Principal, task_id: str, *, action: str | None,
             data: dict | None = None, assign_to: list[str] | None = None, reason: str | None = None) -> dict:
    """Complete a task with one of its step's forward actions and the form data the task declares."""
    session = uow.session
    task, parts = _acting(session, principal, task_id)
    step = _step_config(parts[2], task.lane_id)
    forward = [a for a in step.get("actions", ()) if a in COMPLETING]
    if action is None:
        if len(forward) != 1:
            raise Invalid(f"say which action completes “{task.name}”: {', '.join(forward) or 'none allowed'}")
        action = forward[0]
    if action not in COMPLETING:
        raise Invalid(f"“{action}” does not complete a task; use its own endpoint")
    _allowed(parts[2], task, action)
    reason = nfc(reason) if reason else None
    if action in REASON_REQUIRED and not reason:
        raise Invalid(f"give a reason for “{action}”")
    if assign_to and action != "assign":
        raise Invalid("assign_to goes with the action “assign”")
    ctx, run = _load(parts, policy, uow, principal.account_id)
    ready = _ready(run, task)
    values = _validate_form(ready, _clean(dict(data or {})))
    if step.get("attachment_required") and session.exec(select(Attachment.id).where(
            Attachment.task_id == task.id)).first() is None:
        raise Conflict(f"step “{step['display_name']}” needs an attachment before it is completed")
    ctx.designated = list(dict.fromkeys(assign_to)) if assign_to else None
    _engine(lambda: run.complete(task.engine_id, {**values, "action": action, "reason": reason}))
    _close(ctx, task, "completed", action)
    ctx.history(action, task, reason=reason, data={**values, **({"assign_to": assign_to} if assign_to else {})})
    ctx.emit_task("process.task.completed", task, data=values, reason=reason)
    _save(ctx, _mirror(ctx, run))
    uow.commit()
    return _outcome(ctx, task)


def return_to_previous(uow: UnitOfWork, policy: Policy, principal: Principal, task_id: str, reason: str) -> dict:
    """Send the work back to the previous step — to whoever did it — by rewinding the engine to that task, so
    the engine state stays the same size however many times it happens (the history keeps every return)."""
    session = uow.session
    task, parts, reason = _with_reason(session, principal, task_id, "return_to_previous", reason)
    # newest first along ix_process_task_instance: the first earlier step found ends the scan, however long
    # the instance's history is
    previous = session.exec(select(ProcessTask).where(
        ProcessTask.instance_id == task.instance_id, ProcessTask.status == "completed", ProcessTask.step < task.step)
        .order_by(col(ProcessTask.ended_at).desc()).limit(1)).first()
    if previous is None:
        raise Conflict(f"“{task.name}” is the first step; there is nothing to return it to")
    ctx, run = _load(parts, policy, uow, principal.account_id)
    _ready(run, task)
    _engine(lambda: run.rewind_to(previous.spec_id))
    _close(ctx, task, "returned", "return_to_previous")
    ctx.history("return_to_previous", task, reason=reason, data={"to_step": previous.step})
    ctx.designated = [previous.ended_by] if previous.ended_by in _staff_of(
        ctx.steps, _step_config(ctx.steps, previous.lane_id)) else None
    columns = _mirror(ctx, run)
    for created in ctx.created:
        ctx.emit_task("process.task.returned", created, returned_from=task.id, reason=reason)
    _save(ctx, columns)
    uow.commit()
    return _outcome(ctx, task)


def request_extension(uow: UnitOfWork, policy: Policy, principal: Principal, task_id: str, days: float,
                      reason: str) -> dict:
    """Ask for more time; the approver lane decides (the BPMN routes ``action == "request_extension"``)."""
    task, parts, reason = _with_reason(uow.session, principal, task_id, "request_extension", reason)
    ctx, run = _load(parts, policy, uow, principal.account_id)
    _ready(run, task)
    _engine(lambda: run.complete(task.engine_id, {"action": "request_extension", "extension_days": days,
                                                  "reason": reason}))
    _close(ctx, task, "completed", "request_extension")
    ctx.history("request_extension", task, reason=reason, data={"days": days})
    extension = {"spec_id": task.spec_id, "due_at": iso(task.due_at), "assignees": [principal.account_id],
                 "days": days, "reason": reason, "requested_by": principal.account_id}
    ctx.extension = extension
    columns = _mirror(ctx, run)
    if not ctx.created:
        raise Invalid("the process has no step that decides an extension here")
    for created in ctx.created:
        ctx.emit_task("process.task.extension_requested", created, requested_for=task.id, days=days, reason=reason)
    _save(ctx, columns)
    uow.commit()
    return _outcome(ctx, task)


def decide_extension(uow: UnitOfWork, policy: Policy, principal: Principal, task_id: str, approved: bool,
                     days: float | None, note: str | None) -> dict:
    session = uow.session
    task, parts = _acting(session, principal, task_id)
    ctx, run = _load(parts, policy, uow, principal.account_id)
    ready = _ready(run, task)
    extension = dict(ctx.inst.extension or {})
    if not ready.properties.get("decides_extension_of") or not extension.get("spec_id"):
        raise Conflict(f"“{task.name}” does not decide an extension request")
    granted = (days if days is not None else extension.get("days", 0)) if approved else 0
    if approved and granted > extension.get("days", 0):
        raise Invalid(f"at most the {extension.get('days'):g} day(s) asked for can be granted")
    note = nfc(note) if note else None
    extension.update(approved=approved, granted_days=granted, decided_by=principal.account_id)
    _engine(lambda: run.complete(task.engine_id, {"action": "decide_extension", "extension_approved": approved,
                                                  "extension_days": granted}))
    _close(ctx, task, "completed", "extension_approved" if approved else "extension_refused")
    ctx.history("decide_extension", task, reason=note, data={"approved": approved, "days": granted})
    ctx.extension = extension
    columns = _mirror(ctx, run)
    for created in ctx.created:
        ctx.emit_task("process.task.extension_decided", created, approved=approved, days=granted, note=note,
                      decided_task=task.id)
    _save(ctx, columns)
    uow.commit()
    return _outcome(ctx, task)


def _task_only_change(uow: UnitOfWork, policy: Policy, task: ProcessTask, parts: tuple, actor: str) -> Context:
    """Changes of who holds a task do not touch the engine, but still take the instance's write turn."""
    inst, definition, steps = parts
    ctx = Context(uow, policy, inst, definition, steps, actor, read_version=inst.version)
    _save(ctx, {})
    return ctx


def delegate(uow: UnitOfWork, policy: Policy, principal: Principal, task_id: str, to: str,
             note: str | None) -> dict:
    session = uow.session
    task, parts = _acting(session, principal, task_id)
    step = _allowed(parts[2], task, "delegate")
    if to == principal.account_id:
        raise Invalid("the task is already yours")
    if to not in active(session, task.candidates):
        raise Invalid(f"{_person_name(session, to) or to} is not staff of step “{step['display_name']}”; "
                      "a task is delegated within its step")
    ctx = _task_only_change(uow, policy, task, parts, principal.account_id)
    task.assignees = [to]
    _set_actors(session, task, [to])
    ctx.history("delegate", task, reason=nfc(note) if note else None, data={"to": to})
    ctx.emit_task("process.task.delegated", task, note=note)
    uow.commit()
    return task_view(task, ctx.inst, ctx.shape.lane_names)


def claim(uow: UnitOfWork, policy: Policy, principal: Principal, task_id: str) -> dict:
    session = uow.session
    task, parts = _acting(session, principal, task_id)
    if task.assignees == [principal.account_id]:
        return task_view(task, parts[0], shape(parts[1]).lane_names)
    ctx = _task_only_change(uow, policy, task, parts, principal.account_id)
    task.assignees = [principal.account_id]
    _set_actors(session, task, [principal.account_id])
    ctx.history("claim", task)
    ctx.emit_task("process.task.assigned", task)
    uow.commit()
    return task_view(task, ctx.inst, ctx.shape.lane_names)


def attach(uow: UnitOfWork, policy: Policy, principal: Principal, task_id: str, filename: str, content_type: str,
           content: bytes) -> dict:
    session = uow.session
    task, _parts = _acting(session, principal, task_id)
    if not content:
        raise Invalid("the file is empty")
    if len(content) > policy.max_attachment_bytes:
        raise Invalid(f"the file is larger than {policy.max_attachment_bytes // 1024 // 1024} MB")
    name = nfc(filename or "").replace("/", "_").replace("\\", "_")[:300] or "attachment"
    row = Attachment(id=new_id(), instance_id=task.instance_id, task_id=task.id, filename=name,
                     content_type=detected_type(content), size=len(content),
                     sha256=hashlib.sha256(content).hexdigest(), content=content, uploaded_by=principal.account_id)
    session.add(row)
    session.add(InstanceHistory(instance_id=task.instance_id, task_id=task.id, step=task.step, task_name=task.name,
                                action="attach", actor=principal.account_id,
                                actor_name=_person_name(session, principal.account_id), data={"file": name,
                                                                                             "size": len(content)}))
    uow.commit()
    return attachment_view(row)


# Types a browser would run or render as a page: served as plain bytes, whatever the file says it is.
_ACTIVE_TYPES = ("text/html", "application/xhtml+xml", "image/svg+xml", "text/xml", "application/xml",
                 "application/javascript", "text/javascript")


def detected_type(content: bytes) -> str:
    """The content type the bytes themselves show (never what the uploader claimed)."""
    try:
        found = puremagic.from_string(content[:8192], mime=True) or ""
    except puremagic.PureError:
        found = ""
    return found if found and found not in _ACTIVE_TYPES else "application/octet-stream"


def attachment_view(row: Attachment) -> dict:
    return {"id": row.id, "task_id": row.task_id, "filename": row.filename, "content_type": row.content_type,
            "size": row.size, "sha256": row.sha256, "uploaded_by": row.uploaded_by, "uploaded_at": iso(row.uploaded_at)}


def attachment(session: Session, principal: Principal, instance_id: str, attachment_id: str) -> Attachment:
    _visible_instance(session, principal, instance_id)
    row = session.get(Attachment, attachment_id)
    if row is None or row.instance_id != instance_id:
        raise NotFound(f"no attachment {attachment_id!r}")
    return row


def cancel(uow: UnitOfWork, policy: Policy, principal: Principal, instance_id: str, reason: str) -> dict:
    session = uow.session
    inst = _visible_instance(session, principal, instance_id)
    may_cancel(principal, inst, unit_or_404(session, inst.unit_id))
    if inst.state != "running":
        raise Conflict(f"the process is already {inst.state}")
    reason = nfc(reason or "")
    if not reason:
        raise Invalid("a cancellation needs a reason")
    definition = definition_of(session, inst.definition_id)
    ctx = Context(uow, policy, inst, definition, [], principal.account_id, read_version=inst.version)
    for task in _open_tasks(session, inst.id):
        _close(ctx, task, "cancelled", "cancel")
    now = utcnow()
    ctx.history("cancel", reason=reason)
    _save(ctx, {"state": "cancelled", "ended_at": now, "wake_at": None})
    uow.emit("process.instance.cancelled", inst.id, {
        "instance": {**instance_view(inst), "state": "cancelled", "ended_at": iso(now)}, "actor": principal.account_id,
        "reason": reason})
    uow.commit()
    session.refresh(inst)
    return instance_view(inst)


# --------------------------------------------------------------------------------------------------- reads
def detail(session: Session, principal: Principal, instance_id: str, policy: Policy) -> dict:
    inst = _visible_instance(session, principal, instance_id)
    definition = definition_of(session, inst.definition_id)
    lane_names = shape(definition).lane_names
    tasks = session.exec(select(ProcessTask).where(ProcessTask.instance_id == inst.id)
                         .order_by(col(ProcessTask.created_at))).all()
    history = session.exec(select(InstanceHistory).where(InstanceHistory.instance_id == inst.id)
                           .order_by(col(InstanceHistory.id))).all()
    files = session.exec(select(Attachment).where(Attachment.instance_id == inst.id)
                         .order_by(col(Attachment.uploaded_at))).all()
    now = utcnow()
    current = [{**task_view(t, inst, lane_names), "bucket": deadline_bucket(t.due_at, now, policy.calendar)}
               for t in tasks if t.status == "ready"]
    return {**instance_view(inst), "process_name": definition.name, "current": current,
            "tasks": [task_view(t, inst, lane_names) for t in tasks],
            "history": [{"task_id": h.task_id, "step": h.step, "task_name": h.task_name, "action": h.action,
                         "actor": h.actor, "actor_name": h.actor_name, "reason": h.reason, "data": h.data,
                         "at": iso(h.at)} for h in history],
            "attachments": [attachment_view(a) for a in files]}


def unit_instances(session: Session, principal: Principal, unit_id: str, state: str | None, page: int,
                   page_size: int) -> dict:
    unit = require_sees_unit(session, principal, unit_id)
    query = select(ProcessInstance).where(ProcessInstance.unit_id == unit.id)
    if state:
        query = query.where(ProcessInstance.state == state)
    rows = session.exec(query.order_by(col(ProcessInstance.started_at).desc())
                        .offset((page - 1) * page_size).limit(page_size)).all()
    return {"items": [instance_view(r) for r in rows], "page": page, "page_size": page_size}

