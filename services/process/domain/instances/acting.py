"""The runtime's generic verbs on a task: complete it with an outcome its lane declares and the form data the
task declares, return it to the previous step, ask for more time and decide on it, delegate, claim, comment;
and cancelling an instance. Which outcomes exist, which need a reason and which choose the next people is read
from the model (services/process/conventions.py), never from code."""
from __future__ import annotations

from datetime import datetime

from lxml import etree
from sqlmodel import col, select

from services.common.auth import Principal
from services.common.db import UnitOfWork
from services.common.errors import Conflict, Forbidden, Invalid, NotFound
from services.common.i18n import Sentences, msg
from services.common.models import iso, utcnow
from services.common.text import nfc
from services.process import engine
from services.process.conventions import BPMN, HUMAN, VERBS
from services.process.domain import incidents, jobs
from services.process.domain.access import can_see, may_cancel, unit_or_404, visible_instance
from services.process.domain.definitions import shape
from services.process.domain.instances.context import (
    Context,
    Policy,
    clean,
    context_for,
    definition_of,
    open_tasks,
    person_name,
    run_engine,
    save,
    staff_of,
    step_config,
)
from services.process.domain.instances.mirror import close, mirror, set_actors
from services.process.domain.instances.views import instance_view, task_view
from services.process.domain.people import active
from services.process.models import Attachment, InstanceHistory, ProcessInstance, ProcessJob, ProcessTask, TaskActor

MAX_COMMENT = 4000


def acting(uow: UnitOfWork, policy: Policy, principal: Principal, task_id: str) -> tuple[ProcessTask, Context]:
    """The task if the caller may act on it now: 404 when the caller cannot see it, 403 when the caller sees it
    but is not one of the people it waits on, 409 when it is no longer waiting."""
    session = uow.session
    task = session.get(ProcessTask, task_id)
    if task is None:
        raise NotFound(msg("no task {task_id!r}", task_id=task_id))
    inst = session.get(ProcessInstance, task.instance_id)
    acts = session.get(TaskActor, (principal.account_id, task.id)) is not None
    if not acts and not can_see(session, principal, inst):
        raise NotFound(msg("no task {task_id!r}", task_id=task_id))
    if task.status != "ready":
        raise Conflict(msg("the task “{name}” is already {status}", name=task.name, status=task.status))
    worked_by = shape(definition_of(session, inst.definition_id)).conventions.process.worked_by
    if worked_by:
        raise Conflict(msg("“{name}” is worked with the actions of {domain}, not the generic ones", name=task.name,
                           domain=worked_by), code="worked_elsewhere", domain=worked_by)
    if not acts:
        whom = ", ".join(person_name(session, a) or a for a in task.assignees)
        raise Forbidden(msg("the task “{name}” is assigned to {whom}", name=task.name, whom=whom) if task.assignees
                        else msg("you are not one of the people of the step “{name}”", name=task.name))
    return task, context_for(uow, policy, inst, principal.account_id)


def task_page(uow: UnitOfWork, policy: Policy, principal: Principal, task_id: str) -> dict:
    """A task as the person working it sees it: the task, its instance, and — when they may act on it now —
    the form fields the model declares and the actions the unit's staffing allows at its step (with the ones
    that need a reason and the ones that pick the next people). 404 when the caller cannot see it."""
    session = uow.session
    task = session.get(ProcessTask, task_id)
    inst = session.get(ProcessInstance, task.instance_id) if task is not None else None
    acts = task is not None and session.get(TaskActor, (principal.account_id, task.id)) is not None
    if task is None or (not acts and not can_see(session, principal, inst)):
        raise NotFound(msg("no task {task_id!r}", task_id=task_id))
    ctx = context_for(uow, policy, inst, principal.account_id)
    definition = ctx.definition
    page = {"task": task_view(task, inst, ctx.step_names()),
            "instance": {**instance_view(inst), "process_name": definition.name},
            "may_act": acts and task.status == "ready", "form": [], "actions": [], "reason_required": [],
            "chooses_next": [], "attachment_required": False}
    if page["may_act"]:
        step, lane = step_config(ctx.steps, task.lane_id), ctx.lane(task.lane_id)
        page.update(form=list(ready_in(ctx.load(), task).form), actions=list(step.get("actions", ())),
                    reason_required=list(lane.props.reason_required), chooses_next=list(lane.props.chooses_next),
                    attachment_required=bool(step.get("attachment_required")))
        props = ctx.shape.conventions.tasks.get(task.spec_id)
        asked = dict(inst.extension or {})
        if props is not None and props.decides_extension_of and asked.get("spec_id"):
            # this task decides an extension: grant (up to the days asked) or refuse, nothing else
            page.update(actions=[], reason_required=[], form=[], extension={
                "days": asked.get("days"), "reason": asked.get("reason"), "due_at": asked.get("due_at"),
                "requested_by": person_name(session, asked.get("requested_by") or "") or asked.get("requested_by")})
            return page
        if "delegate" in page["actions"]:
            page["colleagues"] = [{"id": a, "name": person_name(session, a) or a}
                                  for a in active(session, task.candidates) if a != principal.account_id]
        if lane.props.chooses_next and "/" not in task.lane_id:
            page["choices"] = [{"id": a, "name": person_name(session, a) or a}
                               for a in active(session, _next_staff(ctx, task))]
    return page


