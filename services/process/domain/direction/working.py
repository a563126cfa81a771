"""Working a task: the actions that move it (forward, refuse, complete, approve, reject, reassign, cancel) —
possible when its BPMN step offers them, allowed to whom the status they move it into names — and what does not
move it: progress reports, comments, files, deletion by its creator before anyone acted."""
from __future__ import annotations

from sqlalchemy import delete
from sqlmodel import Session, col, select

from services.common.auth import Principal
from services.common.db import UnitOfWork
from services.common.errors import Conflict, Forbidden, Invalid, NotFound
from services.common.i18n import msg
from services.common.models import utcnow
from services.common.text import nfc
from services.process.domain import instances
from services.process.domain.direction import setup
from services.process.domain.direction.tasks import (
    Roles,
    add_participant,
    ancestors,
    contribution,
    emit,
    file_view,
    history,
    live_children,
    moved,
    people_of,
    person_unit,
    roles_on,
    roll_up,
    set_holders,
    store_file,
    take_turn,
    task_view,
    visible_task,
)
from services.process.domain.instances.acting import comment_text, drive, ready_in
from services.process.domain.instances.context import Context, Policy, context_for, open_tasks, person_name
from services.process.models import (
    DirectionFile,
    DirectionHandover,
    DirectionTask,
    DirectionTaskTag,
    ProcessInstance,
    ProcessTask,
    UnitRef,
)

EVENTS = {"forward": "forwarded", "refuse": "refused", "complete": "completed", "approve": "approved",
          "reject": "rejected", "reassign": "reassigned", "cancel": "cancelled"}
MAX_TEXT = 4000


def _open_step(session: Session, task: DirectionTask) -> ProcessTask | None:
    found = open_tasks(session, task.instance_id) if task.instance_id else []
    return found[0] if found else None


def step_actions(uow: UnitOfWork, policy: Policy, task: DirectionTask,
                 actor: str | None = None) -> tuple[ProcessTask | None, tuple, Context | None]:
    """The open BPMN task of the task's lifecycle, the outcomes its lane offers now, and the change of its
    instance an action by ``actor`` would make."""
    step = _open_step(uow.session, task)
    if step is None:
        return None, (), None
    inst = uow.session.get(ProcessInstance, task.instance_id)
    ctx = context_for(uow, policy, inst, actor)
    return step, tuple(a for a in ctx.lane(step.lane_id).props.outcomes if a in EVENTS), ctx


def allowed_actions(uow: UnitOfWork, policy: Policy, principal: Principal, task: DirectionTask,
                    roles: Roles | None = None) -> list[dict]:
    """What the person may do on the task now: each action its step offers whose status the person's roles
    may move it into, with what that action needs."""
    _step, offered, _ctx = step_actions(uow, policy, task)
    roles = roles or roles_on(uow.session, principal, task)
    found = []
    for action in offered:
        status = setup.status_for(uow.session, task.status_group_id, action)
        if roles.holds(status):
            found.append({"action": action, "status": status.code, "status_name": status.name,
                          "reason_required": status.reason_required or action in ("refuse", "reject", "cancel"),
                          "attachment_required": status.attachment_required})
    return found


def _previous_handler(session: Session, task: DirectionTask) -> str | None:
    """Who handed the task to its current handler (None: it came from its assigner)."""
    for row in session.exec(select(DirectionHandover).where(DirectionHandover.task_id == task.id)
                            .order_by(col(DirectionHandover.id).desc())).all():
        if row.kind in ("forward",) and row.to_accounts == list(task.handlers):
            return row.from_account
        if row.kind in ("reassign",) and row.to_accounts == list(task.handlers):
            return None
    return None


def _unit_person(session: Session, task: DirectionTask, account_id: str | None) -> str:
    if not account_id:
        raise Invalid(msg("say who takes the task over (to)"), code="to_required")
    if person_unit(session, account_id) != task.executing_unit_id:
        raise Invalid(msg("{name} is not an active person of the executing unit", name=person_name(
            session, account_id) or account_id), code="not_of_unit")
    return account_id


