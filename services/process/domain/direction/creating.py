"""Creating an assignment (one document, one or more tasks for units below the assigning unit) and sub-tasks
(for units below the handler's own, at any depth). Every rule is checked before anything is written: a refusal
lists every problem at once and stores nothing."""
from __future__ import annotations

from datetime import date, datetime, time

from pydantic import BaseModel, Field
from sqlmodel import Session, col, select

from services.common.auth import Principal
from services.common.db import UnitOfWork
from services.common.errors import Conflict, Forbidden, Invalid
from services.common.i18n import Sentences, msg
from services.common.models import utcnow
from services.common.text import fold, nfc
from services.process.domain import instances
from services.process.domain.access import unit_or_404
from services.process.domain.definitions import shape
from services.process.domain.direction import setup
from services.process.domain.direction.tasks import (
    add_participant,
    ancestors,
    check_file,
    contribution,
    emit,
    event_task,
    history,
    live_children,
    roles_on,
    roll_up,
    set_holders,
    store_file,
    take_turn,
    task_view,
    visible_task,
)
from services.process.domain.instances.context import Policy, new_id, person_name
from services.process.domain.sla import VIETNAM
from services.process.models import (
    DirectionAssignment,
    DirectionCoordinator,
    DirectionTask,
    DirectionTaskTag,
    ProcessDefinition,
    UnitRef,
)

WORKED_BY = "direction"   # each task's lifecycle runs the deployed process that says worked_by=direction
MAX_TASKS = 50


class TaskSpec(BaseModel):
    name: str = Field(min_length=1, max_length=500, description="tên nhiệm vụ")
    executing_unit_id: str = Field(max_length=32, description="a unit below the assigning unit")
    representatives: list[str] = Field(min_length=1, max_length=20, description="who receives it there (each "
                                       "holds a receiving role in that unit)")
    coordinating_unit_ids: list[str] = Field(default_factory=list, max_length=30)
    priority: str = Field(default="none", pattern="^(none|urgent|high|normal|low)$")
    deadline: date | datetime | None = Field(default=None, description="a date means the end of that day "
                                             "(Vietnam time)")
    note: str | None = Field(default=None, max_length=4000, description="bút phê")
    tag_ids: list[int] = Field(default_factory=list, max_length=20)


class AssignmentSpec(BaseModel):
    number: str | None = Field(default=None, max_length=100, description="số / ký hiệu")
    doc_date: date | None = None
    signer: str | None = Field(default=None, max_length=300)
    issuing_unit: str | None = Field(default=None, max_length=300)
    summary: str = Field(default="", max_length=4000, description="trích yếu")
    assigner_id: str = Field(max_length=64, description="holds an assigning role in the creator's unit")
    follower_ids: list[str] = Field(default_factory=list, max_length=30, description="the creator is added")
    tasks: list[TaskSpec] = Field(min_length=1, max_length=MAX_TASKS)


class SubtaskSpec(TaskSpec):
    follower_ids: list[str] = Field(default_factory=list, max_length=30, description="besides the creator")


def end_of(value: datetime | date | None) -> datetime | None:
    """A deadline as a moment: a date is the end of that day in Vietnam; a time without zone is Vietnam's."""
    if value is None:
        return None
    if not isinstance(value, datetime):
        return datetime.combine(value, time(23, 59, 59), VIETNAM)
    return value if value.tzinfo else value.replace(tzinfo=VIETNAM)


def _names(session: Session, ids: list[str]) -> str:
    return ", ".join(person_name(session, a) or a for a in ids)


def _below(unit: UnitRef | None, above: UnitRef) -> bool:
    return unit is not None and unit.id != above.id and unit.path.startswith(above.path)


