"""The runtime knows no process by name: outcomes, reasons, who picks the next people, people per lane (staffing,
instance roles naming accounts or units, the performer of an earlier step) and the events end events publish all
come from the model. Drawn as in Camunda Modeler (with diagram information) and driven over HTTP."""
from __future__ import annotations

import io
import json
import re
from pathlib import Path

from sqlmodel import select

from services.common.models import OutboxMessage
from tests.unit.process.drawn import Model
from tests.unit.process.story import P, staff_field_report, start_report
from tests.unit.security.world import world

ROOT = Path(__file__).resolve().parents[3]


def deploy(suite, xml: str) -> None:
    process = suite.gateway.apps["process"].test_client()
    response = process.post(f"{P}/definitions", headers=suite.headers("admin"),
                            data={"file": (io.BytesIO(xml.encode()), "model.bpmn")}, content_type="multipart/form-data")
    assert response.status_code == 201, response.get_json()


def cross_unit_model() -> Model:
    """Task direction's shape: the receiving unit's clerk forwards to an officer, who reports; the follower in
    the assigning unit approves or sends it back."""
    m = Model("giao_viec_thu", "Giao việc liên đơn vị (thử)")
    clerk = m.lane("Lane_clerk", "Văn thư đơn vị nhận", people="role:assignee_unit", unit_role="clerk",
                   actions="forward")
    officer = m.lane("Lane_officer", "Cán bộ xử lý", people="role:handler", actions="report,return_to_previous")
    follower = m.lane("Lane_follower", "Người theo dõi duyệt", people="role:follower", actions="approve,reject",
                      reason_required="reject")
    m.start("Start_1", clerk)
    m.user("Receive", "Tiếp nhận, chuyển xử lý", clerk, fields=[("handler", "Cán bộ xử lý", "string", True),
                                                                ("note", "Bút phê", "string")])
    m.user("Handle", "Xử lý nhiệm vụ", officer, fields=[("result", "Kết quả", "string", True)])
    m.user("Review", "Duyệt kết quả", follower, fields=[("comment", "Ý kiến", "string")])
    m.xor("Gateway_review", follower, "Duyệt?", default="Flow_ok")
    m.end("End_done", follower, "Hoàn thành", result="done", event="process.giao_viec_thu.approved",
          event_data="task=instance.business_key, result=Handle.result, handled_by=Handle.actor, "
                     "approved_by=actor.id, comment=comment")
    m.chain("Start_1", "Receive", "Handle", "Review", "Gateway_review")
    m.flow("Gateway_review", "End_done", flow_id="Flow_ok")
    m.flow("Gateway_review", "Handle", condition='action == "reject"')
    return m


