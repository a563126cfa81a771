"""Instances, the inbox and the actions: who sees and acts on what, delegation and claims, form and
attachment rules, one writer per instance, engine errors leaving the stored state intact, cancellation."""
from __future__ import annotations

import io
import json

from sqlmodel import select

from services.common.errors import Conflict
from services.common.models import OutboxMessage
from services.process import engine
from services.process.domain import instances
from services.process.models import InstanceHistory, ProcessInstance, ProcessTask
from tests.unit.process.story import P, staff_field_report, start_report


def outsider(suite) -> dict:
    """A token of someone in another unit (Sở Công Thương), minted by identity's own issuer."""
    issuer = suite.gateway.apps["identity"].extensions["identity"].issuer
    other = suite.unit("BT.01.01.01")
    token, _ttl = issuer.access_token(account_id="outsider-1", unit_id=other["id"], version=0, name="Người ngoài",
                                      grants=[{"unit": other["id"], "perms": ["tasks.handle"]}])
    return {"Authorization": f"Bearer {token}"}


def test_an_officer_sees_only_tasks_of_lanes_he_staffs_and_cannot_act_on_others(suite):
    people = staff_field_report(suite)
    process, distribute = start_report(suite, people)
    toan_h, hung_h = suite.headers("dinhtruongtoan"), suite.headers("phungtienhung")
    assert process.get(f"{P}/inbox", headers=hung_h).get_json()["items"] == []
    unit_view = process.get(f"{P}/inbox", headers=hung_h, query_string={"scope": "unit",
                                                                        "unit_id": people["unit"]["id"]}).get_json()
    assert [t["id"] for t in unit_view["items"]] == [distribute["id"]]
    # Hùng is in the unit (he sees the task) but not staff of step 1: 403; someone of another unit: 404
    refused = process.post(f"{P}/tasks/{distribute['id']}/complete", headers=hung_h, json={"action": "assign"})
    assert refused.status_code == 403 and "not one of the people" in refused.get_json()["detail"]
    assert process.post(f"{P}/tasks/{distribute['id']}/complete", headers=outsider(suite),
                        json={"action": "assign"}).status_code == 404
    assert process.get(f"{P}/instances/{distribute['instance_id']}", headers=outsider(suite)).status_code == 404
    assert process.get(f"{P}/inbox", headers=outsider(suite), query_string={
        "scope": "unit", "unit_id": people["unit"]["id"]}).status_code == 404
    # an action the step does not allow, and assigning to someone who is not staff of the next step
    wrong = process.post(f"{P}/tasks/{distribute['id']}/complete", headers=toan_h, json={"action": "approve"})
    assert wrong.status_code == 422 and "not an action of step" in wrong.get_json()["detail"]
    admin_id = suite.account("qt.sokhcn")["id"]
    stranger = process.post(f"{P}/tasks/{distribute['id']}/complete", headers=toan_h,
                            json={"action": "assign", "assign_to": [admin_id]})
    assert stranger.status_code == 422 and stranger.get_json()["code"] == "not_staff_of_step"
    assert "cannot do step “Xử lý”" in stranger.get_json()["detail"]
    # nothing of the refused attempt was kept
    detail = process.get(f"{P}/instances/{distribute['instance_id']}", headers=toan_h).get_json()
    assert [t["id"] for t in detail["current"]] == [distribute["id"]]
    assert [h["action"] for h in detail["history"]] == ["started"]
    # the assigned handler only: Toàn is staff of step 2 too, but the task went to Hùng
    handle = process.post(f"{P}/tasks/{distribute['id']}/complete", headers=toan_h,
                          json={"action": "assign", "assign_to": [people["hung"]]}).get_json()["next"][0]
    assert [t["id"] for t in process.get(f"{P}/inbox", headers=hung_h).get_json()["items"]] == [handle["id"]]
    taken = process.post(f"{P}/tasks/{handle['id']}/complete", headers=toan_h,
                         json={"action": "handle", "data": {"result": "x"}})
    assert taken.status_code == 403 and "Phùng Tiến Hùng" in taken.get_json()["detail"]


