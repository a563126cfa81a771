"""Incidents: an instance stopped by a failing job, script, expression or timer. The admins of its unit see
each (element, error, since when), retry it after a fix, or cancel the instance; ``process.incident.*``
events tell integrators. An incident is recorded in its own transaction, so it stays when the change that
failed is rolled back."""
from __future__ import annotations

import uuid

from sqlalchemy import update
from sqlmodel import Session, col, select

from services.common.auth import Principal
from services.common.db import Database, UnitOfWork
from services.common.errors import Conflict, NotFound
from services.common.i18n import msg
from services.common.logging import get_logger
from services.common.models import iso, utcnow
from services.process.domain.access import oversees, require_configure, unit_or_404
from services.process.models import Incident, ProcessInstance, ProcessJob

log = get_logger(__name__)


def new_id() -> str:
    return uuid.uuid4().hex


def view(row: Incident) -> dict:
    return {"id": row.id, "instance_id": row.instance_id, "unit_id": row.unit_id, "process_key": row.process_key,
            "element_id": row.element_id, "kind": row.kind, "job_id": row.job_id, "error": row.error,
            "status": row.status, "opened_at": iso(row.opened_at), "resolved_at": iso(row.resolved_at),
            "resolved_by": row.resolved_by, "resolution": row.resolution}


def open_in(uow: UnitOfWork, inst: ProcessInstance, *, kind: str, error: str, element_id: str | None = None,
            job_id: str | None = None) -> Incident:
    """Open an incident in the caller's transaction (one per instance, element and kind while open)."""
    session = uow.session
    existing = session.exec(select(Incident).where(Incident.instance_id == inst.id, Incident.status == "open",
                                                   Incident.kind == kind, Incident.element_id == element_id)).first()
    if existing is not None:
        existing.error = error[:2000]
        return existing
    row = Incident(id=new_id(), instance_id=inst.id, unit_id=inst.unit_id, process_key=inst.process_key,
                   element_id=element_id, kind=kind, job_id=job_id, error=error[:2000])
    session.add(row)
    session.flush()
    uow.emit("process.incident.opened", row.id, {"incident": view(row)})
    return row


def record(db: Database, instance_id: str, *, kind: str, error: str, element_id: str | None = None) -> None:
    """Open an incident in a transaction of its own (the failed change itself is rolled back)."""
    try:
        with db.uow() as uow:
            inst = uow.session.get(ProcessInstance, instance_id)
            if inst is not None and inst.state == "running":
                open_in(uow, inst, kind=kind, error=error, element_id=element_id)
                uow.commit()
    except Exception as exc:  # noqa: BLE001 - the caller's own error is what the caller must see
        log.warning("process.incident_not_recorded", instance=instance_id, error=str(exc)[:300])


def _resolve(uow: UnitOfWork, row: Incident, actor: str, resolution: str) -> None:
    row.status, row.resolved_at, row.resolved_by, row.resolution = "resolved", utcnow(), actor, resolution
    uow.emit("process.incident.resolved", row.id, {"incident": view(row)})


def resolve_all(uow: UnitOfWork, instance_id: str, actor: str, resolution: str) -> None:
    """An instance that ends or is cancelled leaves no incident open."""
    for row in uow.session.exec(select(Incident).where(Incident.instance_id == instance_id,
                                                       Incident.status == "open")).all():
        _resolve(uow, row, actor, resolution)


def of_unit(session: Session, principal: Principal, unit_id: str, status: str | None) -> list[dict]:
    require_configure(session, principal, unit_id)
    query = select(Incident).where(Incident.unit_id == unit_id)
    if status:
        query = query.where(Incident.status == status)
    return [view(r) for r in session.exec(query.order_by(col(Incident.opened_at).desc()).limit(500)).all()]


def _overseen(session: Session, principal: Principal, incident_id: str) -> Incident:
    row = session.get(Incident, incident_id)
    if row is None or not oversees(principal, unit_or_404(session, row.unit_id)):
        raise NotFound(msg("no incident {incident_id!r}", incident_id=incident_id))
    if row.status != "open":
        raise Conflict(msg("the incident is already resolved"), code="incident_resolved")
    return row


def retry(uow: UnitOfWork, principal: Principal, incident_id: str) -> dict:
    """Try again after a fix: a job gets one more attempt (published again), a timer fires on the scheduler's
    next round, a failed action is for its people to repeat."""
    from services.process.domain import jobs

    session = uow.session
    row = _overseen(session, principal, incident_id)
    if row.kind == "job" and row.job_id:
        job = session.get(ProcessJob, row.job_id)
        if job is not None and job.status == "incident":
            job.status, job.retries_left = "open", 1
            inst = session.get(ProcessInstance, row.instance_id)
            jobs.publish(uow, job, inst, variables=jobs.data_of(session, inst, job), retried_by=principal.account_id)
    elif row.kind == "timer":
        session.execute(update(ProcessInstance).where(col(ProcessInstance.id) == row.instance_id,
                                                      ProcessInstance.state == "running").values(wake_at=utcnow())
                        .execution_options(synchronize_session=False))
    _resolve(uow, row, principal.account_id, "retried")
    uow.commit()
    return view(row)


def cancel(uow: UnitOfWork, policy, principal: Principal, incident_id: str, reason: str) -> dict:
    """Give up: cancel the instance (its open tasks, jobs and incidents with it)."""
    from services.process.domain.instances import cancel as cancel_instance

    row = _overseen(uow.session, principal, incident_id)
    cancel_instance(uow, policy, principal, row.instance_id, reason)
    uow.session.refresh(row)
    return view(row)