def _next_staff(ctx: Context, task: ProcessTask) -> list[str]:
    """Who a person handing the work on may choose: the staff of the steps whose tasks come next in the model."""
    lanes = _next_lanes(ctx, task.spec_id)
    staff: list[str] = []
    for step in ctx.steps:
        if step["lane_id"] in lanes:
            staff += staff_of(ctx.steps, step)
    return list(dict.fromkeys(staff))


_NEXT_LANES: dict[tuple[str, str, str], frozenset[str]] = {}


def _next_lanes(ctx: Context, spec_id: str) -> frozenset[str]:
    """The lanes of the first human tasks after ``spec_id``, following the flows through gateways and events;
    read from the model once per version."""
    definition = ctx.definition
    cache_key = (definition.content_hash, definition.key, spec_id)
    cached = _NEXT_LANES.get(cache_key)
    if cached is not None:
        return cached
    root = etree.fromstring(definition.xml.encode())
    targets: dict[str, list[str]] = {}
    for flow in root.iter(f"{{{BPMN}}}sequenceFlow"):
        targets.setdefault(flow.get("sourceRef"), []).append(flow.get("targetRef"))
    human = {el.get("id") for local in HUMAN for el in root.iter(f"{{{BPMN}}}{local}")}
    seen, queue, found = {spec_id}, list(targets.get(spec_id, [])), []
    while queue:
        node = queue.pop(0)
        if node in seen:
            continue
        seen.add(node)
        if node in human:
            found.append(node)
        else:
            queue += targets.get(node, [])
    cached = _NEXT_LANES[cache_key] = frozenset(ctx.shape.conventions.lane_of.get(n) for n in found) - {None}
    return cached


def allowed(ctx: Context, task: ProcessTask, action: str) -> dict:
    step = step_config(ctx.steps, task.lane_id)
    if action not in step.get("actions", ()):
        permitted = ", ".join(step.get("actions", ())) or "nothing"
        raise Invalid(msg("“{action}” is not an action of step “{display_name}” (allowed: {permitted})",
                          action=action, display_name=step['display_name'], permitted=permitted),
                      code="action_not_allowed")
    return step


def ready_in(run: engine.Run, task: ProcessTask) -> engine.ReadyTask:
    found = next((t for t in run.ready() if t.engine_id == task.engine_id), None)
    if found is None:
        raise Conflict(msg("the engine no longer waits on “{name}”; reload the process", name=task.name))
    return found


def _kind_problem(kind: str, value, spec: dict) -> str | None:
    label = spec["label"]
    if kind == "string" and not isinstance(value, str):
        return msg("“{label}” must be text", label=label)
    if kind == "long" and (not isinstance(value, int) or isinstance(value, bool)):
        return msg("“{label}” must be a whole number", label=label)
    if kind == "boolean" and not isinstance(value, bool):
        return msg("“{label}” must be true or false", label=label)
    if kind == "date":
        try:
            datetime.fromisoformat(str(value))
        except ValueError:
            return msg("“{label}” must be a date (YYYY-MM-DD)", label=label)
    if kind == "enum" and value not in spec["options"]:
        return msg("“{label}” must be one of {items}", label=label, items=', '.join(spec['options']))
    if isinstance(value, str) and len(value) > 20000:
        return msg("“{label}” is longer than 20,000 characters", label=label)
    return None


def validate_form(ready: engine.ReadyTask, data: dict) -> dict:
    fields = {f["id"]: f for f in ready.form}
    problems = [msg("“{key}” is not a field of “{name}”", key=key,
                    name=ready.name) for key in data if key not in fields]
    for field_id, spec in fields.items():
        value = data.get(field_id)
        if value in (None, "") or (isinstance(value, str) and not value.strip()):
            if spec["required"]:
                problems.append(msg("“{label}” is required", label=spec['label']))
            continue
        found = _kind_problem(spec["type"], value, spec)
        if found:
            problems.append(found)
    if problems:
        raise Invalid(msg("{problems}", problems=Sentences(problems)), problems=problems)
    return data