def test_delegate_within_the_step_and_claim(suite):
    people = staff_field_report(suite)
    process, distribute = start_report(suite, people)
    toan_h, hung_h = suite.headers("dinhtruongtoan"), suite.headers("phungtienhung")
    nobody = process.post(f"{P}/tasks/{distribute['id']}/complete", headers=toan_h,
                          json={"action": "assign", "assign_to": []})
    assert nobody.status_code == 422 and nobody.get_json()["code"] == "assignee_required"
    both = [people["toan"], people["hung"]]
    handle = process.post(f"{P}/tasks/{distribute['id']}/complete", headers=toan_h,
                          json={"action": "assign", "assign_to": both}).get_json()["next"][0]
    assert handle["assignees"] == [people["toan"], people["hung"]]
    assert sorted(handle["candidates"]) == sorted([people["toan"], people["hung"]])
    claimed = process.post(f"{P}/tasks/{handle['id']}/claim", headers=hung_h)
    assert claimed.status_code == 200 and claimed.get_json()["assignees"] == [people["hung"]]
    assert process.get(f"{P}/inbox", headers=toan_h).get_json()["items"] == []
    admin_id = suite.account("qt.sokhcn")["id"]
    outside = process.post(f"{P}/tasks/{handle['id']}/delegate", headers=hung_h, json={"to": admin_id})
    assert outside.status_code == 422 and "within its step" in outside.get_json()["detail"]
    moved = process.post(f"{P}/tasks/{handle['id']}/delegate", headers=hung_h,
                         json={"to": people["toan"], "note": "Anh xử lý giúp"})
    assert moved.status_code == 200 and moved.get_json()["assignees"] == [people["toan"]]
    assert [t["id"] for t in process.get(f"{P}/inbox", headers=toan_h).get_json()["items"]] == [handle["id"]]
    assert suite.outbox_types("process").count("process.task.delegated") == 1
    assert suite.outbox_types("process").count("process.task.assigned") == 2   # the assignment, the claim


def test_attachment_required_and_form_fields(suite):
    people = staff_field_report(suite)
    admin = suite.headers("qt.sokhcn")
    url = f"{P}/units/{people['unit']['id']}/processes/field_report/staffing"
    process = suite.gateway.apps["process"].test_client()
    process.patch(f"{url}/steps/Lane_handle", headers=admin, json={"attachment_required": True})
    assert process.post(f"{url}/confirm", headers=admin).status_code == 200
    process, distribute = start_report(suite, people)
    toan_h, hung_h = suite.headers("dinhtruongtoan"), suite.headers("phungtienhung")
    handle = process.post(f"{P}/tasks/{distribute['id']}/complete", headers=toan_h,
                          json={"action": "assign", "assign_to": [people["hung"]]}).get_json()["next"][0]
    unknown = process.post(f"{P}/tasks/{handle['id']}/complete", headers=hung_h,
                           json={"action": "handle", "data": {"result": "ok", "secret": 1}})
    assert unknown.status_code == 422 and "“secret” is not a field" in unknown.get_json()["detail"]
    no_file = process.post(f"{P}/tasks/{handle['id']}/complete", headers=hung_h,
                           json={"action": "handle", "data": {"result": "ok"}})
    assert no_file.status_code == 409 and "needs an attachment" in no_file.get_json()["detail"]
    content = "Biên bản kiểm tra hiện trường".encode()
    uploaded = process.post(f"{P}/tasks/{handle['id']}/attachments", headers=hung_h, content_type="multipart/form-data",
                            data={"file": (io.BytesIO(content), "biên bản.txt")})
    assert uploaded.status_code == 201, uploaded.get_json()
    done = process.post(f"{P}/tasks/{handle['id']}/complete", headers=hung_h,
                        json={"action": "handle", "data": {"result": "Đã xử lý"}})
    assert done.status_code == 200, done.get_json()
    detail = process.get(f"{P}/instances/{handle['instance_id']}", headers=toan_h).get_json()
    (attachment,) = detail["attachments"]
    assert attachment["filename"] == "biên bản.txt" and attachment["size"] == len(content)
    download = process.get(f"{P}/instances/{handle['instance_id']}/attachments/{attachment['id']}", headers=toan_h)
    assert download.status_code == 200 and download.data == content
    assert process.get(f"{P}/instances/{handle['instance_id']}/attachments/{attachment['id']}",
                       headers=outsider(suite)).status_code == 404