def test_lanes_filled_from_instance_roles_carry_one_instance_across_two_units(suite):
    w = world(suite)
    process = suite.gateway.apps["process"].test_client()
    deploy(suite, cross_unit_model().xml())
    clerk = w.register("Trần Văn Thư", "060091000601", w.a1)
    officer = w.register("Ngô Thị Cán", "060091000602", w.a1)
    suite.deliver()
    toan = suite.account("dinhtruongtoan")["id"]
    toan_h, admin = suite.headers("dinhtruongtoan"), suite.headers("qt.sokhcn")
    variables = {"assignee_unit": f"unit:{w.a1['id']}", "follower": toan, "title": "Báo cáo chuyển đổi số"}

    refused = process.post(f"{P}/instances", headers=toan_h, json={
        "process_key": "giao_viec_thu", "unit_id": w.a["id"], "variables": variables, "business_key": "NV-1"})
    assert refused.status_code == 422 and refused.get_json()["code"] == "role_unresolved"
    assert "clerk" in refused.get_json()["detail"], "the unit has nobody in the role yet: said, nothing started"
    role = process.put(f"{P}/units/{w.a1['id']}/roles/clerk", headers=admin, json={"accounts": [clerk]})
    assert role.status_code == 200 and role.get_json()["accounts"] == [clerk]
    outsider = process.put(f"{P}/units/{w.b['id']}/roles/clerk", headers=admin, json={"accounts": [clerk]})
    assert outsider.status_code in (403, 404)

    started = process.post(f"{P}/instances", headers=toan_h, json={
        "process_key": "giao_viec_thu", "unit_id": w.a["id"], "variables": variables, "business_key": "NV-1"})
    assert started.status_code == 201, started.get_json()
    (receive,) = started.get_json()["current"]
    assert (receive["unit_id"], receive["candidates"], receive["step_name"]) == (
        w.a1["id"], [clerk], "Văn thư đơn vị nhận"), "the task sits in the receiving unit, with its clerk"

    clerk_h, officer_h = w.headers("060091000601"), w.headers("060091000602")
    unit_inbox = process.get(f"{P}/inbox", headers=clerk_h, query_string={"scope": "unit"}).get_json()["items"]
    assert [t["id"] for t in unit_inbox] == [receive["id"]]
    nobody = process.post(f"{P}/tasks/{receive['id']}/complete", headers=clerk_h,
                          json={"data": {"handler": "khong-co-ai"}})
    assert nobody.status_code == 422 and nobody.get_json()["code"] == "role_unresolved"
    (handle,) = process.post(f"{P}/tasks/{receive['id']}/complete", headers=clerk_h, json={
        "data": {"handler": officer, "note": "Giao đồng chí Cán xử lý"}}).get_json()["next"]
    assert handle["candidates"] == [officer] and handle["unit_id"] == w.a1["id"]
    assert process.get(f"{P}/instances/{receive['instance_id']}", headers=clerk_h).status_code == 200, \
        "the clerk took part: she still sees the instance"

    (review,) = process.post(f"{P}/tasks/{handle['id']}/complete", headers=officer_h, json={
        "data": {"result": "Đã báo cáo lần 1"}}).get_json()["next"]
    assert review["candidates"] == [toan] and review["unit_id"] == w.a["id"]
    no_reason = process.post(f"{P}/tasks/{review['id']}/complete", headers=toan_h, json={"action": "reject"})
    assert no_reason.status_code == 422 and no_reason.get_json()["code"] == "reason_required"
    (again,) = process.post(f"{P}/tasks/{review['id']}/complete", headers=toan_h, json={
        "action": "reject", "reason": "Thiếu số liệu quý IV"}).get_json()["next"]
    assert again["candidates"] == [officer]
    (review,) = process.post(f"{P}/tasks/{again['id']}/complete", headers=officer_h, json={
        "data": {"result": "Đã bổ sung số liệu"}}).get_json()["next"]
    done = process.post(f"{P}/tasks/{review['id']}/complete", headers=toan_h, json={
        "action": "approve", "data": {"comment": "Đạt"}})
    assert done.status_code == 200 and done.get_json()["next"] == []
    detail = process.get(f"{P}/instances/{receive['instance_id']}", headers=toan_h).get_json()
    assert (detail["state"], detail["result"]) == ("completed", "done")
    with suite.runtime("process").db.session() as session:
        (event,) = [json.loads(m.body)["data"] for m in session.exec(select(OutboxMessage)).all()
                    if m.event_type == "process.giao_viec_thu.approved"]
    assert event == {"schema_version": 1, "task": "NV-1", "result": "Đã bổ sung số liệu", "handled_by": officer,
                     "approved_by": toan, "comment": "Đạt"}


