"""Seed 000 §3 on the real parts: the process service on PostgreSQL and RabbitMQ learns its units and people
from directory events, the IOC sends field reports as bus messages (published with pika, as an integrator
would), the unit's people act over HTTP, and an integrator's pika queue receives the outcome:
``process.field_report.approved`` for the staffed unit, ``returned_to_ioc`` for a unit that never staffed PAHT."""
from __future__ import annotations

import json
import uuid

from sqlmodel import func, select

from services.common.envelope import make_event
from services.common.settings import settings_for
from services.process.app import ProcessSettings, create_app
from services.process.models import PersonRef, ProcessTask, UnitRef
from tests.conftest import auth
from tests.helpers import wait_for
from tests.integration.conftest import drain, integrator_queue, pika_connection
from tests.unit.process.story import P, report_event


def publish(amqp_url: str, *events: dict) -> None:
    with pika_connection(amqp_url) as conn:
        channel = conn.channel()
        channel.confirm_delivery()
        for event in events:
            channel.basic_publish("egov.events", event["type"], json.dumps(event).encode())


def unit_event(unit_id: str, name: str, ancestors: list[str]) -> dict:
    return make_event("orgunits.unit.created", source="orgunits", subject=unit_id, data={"unit": {
        "id": unit_id, "code": unit_id, "name": name, "status": "active", "ancestor_ids": ancestors, "version": 1,
        "updated_at": "2026-11-22T00:00:00Z"}})


def person_event(account_id: str, name: str, unit_id: str) -> dict:
    return make_event("identity.account.approved", source="identity", subject=account_id, data={"account": {
        "id": account_id, "full_name": name, "unit_id": unit_id, "status": "approved", "version": 1}})


def test_field_report_from_the_bus_to_an_integrators_pika_queue(pg_url, amqp_url, keys):
    app = create_app(settings_for("process", ProcessSettings, env="test", database_url=pg_url, bus_url=amqp_url,
                                  jwt_public_key=keys.public_pem, log_format="json", log_level="WARNING",
                                  relay_interval=0.05, scheduler_interval=0.5))
    runtime = app.extensions["egov"]
    runtime.bus.declare()
    outcomes = integrator_queue(amqp_url, "process.field_report.*")
    runtime.start_background()
    try:
        province, skhcn, sct = (f"u{uuid.uuid4().hex[:8]}" for _ in range(3))
        toan, hung = "acc-toan", "acc-hung"
        publish(amqp_url, unit_event(province, "Tỉnh Bình Thuận", []),
                unit_event(skhcn, "Sở Khoa học và Công nghệ", [province]),
                unit_event(sct, "Sở Công Thương", [province]),
                person_event(toan, "Đinh Trường Toàn", skhcn), person_event(hung, "Phùng Tiến Hùng", skhcn))

        def directory_ready():
            with runtime.db.session() as session:
                return session.get(UnitRef, skhcn) is not None and session.get(PersonRef, hung) is not None
        wait_for(directory_ready, 30, "the directory events to reach the process service")

        client = app.test_client()
        admin = auth(keys.mint(sub="qt-sokhcn", unit=skhcn, perms=["process.configure"], admin_units=[skhcn]))
        url = f"{P}/units/{skhcn}/processes/field_report/staffing"
        assert client.patch(f"{url}/steps/Lane_distribute", headers=admin, json={"staff": [toan]}).status_code == 200
        assert client.patch(f"{url}/steps/Lane_handle", headers=admin, json={"staff": [toan, hung]}).status_code == 200
        assert client.post(f"{url}/confirm", headers=admin).status_code == 200

        publish(amqp_url, report_event("IOC-PG-1", skhcn), report_event("IOC-PG-2", sct))
        toan_h = auth(keys.mint(sub=toan, unit=skhcn, perms=["tasks.handle"]))
        hung_h = auth(keys.mint(sub=hung, unit=skhcn, perms=["tasks.handle"]))

        def first_task():
            items = client.get(f"{P}/inbox", headers=toan_h).get_json()["items"]
            return items[0] if items else None
        distribute = wait_for(first_task, 30, "the report to start a process")

        def act(headers, task, verb, body):
            response = client.post(f"{P}/tasks/{task['id']}/{verb}", headers=headers, json=body)
            assert response.status_code == 200, response.get_json()
            return response.get_json()["next"]

        (handle,) = act(toan_h, distribute, "complete", {"action": "assign", "assign_to": [hung]})
        (again,) = act(hung_h, handle, "return", {"reason": "Cần phân lại cho phòng chuyên môn"})
        (handle,) = act(toan_h, again, "complete", {"action": "assign", "assign_to": [hung]})
        (decide,) = act(hung_h, handle, "extension", {"days": 1, "reason": "Chờ vật tư"})
        (handle,) = act(toan_h, decide, "extension-decision", {"approved": True})
        (approve,) = act(hung_h, handle, "complete", {"action": "handle", "data": {"result": "Đã thay bóng đèn"}})
        assert act(toan_h, approve, "complete", {"action": "approve"}) == []

        received = drain(amqp_url, outcomes, expect=2, timeout=30)
    finally:
        runtime.stop()
    by_report = {event["data"]["report_id"]: event for event, _props in received}
    assert set(by_report) == {"IOC-PG-1", "IOC-PG-2"}
    approved, bounced = by_report["IOC-PG-1"], by_report["IOC-PG-2"]
    assert approved["type"] == "process.field_report.approved" and approved["source"] == "/egov/process"
    assert approved["data"]["result"] == "Đã thay bóng đèn" and approved["data"]["handled_by"] == hung
    assert bounced["type"] == "process.field_report.returned_to_ioc"
    assert "has not confirmed its staffing" in bounced["data"]["reason"]
    with runtime.db.session() as session:
        assert session.exec(select(func.count()).select_from(ProcessTask).where(
            ProcessTask.status == "ready")).one() == 0