def test_one_writer_per_instance(suite):
    """Two changes read the same version: the second write is refused with 409 and keeps nothing."""
    people = staff_field_report(suite)
    _process, distribute = start_report(suite, people)
    db = suite.runtime("process").db
    with db.uow() as first, db.uow() as second:
        stale = second.session.get(ProcessInstance, distribute["instance_id"])
        version = stale.version
        ctx = instances.Context(first, instances.Policy(), first.session.get(ProcessInstance, stale.id), None, [],
                                "a", read_version=version)
        instances.save(ctx, {"title": "first"})
        first.commit()
        late = instances.Context(second, instances.Policy(), stale, None, [], "b", read_version=version)
        try:
            instances.save(late, {"title": "second"})
        except Conflict as exc:
            refused = exc
        else:
            refused = None
    assert refused is not None and "someone else changed this process" in refused.detail
    with db.session() as session:
        row = session.get(ProcessInstance, distribute["instance_id"])
        assert (row.title, row.version) == ("first", version + 1)


def test_cancel_closes_the_open_tasks(suite):
    people = staff_field_report(suite)
    process, distribute = start_report(suite, people)
    toan_h, admin = suite.headers("dinhtruongtoan"), suite.headers("qt.sokhcn")
    url = f"{P}/instances/{distribute['instance_id']}/cancel"
    assert process.post(url, headers=toan_h, json={"reason": "x"}).status_code == 403
    assert process.post(url, headers=admin, json={"reason": " "}).status_code == 422
    cancelled = process.post(url, headers=admin, json={"reason": "Trùng phản ánh IOC-T-0"})
    assert cancelled.status_code == 200 and cancelled.get_json()["state"] == "cancelled"
    assert process.get(f"{P}/inbox", headers=toan_h).get_json()["items"] == []
    assert process.post(url, headers=admin, json={"reason": "again"}).status_code == 409
    assert suite.outbox_types("process").count("process.instance.cancelled") == 1


def test_leave_request_started_by_an_officer_and_rejected_with_a_reason(suite):
    people = staff_field_report(suite)
    process = suite.gateway.apps["process"].test_client()
    admin = suite.headers("qt.sokhcn")
    unit_id = people["unit"]["id"]
    url = f"{P}/units/{unit_id}/processes/leave_request/staffing"
    for lane in ("Lane_head", "Lane_director", "Lane_personnel"):
        assert process.patch(f"{url}/steps/{lane}", headers=admin, json={"staff": [people["toan"]]}).status_code == 200
    assert process.put(f"{url}/sla", headers=admin, json={"total_days": 2}).status_code == 200
    assert process.post(f"{url}/confirm", headers=admin).status_code == 200
    hung_h, toan_h = suite.headers("phungtienhung"), suite.headers("dinhtruongtoan")
    started = process.post(f"{P}/instances", headers=hung_h, json={
        "process_key": "leave_request", "unit_id": unit_id, "title": "Nghỉ phép 2 ngày",
        "variables": {"from_date": "2026-12-01", "to_date": "2026-12-02", "reason": "Việc gia đình"}})
    assert started.status_code == 201, started.get_json()
    body = started.get_json()
    assert body["total_days"] == 2 and body["variables"]["reason"] == "Việc gia đình"
    (head,) = body["current"]
    no_reason = process.post(f"{P}/tasks/{head['id']}/complete", headers=toan_h, json={"action": "reject"})
    assert no_reason.status_code == 422
    rejected = process.post(f"{P}/tasks/{head['id']}/complete", headers=toan_h,
                            json={"action": "reject", "reason": "Đang cao điểm cuối năm"})
    assert rejected.status_code == 200 and rejected.get_json()["next"] == []
    detail = process.get(f"{P}/instances/{body['id']}", headers=hung_h).get_json()
    assert (detail["state"], detail["result"]) == ("completed", "rejected")
    bad = process.post(f"{P}/instances", headers=hung_h, json={
        "process_key": "leave_request", "unit_id": unit_id, "variables": {"1st": "x"}})
    assert bad.status_code == 422 and "cannot be a variable name" in bad.get_json()["detail"]


