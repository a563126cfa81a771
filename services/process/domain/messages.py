"""Messages and signals between instances, and from outside: an instance that waits at a message catch event or
receive task is found by the message's name and correlation (its ``correlate_by`` variable, else its business
key), a signal reaches every instance waiting for it, and a message named by a process's message start event
starts an instance of it for the unit it is sent to. Messages thrown by an instance travel as
``process.message.sent`` / ``process.signal.sent`` and are delivered from the bus like an integrator's."""
from __future__ import annotations

from sqlmodel import select

from services.common import authority
from services.common.auth import Principal
from services.common.db import Database
from services.common.errors import DomainError, Forbidden, Invalid, NotFound
from services.common.i18n import msg
from services.common.logging import get_logger
from services.process.domain import access, jobs
from services.process.domain.definitions import catalogue, shape
from services.process.domain.instances.context import Policy, check_size, clean, context_for, run_engine, save
from services.process.models import ProcessInstance, ProcessWait, UnitRef

log = get_logger(__name__)


def _matches(wait: ProcessWait, key: str | None, variables: dict) -> bool:
    if wait.kind == "signal":
        return True
    wanted = variables[wait.correlate_by] if wait.correlate_by and wait.correlate_by in variables else key
    return wanted is not None and wait.correlation is not None and str(wanted) == wait.correlation


def _may_tell(principal: Principal, session, unit_id: str) -> bool:
    unit = session.get(UnitRef, unit_id)
    return unit is not None and (principal.account_id.startswith("system:")
                                 or principal.may(jobs.WORK, authority.lineage(unit.path)))


def deliver(db: Database, policy: Policy, principal: Principal, kind: str, name: str, *, key: str | None = None,
            variables: dict | None = None, unit_id: str | None = None, exclude: str | None = None) -> dict:
    """Tell every matching waiting instance; a message that no instance waited for starts the processes whose
    start event takes it (for ``unit_id``)."""
    variables = clean(dict(variables or {}))
    check_size(variables)
    with db.session() as session:
        waits = session.exec(select(ProcessWait).where(ProcessWait.kind == kind, ProcessWait.name == name)).all()
        targets = list(dict.fromkeys(w.instance_id for w in waits if w.instance_id != exclude
                                     and _matches(w, key, variables)))
        starts = [d.key for d in catalogue(session) if kind == "message"
                  and name in shape(d).conventions.message_starts] if unit_id else []
    delivered, refused, failed = [], 0, []
    for instance_id in targets:
        try:
            with db.uow() as uow:
                inst = uow.session.get(ProcessInstance, instance_id)
                if inst is None or inst.state != "running":
                    continue
                if not _may_tell(principal, uow.session, inst.unit_id):
                    refused += 1
                    continue
                ctx = context_for(uow, policy, inst, principal.account_id)
                run = ctx.load()
                if not run_engine(lambda run=run: run.deliver(kind, name, variables)):
                    continue
                ctx.history(f"{kind}_received", data={"name": name, "variables": sorted(variables)})
                from services.process.domain.instances.mirror import mirror  # mirror publishes what it throws
                save(ctx, mirror(ctx, run))
                uow.commit()
                delivered.append(instance_id)
        except DomainError as exc:   # the instance stays waiting; the sender is told why
            log.warning("process.delivery_failed", instance=instance_id, name=name, reason=exc.detail)
            failed.append({"instance_id": instance_id, "reason": exc.detail})
    started = []
    for key_ in starts if not delivered else ():   # a message correlates to a waiting instance, or starts one
        from services.process.domain.instances.starting import start
        with db.uow() as uow:
            unit = access.unit_or_404(uow.session, unit_id)
            if not principal.account_id.startswith("system:"):
                access.may_start(principal, unit)
            inst = start(uow, policy, process_key=key_, unit_id=unit.id, variables=variables, business_key=key,
                         actor=principal.account_id, message=(name, variables))
            started.append(inst.id)
    if not delivered and not started:
        if failed:
            raise Invalid(msg("the {kind} “{name}” reached {count} instance(s) that could not go on: {reason}",
                              kind=kind, name=name, count=len(failed), reason=failed[0]['reason']),
                          code="delivery_failed", failed=failed)
        if refused:
            raise Forbidden(msg("the instances waiting for “{name}” are in units where you may not work "
                                "(process.work)", name=name), code="permission_missing", permission=jobs.WORK)
        raise NotFound(msg("nothing waits for the {kind} “{name}” with key “{key}”", kind=kind, name=name, key=key)
                       if key else msg("nothing waits for the {kind} “{name}”", kind=kind, name=name),
                       code="nothing_waits")
    return {"kind": kind, "name": name, "delivered": delivered, "started": started, "failed": failed}


def from_bus(policy: Policy):
    """Messages and signals thrown by instances (or published by integrators) delivered from the bus."""
    def apply(uow, event: dict) -> None:
        data = event.get("data") or {}
        kind = "signal" if event["type"] == "process.signal.sent" else "message"
        if not data.get("name"):
            return
        try:
            deliver(uow.db, policy, Principal("system:messages", None), kind, str(data["name"]),
                    key=data.get("correlation_key") if kind == "message" and data.get("correlation_key") else None,
                    variables=data.get("variables") or {}, unit_id=data.get("unit_id"),
                    exclude=data.get("from_instance"))
        except DomainError as exc:
            log.info("process.delivery_none", name=data.get("name"), reason=exc.detail)
    return apply