def outcome(ctx: Context, task: ProcessTask) -> dict:
    """What an action answers: the task acted on and the tasks that became ready because of it."""
    names = ctx.step_names()
    return {"task": task_view(task, ctx.inst, names), "next": [task_view(t, ctx.inst, names) for t in ctx.created]}


def _with_reason(uow: UnitOfWork, policy: Policy, principal: Principal, task_id: str, action: str,
                 reason: str | None) -> tuple[ProcessTask, Context, str]:
    """The prologue of the verbs that need a reason: the caller may act, the step allows it, a reason is given."""
    task, ctx = acting(uow, policy, principal, task_id)
    allowed(ctx, task, action)
    reason = nfc(reason or "")
    if not reason:
        raise Invalid(msg("“{action}” needs a reason", action=action), code="reason_required")
    return task, ctx, reason


def advance(ctx: Context, task: ProcessTask, action) -> None:
    """Move the engine on; when the model fails (a script, a condition), the instance's admins get an
    incident and the person a 422 sentence — the instance stays as it was."""
    try:
        run_engine(action)
    except Invalid as exc:
        incidents.record(ctx.uow.db, ctx.inst.id, kind="script", error=exc.detail, element_id=task.spec_id)
        raise


def _chosen_outcome(ctx: Context, task: ProcessTask, action: str | None) -> str:
    step = step_config(ctx.steps, task.lane_id)
    outcomes = [a for a in step.get("actions", ()) if a not in VERBS]
    if action is None:
        if len(outcomes) != 1:
            raise Invalid(msg("say which action completes “{name}”: {value}", name=task.name,
                              value=', '.join(outcomes) or 'none allowed'),
                          code="action_required")
        return outcomes[0]
    if action in VERBS:
        raise Invalid(msg("“{action}” does not complete a task; use its own endpoint", action=action),
                      code="not_an_outcome")
    if action not in outcomes:
        raise Invalid(msg("“{action}” is not an action of step “{display_name}” (it completes with: {value})",
                          action=action, display_name=step['display_name'], value=', '.join(outcomes) or 'nothing'),
                      code="action_not_allowed")
    return action


def complete(uow: UnitOfWork, policy: Policy, principal: Principal, task_id: str, *, action: str | None,
             data: dict | None = None, assign_to: list[str] | None = None, reason: str | None = None) -> dict:
    """Complete a task with one of its step's outcomes and the form data the task declares."""
    session = uow.session
    task, ctx = acting(uow, policy, principal, task_id)
    action = _chosen_outcome(ctx, task, action)
    lane, step = ctx.lane(task.lane_id), step_config(ctx.steps, task.lane_id)
    reason = nfc(reason) if reason else None
    if action in lane.props.reason_required and not reason:
        raise Invalid(msg("give a reason for “{action}”", action=action), code="reason_required")
    if action in lane.props.chooses_next:
        if not assign_to:
            raise Invalid(msg("“{action}” hands the work on: choose at least one person (assign_to)", action=action),
                          code="assignee_required")
    elif assign_to is not None:
        chooses = ", ".join(lane.props.chooses_next) or "none of this step's actions"
        raise Invalid(msg("assign_to goes with an action that chooses the next people ({chooses})", chooses=chooses),
                      code="assign_to_not_expected")
    run = ctx.load()
    ready = ready_in(run, task)
    values = validate_form(ready, clean(dict(data or {})))
    if step.get("attachment_required") and session.exec(select(Attachment.id).where(
            Attachment.task_id == task.id)).first() is None:
        raise Conflict(msg("step “{display_name}” needs an attachment before it is completed",
                           display_name=step['display_name']),
                       code="attachment_required")
    ctx.designated = list(dict.fromkeys(assign_to)) if assign_to else None
    drive(ctx, run, task, action, values, reason, history={**values, **({"assign_to": assign_to} if assign_to else {})})
    uow.commit()
    return outcome(ctx, task)