def act(uow: UnitOfWork, policy: Policy, principal: Principal, task_id: str, action: str, *,
        to: list[str] | None = None, reason: str | None = None, with_open_subtasks: bool = False) -> dict:
    session = uow.session
    if action not in EVENTS:
        raise NotFound(msg("no action {action!r} on tasks", action=action))
    task = visible_task(session, principal, task_id)
    step, offered, ctx = step_actions(uow, policy, task, principal.account_id)
    if step is None or action not in offered:
        raise Conflict(msg("“{action}” is not possible while “{task}” is {status}", action=action, task=task.name,
                           status=task.status), code="not_possible_now")
    status = setup.status_for(session, task.status_group_id, action)
    roles = roles_on(session, principal, task)
    if not roles.holds(status):
        raise Forbidden(msg("moving “{task}” to “{status}” is for: {roles}", task=task.name, status=status.name,
                            roles=", ".join([*status.task_roles, *status.unit_roles]) or "nobody"),
                        code="status_not_allowed", allowed_task_roles=list(status.task_roles),
                        allowed_unit_roles=list(status.unit_roles))
    reason = nfc(reason or "").strip() or None
    if reason and len(reason) > MAX_TEXT:
        raise Invalid(msg("a reason has at most {value} characters", value=MAX_TEXT), code="reason_too_long")
    if (status.reason_required or action in ("refuse", "reject", "cancel")) and not reason:
        raise Invalid(msg("“{status}” needs a reason", status=status.name), code="reason_required")
    if status.attachment_required and session.exec(select(DirectionFile.id).where(
            DirectionFile.task_id == task.id, DirectionFile.purpose == "result")).first() is None:
        raise Conflict(msg("“{status}” needs a result file attached first", status=status.name),
                       code="attachment_required")
    take_turn(session, task)
    previous, now, actor = task.status, utcnow(), principal.account_id
    values: dict = {"handlers": list(task.handlers), "to_assigner": False}
    extra: dict = {"reason": reason}
    if action == "forward":
        target = _unit_person(session, task, (to or [None])[0])
        if target in task.handlers:
            raise Invalid(msg("the task is already with {name}", name=person_name(session, target) or target),
                          code="already_theirs")
        session.add(DirectionHandover(task_id=task.id, kind="forward", from_account=actor, to_accounts=[target],
                                      note=reason))
        add_participant(session, task.id, actor, "forwarder")
        set_holders(session, task, [target])
        values["handlers"], extra = [target], {"note": reason, "to": [target]}
    elif action == "refuse":
        back = _previous_handler(session, task)
        values.update(handlers=[back] if back else list(task.handlers), to_assigner=back is None)
        session.add(DirectionHandover(task_id=task.id, kind="refuse", from_account=actor,
                                      to_accounts=[back] if back else [task.assigner_id], note=reason))
        if back:
            set_holders(session, task, [back])
        extra["to"] = [back] if back else [task.assigner_id]
    elif action == "reassign":
        targets = list(dict.fromkeys(to or []))
        receive = setup.settings_of(session, session.get(UnitRef, task.executing_unit_id)).receive_roles
        allowed = set(setup.holders(session, task.executing_unit_id, "execute", receive))
        if not targets or any(t not in allowed for t in targets):
            raise Invalid(msg("reassign it to the unit's representatives (a receiving role: {roles})",
                              roles=", ".join(receive)), code="not_a_representative")
        session.add(DirectionHandover(task_id=task.id, kind="reassign", from_account=actor, to_accounts=targets,
                                      note=reason))
        set_holders(session, task, targets)
        values["handlers"], extra["to"] = targets, targets
    elif action == "complete":
        still_open = [c for c in live_children(session, task) if c.category in setup.OPEN]
        if still_open and not with_open_subtasks:
            raise Conflict(msg("sub-tasks are still open: {names}; finish them, or say explicitly that this task is "
                               "complete without them", names=", ".join(c.name for c in still_open)),
                           code="subtasks_open", subtasks=[c.id for c in still_open])
        task.progress_locked, task.completed_at = True, now
        extra["with_open_subtasks"] = bool(still_open)
    elif action == "reject":
        task.progress_locked, task.completed_at = False, None
    elif action == "approve":
        leaf = not live_children(session, task)
        before = contribution(task)
        task.done_at = now
        task.status, task.category = status.code, status.category
        if leaf:
            after = contribution(task)
            roll_up(session, ancestors(task), after[0] - before[0], after[1] - before[1])
    elif action == "cancel":
        if any(c.category in setup.OPEN for c in live_children(session, task)):
            raise Conflict(msg("cancel its open sub-tasks first"), code="subtasks_open")
        # the whole subtree stops counting in the progress above it
        roll_up(session, ancestors(task)[:-1], -task.leaves, -task.leaf_progress)
    run = ctx.load()
    ready_in(run, step)
    drive(ctx, run, step, action, values, reason)
    task.acted = True
    history(session, task, action, actor, text=reason, status=status.code,
            data={k: v for k, v in extra.items() if k != "reason" and v is not None})
    emit(uow, EVENTS[action], task, actor, **extra)
    moved(uow, task, status, actor, previous)
    uow.commit()
    return task_view(session, task)