def test_a_lane_without_actions_completes_and_the_performer_of_a_step_gets_the_next(suite):
    m = Model("de_xuat_thu", "Đề xuất (thử)")
    propose = m.lane("Lane_propose", "Đề xuất")
    confirm = m.lane("Lane_confirm", "Người đề xuất xác nhận", people="performer:1")
    m.start("Start_1", propose)
    m.user("Propose", "Lập đề xuất", propose, fields=[("content", "Nội dung", "string", True)])
    m.user("Confirm", "Xác nhận", confirm)
    m.end("End_1", confirm)
    m.chain("Start_1", "Propose", "Confirm", "End_1")
    deploy(suite, m.xml())
    process = suite.gateway.apps["process"].test_client()
    unit = suite.unit("BT.01.01.13")
    admin, hung_h = suite.headers("qt.sokhcn"), suite.headers("phungtienhung")
    hung, toan = suite.account("phungtienhung")["id"], suite.account("dinhtruongtoan")["id"]
    url = f"{P}/units/{unit['id']}/processes/de_xuat_thu/staffing"
    steps = process.get(url, headers=admin).get_json()["steps"]
    assert [(s["actions"], s["time_share_percent"], s["people"]) for s in steps] == [
        (["complete", "delegate", "return_to_previous"], 50, "staffing"),
        (["complete", "delegate", "return_to_previous"], 50, "performer:1")]
    not_staffed = process.patch(f"{url}/steps/Lane_confirm", headers=admin, json={"staff": [hung]})
    assert not_staffed.status_code == 422 and not_staffed.get_json()["code"] == "step_not_staffed"
    assert process.patch(f"{url}/steps/Lane_propose", headers=admin, json={"staff": [hung, toan]}).status_code == 200
    assert process.post(f"{url}/confirm", headers=admin).status_code == 200
    started = process.post(f"{P}/instances", headers=hung_h, json={"process_key": "de_xuat_thu",
                                                                   "unit_id": unit["id"]}).get_json()
    (propose_task,) = started["current"]
    (confirm_task,) = process.post(f"{P}/tasks/{propose_task['id']}/complete", headers=hung_h,
                                   json={"data": {"content": "Mua máy in"}}).get_json()["next"]
    assert confirm_task["candidates"] == [hung], "the one who proposed confirms, not the rest of step 1"
    done = process.post(f"{P}/tasks/{confirm_task['id']}/complete", headers=hung_h, json={})
    assert done.status_code == 200 and done.get_json()["task"]["action"] == "complete"


def test_a_confirmed_staffing_keeps_serving_while_its_edits_wait_as_a_draft(suite):
    people = staff_field_report(suite)
    process = suite.gateway.apps["process"].test_client()
    admin = suite.headers("qt.sokhcn")
    url = f"{P}/units/{people['unit']['id']}/processes/field_report/staffing"
    edited = process.patch(f"{url}/steps/Lane_handle", headers=admin, json={
        "staff": [people["hung"]], "display_name": "Xử lý phản ánh hiện trường"})
    assert edited.status_code == 200
    assert (edited.get_json()["status"], edited.get_json()["draft"]) == ("complete", True)
    _process, distribute = start_report(suite, people, "IOC-DRAFT-1")   # arrives meanwhile: no 409
    handle = process.post(f"{P}/tasks/{distribute['id']}/complete", headers=suite.headers("dinhtruongtoan"), json={
        "action": "assign", "assign_to": [people["toan"]]})
    assert handle.status_code == 200, "the confirmed set-up (Toàn and Hùng at step 2) still serves"
    assert handle.get_json()["next"][0]["step_name"] == "Xử lý"
    both = process.patch(f"{url}/steps/Lane_handle", headers=admin, json={"time_share_percent": 60,
                                                                          "fixed_hours": 8})
    assert both.status_code == 422 and both.get_json()["code"] == "time_share_or_hours"
    hours = process.patch(f"{url}/steps/Lane_handle", headers=admin, json={"fixed_hours": 16}).get_json()
    handle_step = next(s for s in hours["steps"] if s["lane_id"] == "Lane_handle")
    assert (handle_step["fixed_hours"], handle_step["time_share_percent"]) == (16, None)
    short = process.post(f"{url}/confirm", headers=admin)
    assert short.status_code == 409 and "without fixed hours add up to 30 %" in short.get_json()["detail"]
    process.patch(f"{url}/steps/Lane_distribute", headers=admin, json={"time_share_percent": 30})
    process.patch(f"{url}/steps/Lane_approve", headers=admin, json={"time_share_percent": 70})
    confirmed = process.post(f"{url}/confirm", headers=admin).get_json()
    assert (confirmed["status"], confirmed["draft"]) == ("complete", False)
    inbox = process.get(f"{P}/inbox", headers=suite.headers("dinhtruongtoan")).get_json()["items"]
    assert {t["step_name"] for t in inbox if t["lane_id"] == "Lane_handle"} == {"Xử lý phản ánh hiện trường"}, \
        "the admin's name for the step shows in the inbox once confirmed"
    process.patch(f"{url}/steps/Lane_handle", headers=admin, json={"display_name": "Tạm"})
    discarded = process.delete(f"{url}/draft", headers=admin).get_json()
    assert next(s for s in discarded["steps"] if s["lane_id"] == "Lane_handle")["display_name"] == \
        "Xử lý phản ánh hiện trường"
    assert process.delete(f"{url}/draft", headers=admin).status_code == 409
    no_outcome = process.patch(f"{url}/steps/Lane_handle", headers=admin, json={"actions": ["delegate"]})
    assert no_outcome.status_code == 422 and no_outcome.get_json()["code"] == "no_completing_action"