def drive(ctx: Context, run: engine.Run, task: ProcessTask, action: str, values: dict, reason: str | None,
          history: dict | None = None) -> None:
    """Complete the engine's task with an outcome and data, record it, publish it and mirror what follows (the
    caller has checked who may, and commits)."""
    advance(ctx, task, lambda: run.complete(task.engine_id, {**values, "action": action, "reason": reason}))
    close(ctx, task, "completed", action, announce=False)
    ctx.history(action, task, reason=reason, data=values if history is None else history)
    ctx.emit_task("process.task.completed", task, data=values, reason=reason)
    ctx.emit_task("process.task.closed", task, reason=reason)
    save(ctx, mirror(ctx, run))


def return_to_previous(uow: UnitOfWork, policy: Policy, principal: Principal, task_id: str, reason: str) -> dict:
    """Send the work back to the previous step — to whoever did it — by rewinding the engine to that task, so
    the engine state stays the same size however many times it happens (the history keeps every return)."""
    session = uow.session
    task, ctx, reason = _with_reason(uow, policy, principal, task_id, "return_to_previous", reason)
    # newest first along ix_process_task_instance: the first earlier step found ends the scan, however long
    # the instance's history is
    previous = session.exec(select(ProcessTask).where(
        ProcessTask.instance_id == task.instance_id, ProcessTask.status == "completed", ProcessTask.step < task.step)
        .order_by(col(ProcessTask.ended_at).desc()).limit(1)).first()
    if previous is None:
        raise Conflict(msg("“{name}” is the first step; there is nothing to return it to", name=task.name),
                       code="first_step")
    run = ctx.load()
    ready_in(run, task)
    advance(ctx, task, lambda: run.rewind_to(previous.spec_id))
    close(ctx, task, "returned", "return_to_previous", reason=reason)
    ctx.history("return_to_previous", task, reason=reason, data={"to_step": previous.step})
    ctx.returning_to = previous.ended_by
    columns = mirror(ctx, run)
    for created in ctx.created:
        ctx.emit_task("process.task.returned", created, returned_from=task.id, reason=reason)
    save(ctx, columns)
    uow.commit()
    return outcome(ctx, task)


def request_extension(uow: UnitOfWork, policy: Policy, principal: Principal, task_id: str, days: float,
                      reason: str) -> dict:
    """Ask for more time; the task that decides it (``decides_extension_of``) does (the BPMN routes
    ``action == "request_extension"``)."""
    task, ctx, reason = _with_reason(uow, policy, principal, task_id, "request_extension", reason)
    run = ctx.load()
    ready_in(run, task)
    advance(ctx, task, lambda: run.complete(task.engine_id, {"action": "request_extension", "extension_days": days,
                                                          "reason": reason}))
    close(ctx, task, "completed", "request_extension", reason=reason)
    ctx.history("request_extension", task, reason=reason, data={"days": days})
    ctx.extension = {"spec_id": task.spec_id, "due_at": iso(task.due_at), "assignees": [principal.account_id],
                     "days": days, "reason": reason, "requested_by": principal.account_id}
    columns = mirror(ctx, run)
    if not ctx.created:
        raise Invalid(msg("the process has no step that decides an extension here"), code="no_extension_step")
    for created in ctx.created:
        ctx.emit_task("process.task.extension_requested", created, requested_for=task.id, days=days, reason=reason,
                      requested_by=principal.account_id)
    save(ctx, columns)
    uow.commit()
    return outcome(ctx, task)


def decide_extension(uow: UnitOfWork, policy: Policy, principal: Principal, task_id: str, approved: bool,
                     days: float | None, note: str | None) -> dict:
    task, ctx = acting(uow, policy, principal, task_id)
    run = ctx.load()
    ready_in(run, task)
    props = ctx.shape.conventions.tasks.get(task.spec_id)
    extension = dict(ctx.inst.extension or {})
    if props is None or not props.decides_extension_of or not extension.get("spec_id"):
        raise Conflict(msg("“{name}” does not decide an extension request", name=task.name),
                       code="not_an_extension_decision")
    granted = (days if days is not None else extension.get("days", 0)) if approved else 0
    if approved and granted > extension.get("days", 0):
        raise Invalid(msg("at most the {get:g} day(s) asked for can be granted", get=extension.get('days')))
    note = nfc(note) if note else None
    extension.update(approved=approved, granted_days=granted, decided_by=principal.account_id)
    advance(ctx, task, lambda: run.complete(task.engine_id, {"action": "decide_extension",
                                                          "extension_approved": approved, "extension_days": granted}))
    close(ctx, task, "completed", "extension_approved" if approved else "extension_refused", reason=note)
    ctx.history("decide_extension", task, reason=note, data={"approved": approved, "days": granted})
    ctx.extension = extension
    columns = mirror(ctx, run)
    for created in ctx.created:
        ctx.emit_task("process.task.extension_decided", created, approved=approved, days=granted, note=note,
                      decided_task=task.id)
    save(ctx, columns)
    uow.commit()
    return outcome(ctx, task)


