"""A direction task as the rest of the domain uses it: who may see it, the roles a person holds on it (task roles
and unit roles, what status groups grant by), how progress rolls up the tree, the files, and its views."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass

from sqlalchemy import update
from sqlmodel import Session, col, select

from services.common.auth import Principal
from services.common.db import UnitOfWork
from services.common.errors import Conflict, Invalid, NotFound
from services.common.i18n import msg
from services.common.models import iso
from services.common.text import nfc
from services.process.domain.access import oversees
from services.process.domain.direction.setup import UNIT_ROLES, roles_held, statuses
from services.process.domain.instances import detected_type
from services.process.domain.instances.context import new_id, person_name
from services.process.models import (
    DirectionCoordinator,
    DirectionFile,
    DirectionHistory,
    DirectionParticipant,
    DirectionStatus,
    DirectionTask,
    DirectionTaskTag,
    PersonRef,
    UnitRef,
)

# Types refused whatever a file is called: programs and what a browser would run.
REFUSED_TYPES = ("application/x-dosexec", "application/x-msdownload", "application/x-executable",
                 "application/x-elf", "application/x-sharedlib", "application/x-mach-binary",
                 "application/x-sh", "application/x-msi", "application/java-archive")


def ancestors(task: DirectionTask) -> list[str]:
    """The ids from the root down to the task itself (its path)."""
    return [part for part in task.path.split("/") if part]


def task_or_404(session: Session, task_id: str) -> DirectionTask:
    task = session.get(DirectionTask, task_id)
    if task is None or task.deleted_at is not None:
        raise NotFound(msg("no task {task_id!r}", task_id=task_id))
    return task


# ------------------------------------------------------------------------------------------------------- roles
@dataclass(frozen=True)
class Roles:
    task: frozenset[str]
    unit: frozenset[str]

    def holds(self, status: DirectionStatus) -> bool:
        return bool(self.task & set(status.task_roles)) or bool(self.unit & set(status.unit_roles))


def participations(session: Session, account_id: str, task_ids: list[str]) -> set[tuple[str, str]]:
    return {(p.task_id, p.role) for p in session.exec(select(DirectionParticipant).where(
        DirectionParticipant.account_id == account_id, col(DirectionParticipant.task_id).in_(task_ids))).all()}


def holds_below(session: Session, account_id: str, task: DirectionTask) -> bool:
    """Whether the person holds (works) a sub-task anywhere below the task."""
    return session.exec(select(DirectionTask.id).join(
        DirectionParticipant, col(DirectionParticipant.task_id) == DirectionTask.id).where(
        DirectionTask.root_id == task.root_id, col(DirectionTask.path).startswith(task.path),
        DirectionTask.id != task.id, col(DirectionTask.deleted_at).is_(None),
        DirectionParticipant.account_id == account_id, DirectionParticipant.role == "holder")).first() is not None


def roles_on(session: Session, principal: Principal, task: DirectionTask) -> Roles:
    me = principal.account_id
    own = {role for task_id, role in participations(session, me, [task.id])}
    found = set()
    if task.created_by == me:
        found.add("creator")
    if task.assigner_id == me:
        found.add("assigner")
    if "follower" in own:
        found.add("follower")
    if me in task.handlers:
        found.add("doer")
    if own:
        found.add("participant")
    if principal.unit_id and session.get(DirectionCoordinator, (task.id, principal.unit_id)) is not None:
        found.add("coordinator")
    if holds_below(session, me, task):
        found.add("subtask_doer")
    unit = roles_held(session, me, task.executing_unit_id, "execute") & set(UNIT_ROLES)
    if principal.unit_id == task.executing_unit_id:
        unit.add("officer")
    return Roles(frozenset(found), frozenset(unit))


def can_see(session: Session, principal: Principal, task: DirectionTask) -> bool:
    """Its units' overseers and the executing unit's people; whoever took part in it or in a task above it; the
    people of its coordinating units; who works a sub-task below it."""
    if principal.unit_id in (task.executing_unit_id,):
        return True
    for unit_id in (task.executing_unit_id, task.assigning_unit_id):
        unit = session.get(UnitRef, unit_id)
        if unit is not None and oversees(principal, unit):
            return True
    if participations(session, principal.account_id, ancestors(task)):
        return True
    if principal.unit_id and session.get(DirectionCoordinator, (task.id, principal.unit_id)) is not None:
        return True
    return holds_below(session, principal.account_id, task)


def visible_task(session: Session, principal: Principal, task_id: str) -> DirectionTask:
    task = task_or_404(session, task_id)
    if not can_see(session, principal, task):
        raise NotFound(msg("no task {task_id!r}", task_id=task_id))
    return task


def take_turn(session: Session, task: DirectionTask) -> None:
    """One writer per task: the change applies only if nobody changed the task since it was read."""
    done = session.execute(update(DirectionTask).where(col(DirectionTask.id) == task.id,
                                                       col(DirectionTask.version) == task.version)
                           .values(version=task.version + 1).execution_options(synchronize_session=False))
    if done.rowcount != 1:
        raise Conflict(msg("someone else changed this task at the same moment; reload it and try again"))
    task.version += 1


def add_participant(session: Session, task_id: str, account_id: str, role: str) -> None:
    if session.get(DirectionParticipant, (task_id, account_id, role)) is None:
        session.add(DirectionParticipant(task_id=task_id, account_id=account_id, role=role))


def set_holders(session: Session, task: DirectionTask, accounts: list[str]) -> None:
    """Who works the task now (the ``holder`` participants), and every one of them stays a ``handler``."""
    for row in session.exec(select(DirectionParticipant).where(DirectionParticipant.task_id == task.id,
                                                               DirectionParticipant.role == "holder")).all():
        if row.account_id not in accounts:
            session.delete(row)
    for account_id in accounts:
        add_participant(session, task.id, account_id, "holder")
        add_participant(session, task.id, account_id, "handler")
    task.handlers = list(accounts)


def people_of(session: Session, task_id: str, role: str) -> list[str]:
    return list(session.exec(select(DirectionParticipant.account_id).where(
        DirectionParticipant.task_id == task_id, DirectionParticipant.role == role)
        .order_by(DirectionParticipant.account_id)).all())


def history(session: Session, task: DirectionTask, action: str, actor: str | None, *, text: str | None = None,
            percent: int | None = None, status: str | None = None, data: dict | None = None) -> None:
    session.add(DirectionHistory(task_id=task.id, action=action, actor=actor, actor_name=person_name(session, actor),
                                 text=text, percent=percent, status=status, data=data or {}))


# ----------------------------------------------------------------------------------------------------- progress
def live_children(session: Session, task: DirectionTask) -> list[DirectionTask]:
    return list(session.exec(select(DirectionTask).where(DirectionTask.parent_id == task.id,
                                                         col(DirectionTask.deleted_at).is_(None))).all())


def contribution(task: DirectionTask) -> tuple[int, float]:
    """What a leaf counts for in the progress of the tasks above it."""
    if task.category == "cancelled" or task.deleted_at is not None:
        return 0, 0.0
    if task.category == "done":
        return 1, 100.0
    return 1, float(task.progress)


def roll_up(session: Session, ids: list[str], leaves: int, amount: float) -> None:
    """Add to the leaf count and leaf progress of these tasks (a task and its ancestors) in one statement,
    whatever the depth."""
    if ids and (leaves or amount):
        session.execute(update(DirectionTask).where(col(DirectionTask.id).in_(ids)).values(
            leaves=DirectionTask.leaves + leaves, leaf_progress=DirectionTask.leaf_progress + amount)
            .execution_options(synchronize_session=False))


def shown_progress(task: DirectionTask) -> int:
    if task.category == "done":
        return 100
    if task.leaves <= 0:
        return task.progress
    return max(0, min(100, round(task.leaf_progress / task.leaves)))


# -------------------------------------------------------------------------------------------------------- files
def _clean_name(filename: str) -> str:
    return nfc(filename or "").replace("/", "_").replace("\\", "_").strip()[:300] or "tep-dinh-kem"


def check_file(max_bytes: int, filename: str, content: bytes):
    """What is wrong with a file, judged by what its bytes are (not by its name): empty, over the limit, a
    program; None when it may be attached."""
    name = _clean_name(filename)
    if not content:
        return msg("“{file}” is empty", file=name)
    if len(content) > max_bytes:
        return msg("“{file}” is larger than {value} MB", file=name, value=max_bytes // 1024 // 1024)
    if detected_type(content) in REFUSED_TYPES or content[:2] == b"MZ" or content[:4] == b"\x7fELF":
        return msg("“{file}” is a program, which cannot be attached", file=name)
    return None


def store_file(session: Session, max_bytes: int, assignment_id: str, task_id: str | None, purpose: str,
               filename: str, content: bytes, actor: str) -> DirectionFile:
    problem = check_file(max_bytes, filename, content)
    if problem is not None:
        raise Invalid(problem, code="file_refused")
    row = DirectionFile(id=new_id(), assignment_id=assignment_id, task_id=task_id, purpose=purpose,
                        filename=_clean_name(filename), content_type=detected_type(content), size=len(content),
                        sha256=hashlib.sha256(content).hexdigest(), content=content, uploaded_by=actor)
    session.add(row)
    return row


def may_read_file(session: Session, principal: Principal, row: DirectionFile) -> bool:
    """A task's file: whoever sees the task; the assignment's document: whoever sees one of its tasks."""
    if row.task_id:
        task = session.get(DirectionTask, row.task_id)
        return task is not None and task.deleted_at is None and can_see(session, principal, task)
    return any(can_see(session, principal, t) for t in session.exec(select(DirectionTask).where(
        DirectionTask.assignment_id == row.assignment_id, col(DirectionTask.deleted_at).is_(None))).all())


def file_view(row: DirectionFile) -> dict:
    return {"id": row.id, "filename": row.filename, "content_type": row.content_type, "size": row.size,
            "purpose": row.purpose, "task_id": row.task_id, "uploaded_by": row.uploaded_by,
            "uploaded_at": iso(row.uploaded_at)}


# -------------------------------------------------------------------------------------------------------- views
class StatusNames:
    """Status rows by (group, code), read once per request."""

    def __init__(self, session: Session):
        self.session, self.cache = session, {}

    def __call__(self, group_id: int, code: str) -> DirectionStatus | None:
        if group_id not in self.cache:
            self.cache[group_id] = {s.code: s for s in statuses(self.session, group_id)}
        return self.cache[group_id].get(code)


def task_view(session: Session, task: DirectionTask, names: StatusNames | None = None) -> dict:
    status = (names or StatusNames(session))(task.status_group_id, task.status)
    return {"id": task.id, "assignment_id": task.assignment_id, "parent_id": task.parent_id, "root_id": task.root_id,
            "depth": task.depth, "name": task.name, "assigning_unit_id": task.assigning_unit_id,
            "executing_unit_id": task.executing_unit_id, "assigner_id": task.assigner_id,
            "created_by": task.created_by, "priority": task.priority, "deadline": iso(task.deadline),
            "note": task.note, "status": task.status, "status_name": status.name if status else task.status,
            "status_color": status.color if status else None, "category": task.category,
            "progress": shown_progress(task), "own_progress": task.progress, "progress_locked": task.progress_locked,
            "handlers": list(task.handlers), "instance_id": task.instance_id, "created_at": iso(task.created_at),
            "completed_at": iso(task.completed_at), "done_at": iso(task.done_at)}


def event_task(session: Session, task: DirectionTask) -> dict:
    """The task as events carry it: with the people notify tells (followers, coordinators' representatives)."""
    view = task_view(session, task)
    view.update(followers=people_of(session, task.id, "follower"),
                coordinators=people_of(session, task.id, "coordinator"),
                coordinating_unit_ids=sorted(session.exec(select(DirectionCoordinator.unit_id).where(
                    DirectionCoordinator.task_id == task.id)).all()),
                tag_ids=sorted(session.exec(select(DirectionTaskTag.tag_id).where(
                    DirectionTaskTag.task_id == task.id)).all()))
    return view


def emit(uow: UnitOfWork, kind: str, task: DirectionTask, actor: str | None, **extra) -> None:
    session = uow.session
    session.flush()
    session.refresh(task)
    uow.emit(f"direction.task.{kind}", task.id, {"task": event_task(session, task), "actor": actor,
                                                 "actor_name": person_name(session, actor), **extra})


def moved(uow: UnitOfWork, task: DirectionTask, status: DirectionStatus, actor: str, previous: str) -> None:
    """The task is now in ``status``: its category follows, and integrators get status_changed."""
    task.status, task.category = status.code, status.category
    if previous != status.code:
        emit(uow, "status_changed", task, actor, previous_status=previous)


def person_unit(session: Session, account_id: str) -> str | None:
    person = session.get(PersonRef, account_id)
    return person.unit_id if person is not None and person.status == "approved" else None
