"""The scheduler loop, with no request arriving: a BPMN timer moves an instance on, and a task past its due
time becomes overdue — published once, shown in the overdue bucket."""
from __future__ import annotations

import io
import threading
from datetime import timedelta

from sqlalchemy import update
from sqlmodel import select

from services.common.models import utcnow
from services.process.models import ProcessTask
from tests.helpers import wait_for
from tests.unit.process import bpmn_samples as samples
from tests.unit.process.story import P, report_event, staff_field_report


def running_scheduler(suite, interval=0.1):
    scheduler = suite.gateway.apps["process"].extensions["process.scheduler"]
    scheduler.interval = interval
    stop = threading.Event()
    thread = threading.Thread(target=scheduler.run, args=(stop,), daemon=True)
    thread.start()
    return stop, thread


def open_tasks(suite, instance_id=None) -> list[ProcessTask]:
    with suite.runtime("process").db.session() as session:
        query = select(ProcessTask).where(ProcessTask.status == "ready")
        if instance_id:
            query = query.where(ProcessTask.instance_id == instance_id)
        return list(session.exec(query).all())


def test_a_task_past_its_due_time_becomes_overdue_without_any_request(suite):
    people = staff_field_report(suite)
    suite.runtime("orgunits").bus.publish(report_event("IOC-OVERDUE-1", people["unit"]["id"]))
    suite.deliver()
    (task,) = open_tasks(suite)
    assert task.overdue_at is None and task.due_at > utcnow()
    with suite.runtime("process").db.session() as session:   # as if its allowance ran out a moment from now
        session.execute(update(ProcessTask).where(ProcessTask.id == task.id)
                        .values(due_at=utcnow() + timedelta(seconds=1)))
        session.commit()
    stop, thread = running_scheduler(suite)
    try:
        wait_for(lambda: open_tasks(suite)[0].overdue_at is not None, 15, "the scheduler to mark the task overdue")
        for _ in range(3):   # more rounds publish nothing more
            suite.gateway.apps["process"].extensions["process.scheduler"].tick()
    finally:
        stop.set()
        thread.join(5)
    assert suite.outbox_types("process").count("process.task.overdue") == 1
    process = suite.gateway.apps["process"].test_client()
    inbox = process.get(f"{P}/inbox", headers=suite.headers("dinhtruongtoan"), query_string={"bucket": "overdue"})
    body = inbox.get_json()
    assert [t["id"] for t in body["items"]] == [task.id] and body["items"][0]["bucket"] == "overdue"
    assert body["counts"]["overdue"] == 1 and body["total"] == 1
    detail = process.get(f"{P}/instances/{task.instance_id}", headers=suite.headers("dinhtruongtoan")).get_json()
    assert detail["history"][-1]["action"] == "overdue" and detail["current"][0]["bucket"] == "overdue"


def test_a_bpmn_timer_fires_from_the_scheduler_loop(suite):
    process = suite.gateway.apps["process"].test_client()
    deployed = process.post(f"{P}/definitions", headers=suite.headers("admin"), content_type="multipart/form-data",
                            data={"file": (io.BytesIO(samples.escalating("PT1S").encode()), "escalation.bpmn")})
    assert deployed.status_code == 201, deployed.get_json()
    unit = suite.unit("BT.01.01.13")
    admin = suite.headers("qt.sokhcn")
    toan = suite.account("dinhtruongtoan")["id"]
    url = f"{P}/units/{unit['id']}/processes/escalation_test/staffing"
    for lane in ("Lane_officer", "Lane_lead"):
        assert process.patch(f"{url}/steps/{lane}", headers=admin, json={"staff": [toan]}).status_code == 200
    assert process.post(f"{url}/confirm", headers=admin).status_code == 200
    started = process.post(f"{P}/instances", headers=suite.headers("dinhtruongtoan"),
                           json={"process_key": "escalation_test", "unit_id": unit["id"]})
    assert started.status_code == 201, started.get_json()
    instance_id = started.get_json()["id"]
    assert [t.name for t in open_tasks(suite, instance_id)] == ["Xử lý"]
    stop, thread = running_scheduler(suite)
    try:
        wait_for(lambda: [t.name for t in open_tasks(suite, instance_id)] == ["Lãnh đạo xử lý"], 15,
                 "the timer to move the instance to the lead")
    finally:
        stop.set()
        thread.join(5)
    detail = process.get(f"{P}/instances/{instance_id}", headers=suite.headers("dinhtruongtoan")).get_json()
    assert [t["status"] for t in detail["tasks"]] == ["cancelled", "ready"]
    assert "withdrawn" in [h["action"] for h in detail["history"]]
