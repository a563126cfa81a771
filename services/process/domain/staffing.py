"""Per-unit staffing of a process (what a unit admin does): one entry per step (lane) — display name,
description, allowed actions, staff (active people of the unit or its subtree, or "the staff of step N"),
time allowance (a share of the whole time or fixed hours), push and attachment flags. Defaults come from the
BPMN; "confirm" makes it effective, "reset" restores the defaults; every change is audited and published.

Once confirmed, a staffing keeps serving new instances while the admin edits: edits go to a draft, which
replaces the serving set-up when it is confirmed (or is discarded)."""
from __future__ import annotations

from pydantic import BaseModel, Field
from sqlmodel import Session, select

from services.common.auth import Principal
from services.common.db import UnitOfWork
from services.common.errors import Conflict, Invalid, NotFound
from services.common.i18n import Sentences, msg
from services.common.models import iso, utcnow
from services.process.conventions import VERBS
from services.process.domain.access import require_configure, require_sees_unit
from services.process.domain.definitions import catalogue, shape, version, versions
from services.process.models import PersonRef, ProcessDefinition, Staffing, StaffingAudit, UnitRef

NOT_NULL = ("display_name", "actions", "staff", "push", "attachment_required")


class StepUpdate(BaseModel):
    """What a unit admin changes about one step; fields left out stay as they are."""

    display_name: str | None = Field(default=None, min_length=1, max_length=200)
    description: str | None = Field(default=None, max_length=2000)
    actions: list[str] | None = Field(default=None, max_length=20)
    staff: list[str] | None = Field(default=None, max_length=500, description="account ids")
    staff_of_step: int | None = Field(default=None, ge=1, le=50, description="use the staff of that step instead")
    time_share_percent: float | None = Field(default=None, ge=0, le=100)
    fixed_hours: float | None = Field(default=None, gt=0, le=24 * 365)
    push: bool | None = None
    attachment_required: bool | None = None


def defaults(definition: ProcessDefinition) -> list[dict]:
    """The steps as the BPMN declares them (the lanes of the process's own pool, read by the conventions)."""
    steps = []
    for lane in shape(definition).conventions.lanes:
        props = lane.props
        default_staff = props.default_staff or ""
        steps.append({
            "lane_id": lane.id, "step": lane.step, "display_name": lane.name, "description": "",
            "declared_actions": list(props.actions), "actions": list(props.actions), "staff": [],
            "staff_of_step": int(default_staff[5:]) if default_staff.startswith("step:") else None,
            "time_share_percent": props.time_share_percent, "fixed_hours": props.fixed_hours,
            "push": props.push, "attachment_required": props.attachment_required, "people": props.people})
    if steps and all(s["time_share_percent"] is None and s["fixed_hours"] is None for s in steps):
        # a model that says nothing about time: the steps share the process time equally
        for i, step in enumerate(steps):
            step["time_share_percent"] = round(100 / len(steps), 2) if i < len(steps) - 1 else \
                round(100 - round(100 / len(steps), 2) * (len(steps) - 1), 2)
    return sorted(steps, key=lambda s: s["step"])


def _latest(session: Session, key: str) -> ProcessDefinition:
    return versions(session, key)[-1]


def working(row: Staffing, latest: ProcessDefinition | None = None) -> tuple[list[dict], float | None]:
    """The steps and total time an admin edits: the draft of a confirmed set-up, else the set-up itself — with
    the steps a newer version added (from its defaults, not staffed yet) when ``latest`` is given."""
    if row.draft:
        steps, total = [dict(step) for step in row.draft["steps"]], row.draft.get("total_days")
    else:
        steps, total = [dict(step) for step in row.steps], row.total_days
    if latest is not None:
        known = {step["lane_id"] for step in steps}
        steps += [step for step in defaults(latest) if step["lane_id"] not in known]
    return steps, total


def _store(row: Staffing, steps: list[dict], total_days: float | None) -> None:
    """Keep an edit: in the draft while a confirmed set-up serves new instances, else in the set-up."""
    if row.status == "complete":
        row.draft = {"steps": steps, "total_days": total_days}
    else:
        row.steps, row.total_days = steps, total_days


