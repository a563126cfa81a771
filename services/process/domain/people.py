"""What process does when identity says a person can no longer act (locked, archived, deleted) or was
converted into a new account (seed 004 §3.4): nobody inactive keeps receiving work, and nothing waits on an
account that cannot sign in."""
from __future__ import annotations

from sqlalchemy import delete
from sqlmodel import Session, col, select

from services.common.db import UnitOfWork
from services.process.domain.staffing import configured_by, publish_change
from services.process.models import PersonRef, ProcessTask, Staffing, TaskActor

GONE = ("identity.account.locked", "identity.account.archived", "identity.account.deleted")
CONVERTED = "identity.account.converted"
SYSTEM = "system:identity"


def active(session: Session, account_ids: list[str]) -> list[str]:
    """The approved people among ``account_ids`` (in order)."""
    if not account_ids:
        return []
    approved = set(session.exec(select(PersonRef.account_id).where(
        col(PersonRef.account_id).in_(account_ids), PersonRef.status == "approved")).all())
    return [a for a in account_ids if a in approved]


def account_changed(uow: UnitOfWork, event: dict) -> None:
    data = event.get("data") or {}
    if event["type"] == CONVERTED and data.get("old_account_id") and data.get("new_account_id"):
        _replace(uow, data["old_account_id"], data["new_account_id"])
    elif event["type"] in GONE and (data.get("account") or {}).get("id"):
        _withdraw(uow, data["account"]["id"])


def _open_tasks_of(session: Session, account_id: str) -> list[ProcessTask]:
    return list(session.exec(select(ProcessTask).join(TaskActor, col(TaskActor.task_id) == ProcessTask.id).where(
        TaskActor.account_id == account_id, ProcessTask.status == "ready")).all())


def _staffings_naming(session: Session, account_id: str) -> list[Staffing]:
    return [row for row in session.exec(select(Staffing)).all()
            if any(account_id in step.get("staff", []) for step in row.steps + (row.draft or {}).get("steps", []))]


def _without(steps: list[dict], account_id: str) -> list[dict]:
    return [dict(step, staff=[a for a in step.get("staff", []) if a != account_id]) for step in steps]


def _withdraw(uow: UnitOfWork, account_id: str) -> None:
    """Open tasks go back to the rest of their step (or stay with the step's other people); staffing places
    go; a step left without anyone makes the staffing incomplete and tells the unit's admins."""
    session = uow.session
    for task in _open_tasks_of(session, account_id):
        task.assignees = [a for a in task.assignees if a != account_id]
        task.candidates = [a for a in task.candidates if a != account_id]
        session.execute(delete(TaskActor).where(col(TaskActor.task_id) == task.id,
                                                col(TaskActor.account_id) == account_id))
        if not task.assignees:
            for person in active(session, task.candidates):
                if session.get(TaskActor, (person, task.id)) is None:
                    session.add(TaskActor(account_id=person, task_id=task.id))
    for row in _staffings_naming(session, account_id):
        steps = _without(row.steps, account_id)
        empty = [s["display_name"] for s in steps if s.get("people", "staffing") == "staffing"
                 and not s["staff"] and not s.get("staff_of_step")]
        row.steps = steps
        if row.draft:
            row.draft = {**row.draft, "steps": _without(row.draft["steps"], account_id)}
        extra = {}
        if empty:
            row.status = "not_configured"
            extra = {"steps_without_staff": empty, "tell": configured_by(session, row)}
        publish_change(uow, row, "staff_left", SYSTEM, {"account_id": account_id, "steps_without_staff": empty},
                       **extra)


def _replace(uow: UnitOfWork, old: str, new: str) -> None:
    """Everything that waited on the old account now waits on the new one."""
    session = uow.session
    for task in _open_tasks_of(session, old):
        task.assignees = list(dict.fromkeys(new if a == old else a for a in task.assignees))
        task.candidates = list(dict.fromkeys(new if a == old else a for a in task.candidates))
        session.execute(delete(TaskActor).where(col(TaskActor.task_id) == task.id, col(TaskActor.account_id) == old))
        if session.get(TaskActor, (new, task.id)) is None:
            session.add(TaskActor(account_id=new, task_id=task.id))
    for row in _staffings_naming(session, old):
        def swap(steps: list[dict]) -> list[dict]:
            return [dict(step, staff=list(dict.fromkeys(new if a == old else a for a in step.get("staff", []))))
                    for step in steps]
        row.steps = swap(row.steps)
        if row.draft:
            row.draft = {**row.draft, "steps": swap(row.draft["steps"])}
        publish_change(uow, row, "staff_converted", SYSTEM, {"old_account_id": old, "new_account_id": new})
