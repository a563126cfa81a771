"""1,000 returns on one instance: each return rewinds the engine to the previous step instead of walking a
loop-back flow, so the stored state and the engine's task tree stay the size they were after the first round
(SpiffWorkflow 3.2 nests the tree one level deeper per loop and dies of RecursionError at ~197), and the
history keeps every return in its own table."""
from __future__ import annotations

from sqlmodel import func, select

from services.common.auth import Principal
from services.process import engine
from services.process.domain import instances
from services.process.models import InstanceHistory, ProcessDefinition, ProcessInstance, ProcessTask
from tests.unit.process.story import report_event, staff_field_report

RETURNS = 1000


def test_a_thousand_returns_on_one_instance_complete_at_flat_size(suite, monkeypatch):
    people = staff_field_report(suite)
    suite.runtime("orgunits").bus.publish(report_event("IOC-LOOP-1", people["unit"]["id"]))
    suite.deliver()
    # the 4,000 events of the loop stay in the outbox: notify's work on them is not what this test measures
    monkeypatch.setattr(suite.runtime("process").relay, "publish_pending", lambda: 0)
    db, policy = suite.runtime("process").db, instances.Policy()
    toan = Principal(people["toan"], people["unit"]["id"])
    hung = Principal(people["hung"], people["unit"]["id"])

    def open_task() -> ProcessTask:
        with db.session() as session:
            return session.exec(select(ProcessTask).where(ProcessTask.status == "ready")).one()

    def state() -> tuple[int, int]:
        with db.session() as session:
            inst = session.exec(select(ProcessInstance)).one()
            definition = session.get(ProcessDefinition, inst.definition_id)
            run = engine.Run.load(definition.xml, definition.content_hash, inst.process_key, inst.engine_state)
            return len(inst.engine_state), run.task_count()

    sizes = {}
    for round_ in range(RETURNS + 1):
        with db.uow() as uow:
            instances.complete(uow, policy, toan, open_task().id, action="assign", assign_to=[people["hung"]])
        if round_ in (1, RETURNS):
            sizes[round_] = state()
        if round_ == RETURNS:
            break
        with db.uow() as uow:
            instances.return_to_previous(uow, policy, hung, open_task().id, f"Trả lại lần {round_ + 1}")
    with db.uow() as uow:
        instances.complete(uow, policy, hung, open_task().id, action="handle", data={"result": "Đã xử lý"})
    with db.uow() as uow:
        done = instances.complete(uow, policy, toan, open_task().id, action="approve")
    assert done["next"] == []

    (bytes_1, tasks_1), (bytes_n, tasks_n) = sizes[1], sizes[RETURNS]
    assert tasks_n == tasks_1 and bytes_n <= bytes_1 * 1.2, sizes
    with db.session() as session:
        inst = session.exec(select(ProcessInstance)).one()
        assert (inst.state, inst.result) == ("completed", "approved")
        returns = session.exec(select(func.count()).select_from(InstanceHistory).where(
            InstanceHistory.action == "return_to_previous")).one()
        assert returns == RETURNS
        last = session.exec(select(InstanceHistory).where(InstanceHistory.action == "return_to_previous")
                            .order_by(InstanceHistory.id.desc())).first()
        assert last.reason == f"Trả lại lần {RETURNS}"
