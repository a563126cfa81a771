"""Seed 000 §3 over HTTP on the embedded suite: the admin of Sở Khoa học và Công nghệ staffs PAHT and confirms;
a report arrives as a bus message; it is assigned, returned once, extended, handled and approved; the result
goes back to the IOC as an event. An unstaffed unit cannot start the process."""
from __future__ import annotations

import json

from sqlmodel import select

from services.common.models import OutboxMessage
from tests.unit.process.story import SCT, P, report_event, staff_field_report


def published(suite, event_type: str) -> list[dict]:
    with suite.runtime("process").db.session() as session:
        rows = session.exec(select(OutboxMessage.body).where(OutboxMessage.event_type == event_type)
                            .order_by(OutboxMessage.id)).all()
    return [json.loads(body) for body in rows]


def inbox(client, headers, **query) -> dict:
    response = client.get(f"{P}/inbox", headers=headers, query_string=query)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def test_seed_000_field_report_story(suite):
    people = staff_field_report(suite)
    process = suite.gateway.apps["process"].test_client()
    toan_h, hung_h = suite.headers("dinhtruongtoan"), suite.headers("phungtienhung")
    unit = people["unit"]

    suite.runtime("orgunits").bus.publish(report_event("IOC-2026-0001", unit["id"]))
    suite.deliver()
    started = published(suite, "process.instance.started")
    assert len(started) == 1 and started[0]["data"]["instance"]["business_key"] == "IOC-2026-0001"
    instance_id = started[0]["data"]["instance"]["id"]

    # 1. Distribute: Toàn (step 1) sees it; Hùng (step 2 only) does not
    mine = inbox(process, toan_h)
    (distribute,) = [t for t in mine["items"] if t["instance_id"] == instance_id]
    assert distribute["name"] == "Phân phối phản ánh" and distribute["step_name"] == "Tiếp nhận, phân phối"
    assert distribute["instance_title"] == "Đèn đường hỏng trên đường Trần Hưng Đạo"
    assert distribute["due_at"] and distribute["bucket"] in ("due_today", "due_soon", "in_time")
    assert inbox(process, hung_h)["items"] == []
    done = process.post(f"{P}/tasks/{distribute['id']}/complete", headers=toan_h,
                        json={"action": "assign", "assign_to": [people["hung"]], "data": {"note": "Giao anh Hùng"}})
    assert done.status_code == 200, done.get_json()
    (handle,) = done.get_json()["next"]
    assert handle["name"] == "Xử lý phản ánh" and handle["assignees"] == [people["hung"]]

    # 2. Handle: Hùng returns it once (reason required); it goes back to Toàn, who assigns again
    assert process.post(f"{P}/tasks/{handle['id']}/return", headers=hung_h, json={"reason": " "}).status_code == 422
    returned = process.post(f"{P}/tasks/{handle['id']}/return", headers=hung_h,
                            json={"reason": "Không thuộc lĩnh vực của phòng, đề nghị phân lại"})
    assert returned.status_code == 200, returned.get_json()
    (again,) = returned.get_json()["next"]
    assert again["name"] == "Phân phối phản ánh" and again["assignees"] == [people["toan"]]
    assert published(suite, "process.task.returned")[0]["data"]["task"]["assignees"] == [people["toan"]]
    handle = process.post(f"{P}/tasks/{again['id']}/complete", headers=toan_h,
                          json={"action": "assign", "assign_to": [people["hung"]]}).get_json()["next"][0]

    # 3. Hùng asks for 2 more working days; the approver lane (the staff of step 1: Toàn) grants them
    asked = process.post(f"{P}/tasks/{handle['id']}/extension", headers=hung_h,
                         json={"days": 2, "reason": "Chờ đơn vị điện lực thay bóng"})
    assert asked.status_code == 200, asked.get_json()
    (decide,) = asked.get_json()["next"]
    assert decide["name"] == "Duyệt gia hạn" and decide["candidates"] == [people["toan"]]
    assert process.post(f"{P}/tasks/{decide['id']}/extension-decision", headers=hung_h,
                        json={"approved": True}).status_code == 403
    granted = process.post(f"{P}/tasks/{decide['id']}/extension-decision", headers=toan_h, json={"approved": True})
    assert granted.status_code == 200, granted.get_json()
    (handle2,) = granted.get_json()["next"]
    assert handle2["name"] == "Xử lý phản ánh" and handle2["assignees"] == [people["hung"]]
    assert handle2["due_at"] > handle["due_at"]
    decided = published(suite, "process.task.extension_decided")[0]["data"]
    assert decided["approved"] is True and decided["days"] == 2

    # 4. Hùng handles it (the form's required result is checked), Toàn approves
    missing = process.post(f"{P}/tasks/{handle2['id']}/complete", headers=hung_h, json={"action": "handle"})
    assert missing.status_code == 422 and "Kết quả xử lý" in missing.get_json()["detail"]
    handled = process.post(f"{P}/tasks/{handle2['id']}/complete", headers=hung_h, json={
        "action": "handle", "data": {"result": "Đã phối hợp Điện lực Phan Thiết thay 3 bóng đèn"}})
    assert handled.status_code == 200, handled.get_json()
    (approve,) = handled.get_json()["next"]
    assert approve["name"] == "Phê duyệt kết quả" and approve["candidates"] == [people["toan"]]
    approved = process.post(f"{P}/tasks/{approve['id']}/complete", headers=toan_h,
                            json={"action": "approve", "data": {"comment": "Đồng ý"}})
    assert approved.status_code == 200 and approved.get_json()["next"] == []

    (outcome,) = published(suite, "process.field_report.approved")
    assert outcome["data"]["report_id"] == "IOC-2026-0001"
    assert outcome["data"]["result"] == "Đã phối hợp Điện lực Phan Thiết thay 3 bóng đèn"
    assert outcome["data"]["handled_by"] == people["hung"] and outcome["data"]["decided_by"] == people["toan"]
    detail = process.get(f"{P}/instances/{instance_id}", headers=toan_h).get_json()
    assert (detail["state"], detail["result"], detail["current"]) == ("completed", "approved", [])
    assert [h["action"] for h in detail["history"]] == [
        "started", "assign", "return_to_previous", "assign", "request_extension", "decide_extension", "handle",
        "approve"]
    assert detail["history"][2]["reason"] == "Không thuộc lĩnh vực của phòng, đề nghị phân lại"
    assert detail["history"][2]["actor_name"] == "Phùng Tiến Hùng"
    assert published(suite, "process.instance.completed")[0]["data"]["instance"]["result"] == "approved"

    # notify read the process's events: Hùng was told of the assignments, Toàn of the return
    suite.deliver()
    notify = suite.gateway.apps["notify"].test_client()
    hung_notes = notify.get("/api/notify/notifications", headers=hung_h).get_json()["items"]
    assert any(n["event_type"] == "process.task.assigned" and "Xử lý phản ánh" in n["title"] + n["body"]
               for n in hung_notes)
    toan_notes = notify.get("/api/notify/notifications", headers=toan_h).get_json()["items"]
    assert any(n["event_type"] == "process.task.returned" for n in toan_notes)
    # the step's push flag: Toàn (step 1) was told a report arrived; the extension went to its approver, Toàn,
    # and not back to Hùng who asked for it
    assert any(n["event_type"] == "process.task.created" and "Phân phối phản ánh" in n["body"] for n in toan_notes)
    assert any(n["event_type"] == "process.task.extension_requested" for n in toan_notes)
    assert not any(n["event_type"] == "process.task.extension_requested" for n in hung_notes)

    # the same report again starts nothing new
    suite.runtime("orgunits").bus.publish(report_event("IOC-2026-0001", unit["id"]))
    suite.deliver()
    assert len(published(suite, "process.instance.started")) == 1