def report_progress(uow: UnitOfWork, policy: Policy, principal: Principal, task_id: str, percent: int,
                    note: str | None) -> dict:
    session = uow.session
    task = visible_task(session, principal, task_id)
    if "doer" not in roles_on(session, principal, task).task:
        raise Forbidden(msg("only who handles “{task}” now reports its progress", task=task.name),
                        code="not_the_handler")
    if task.progress_locked or task.category not in setup.OPEN:
        raise Conflict(msg("“{task}” is {status}; its progress is locked", task=task.name, status=task.status),
                       code="progress_locked")
    if not 0 <= percent <= 100:
        raise Invalid(msg("progress is a percentage from 0 to 100"), code="bad_percent")
    take_turn(session, task)
    before = contribution(task)
    task.progress, task.acted = percent, True
    if not live_children(session, task):
        after = contribution(task)
        roll_up(session, ancestors(task), after[0] - before[0], after[1] - before[1])
    note = nfc(note or "").strip() or None
    history(session, task, "progress", principal.account_id, text=note, percent=percent)
    emit(uow, "progress_reported", task, principal.account_id, percent=percent, note=note)
    uow.commit()
    session.refresh(task)
    return task_view(session, task)


def comment(uow: UnitOfWork, principal: Principal, task_id: str, text: str) -> dict:
    """Whoever sees a task comments on it (a coordinating unit's people too)."""
    session = uow.session
    task = visible_task(session, principal, task_id)
    text = comment_text(text)
    roles = roles_on(session, principal, task)
    if "coordinator" in roles.task:
        add_participant(session, task.id, principal.account_id, "coordinator")
    task.acted = True
    history(session, task, "comment", principal.account_id, text=text)
    emit(uow, "commented", task, principal.account_id, text=text)
    uow.commit()
    return {"task_id": task.id, "actor": principal.account_id, "actor_name": person_name(session,
                                                                                        principal.account_id),
            "text": text}


def attach(uow: UnitOfWork, policy: Policy, principal: Principal, task_id: str, filename: str, content: bytes,
           purpose: str) -> dict:
    """The handler attaches results and progress evidence; a coordinating unit's people their input."""
    session = uow.session
    task = visible_task(session, principal, task_id)
    roles = roles_on(session, principal, task).task
    allowed = {"result", "progress"} if "doer" in roles else set()
    if "coordinator" in roles:
        allowed.add("input")
    if purpose not in allowed:
        raise Forbidden(msg("attaching a “{purpose}” file to “{task}” is not for you", purpose=purpose,
                            task=task.name), code="attach_not_allowed")
    if purpose == "result" and task.progress_locked:
        raise Conflict(msg("“{task}” is complete; its result is locked until it is rejected", task=task.name),
                       code="progress_locked")
    row = store_file(session, policy.max_attachment_bytes, task.assignment_id, task.id, purpose, filename, content,
                     principal.account_id)
    task.acted = True
    history(session, task, "attach", principal.account_id, text=row.filename,
            data={"file_id": row.id, "purpose": purpose, "size": row.size})
    uow.commit()
    return file_view(row)


def delete_task(uow: UnitOfWork, policy: Policy, principal: Principal, task_id: str) -> None:
    """Only its creator deletes a task, and only while nobody has acted on it; it leaves the progress above it."""
    session = uow.session
    task = visible_task(session, principal, task_id)
    if task.created_by != principal.account_id:
        raise Forbidden(msg("only who created “{task}” deletes it", task=task.name), code="not_the_creator")
    if task.acted or live_children(session, task):
        raise Conflict(msg("“{task}” has been acted on; it can be cancelled, not deleted", task=task.name),
                       code="already_acted")
    take_turn(session, task)
    parent = session.get(DirectionTask, task.parent_id) if task.parent_id else None
    before = contribution(task)
    task.deleted_at = utcnow()
    if parent is not None:
        others = [c for c in live_children(session, parent) if c.id != task.id]
        own = contribution(parent)
        leaves, amount = (-before[0], -before[1]) if others else (own[0] - before[0], own[1] - before[1])
        roll_up(session, ancestors(parent), leaves, amount)
    session.execute(delete(DirectionTaskTag).where(col(DirectionTaskTag.task_id) == task.id))
    history(session, task, "deleted", principal.account_id)
    emit(uow, "deleted", task, principal.account_id)
    if task.instance_id:
        instances.cancel(uow, policy, principal, task.instance_id, "Nhiệm vụ bị người tạo xóa")
    else:
        uow.commit()


def handovers(session: Session, task: DirectionTask) -> list[dict]:
    rows = session.exec(select(DirectionHandover).where(DirectionHandover.task_id == task.id)
                        .order_by(DirectionHandover.id)).all()
    return [{"kind": r.kind, "from": r.from_account, "from_name": person_name(session, r.from_account),
             "to": list(r.to_accounts), "to_names": [person_name(session, a) for a in r.to_accounts],
             "note": r.note, "at": r.at.isoformat()} for r in rows]


def followers_of(session: Session, task: DirectionTask) -> list[str]:
    return people_of(session, task.id, "follower")