def _check_task(session: Session, spec: TaskSpec, above: UnitRef, now: datetime, problems: list,
                latest: datetime | None = None) -> None:
    label = nfc(spec.name).strip() or "?"
    unit = session.get(UnitRef, spec.executing_unit_id)
    if unit is None or unit.status != "active":
        problems.append(msg("task “{task}”: there is no active unit {unit_id!r}", task=label,
                            unit_id=spec.executing_unit_id))
        return
    if not _below(unit, above):
        problems.append(msg("task “{task}”: “{unit}” is not a unit under “{above}”", task=label, unit=unit.name,
                            above=above.name))
    receive = setup.settings_of(session, unit).receive_roles
    allowed = set(setup.holders(session, unit.id, "execute", receive))
    stray = [a for a in spec.representatives if a not in allowed]
    if stray:
        problems.append(msg("task “{task}”: {names} holds no receiving role ({roles}) in “{unit}”", task=label,
                            names=_names(session, stray), roles=", ".join(receive), unit=unit.name))
    for unit_id in spec.coordinating_unit_ids:
        other = session.get(UnitRef, unit_id)
        if other is None or other.status != "active":
            problems.append(msg("task “{task}”: there is no active coordinating unit {unit_id!r}", task=label,
                                unit_id=unit_id))
        elif other.id == unit.id:
            problems.append(msg("task “{task}”: “{unit}” executes it and cannot also coordinate it", task=label,
                                unit=unit.name))
    deadline = end_of(spec.deadline)
    if deadline is not None and deadline <= now:
        problems.append(msg("task “{task}”: the deadline {deadline} has already passed", task=label,
                            deadline=deadline.astimezone(VIETNAM).strftime("%d/%m/%Y %H:%M")))
    if deadline is not None and latest is not None and deadline > latest:
        problems.append(msg("task “{task}”: the deadline is later than its parent's ({deadline})", task=label,
                            deadline=latest.astimezone(VIETNAM).strftime("%d/%m/%Y %H:%M")))
    if spec.tag_ids:
        try:
            setup.usable_tags(session, above, spec.tag_ids)
        except Invalid as exc:
            problems.append(msg("task “{task}”: {problem}", task=label, problem=exc.detail))


def _check_followers(session: Session, unit: UnitRef, followers: list[str], problems: list) -> None:
    roles = setup.settings_of(session, unit).follow_roles
    allowed = set(setup.holders(session, unit.id, "assign", roles))
    stray = [a for a in followers if a not in allowed]
    if stray:
        problems.append(msg("{names} holds no role that follows tasks of “{unit}” ({roles})",
                            names=_names(session, stray), unit=unit.name, roles=", ".join(roles)))


def _check_both(session: Session, followers: list[str], specs: list[TaskSpec], problems: list) -> None:
    assignees = {a for spec in specs for a in spec.representatives}
    both = [a for a in followers if a in assignees]
    if both:
        problems.append(msg("{names} cannot be both follower and assignee", names=_names(session, both)))


def _refuse(problems: list) -> None:
    if problems:
        raise Invalid(msg("{problems}", problems=Sentences(problems)), problems=list(problems),
                      code="assignment_invalid")


def _start(uow: UnitOfWork, policy: Policy, task: DirectionTask, followers: list[str], actor: str) -> None:
    """The task's lifecycle: an instance of the direction BPMN, its lanes filled from the task's people."""
    inst = instances.start(uow, policy, process_key=lifecycle_key(uow.session), unit_id=task.executing_unit_id,
                           title=task.name, actor=actor, commit=False, business_key=task.id, variables={
                               "direction_task": task.id, "handlers": list(task.handlers),
                               "approvers": followers, "assigner": [task.assigner_id], "to_assigner": False,
                               "deadline": task.deadline.isoformat() if task.deadline else None})
    task.instance_id = inst.id


_KEYS: dict[str, str] = {}


def lifecycle_key(session: Session) -> str:
    """The key of the process a task's lifecycle runs: the latest deployed one whose model says it is worked by
    this domain (the shipped one is in bpmn/; a designer may deploy another)."""
    url = str(session.get_bind().url)
    if url not in _KEYS:
        for definition in session.exec(select(ProcessDefinition).where(ProcessDefinition.kind == "process")
                                       .order_by(col(ProcessDefinition.id).desc())).all():
            if shape(definition).conventions.process.worked_by == WORKED_BY:
                _KEYS[url] = definition.key
                break
        else:
            raise Conflict(msg("no deployed process is worked by {domain}; deploy the task-direction model",
                               domain=WORKED_BY), code="no_lifecycle")
    return _KEYS[url]


