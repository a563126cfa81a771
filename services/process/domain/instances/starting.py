"""Starting an instance of the latest version of a process for a unit (over HTTP or from a bus message)."""
from __future__ import annotations

from sqlmodel import select

from services.common.db import UnitOfWork
from services.common.errors import Invalid
from services.common.i18n import msg
from services.common.text import nfc
from services.process import engine
from services.process.domain.access import unit_or_404
from services.process.domain.definitions import called_by, engine_files, shape, versions
from services.process.domain.instances.context import Context, Policy, all_steps, check_size, clean, new_id, save
from services.process.domain.instances.mirror import mirror
from services.process.domain.instances.views import instance_view
from services.process.models import ProcessInstance, Staffing


def start(uow: UnitOfWork, policy: Policy, *, process_key: str, unit_id: str, variables: dict | None = None,
          business_key: str | None = None, title: str | None = None, actor: str | None = None,
          commit: bool = True, message: tuple[str, dict] | None = None) -> ProcessInstance:
    """Start the latest version of ``process_key`` for a unit (whose staffing is confirmed, when a step takes
    its people from it). With a business key the start is idempotent: the same key again returns the instance
    already started."""
    session = uow.session
    unit = unit_or_404(session, unit_id)
    if business_key:
        existing = session.exec(select(ProcessInstance).where(ProcessInstance.process_key == process_key,
                                                              ProcessInstance.business_key == business_key)).first()
        if existing is not None:
            return existing
    published = versions(session, process_key)   # a decision table's key is no process: 404
    pinned = session.exec(select(Staffing.pinned_version).where(Staffing.process_key == process_key,
                                                                Staffing.unit_id == unit.id)).first()
    definition = next((d for d in published if d.version == pinned), published[-1])
    called = called_by(session, definition)
    steps = all_steps(session, definition, called, unit)
    variables = clean(dict(variables or {}))
    check_size(variables)
    try:
        run = engine.Run.start(definition.xml, definition.content_hash, process_key, variables,
                               engine_files(called.values()))
        if message is not None:   # a message start event: the message is what starts it
            run.deliver("message", *message)
    except (engine.EngineError, engine.ScriptRefused) as exc:
        raise Invalid(msg("the process could not start: {exc}", exc=exc)) from exc
    staffing = session.exec(select(Staffing).where(Staffing.process_key == process_key,
                                                   Staffing.unit_id == unit.id)).first()
    total = (staffing.total_days if staffing is not None and staffing.status == "complete" else None) \
        or shape(definition).total_days or policy.default_total_days
    inst = ProcessInstance(id=new_id(), definition_id=definition.id, process_key=process_key,
                           definition_version=definition.version, unit_id=unit.id, business_key=business_key,
                           title=nfc(title or variables.get("title") or definition.name)[:500],
                           variables=variables, engine_state="{}", total_days=total, started_by=actor,
                           called={key: found.id for key, found in called.items()})
    session.add(inst)
    session.flush()
    ctx = Context(uow, policy, inst, definition, steps, actor, read_version=inst.version, called=called)
    ctx.history("started", data={"variables": variables, "business_key": business_key})
    uow.emit("process.instance.started", inst.id, {"instance": instance_view(inst), "actor": actor})
    save(ctx, mirror(ctx, run))
    if commit:
        uow.commit()
        session.refresh(inst)
    return inst
