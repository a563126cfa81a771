"""Moving running instances of a process onto another deployed version. A dry run lists which instances can
move and why the others cannot (an element one waits at is not in the target, a staffed step of the target is
not staffed by its unit); moving one keeps its tasks, its people and its history, and the engine runs on from
where it stood. Only the process's designers move its instances."""
from __future__ import annotations

from sqlmodel import Session, col, select

from services.common.auth import Principal
from services.common.db import Database
from services.common.errors import Conflict, DomainError, Forbidden, Invalid
from services.common.i18n import msg
from services.process import engine
from services.process.domain import definitions
from services.process.domain.definitions import called_by, engine_files, shape, version
from services.process.domain.instances.context import Context, Policy, all_steps, load_run, save
from services.process.domain.instances.mirror import mirror
from services.process.domain.instances.views import instance_view
from services.process.models import ProcessDefinition, ProcessInstance, UnitRef

MAX_INSTANCES = 5000


def _require_designer(session: Session, principal: Principal, key: str) -> None:
    exists, owner = definitions.owner_of(session, key)
    if exists and definitions.may_design(session, principal, owner):
        return
    raise Forbidden(msg("moving instances of “{key}” to another version is for its designers (process.design where it"
                        " belongs)", key=key), code="permission_missing", permission=definitions.DESIGN)


def _blockers(session: Session, inst: ProcessInstance, target: ProcessDefinition,
              called: dict[str, ProcessDefinition]) -> list[str]:
    """Why ``inst`` cannot move to ``target`` (empty: it can)."""
    run = load_run(session, inst)
    try:
        reasons = [p["message"] for p in run.migration_problems(target.xml, target.content_hash, target.key,
                                                                 engine_files(called.values()))]
    except engine.EngineError as exc:
        return [f"the engine cannot compare it with the target: {exc}"]
    unit = session.get(UnitRef, inst.unit_id)
    try:
        steps = {s["lane_id"] for s in all_steps(session, target, called, unit)}
    except Conflict as exc:
        return [*reasons, exc.detail]
    for lane in shape(target).conventions.lanes:
        if lane.props.people == "staffing" and lane.id not in steps:
            reasons.append(f"“{unit.name if unit else inst.unit_id}” has not staffed the step “{lane.name}” of "
                           f"version {target.version}; its admin staffs it and confirms")
    return reasons


def _candidates(session: Session, key: str, from_version: int, instance_ids: list[str] | None):
    query = select(ProcessInstance).where(ProcessInstance.process_key == key,
                                          ProcessInstance.definition_version == from_version,
                                          ProcessInstance.state == "running")
    if instance_ids:
        query = query.where(col(ProcessInstance.id).in_(instance_ids))
    rows = list(session.exec(query.order_by(ProcessInstance.started_at).limit(MAX_INSTANCES + 1)).all())
    if len(rows) > MAX_INSTANCES:
        raise Invalid(msg("more than {MAX_INSTANCES:,} instances at once; name the instances to move",
                          MAX_INSTANCES=MAX_INSTANCES),
                      code="too_many_instances")
    return rows


def migrate(db: Database, policy: Policy, principal: Principal, key: str, from_version: int, to_version: int, *,
            dry_run: bool = True, instance_ids: list[str] | None = None) -> dict:
    """The plan (dry run) or the move of the running instances of ``key`` on ``from_version``."""
    if from_version == to_version:
        raise Invalid(msg("the source and the target are the same version"), code="same_version")
    with db.session() as session:
        _require_designer(session, principal, key)
        version(session, key, from_version)
        target = version(session, key, to_version)
        session.expunge(target)
        called = called_by(session, target)
        for found in called.values():
            session.expunge(found)
        plan = []
        for inst in _candidates(session, key, from_version, instance_ids):
            plan.append((inst.id, inst.title, _blockers(session, inst, target, called)))
    movable = [(i, title) for i, title, reasons in plan if not reasons]
    report = {"process_key": key, "from_version": from_version, "to_version": to_version, "dry_run": dry_run,
              "movable": [{"instance_id": i, "title": title} for i, title in movable],
              "blocked": [{"instance_id": i, "title": title, "reasons": reasons} for i, title, reasons in plan
                          if reasons], "moved": [], "failed": []}
    if dry_run:
        return report
    for instance_id, title in movable:
        try:
            _move(db, policy, principal, instance_id, target, called, from_version)
            report["moved"].append({"instance_id": instance_id, "title": title})
        except DomainError as exc:   # changed meanwhile, or the engine refused: it stays where it was
            report["failed"].append({"instance_id": instance_id, "title": title, "reason": exc.detail})
    return report


def _move(db: Database, policy: Policy, principal: Principal, instance_id: str, target: ProcessDefinition,
          called: dict[str, ProcessDefinition], from_version: int) -> None:
    with db.uow() as uow:
        session = uow.session
        inst = session.get(ProcessInstance, instance_id)
        if inst.state != "running" or inst.definition_version != from_version:
            raise Conflict(msg("the instance changed since the plan was made"), code="changed_meanwhile")
        run = load_run(session, inst)
        try:
            moved = run.migrate(target.xml, target.content_hash, target.key, engine_files(called.values()))
        except engine.EngineError as exc:
            raise Invalid(msg("the engine could not move it: {exc}", exc=exc)) from exc
        steps = all_steps(session, target, called, session.get(UnitRef, inst.unit_id))
        ctx = Context(uow, policy, inst, target, steps, principal.account_id, read_version=inst.version,
                      called=called)
        ctx.history("migrated", data={"from_version": from_version, "to_version": target.version})
        columns = mirror(ctx, moved)
        save(ctx, {**columns, "definition_id": target.id, "definition_version": target.version,
                   "called": {key: found.id for key, found in called.items()}})
        uow.emit("process.instance.migrated", inst.id, {
            "instance": {**instance_view(inst), "definition_version": target.version}, "actor": principal.account_id,
            "from_version": from_version, "to_version": target.version})
        uow.commit()