def test_anyone_who_sees_an_instance_comments_on_it(suite):
    people = staff_field_report(suite)
    process, distribute = start_report(suite, people, "IOC-CMT-1")
    said = process.post(f"{P}/instances/{distribute['instance_id']}/comments", headers=suite.headers("qt.sokhcn"),
                        json={"text": "Đề nghị xử lý trước thứ Sáu"})
    assert said.status_code == 201 and said.get_json()["actor_name"] == "Lê Thị Quỳnh"
    empty = process.post(f"{P}/instances/{distribute['instance_id']}/comments", headers=suite.headers("qt.sokhcn"),
                         json={"text": "   "})
    assert empty.status_code == 422
    history = process.get(f"{P}/instances/{distribute['instance_id']}", headers=suite.headers("dinhtruongtoan")
                          ).get_json()["history"]
    assert [(h["action"], h["reason"]) for h in history][-1] == ("comment", "Đề nghị xử lý trước thứ Sáu")
    assert suite.outbox_types("process").count("process.instance.commented") == 1


def test_the_runtime_code_names_no_process():
    """Acceptance: no process key of the shipped models appears in the runtime's code."""
    keys = set(re.findall(r'<bpmn:process id="([^"]+)"', "".join(
        p.read_text(encoding="utf-8") for p in (ROOT / "bpmn").glob("*.bpmn"))))
    assert {"field_report", "leave_request"} <= keys
    runtime = [ROOT / "services/process/engine.py", ROOT / "services/process/conventions.py",
               ROOT / "services/process/expressions.py", ROOT / "services/process/sandbox.py",
               *(ROOT / "services/process/domain").rglob("*.py"), *(ROOT / "services/process/api").rglob("*.py")]
    named = {(path.name, key) for path in runtime for key in keys
             if re.search(rf"\b{re.escape(key)}\b", path.read_text(encoding="utf-8"))}
    assert named == set()


def test_a_step_without_push_does_not_tell_its_people_of_new_tasks(suite):
    people = staff_field_report(suite)
    process = suite.gateway.apps["process"].test_client()
    admin = suite.headers("qt.sokhcn")
    url = f"{P}/units/{people['unit']['id']}/processes/field_report/staffing"
    assert process.patch(f"{url}/steps/Lane_distribute", headers=admin, json={"push": False}).status_code == 200
    assert process.post(f"{url}/confirm", headers=admin).status_code == 200
    _process, distribute = start_report(suite, people, "IOC-PUSH-1")
    suite.deliver()
    notify = suite.gateway.apps["notify"].test_client()
    notes = notify.get("/api/notify/notifications", headers=suite.headers("dinhtruongtoan")).get_json()["items"]
    assert distribute["id"] and not any(n["event_type"] == "process.task.created" for n in notes)
