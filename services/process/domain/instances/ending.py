"""When an instance ends: its result is the one its end event declares, and the end event's own event (if the
model declares one) is published with the data its ``event_data`` maps — no process is known here by name."""
from __future__ import annotations

from datetime import datetime

from sqlmodel import col, select

from services.common.models import iso
from services.process import engine
from services.process.conventions import EndProps
from services.process.domain.instances.context import Context
from services.process.domain.instances.views import instance_view
from services.process.models import InstanceHistory, ProcessTask


def completed(ctx: Context, run: engine.Run, now: datetime) -> dict:
    ends = run.reached_ends()
    conventions = ctx.shape.conventions
    end = conventions.ends.get(ends[-1]) if ends else None
    result = end.result if end is not None else "completed"
    snapshot = {**instance_view(ctx.inst), "state": "completed", "result": result, "ended_at": iso(now)}
    ctx.uow.emit("process.instance.completed", ctx.inst.id, {"instance": snapshot, "actor": ctx.actor})
    if end is not None and end.event:
        ctx.uow.emit(end.event, ctx.inst.business_key or ctx.inst.id, event_data(ctx, end, result, run.last_data(),
                                                                                  now))
    return {"state": "completed", "result": result, "ended_at": now}


class _Sources:
    """Where an end event's ``event_data`` reads from: the instance, who acted last, the data the process ended
    with, and what each user task was completed with (its last completion)."""

    def __init__(self, ctx: Context, result: str, data: dict, now: datetime):
        self.ctx, self.data, self.tasks = ctx, data, {}
        inst = ctx.inst
        self.fixed = {"instance.id": inst.id, "instance.business_key": inst.business_key,
                      "instance.unit_id": inst.unit_id, "instance.process_key": inst.process_key,
                      "instance.title": inst.title, "instance.result": result, "instance.started_by": inst.started_by,
                      "actor.id": ctx.actor, "actor.name": ctx.name_of(ctx.actor), "now": iso(now)}

    def _task(self, spec_id: str) -> tuple[ProcessTask | None, dict]:
        if spec_id not in self.tasks:
            session = self.ctx.session
            done = session.exec(select(ProcessTask).where(
                ProcessTask.instance_id == self.ctx.inst.id, ProcessTask.spec_id == spec_id,
                ProcessTask.status == "completed").order_by(col(ProcessTask.ended_at).desc()).limit(1)).first()
            line = session.exec(select(InstanceHistory).where(InstanceHistory.task_id == done.id)
                                .order_by(col(InstanceHistory.id).desc()).limit(1)).first() if done else None
            self.tasks[spec_id] = (done, dict(line.data) if line else {})
        return self.tasks[spec_id]

    def value(self, source: str):
        if source in self.fixed:
            return self.fixed[source]
        if "." in source:
            spec_id, _, name = source.rpartition(".")
            task, data = self._task(spec_id)
            if name == "actor":
                return task.ended_by if task else None
            if name == "actor_name":
                return self.ctx.name_of(task.ended_by) if task else None
            return data.get(name)
        return self.data.get(source)

    def first(self, sources: str):
        for source in sources.split("|"):
            found = self.value(source.strip())
            if found not in (None, ""):
                return found
        return None


def event_data(ctx: Context, end: EndProps, result: str, data: dict, now: datetime) -> dict:
    sources = _Sources(ctx, result, data, now)
    return {name: sources.first(source) for name, source in end.event_data.items()}
