"""How instances, tasks and attachments look to callers and in events, and the reads (an instance in full, a
unit's instances)."""
from __future__ import annotations

from sqlmodel import Session, col, select

from services.common.auth import Principal
from services.common.errors import NotFound
from services.common.i18n import msg
from services.common.models import iso, utcnow
from services.process.domain.access import can_see, lineage_of, require_sees_unit, visible_instance
from services.process.domain.definitions import shape
from services.process.domain.instances.context import Policy, definition_of
from services.process.domain.jobs import WORK
from services.process.domain.sla import deadline_bucket
from services.process.models import (
    Attachment,
    InstanceHistory,
    ProcessDefinition,
    ProcessInstance,
    ProcessTask,
    Staffing,
    UnitRef,
)


def task_view(task: ProcessTask, inst: ProcessInstance | None = None, step_names: dict | None = None) -> dict:
    default_name = task.lane_id.rpartition("/")[2]   # a called process's lane: <key>/<lane>
    return {"id": task.id, "name": task.name, "instance_id": task.instance_id, "process_key": task.process_key,
            "unit_id": task.unit_id, "lane_id": task.lane_id, "element_id": task.spec_id, "step": task.step,
            "step_name": (step_names or {}).get(task.lane_id, default_name), "status": task.status,
            "assignees": list(task.assignees), "candidates": list(task.candidates),
            "followers": list(inst.variables.get("followers") or []) if inst and isinstance(
                inst.variables.get("followers"), list) else [],
            "created_by": inst.started_by if inst else None, "created_at": iso(task.created_at),
            "due_at": iso(task.due_at), "overdue_at": iso(task.overdue_at), "ended_at": iso(task.ended_at),
            "ended_by": task.ended_by, "action": task.action}


def instance_view(inst: ProcessInstance) -> dict:
    return {"id": inst.id, "process_key": inst.process_key, "definition_version": inst.definition_version,
            "unit_id": inst.unit_id, "business_key": inst.business_key, "title": inst.title, "state": inst.state,
            "result": inst.result, "variables": inst.variables, "total_days": inst.total_days,
            "started_by": inst.started_by, "started_at": iso(inst.started_at), "ended_at": iso(inst.ended_at)}


def attachment_view(row: Attachment) -> dict:
    return {"id": row.id, "task_id": row.task_id, "filename": row.filename, "content_type": row.content_type,
            "size": row.size, "sha256": row.sha256, "uploaded_by": row.uploaded_by, "uploaded_at": iso(row.uploaded_at)}


class StepNames:
    """The step names a unit's admin gave (display_name) over the BPMN's lane names, read once per
    (version, unit) in a request."""

    def __init__(self, session: Session):
        self.session, self.found = session, {}

    def __call__(self, definition_id: int, process_key: str, unit_id: str) -> dict[str, str]:
        key = (definition_id, unit_id)
        if key not in self.found:
            found = shape(definition_of(self.session, definition_id))
            names = dict(found.lane_names)
            for called, _pinned in found.conventions.calls.values():   # lanes of called processes: <key>/<lane>
                latest = self.session.exec(select(ProcessDefinition).where(
                    ProcessDefinition.key == called, ProcessDefinition.kind == "process")
                    .order_by(col(ProcessDefinition.version).desc()).limit(1)).first()
                if latest is not None:
                    names.update({f"{called}/{lane}": name for lane, name in shape(latest).lane_names.items()})
            row = self.session.exec(select(Staffing).where(Staffing.process_key == process_key,
                                                           Staffing.unit_id == unit_id)).first()
            if row is not None:
                names.update({s["lane_id"]: s["display_name"] for s in row.steps if s.get("display_name")})
            self.found[key] = names
        return self.found[key]


def detail(session: Session, principal: Principal, instance_id: str, policy: Policy) -> dict:
    inst = visible_instance(session, principal, instance_id)
    definition = definition_of(session, inst.definition_id)
    names = StepNames(session)
    tasks = session.exec(select(ProcessTask).where(ProcessTask.instance_id == inst.id)
                         .order_by(col(ProcessTask.created_at))).all()
    history = session.exec(select(InstanceHistory).where(InstanceHistory.instance_id == inst.id)
                           .order_by(col(InstanceHistory.id))).all()
    files = session.exec(select(Attachment).where(Attachment.instance_id == inst.id)
                         .order_by(col(Attachment.uploaded_at))).all()
    now = utcnow()

    def view(task: ProcessTask) -> dict:
        return task_view(task, inst, names(inst.definition_id, inst.process_key, inst.unit_id))
    current = [{**view(t), "bucket": deadline_bucket(t.due_at, now, policy.calendar)}
               for t in tasks if t.status == "ready"]
    return {**instance_view(inst), "process_name": definition.name, "current": current,
            "tasks": [view(t) for t in tasks],
            "history": [{"task_id": h.task_id, "step": h.step, "task_name": h.task_name, "action": h.action,
                         "actor": h.actor, "actor_name": h.actor_name, "reason": h.reason, "data": h.data,
                         "at": iso(h.at)} for h in history],
            "attachments": [attachment_view(a) for a in files]}


def unit_instances(session: Session, principal: Principal, unit_id: str, state: str | None, page: int,
                   page_size: int) -> dict:
    unit = require_sees_unit(session, principal, unit_id)
    query = select(ProcessInstance).where(ProcessInstance.unit_id == unit.id)
    if state:
        query = query.where(ProcessInstance.state == state)
    rows = session.exec(query.order_by(col(ProcessInstance.started_at).desc())
                        .offset((page - 1) * page_size).limit(page_size)).all()
    return {"items": [instance_view(r) for r in rows], "page": page, "page_size": page_size}


def by_business_key(session: Session, principal: Principal, process_key: str, business_key: str,
                    policy: Policy) -> dict:
    """Where an instance started from outside stands, found by the key its sender gave it (the IOC's report id):
    its state, the steps it waits at, its result. For whoever sees the instance and for the workers of its unit
    (process.work); 404 for anyone else, as for an unknown key."""
    inst = session.exec(select(ProcessInstance).where(ProcessInstance.process_key == process_key,
                                                      ProcessInstance.business_key == business_key)).first()
    unit = session.get(UnitRef, inst.unit_id) if inst is not None else None
    if inst is None or unit is None or not (can_see(session, principal, inst) or
                                           principal.may(WORK, lineage_of(unit))):
        raise NotFound(msg("no {process_key} instance with the key {business_key!r}", process_key=process_key,
                           business_key=business_key))
    names = StepNames(session)(inst.definition_id, inst.process_key, inst.unit_id)
    now = utcnow()
    current = session.exec(select(ProcessTask).where(ProcessTask.instance_id == inst.id,
                                                     ProcessTask.status == "ready")).all()
    return {**instance_view(inst),
            "current": [{"name": t.name, "step": t.step, "step_name": names.get(t.lane_id, t.name),
                         "due_at": iso(t.due_at), "bucket": deadline_bucket(t.due_at, now, policy.calendar)}
                        for t in current]}
