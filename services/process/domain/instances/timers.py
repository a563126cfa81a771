"""What the scheduler does to one instance whose BPMN timer is due: let the engine fire it and mirror what
follows, under the instance's write turn like any other change."""
from __future__ import annotations

from sqlalchemy import update
from sqlmodel import col

from services.common.db import Database, UnitOfWork
from services.process.domain import incidents
from services.process.domain.instances.context import Policy, context_for, run_engine, save
from services.process.domain.instances.mirror import mirror
from services.process.models import ProcessInstance

SYSTEM = "system:scheduler"


def fire(uow: UnitOfWork, policy: Policy, instance_id: str) -> bool:
    inst = uow.session.get(ProcessInstance, instance_id)
    if inst is None or inst.state != "running":
        return False
    ctx = context_for(uow, policy, inst, SYSTEM)
    run = ctx.load()
    run_engine(run.fire_timers)
    ctx.history("timer")
    save(ctx, mirror(ctx, run))
    uow.commit()
    return True


def stop(db: Database, instance_id: str, error: str) -> None:
    """A timer whose path fails waits for an admin: an incident, and the scheduler leaves it alone until retried."""
    with db.uow() as uow:
        uow.session.execute(update(ProcessInstance).where(col(ProcessInstance.id) == instance_id)
                            .values(wake_at=None).execution_options(synchronize_session=False))
        inst = uow.session.get(ProcessInstance, instance_id)
        if inst is not None and inst.state == "running":
            incidents.open_in(uow, inst, kind="timer", error=error)
        uow.commit()
