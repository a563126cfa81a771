"""External jobs: a service task with a topic (Camunda's external-task convention) waits for a worker. The job
is published as ``process.job.created`` with its topic and the process data; a worker completes it with
variables or reports a failure, over HTTP or by a bus reply; a failure uses up one retry and publishes the job
again; after the last one the job is an incident for the admins of its unit."""
from __future__ import annotations

import json

from sqlmodel import Session, col, select

from services.common import authority
from services.common.auth import Principal
from services.common.db import UnitOfWork
from services.common.errors import Conflict, Forbidden, Invalid, NotFound
from services.common.i18n import msg
from services.common.models import iso, utcnow
from services.common.text import nfc
from services.process import engine
from services.process.domain import incidents
from services.process.domain.access import unit_or_404
from services.process.domain.instances.context import Policy, check_size, clean, context_for, load_run, save
from services.process.models import ProcessInstance, ProcessJob

WORK = "process.work"
MAX_EVENT_VARIABLES = 256 * 1024


def view(job: ProcessJob) -> dict:
    return {"id": job.id, "topic": job.topic, "instance_id": job.instance_id, "element_id": job.element_id,
            "name": job.name, "unit_id": job.unit_id, "status": job.status, "attempts": job.attempts,
            "retries_left": job.retries_left, "last_error": job.last_error, "created_at": iso(job.created_at),
            "ended_at": iso(job.ended_at), "worker": job.worker}


def publish(uow: UnitOfWork, job: ProcessJob, inst: ProcessInstance, *, variables: dict | None = None,
            retried_by: str | None = None) -> None:
    """Tell the workers of the job's topic (again, after a failure or a retry)."""
    data = {"job": {**view(job), "process_key": inst.process_key, "business_key": inst.business_key},
            "variables": variables if variables is not None else {}, "retried_by": retried_by}
    if len(json.dumps(data["variables"], ensure_ascii=False, default=str)) > MAX_EVENT_VARIABLES:
        data["variables"], data["variables_truncated"] = {}, True
    uow.emit("process.job.created", job.id, data)


def data_of(session: Session, inst: ProcessInstance, job: ProcessJob) -> dict:
    """The process data the job's task sees (sent again with the job after a failure or a retry)."""
    try:
        run = load_run(session, inst)
    except engine.EngineError:
        return {}
    found = next((t for t in run.ready() if t.engine_id == job.engine_id), None)
    return {k: v for k, v in (found.data if found else {}).items() if not k.startswith("_")}


def create(uow: UnitOfWork, inst: ProcessInstance, engine_id: str, element_id: str, name: str, topic: str,
           retries: int, variables: dict, unit_id: str) -> ProcessJob:
    job = ProcessJob(id=incidents.new_id(), instance_id=inst.id, engine_id=engine_id, element_id=element_id,
                     name=name, topic=topic, unit_id=unit_id, retries_left=max(retries, 1))
    uow.session.add(job)
    publish(uow, job, inst, variables={k: v for k, v in variables.items() if not k.startswith("_")})
    return job


def open_jobs(session: Session, instance_id: str) -> list[ProcessJob]:
    return list(session.exec(select(ProcessJob).where(ProcessJob.instance_id == instance_id,
                                                      ProcessJob.status == "open")).all())


def _workable(session: Session, principal: Principal, job_id: str) -> tuple[ProcessJob, ProcessInstance]:
    """The job if the caller works jobs of its unit (``process.work`` there or above; the bus's workers are
    trusted by the broker's own access control); 404 otherwise, 409 when it no longer waits."""
    job = session.get(ProcessJob, job_id)
    if job is None:
        raise NotFound(msg("no job {job_id!r}", job_id=job_id))
    unit = unit_or_404(session, job.unit_id)
    if not (principal.account_id.startswith("system:") or principal.may(WORK, authority.lineage(unit.path))):
        raise Forbidden(msg("working a process's jobs needs process.work on its unit"), code="permission_missing",
                        permission=WORK)
    if job.status != "open":
        raise Conflict(msg("the job is already {status}", status=job.status), code="job_not_open")
    return job, session.get(ProcessInstance, job.instance_id)


def complete(uow: UnitOfWork, policy: Policy, principal: Principal, job_id: str, variables: dict | None) -> dict:
    """The worker's result: its variables go into the process data and the instance runs on."""
    from services.process.domain.instances.mirror import mirror  # mirror creates jobs: imported when used

    session = uow.session
    job, inst = _workable(session, principal, job_id)
    values = clean(dict(variables or {}))
    check_size(values)
    ctx = context_for(uow, policy, inst, principal.account_id)
    run = ctx.load()
    if not any(t.engine_id == job.engine_id for t in run.ready()):
        raise Conflict(msg("the process no longer waits on this job"), code="job_not_open")
    try:
        run.complete(job.engine_id, values)
    except (engine.EngineError, engine.ScriptRefused) as exc:
        incidents.record(uow.db, inst.id, kind="script", error=str(exc), element_id=job.element_id)
        raise Invalid(msg("the process could not continue after the job: {exc}", exc=exc),
                      code="engine_failed") from exc
    job.status, job.ended_at, job.worker, job.attempts = "completed", utcnow(), principal.account_id, job.attempts + 1
    ctx.history("job_completed", data={"job": job.id, "topic": job.topic, "element": job.element_id,
                                       "variables": sorted(values)})
    uow.emit("process.job.completed", job.id, {"job": view(job), "actor": principal.account_id})
    save(ctx, mirror(ctx, run))
    uow.commit()
    return view(job)


def fail(uow: UnitOfWork, principal: Principal, job_id: str, error: str, retries: int | None) -> dict:
    """A worker could not do the job: one retry is used up (or the worker says how many are left); none left
    makes the job an incident."""
    session = uow.session
    job, inst = _workable(session, principal, job_id)
    error = nfc(error or "").strip()[:2000]
    if not error:
        raise Invalid(msg("say what went wrong (error)"), code="error_required")
    job.attempts += 1
    job.retries_left = retries if retries is not None else job.retries_left - 1
    job.last_error, job.worker = error, principal.account_id
    uow.emit("process.job.failed", job.id, {"job": view(job), "actor": principal.account_id, "error": error})
    if job.retries_left > 0:
        publish(uow, job, inst, variables=data_of(session, inst, job))
    else:
        job.status = "incident"
        incidents.open_in(uow, inst, kind="job", error=error, element_id=job.element_id, job_id=job.id)
    uow.commit()
    return view(job)


def listed(session: Session, principal: Principal, topic: str | None, limit: int) -> list[dict]:
    """Open jobs the caller may work (by topic), oldest first — for workers that poll instead of listening."""
    query = select(ProcessJob).where(ProcessJob.status == "open")
    if topic:
        query = query.where(ProcessJob.topic == topic)
    rows = session.exec(query.order_by(col(ProcessJob.created_at)).limit(limit * 5)).all()
    found = []
    for job in rows:
        unit = unit_or_404(session, job.unit_id)
        if principal.may(WORK, authority.lineage(unit.path)):
            found.append(view(job))
        if len(found) >= limit:
            break
    return found