def test_an_unstaffed_unit_cannot_start_the_process(suite):
    process = suite.gateway.apps["process"].test_client()
    sct = suite.unit(SCT)
    refused = process.post(f"{P}/instances", headers=suite.headers("admin"),
                           json={"process_key": "field_report", "unit_id": sct["id"], "variables": {"title": "x"}})
    assert refused.status_code == 409 and "has not confirmed its staffing" in refused.get_json()["detail"]
    suite.runtime("orgunits").bus.publish(report_event("IOC-2026-0002", sct["id"]))
    suite.deliver()
    assert published(suite, "process.instance.started") == []
    (bounced,) = published(suite, "process.field_report.returned_to_ioc")
    assert bounced["data"]["report_id"] == "IOC-2026-0002" and bounced["data"]["instance_id"] is None
    assert "has not confirmed its staffing" in bounced["data"]["reason"]


def test_the_monitoring_centre_looks_a_report_up_by_its_id(suite):
    """Seed 000 / IOC: by the report id it sent, the state, the step it waits at, and at the end the result."""
    people = staff_field_report(suite)
    suite.runtime("orgunits").bus.publish(report_event("IOC-TRA-1", people["unit"]["id"]))
    suite.deliver()
    process = suite.gateway.apps["process"].test_client()
    ask = {"process_key": "field_report", "business_key": "IOC-TRA-1"}
    found = process.get(f"{P}/instances/by-key", headers=suite.headers("admin"), query_string=ask)
    assert found.status_code == 200, found.get_json()
    body = found.get_json()
    assert (body["state"], body["result"], body["business_key"]) == ("running", None, "IOC-TRA-1")
    assert [c["step_name"] for c in body["current"]] == ["Tiếp nhận, phân phối"]
    assert process.get(f"{P}/instances/by-key", headers=suite.headers("dinhtruongtoan"),
                       query_string=ask).status_code == 200, "the unit's own people see it too"
    other = process.get(f"{P}/instances/by-key", headers=suite.headers("qt.binhthuan"),
                        query_string={**ask, "business_key": "IOC-KHONG-CO"})
    assert other.status_code == 404