def _new_task(uow: UnitOfWork, policy: Policy, spec: TaskSpec, *, assignment: DirectionAssignment,
              parent: DirectionTask | None, assigning_unit: UnitRef, assigner: str, creator: str,
              followers: list[str], group_id: int) -> DirectionTask:
    session = uow.session
    status = setup.status_for(session, group_id, "create")
    task_id = new_id()
    name = nfc(spec.name).strip()
    task = DirectionTask(
        id=task_id, assignment_id=assignment.id, parent_id=parent.id if parent else None,
        root_id=parent.root_id if parent else task_id, path=f"{parent.path if parent else '/'}{task_id}/",
        depth=parent.depth + 1 if parent else 0, name=name, search=fold(f"{name} {assignment.number or ''}")[:1200],
        assigning_unit_id=assigning_unit.id, executing_unit_id=spec.executing_unit_id, assigner_id=assigner,
        created_by=creator, priority=spec.priority, deadline=end_of(spec.deadline),
        note=nfc(spec.note).strip() if spec.note else None, status_group_id=group_id, status=status.code,
        category=status.category)
    session.add(task)
    set_holders(session, task, list(dict.fromkeys(spec.representatives)))
    for account_id in task.handlers:
        add_participant(session, task.id, account_id, "representative")
    add_participant(session, task.id, creator, "creator")
    add_participant(session, task.id, assigner, "assigner")
    for account_id in followers:
        add_participant(session, task.id, account_id, "follower")
    for unit_id in dict.fromkeys(spec.coordinating_unit_ids):
        session.add(DirectionCoordinator(task_id=task.id, unit_id=unit_id))
        unit = session.get(UnitRef, unit_id)
        for account_id in setup.holders(session, unit_id, "execute", setup.settings_of(session, unit).receive_roles):
            add_participant(session, task.id, account_id, "coordinator")
    for tag_id in dict.fromkeys(spec.tag_ids):
        session.add(DirectionTaskTag(task_id=task.id, tag_id=tag_id))
    session.flush()
    _start(uow, policy, task, followers, creator)
    history(session, task, "created", creator, text=task.note, status=status.code,
            data={"representatives": task.handlers, "deadline": task.deadline.isoformat() if task.deadline else None})
    return task


def create_assignment(uow: UnitOfWork, policy: Policy, principal: Principal, spec: AssignmentSpec,
                      files: list[tuple[str, bytes]] = (), now: datetime | None = None) -> dict:
    session = uow.session
    now = now or utcnow()
    if not principal.unit_id or session.get(UnitRef, principal.unit_id) is None:
        raise Forbidden(msg("only people of a unit assign tasks"), code="no_unit")
    unit = unit_or_404(session, principal.unit_id)
    if not setup.roles_held(session, principal.account_id, unit.id, "assign"):
        raise Forbidden(msg("you hold no assigning role in “{unit}” (admin, leader, creator, head); a unit admin "
                            "sets them up", unit=unit.name), code="no_assigning_role")
    problems: list = []
    conf = setup.settings_of(session, unit)
    if spec.assigner_id not in setup.holders(session, unit.id, "assign", conf.assign_roles):
        problems.append(msg("{names} holds no assigning role ({roles}) in “{unit}”",
                            names=_names(session, [spec.assigner_id]), roles=", ".join(conf.assign_roles),
                            unit=unit.name))
    followers = list(dict.fromkeys([principal.account_id, *spec.follower_ids]))
    _check_followers(session, unit, [f for f in followers if f != principal.account_id], problems)
    _check_both(session, followers, spec.tasks, problems)
    for task_spec in spec.tasks:
        _check_task(session, task_spec, unit, now, problems)
    for filename, content in files:
        problems += _file_problems(policy, filename, content)
    _refuse(problems)
    assignment = DirectionAssignment(
        id=new_id(), number=nfc(spec.number).strip() if spec.number else None, doc_date=spec.doc_date,
        signer=nfc(spec.signer).strip() if spec.signer else None,
        issuing_unit=nfc(spec.issuing_unit).strip() if spec.issuing_unit else None, summary=nfc(spec.summary).strip(),
        assigning_unit_id=unit.id, assigner_id=spec.assigner_id, created_by=principal.account_id)
    session.add(assignment)
    stored = [store_file(session, policy.max_attachment_bytes, assignment.id, None, "document", filename, content,
                         principal.account_id) for filename, content in files]
    made = [_new_task(uow, policy, task_spec, assignment=assignment, parent=None, assigning_unit=unit,
                      assigner=spec.assigner_id, creator=principal.account_id, followers=followers,
                      group_id=conf.status_group_id) for task_spec in spec.tasks]
    session.flush()
    views = [task_view(session, t) for t in made]
    uow.emit("direction.assignment.created", assignment.id, {
        "assignment": assignment_view(assignment, [f.id for f in stored]),
        "tasks": [event_task(session, t) for t in made],
        "followers": followers, "actor": principal.account_id, "actor_name": person_name(session,
                                                                                         principal.account_id)})
    uow.commit()
    return {"assignment": assignment_view(assignment, [f.id for f in stored]), "tasks": views}


