"""Per-unit staffing of a process (what a unit admin does): one entry per step (lane) — display name,
description, allowed actions, staff (active people of the unit or its subtree, or "the staff of step N"),
time allowance, push and attachment flags. Defaults come from the BPMN; "confirm" makes it effective,
"reset" restores the defaults; every change is audited and published."""
from __future__ import annotations

from lxml import etree
from pydantic import BaseModel, Field
from sqlmodel import Session, select

from services.common.auth import Principal
from services.common.db import UnitOfWork
from services.common.errors import Conflict, Invalid, NotFound
from services.common.models import iso, utcnow
from services.process.domain.access import require_configure, require_sees_unit
from services.process.domain.definitions import NS, catalogue, shape, versions
from services.process.models import PersonRef, ProcessDefinition, Staffing, StaffingAudit, UnitRef

VOCABULARY = ("assign", "delegate", "return_to_ioc", "handle", "return_to_previous", "request_extension", "approve",
              "reject")


NOT_NULL = ("display_name", "actions", "staff", "push", "attachment_required")


class StepUpdate(BaseModel):
    """What a unit admin changes about one step; fields left out stay as they are."""

    display_name: str | None = Field(default=None, min_length=1, max_length=200)
    description: str | None = Field(default=None, max_length=2000)
    actions: list[str] | None = Field(default=None, max_length=len(VOCABULARY))
    staff: list[str] | None = Field(default=None, max_length=500, description="account ids")
    staff_of_step: int | None = Field(default=None, ge=1, le=50, description="use the staff of that step instead")
    time_share_percent: float | None = Field(default=None, ge=0, le=100)
    fixed_hours: float | None = Field(default=None, gt=0, le=24 * 365)
    push: bool | None = None
    attachment_required: bool | None = None


def _prop(lane, name: str) -> str | None:
    found = lane.find(f"bpmn:extensionElements/camunda:properties/camunda:property[@name='{name}']", NS)
    return found.get("value") if found is not None else None


def defaults(definition: ProcessDefinition) -> list[dict]:
    """The steps as the BPMN declares them (lane properties step, actions, time_share_percent, default_staff)."""
    root = etree.fromstring(definition.xml.encode())
    process = root.find(f"bpmn:process[@id='{definition.key}']", NS)  # its own pool: not a partner's lanes
    steps = []
    for order, lane in enumerate(process.iterfind(".//bpmn:lane", NS), start=1):
        declared = [a for a in (_prop(lane, "actions") or "").split(",") if a.strip()]
        default_staff = _prop(lane, "default_staff") or ""
        share = _prop(lane, "time_share_percent")
        steps.append({
            "lane_id": lane.get("id"), "step": int(_prop(lane, "step") or order),
            "display_name": lane.get("name") or lane.get("id"), "description": "",
            "declared_actions": declared, "actions": declared, "staff": [],
            "staff_of_step": int(default_staff[5:]) if default_staff.startswith("step:") else None,
            "time_share_percent": float(share) if share else None, "fixed_hours": None,
            "push": True, "attachment_required": False})
    return sorted(steps, key=lambda s: s["step"])


def _latest(session: Session, key: str) -> ProcessDefinition:
    return versions(session, key)[-1]


def current(session: Session, principal: Principal, key: str, unit_id: str) -> dict:
    """The staffing as its unit's people and admins see it (staff account ids are not for strangers)."""
    require_sees_unit(session, principal, unit_id)
    definition = _latest(session, key)
    row = session.exec(select(Staffing).where(Staffing.process_key == key, Staffing.unit_id == unit_id)).first()
    steps = row.steps if row is not None and row.steps else defaults(definition)
    return {"process_key": key, "unit_id": unit_id, "version": definition.version,
            "status": row.status if row else "not_configured", "steps": steps,
            "total_days": row.total_days if row and row.total_days else shape(definition).total_days,
            "updated_at": iso(row.updated_at) if row else None, "updated_by": row.updated_by if row else None}


def unit_catalogue(session: Session, principal: Principal, unit_id: str) -> list[dict]:
    require_sees_unit(session, principal, unit_id)
    rows = {s.process_key: s.status for s in session.exec(select(Staffing).where(Staffing.unit_id == unit_id)).all()}
    return [{"key": d.key, "name": d.name, "abbreviation": d.abbreviation, "group": d.group, "steps": d.steps,
             "status": rows.get(d.key, "not_configured")} for d in catalogue(session)]


def _row(session: Session, key: str, unit_id: str, actor: str) -> Staffing:
    row = session.exec(select(Staffing).where(Staffing.process_key == key, Staffing.unit_id == unit_id)).first()
    if row is None:
        row = Staffing(process_key=key, unit_id=unit_id, steps=defaults(_latest(session, key)), updated_by=actor)
        session.add(row)
    return row


def _editable(session: Session, principal: Principal, key: str, unit_id: str) -> tuple[UnitRef, Staffing]:
    """The unit (if the caller may configure it) and its staffing row, created from the defaults when new."""
    unit = require_configure(session, principal, unit_id)
    return unit, _row(session, key, unit_id, principal.account_id)


