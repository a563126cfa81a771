"""The scheduler loop: drives BPMN timers and marks tasks overdue, without any request arriving. Safe to run in
several processes at once: each change is a conditional UPDATE, so only one of them acts on a row."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import update
from sqlmodel import col, select

from services.common.db import Database
from services.common.errors import DomainError, Invalid
from services.common.logging import get_logger
from services.common.models import utcnow
from services.process.domain import callbacks, instances
from services.process.domain.instances import timers
from services.process.models import DirectionTask, InstanceHistory, ProcessInstance, ProcessTask

log = get_logger(__name__)
SYSTEM = "system:scheduler"


def mark_overdue(db: Database, now: datetime | None = None, limit: int = 500) -> int:
    """Every ready task past its due time becomes overdue once: ``process.task.overdue`` and a history line."""
    now = now or utcnow()
    marked = 0
    with db.uow() as uow:
        session = uow.session
        due = session.exec(select(ProcessTask.id).where(
            ProcessTask.status == "ready", col(ProcessTask.overdue_at).is_(None), col(ProcessTask.due_at) <= now)
            .order_by(col(ProcessTask.due_at)).limit(limit)).all()
        for task_id in due:
            changed = session.execute(update(ProcessTask).where(
                col(ProcessTask.id) == task_id, col(ProcessTask.overdue_at).is_(None),
                ProcessTask.status == "ready").values(overdue_at=now).execution_options(synchronize_session=False))
            if changed.rowcount != 1:
                continue
            task = session.get(ProcessTask, task_id)
            session.refresh(task)
            inst = session.get(ProcessInstance, task.instance_id)
            names = instances.StepNames(session)(inst.definition_id, inst.process_key, inst.unit_id)
            session.add(InstanceHistory(instance_id=inst.id, task_id=task.id, step=task.step, task_name=task.name,
                                        action="overdue", actor=SYSTEM, data={"due_at": task.due_at.isoformat()}))
            uow.emit("process.task.overdue", task.id, {"task": instances.task_view(task, inst, names),
                                                       "actor": SYSTEM, "actor_name": None})
            marked += 1
        uow.commit()
    return marked


def direction_overdue(db: Database, now: datetime | None = None, limit: int = 500) -> int:
    """Every open direction task past its deadline becomes overdue once: ``direction.task.overdue``."""
    from services.process.domain.direction.setup import OPEN
    from services.process.domain.direction.tasks import emit

    now = now or utcnow()
    marked = 0
    with db.uow() as uow:
        session = uow.session
        due = session.exec(select(DirectionTask.id).where(
            col(DirectionTask.category).in_(OPEN), col(DirectionTask.overdue_at).is_(None),
            col(DirectionTask.deleted_at).is_(None), col(DirectionTask.deadline) <= now)
            .order_by(col(DirectionTask.deadline)).limit(limit)).all()
        for task_id in due:
            changed = session.execute(update(DirectionTask).where(
                col(DirectionTask.id) == task_id, col(DirectionTask.overdue_at).is_(None)).values(overdue_at=now)
                .execution_options(synchronize_session=False))
            if changed.rowcount == 1:
                emit(uow, "overdue", session.get(DirectionTask, task_id), SYSTEM)
                marked += 1
        uow.commit()
    return marked


def fire_timers(db: Database, policy: instances.Policy, now: datetime | None = None, limit: int = 50) -> int:
    """Instances whose earliest BPMN timer is due: let the engine fire it and mirror what follows."""
    now = now or utcnow()
    fired = 0
    with db.session() as session:
        due = session.exec(select(ProcessInstance.id).where(
            ProcessInstance.state == "running", col(ProcessInstance.wake_at) <= now)
            .order_by(col(ProcessInstance.wake_at)).limit(limit)).all()
    for instance_id in due:
        try:
            with db.uow() as uow:
                fired += timers.fire(uow, policy, instance_id)
        except Invalid as exc:   # the model failed on the timer's path: an incident, and no more rounds until retried
            log.warning("process.timer_failed", instance=instance_id, error=str(exc)[:300])
            timers.stop(db, instance_id, exc.detail)
        except DomainError as exc:   # a concurrent action took the write turn: the next round tries again
            log.warning("process.timer_deferred", instance=instance_id, error=str(exc)[:300])
    return fired


class Scheduler:
    def __init__(self, db: Database, policy: instances.Policy, interval: float):
        self.db, self.policy, self.interval = db, policy, interval

    def tick(self, now: datetime | None = None) -> tuple[int, int]:
        fired = fire_timers(self.db, self.policy, now), mark_overdue(self.db, now) + direction_overdue(self.db, now)
        callbacks.deliver_due(self.db, now)
        return fired

    def run(self, stop) -> None:
        while not stop.is_set():
            try:
                self.tick()
            except Exception as exc:  # noqa: BLE001 - the loop must survive a database hiccup
                log.warning("process.scheduler_failed", error=str(exc)[:300])
            stop.wait(self.interval)