def current(session: Session, principal: Principal, key: str, unit_id: str) -> dict:
    """The staffing as its unit's people and admins see it (staff account ids are not for strangers)."""
    require_sees_unit(session, principal, unit_id)
    definition = _latest(session, key)
    row = session.exec(select(Staffing).where(Staffing.process_key == key, Staffing.unit_id == unit_id)).first()
    steps, total = working(row, definition) if row is not None and row.steps else (defaults(definition), None)
    return {"process_key": key, "unit_id": unit_id, "version": definition.version,
            "status": row.status if row else "not_configured", "draft": bool(row and row.draft),
            "pinned_version": row.pinned_version if row else None,
            "steps": steps, "serving_steps": row.steps if row and row.draft else None,
            "total_days": total or shape(definition).total_days,
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


def check_staff(session: Session, unit: UnitRef, account_ids: list[str]) -> None:
    bad = []
    for account_id in account_ids:
        person = session.get(PersonRef, account_id)
        home = session.get(UnitRef, person.unit_id) if person and person.unit_id else None
        if person is None or person.status != "approved" or home is None or not home.path.startswith(unit.path):
            bad.append(account_id)
    if bad:
        raise Invalid(msg("not active people of “{name}” or its subtree: {items}", name=unit.name,
                          items=', '.join(bad)), accounts=bad)


def update_step(uow: UnitOfWork, principal: Principal, key: str, unit_id: str, lane_id: str,
                change: StepUpdate) -> dict:
    session = uow.session
    unit, row = _editable(session, principal, key, unit_id)
    steps, total = working(row, _latest(session, key))
    step = next((s for s in steps if s["lane_id"] == lane_id), None)
    if step is None:
        raise NotFound(msg("{key} has no step (lane) {lane_id!r}", key=key, lane_id=lane_id))
    values = change.model_dump(exclude_unset=True)
    emptied = sorted(k for k in NOT_NULL if k in values and values[k] is None)
    if emptied:
        raise Invalid(msg("{items} cannot be null; leave a field out to keep it as it is", items=', '.join(emptied)),
                      code="null_not_allowed")
    if "actions" in values:
        unknown = sorted(set(values["actions"]) - set(step["declared_actions"]))
        if unknown:
            raise Invalid(msg("step “{display_name}” does not allow {items}; the BPMN declares {items2}",
                              display_name=step['display_name'], items=', '.join(unknown),
                              items2=', '.join(step['declared_actions'])))
        if not [a for a in values["actions"] if a not in VERBS]:
            raise Invalid(msg("step “{display_name}” needs at least one action that completes it (of {items})",
                              display_name=step['display_name'],
                              items=', '.join(a for a in step['declared_actions'] if a not in VERBS)),
                          code="no_completing_action")
    if values.get("time_share_percent") is not None and values.get("fixed_hours") is not None:
        raise Invalid(msg("give the step either a share of the process time or fixed hours, not both"),
                      code="time_share_or_hours")
    if values.get("time_share_percent") is not None:
        values["fixed_hours"] = None
    elif values.get("fixed_hours") is not None:
        values["time_share_percent"] = None
    people = step.get("people", "staffing")
    if people != "staffing" and ("staff" in values or values.get("staff_of_step") is not None):
        raise Invalid(msg("the people of step “{display_name}” come from each instance ({people}); it takes no staff",
                          display_name=step['display_name'], people=people), code="step_not_staffed")
    if values.get("staff"):
        check_staff(session, unit, values["staff"])
        values.setdefault("staff_of_step", None)
    if values.get("staff_of_step") is not None:
        if values["staff_of_step"] == step["step"] or values["staff_of_step"] not in {s["step"] for s in steps}:
            raise Invalid(msg("step {staff_of_step} cannot provide the staff of step {step}",
                              staff_of_step=values['staff_of_step'], step=step['step']))
        values["staff"] = []
    step.update(values)
    if row.status != "complete":
        row.status = "not_configured"
    _store(row, steps, total)
    publish_change(uow, row, "step_updated", principal.account_id, {"lane_id": lane_id, "changed": sorted(values),
                                                                    "draft": bool(row.draft)})
    uow.commit()
    return current(session, principal, key, unit_id)


def set_total_days(uow: UnitOfWork, principal: Principal, key: str, unit_id: str, total_days: float) -> dict:
    """The whole process time for this unit in working days (the steps share it by their percentages); new
    instances use it, running ones keep theirs."""
    session = uow.session
    _unit, row = _editable(session, principal, key, unit_id)
    steps, before = working(row)
    _store(row, steps, total_days)
    publish_change(uow, row, "sla_changed", principal.account_id, {"total_days": [before, total_days],
                                                                   "draft": bool(row.draft)})
    uow.commit()
    return current(session, principal, key, unit_id)


def problems_of(steps: list[dict]) -> list[str]:
    """Why a set-up cannot serve: a staffed step without people, time shares not adding up to 100 %."""
    missing = [s["display_name"] for s in steps if s.get("people", "staffing") == "staffing"
               and not s["staff"] and not s.get("staff_of_step")]
    problems = [msg("no staff for step “{name}”", name=name) for name in missing]
    shares = [s["time_share_percent"] for s in steps if s.get("fixed_hours") is None]
    if shares and (None in shares or abs(sum(x or 0 for x in shares) - 100) > 0.01):
        fixed = [s["display_name"] for s in steps if s.get("fixed_hours") is not None]
        besides = f" (steps with fixed hours, not counted: {', '.join(fixed)})" if fixed else ""
        problems.append(msg("the time shares of the steps without fixed hours add up to {sum:g} %, not 100 %{besides}",
                            sum=sum(x or 0 for x in shares), besides=besides))
    return problems


def confirm(uow: UnitOfWork, principal: Principal, key: str, unit_id: str) -> dict:
    """Make the staffing (or its draft) effective: every staffed step has people, shares add up to 100 %."""
    session = uow.session
    _unit, row = _editable(session, principal, key, unit_id)
    steps, total = working(row, _latest(session, key))
    problems = problems_of(steps)
    if problems:
        raise Conflict(msg("the staffing is not complete: {problems}", problems=Sentences(problems)), problems=problems)
    row.steps, row.total_days, row.draft, row.status = steps, total, None, "complete"
    publish_change(uow, row, "confirmed", principal.account_id, {})
    uow.commit()
    return current(session, principal, key, unit_id)


def pin_version(uow: UnitOfWork, principal: Principal, key: str, unit_id: str, number: int | None) -> dict:
    """New instances of the unit start on version ``number`` (None: the latest again); running ones stay on
    theirs."""
    session = uow.session
    _unit, row = _editable(session, principal, key, unit_id)
    if number is not None:
        version(session, key, number)   # 404 when that version does not exist
    before, row.pinned_version = row.pinned_version, number
    publish_change(uow, row, "version_pinned", principal.account_id, {"pinned_version": [before, number]})
    uow.commit()
    return current(session, principal, key, unit_id)


def discard_draft(uow: UnitOfWork, principal: Principal, key: str, unit_id: str) -> dict:
    """Drop the edits of a confirmed set-up: it stays as it was confirmed."""
    session = uow.session
    _unit, row = _editable(session, principal, key, unit_id)
    if not row.draft:
        raise Conflict(msg("there is no draft to discard"), code="no_draft")
    row.draft = None
    publish_change(uow, row, "draft_discarded", principal.account_id, {})
    uow.commit()
    return current(session, principal, key, unit_id)


def reset(uow: UnitOfWork, principal: Principal, key: str, unit_id: str) -> dict:
    """The BPMN's defaults again (as a draft while a confirmed set-up serves)."""
    session = uow.session
    _unit, row = _editable(session, principal, key, unit_id)
    _store(row, defaults(_latest(session, key)), None)
    if row.status != "complete":
        row.status = "not_configured"
    publish_change(uow, row, "reset", principal.account_id, {"draft": bool(row.draft)})
    uow.commit()
    return current(session, principal, key, unit_id)


def audit(session: Session, principal: Principal, key: str, unit_id: str) -> list[dict]:
    require_configure(session, principal, unit_id)
    rows = session.exec(select(StaffingAudit).where(StaffingAudit.process_key == key,
                                                    StaffingAudit.unit_id == unit_id).order_by(StaffingAudit.id))
    return [{"action": r.action, "detail": r.detail, "actor": r.actor, "at": iso(r.at)} for r in rows.all()]