def delegate(uow: UnitOfWork, policy: Policy, principal: Principal, task_id: str, to: str,
             note: str | None) -> dict:
    session = uow.session
    task, ctx = acting(uow, policy, principal, task_id)
    step = allowed(ctx, task, "delegate")
    if to == principal.account_id:
        raise Invalid(msg("the task is already yours"))
    if to not in active(session, task.candidates):
        raise Invalid(msg("{value} is not one of the people of step “{display_name}”; a task is delegated within its "
                          "step", value=person_name(session, to) or to, display_name=step['display_name']),
                      code="not_staff_of_step")
    save(ctx, {})  # changes of who holds a task leave the engine alone but take the instance's write turn
    task.assignees = [to]
    set_actors(session, task, [to])
    ctx.history("delegate", task, reason=nfc(note) if note else None, data={"to": to})
    ctx.emit_task("process.task.delegated", task, note=note)
    uow.commit()
    return task_view(task, ctx.inst, ctx.step_names())


def claim(uow: UnitOfWork, policy: Policy, principal: Principal, task_id: str) -> dict:
    session = uow.session
    task, ctx = acting(uow, policy, principal, task_id)
    if task.assignees == [principal.account_id]:
        return task_view(task, ctx.inst, ctx.step_names())
    save(ctx, {})
    task.assignees = [principal.account_id]
    set_actors(session, task, [principal.account_id])
    ctx.history("claim", task)
    ctx.emit_task("process.task.assigned", task)
    uow.commit()
    return task_view(task, ctx.inst, ctx.step_names())


def comment_text(text: str | None) -> str:
    """A comment as kept: NFC, trimmed, not empty, not longer than MAX_COMMENT (instances and direction tasks)."""
    text = nfc(text or "").strip()
    if not text:
        raise Invalid(msg("the comment is empty"), code="empty_comment")
    if len(text) > MAX_COMMENT:
        raise Invalid(msg("a comment has at most {MAX_COMMENT:,} characters", MAX_COMMENT=MAX_COMMENT),
                      code="comment_too_long")
    return text


def comment(uow: UnitOfWork, principal: Principal, instance_id: str, text: str) -> dict:
    """A remark on a running instance by anyone who sees it (kept in its history, published)."""
    session = uow.session
    inst = visible_instance(session, principal, instance_id)
    text = comment_text(text)
    line = InstanceHistory(instance_id=inst.id, action="comment", actor=principal.account_id,
                           actor_name=person_name(session, principal.account_id), reason=text)
    session.add(line)
    session.flush()
    uow.emit("process.instance.commented", inst.id, {"instance": instance_view(inst), "actor": principal.account_id,
                                                     "actor_name": line.actor_name, "text": text})
    uow.commit()
    return {"instance_id": inst.id, "actor": line.actor, "actor_name": line.actor_name, "text": text,
            "at": iso(line.at)}


def cancel(uow: UnitOfWork, policy: Policy, principal: Principal, instance_id: str, reason: str) -> dict:
    session = uow.session
    inst = visible_instance(session, principal, instance_id)
    may_cancel(principal, inst, unit_or_404(session, inst.unit_id))
    if inst.state != "running":
        raise Conflict(msg("the process is already {status}", status=inst.state))
    reason = nfc(reason or "")
    if not reason:
        raise Invalid(msg("a cancellation needs a reason"), code="reason_required")
    ctx = context_for(uow, policy, inst, principal.account_id)
    for task in open_tasks(session, inst.id):
        close(ctx, task, "cancelled", "cancel", reason=reason)
    for job in jobs.open_jobs(session, inst.id) + list(session.exec(select(ProcessJob).where(
            ProcessJob.instance_id == inst.id, ProcessJob.status == "incident")).all()):
        job.status, job.ended_at = "cancelled", utcnow()
    incidents.resolve_all(uow, inst.id, principal.account_id, "cancelled")
    now = utcnow()
    ctx.history("cancel", reason=reason)
    save(ctx, {"state": "cancelled", "ended_at": now, "wake_at": None})
    uow.emit("process.instance.cancelled", inst.id, {
        "instance": {**instance_view(inst), "state": "cancelled", "ended_at": iso(now)}, "actor": principal.account_id,
        "reason": reason})
    uow.commit()
    session.refresh(inst)
    return instance_view(inst)