def publish_change(uow: UnitOfWork, row: Staffing, action: str, actor: str, detail: dict, **extra) -> None:
    row.version += 1
    row.updated_at, row.updated_by = utcnow(), actor
    uow.session.add(StaffingAudit(process_key=row.process_key, unit_id=row.unit_id, action=action, detail=detail,
                                  actor=actor))
    uow.session.flush()
    uow.emit("process.staffing.changed", f"{row.process_key}/{row.unit_id}", {
        "process_key": row.process_key, "unit_id": row.unit_id, "status": row.status, "action": action,
        "steps": row.steps, "version": row.version, "total_days": row.total_days, **extra})


def configured_by(session: Session, row: Staffing) -> list[str]:
    """The admins who have set up this staffing (whom to tell when it needs them again)."""
    actors = session.exec(select(StaffingAudit.actor).where(StaffingAudit.process_key == row.process_key,
                                                            StaffingAudit.unit_id == row.unit_id)).all()
    return sorted({a for a in actors if a and ":" not in a})


def _check_staff(session: Session, unit: UnitRef, account_ids: list[str]) -> None:
    bad = []
    for account_id in account_ids:
        person = session.get(PersonRef, account_id)
        home = session.get(UnitRef, person.unit_id) if person and person.unit_id else None
        if person is None or person.status != "approved" or home is None or not home.path.startswith(unit.path):
            bad.append(account_id)
    if bad:
        raise Invalid(f"not active people of “{unit.name}” or its subtree: {', '.join(bad)}", accounts=bad)


def update_step(uow: UnitOfWork, principal: Principal, key: str, unit_id: str, lane_id: str,
                change: StepUpdate) -> dict:
    session = uow.session
    unit, row = _editable(session, principal, key, unit_id)
    steps = [dict(s) for s in row.steps]
    step = next((s for s in steps if s["lane_id"] == lane_id), None)
    if step is None:
        raise NotFound(f"{key} has no step (lane) {lane_id!r}")
    values = change.model_dump(exclude_unset=True)
    emptied = sorted(k for k in NOT_NULL if k in values and values[k] is None)
    if emptied:
        raise Invalid(f"{', '.join(emptied)} cannot be null; leave a field out to keep it as it is",
                      code="null_not_allowed")
    if "actions" in values:
        unknown = sorted(set(values["actions"]) - set(step["declared_actions"]))
        if unknown:
            raise Invalid(f"step “{step['display_name']}” does not allow {', '.join(unknown)}; the BPMN declares "
                          f"{', '.join(step['declared_actions'])}")
    if values.get("staff"):
        _check_staff(session, unit, values["staff"])
        values.setdefault("staff_of_step", None)
    if values.get("staff_of_step") is not None:
        if values["staff_of_step"] == step["step"] or values["staff_of_step"] not in {s["step"] for s in steps}:
            raise Invalid(f"step {values['staff_of_step']} cannot provide the staff of step {step['step']}")
        values["staff"] = []
    step.update({k: v for k, v in values.items()})
    row.steps, row.status = steps, "not_configured"
    publish_change(uow, row, "step_updated", principal.account_id, {"lane_id": lane_id, "changed": sorted(values)})
    uow.commit()
    return current(session, principal, key, unit_id)


def set_total_days(uow: UnitOfWork, principal: Principal, key: str, unit_id: str, total_days: float) -> dict:
    """The whole process time for this unit in working days (the steps share it by their percentages); new
    instances use it, running ones keep theirs."""
    session = uow.session
    _unit, row = _editable(session, principal, key, unit_id)
    before = row.total_days
    row.total_days = total_days
    publish_change(uow, row, "sla_changed", principal.account_id, {"total_days": [before, total_days]})
    uow.commit()
    return current(session, principal, key, unit_id)


def confirm(uow: UnitOfWork, principal: Principal, key: str, unit_id: str) -> dict:
    """Make the staffing effective: every step staffed, shares adding up to 100 %."""
    session = uow.session
    _unit, row = _editable(session, principal, key, unit_id)
    missing = [s["display_name"] for s in row.steps if not s["staff"] and not s.get("staff_of_step")]
    shares = [s["time_share_percent"] for s in row.steps if s.get("fixed_hours") is None]
    problems = [f"no staff for step “{name}”" for name in missing]
    if shares and (None in shares or abs(sum(shares) - 100) > 0.01):
        problems.append(f"the time shares add up to {sum(x or 0 for x in shares):g} %, not 100 %")
    if problems:
        raise Conflict("the staffing is not complete: " + "; ".join(problems), problems=problems)
    row.status = "complete"
    publish_change(uow, row, "confirmed", principal.account_id, {})
    uow.commit()
    return current(session, principal, key, unit_id)


def reset(uow: UnitOfWork, principal: Principal, key: str, unit_id: str) -> dict:
    session = uow.session
    _unit, row = _editable(session, principal, key, unit_id)
    row.steps, row.status = defaults(_latest(session, key)), "not_configured"
    publish_change(uow, row, "reset", principal.account_id, {})
    uow.commit()
    return current(session, principal, key, unit_id)


def audit(session: Session, principal: Principal, key: str, unit_id: str) -> list[dict]:
    require_configure(session, principal, unit_id)
    rows = session.exec(select(StaffingAudit).where(StaffingAudit.process_key == key,
                                                    StaffingAudit.unit_id == unit_id).order_by(StaffingAudit.id))
    return [{"action": r.action, "detail": r.detail, "actor": r.actor, "at": iso(r.at)} for r in rows.all()]
