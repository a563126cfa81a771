"""Who may see and do what in the process service, on the suite's one authority check
(services/common/authority.py) with the unit of the object at hand:

- configuring a unit's processes (staffing, SLA) and overseeing its instances — reading every instance,
  cancelling one — needs ``process.configure`` on the unit or an ancestor;
- the people *of the unit itself* see its instances and start its processes; anyone else sees an instance only
  where they act on one of its tasks, took part in it (did one of its tasks) or started it — so the people of
  a second unit an instance reaches (an instance role naming their unit) see what they work on;
- starting also goes to whoever holds ``process.start`` on the unit."""
from __future__ import annotations

from sqlmodel import Session, col, select

from services.common import authority
from services.common.auth import Principal
from services.common.errors import Forbidden, NotFound
from services.common.i18n import msg
from services.process.models import ProcessInstance, ProcessTask, TaskActor, UnitRef

CONFIGURE = "process.configure"
START = "process.start"


def unit_or_404(session: Session, unit_id: str) -> UnitRef:
    unit = session.get(UnitRef, unit_id)
    if unit is None:
        raise NotFound(msg("no unit {unit_id!r}", unit_id=unit_id))
    return unit


def lineage_of(unit: UnitRef) -> tuple[str, ...]:
    return authority.lineage(unit.path)


def oversees(principal: Principal, unit: UnitRef) -> bool:
    return principal.may(CONFIGURE, lineage_of(unit))


def member(principal: Principal, unit: UnitRef) -> bool:
    """Works in the unit itself (a child unit's people are not members of the parent)."""
    return principal.unit_id == unit.id


def require_configure(session: Session, principal: Principal, unit_id: str) -> UnitRef:
    unit = unit_or_404(session, unit_id)
    if not oversees(principal, unit):
        raise Forbidden(msg("configuring processes for “{name}” needs process.configure on that unit", name=unit.name),
                        code="permission_missing", permission=CONFIGURE)
    return unit


def require_sees_unit(session: Session, principal: Principal, unit_id: str | None) -> UnitRef:
    """A unit's instance list, inbox or staffing: its own people and those who oversee it; 404 for others."""
    unit = session.get(UnitRef, unit_id) if unit_id else None
    if unit is None or not (oversees(principal, unit) or member(principal, unit)):
        raise NotFound(msg("no unit {unit_id!r}", unit_id=unit_id))
    return unit


def acts_on(session: Session, principal: Principal, inst: ProcessInstance) -> bool:
    return session.exec(select(TaskActor.task_id).join(ProcessTask, col(ProcessTask.id) == TaskActor.task_id).where(
        ProcessTask.instance_id == inst.id, TaskActor.account_id == principal.account_id)).first() is not None


def took_part(session: Session, principal: Principal, inst: ProcessInstance) -> bool:
    return session.exec(select(ProcessTask.id).where(ProcessTask.instance_id == inst.id,
                                                     ProcessTask.ended_by == principal.account_id)).first() is not None


def can_see(session: Session, principal: Principal, inst: ProcessInstance) -> bool:
    unit = unit_or_404(session, inst.unit_id)
    if oversees(principal, unit) or member(principal, unit) or inst.started_by == principal.account_id:
        return True
    return acts_on(session, principal, inst) or took_part(session, principal, inst)


def visible_instance(session: Session, principal: Principal, instance_id: str) -> ProcessInstance:
    inst = session.get(ProcessInstance, instance_id)
    if inst is None or not can_see(session, principal, inst):
        raise NotFound(msg("no process instance {instance_id!r}", instance_id=instance_id))
    return inst


def may_start(principal: Principal, unit: UnitRef) -> None:
    if member(principal, unit) or oversees(principal, unit) or principal.may(START, lineage_of(unit)):
        return
    raise Forbidden(msg("only people of “{name}” (or its admins) start its processes", name=unit.name),
                    code="permission_missing", permission=START)


def may_cancel(principal: Principal, inst: ProcessInstance, unit: UnitRef) -> None:
    if inst.started_by == principal.account_id or oversees(principal, unit):
        return
    raise Forbidden(msg("only who started the process or an admin of the unit with process.configure cancels it"),
                    code="permission_missing", permission=CONFIGURE)