def _file_problems(policy: Policy, filename: str, content: bytes) -> list:
    problem = check_file(policy.max_attachment_bytes, filename, content)
    return [problem] if problem else []


def assignment_view(row: DirectionAssignment, file_ids: list[str] | None = None) -> dict:
    return {"id": row.id, "number": row.number, "doc_date": row.doc_date.isoformat() if row.doc_date else None,
            "signer": row.signer, "issuing_unit": row.issuing_unit, "summary": row.summary,
            "assigning_unit_id": row.assigning_unit_id, "assigner_id": row.assigner_id, "created_by": row.created_by,
            "created_at": row.created_at.isoformat() if row.created_at else None,
            **({"file_ids": file_ids} if file_ids is not None else {})}


def create_subtask(uow: UnitOfWork, policy: Policy, principal: Principal, parent_id: str, spec: SubtaskSpec,
                   now: datetime | None = None) -> dict:
    """The handler of a task gives part of it to a unit under their own; the parent's progress now comes from
    its sub-tasks."""
    session = uow.session
    now = now or utcnow()
    parent = visible_task(session, principal, parent_id)
    if "doer" not in roles_on(session, principal, parent).task:
        raise Forbidden(msg("only who handles “{task}” now creates its sub-tasks", task=parent.name),
                        code="not_the_handler")
    if parent.category not in setup.OPEN or parent.progress_locked:
        raise Invalid(msg("“{task}” is {status}; it takes no more sub-tasks", task=parent.name, status=parent.status),
                      code="task_closed")
    own = session.get(UnitRef, principal.unit_id) if principal.unit_id else None
    if own is None:
        raise Forbidden(msg("only people of a unit assign tasks"), code="no_unit")
    problems: list = []
    followers = list(dict.fromkeys([principal.account_id, *spec.follower_ids]))
    _check_followers(session, own, [f for f in followers if f != principal.account_id], problems)
    _check_both(session, followers, [spec], problems)
    _check_task(session, spec, own, now, problems, latest=parent.deadline)
    _refuse(problems)
    take_turn(session, parent)
    assignment = session.get(DirectionAssignment, parent.assignment_id)
    was_leaf = not live_children(session, parent)
    group_id = setup.settings_of(session, own).status_group_id
    child = _new_task(uow, policy, spec, assignment=assignment, parent=parent, assigning_unit=own,
                      assigner=principal.account_id, creator=principal.account_id, followers=followers,
                      group_id=group_id)
    leaves, amount = contribution(parent)
    # the parent stops being a leaf: its own figure gives way to the new child's (1 leaf at 0 %)
    roll_up(session, ancestors(parent), 1 - leaves if was_leaf else 1, -amount if was_leaf else 0.0)
    parent.acted = True
    history(session, parent, "subtask_created", principal.account_id, text=child.name,
            data={"subtask_id": child.id, "unit_id": child.executing_unit_id})
    emit(uow, "subtask_created", parent, principal.account_id, subtask=task_view(session, child))
    uow.commit()
    return task_view(session, child)