def test_an_engine_error_keeps_the_stored_state_and_the_next_request_works(suite, monkeypatch):
    people = staff_field_report(suite)
    process, distribute = start_report(suite, people)
    toan_h = suite.headers("dinhtruongtoan")
    with suite.runtime("process").db.session() as session:
        before = session.get(ProcessInstance, distribute["instance_id"]).engine_state

    def broken(self, engine_id, data):
        raise engine.EngineError("a condition failed")

    monkeypatch.setattr(engine.Run, "complete", broken)
    failed = process.post(f"{P}/tasks/{distribute['id']}/complete", headers=toan_h,
                          json={"action": "assign", "assign_to": [people["hung"]]})
    assert failed.status_code == 422 and "could not continue: a condition failed" in failed.get_json()["detail"]
    monkeypatch.undo()
    with suite.runtime("process").db.session() as session:
        assert session.get(ProcessInstance, distribute["instance_id"]).engine_state == before
        assert session.exec(select(InstanceHistory.action).where(
            InstanceHistory.instance_id == distribute["instance_id"])).all() == ["started"]
    done = process.post(f"{P}/tasks/{distribute['id']}/complete", headers=toan_h,
                        json={"action": "assign", "assign_to": [people["hung"]]})
    assert done.status_code == 200, done.get_json()
    with suite.runtime("process").db.session() as session:
        assert session.get(ProcessTask, distribute["id"]).status == "completed"


def test_distribution_can_return_a_report_to_the_monitoring_centre_with_a_reason(suite):
    people = staff_field_report(suite)
    process, distribute = start_report(suite, people, "IOC-T-9")
    toan_h = suite.headers("dinhtruongtoan")
    url = f"{P}/tasks/{distribute['id']}/complete"
    assert process.post(url, headers=toan_h, json={"action": "return_to_ioc"}).status_code == 422
    back = process.post(url, headers=toan_h, json={"action": "return_to_ioc",
                                                   "reason": "Không thuộc thẩm quyền của Sở"})
    assert back.status_code == 200 and back.get_json()["next"] == []
    detail = process.get(f"{P}/instances/{distribute['instance_id']}", headers=toan_h).get_json()
    assert (detail["state"], detail["result"]) == ("completed", "returned_to_ioc")
    with suite.runtime("process").db.session() as session:
        body = json.loads(session.exec(select(OutboxMessage.body).where(
            OutboxMessage.event_type == "process.field_report.returned_to_ioc")).one())
    assert (body["data"]["report_id"], body["data"]["reason"]) == ("IOC-T-9", "Không thuộc thẩm quyền của Sở")


def test_every_task_ends_with_process_task_closed_whatever_ended_it(suite):
    """Completed, returned, cancelled: each task's subject gets process.task.closed as its last event, with how
    (``task.status``, ``task.action``) and why."""
    people = staff_field_report(suite)
    process, distribute = start_report(suite, people, "IOC-T-CLOSED")
    toan_h, hung_h = suite.headers("dinhtruongtoan"), suite.headers("phungtienhung")
    (handle,) = process.post(f"{P}/tasks/{distribute['id']}/complete", headers=toan_h, json={
        "action": "assign", "assign_to": [people["hung"]]}).get_json()["next"]
    (again,) = process.post(f"{P}/tasks/{handle['id']}/return", headers=hung_h,
                            json={"reason": "Sai đơn vị xử lý"}).get_json()["next"]
    cancelled = process.post(f"{P}/instances/{distribute['instance_id']}/cancel", headers=suite.headers("qt.sokhcn"),
                             json={"reason": "Trùng phản ánh"})
    assert cancelled.status_code == 200, cancelled.get_json()
    with suite.runtime("process").db.session() as session:
        events = [row.event() for row in session.exec(select(OutboxMessage).where(
            OutboxMessage.event_type.like("process.task.%")).order_by(OutboxMessage.id)).all()]
    last = {}
    for event in events:
        last[event["subject"]] = event
    assert set(last) == {distribute["id"], handle["id"], again["id"]}
    how = {subject: (e["type"], e["data"]["task"]["status"], e["data"]["task"]["action"], e["data"]["reason"])
           for subject, e in last.items()}
    assert how == {distribute["id"]: ("process.task.closed", "completed", "assign", None),
                   handle["id"]: ("process.task.closed", "returned", "return_to_previous", "Sai đơn vị xử lý"),
                   again["id"]: ("process.task.closed", "cancelled", "cancel", "Trùng phản ánh")}
    assert [e["type"] for e in events if e["subject"] == distribute["id"]][-2:] == [
        "process.task.completed", "process.task.closed"]
