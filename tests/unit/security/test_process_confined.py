"""Findings 7, 9, 10, 15 and 16: process keys are owned, scripts are stopped, membership means the unit itself,
and people who can no longer act (locked, converted) stop receiving work."""
from __future__ import annotations

import io

from tests.unit.process import bpmn_samples as samples
from tests.unit.process.story import P, report_event, staff_field_report, start_report
from tests.unit.security.world import ID, world


def _upload(process, headers, xml: str, unit_id: str | None = None):
    data = {"file": (io.BytesIO(xml.encode()), "quy-trinh.bpmn")}
    if unit_id:
        data["unit_id"] = unit_id
    return process.post(f"{P}/definitions", headers=headers, content_type="multipart/form-data", data=data)


def test_a_process_key_belongs_to_the_subtree_that_first_deployed_it(suite):
    w = world(suite)
    process = suite.gateway.apps["process"].test_client()
    designer_a = w.register("Thiết Kế A", "060081100001", w.a)
    w.grant(designer_a, w.a, ["process.design"])
    designer_b = w.register("Thiết Kế B", "060081100002", w.b)
    w.grant(designer_b, w.b, ["process.design"])
    first = _upload(process, w.headers("060081100001"), samples.process(key="quy_trinh_a"), w.a["id"])
    assert first.status_code == 201 and first.get_json()["items"][0]["owner_unit_id"] == w.a["id"]
    hijack = _upload(process, w.headers("060081100002"), samples.process(key="quy_trinh_a", task_name="Độc"),
                     w.b["id"])
    assert hijack.status_code == 403 and "belongs to" in hijack.get_json()["detail"]
    versions = process.get(f"{P}/definitions/quy_trinh_a/versions").get_json()["items"]
    assert [v["version"] for v in versions] == [1]
    province = _upload(process, w.headers("060081100001"), samples.process(key="field_report"), w.a["id"])
    assert province.status_code == 403, "the shipped processes belong to the province"
    no_design = _upload(process, w.headers("qt.sokhcn"), samples.process(key="quy_trinh_c"), w.b["id"])
    assert no_design.status_code == 403


def test_a_script_that_never_ends_is_stopped_and_the_action_refused(suite):
    w = world(suite)
    process = suite.gateway.apps["process"].test_client()
    designer = w.register("Thiết Kế Vòng", "060081100003", w.a)
    w.grant(designer, w.a, ["process.design"])
    actions = ('<bpmn:extensionElements><camunda:properties><camunda:property name="actions" value="handle"/>'
               '<camunda:property name="time_share_percent" value="100"/>'
               '</camunda:properties></bpmn:extensionElements>')
    looping = samples.process(key="vong_lap").replace(
        '<bpmn:lane id="Lane_handle" name="Xử lý">', f'<bpmn:lane id="Lane_handle" name="Xử lý">{actions}').replace(
        '<bpmn:endEvent id="End_1">',
        '<bpmn:scriptTask id="Loop" name="Lặp"><bpmn:incoming>Flow_2</bpmn:incoming>'
        '<bpmn:outgoing>Flow_3</bpmn:outgoing><bpmn:script>x = 0\nwhile True:\n    x += 1</bpmn:script>'
        '</bpmn:scriptTask><bpmn:sequenceFlow id="Flow_3" sourceRef="Loop" targetRef="End_1"/>'
        '<bpmn:endEvent id="End_1">').replace('<bpmn:sequenceFlow id="Flow_2" sourceRef="Handle" targetRef="End_1"/>',
                                              '<bpmn:sequenceFlow id="Flow_2" sourceRef="Handle" targetRef="Loop"/>'
                                              ).replace('<bpmn:endEvent id="End_1"><bpmn:incoming>Flow_2',
                                                        '<bpmn:endEvent id="End_1"><bpmn:incoming>Flow_3')
    deployed = _upload(process, w.headers("060081100003"), looping, w.a["id"])
    assert deployed.status_code == 201, deployed.get_json()
    admin = w.headers("qt.sokhcn")
    toan = suite.account("dinhtruongtoan")["id"]
    url = f"{P}/units/{w.a['id']}/processes/vong_lap/staffing"
    assert process.patch(f"{url}/steps/Lane_handle", headers=admin, json={"staff": [toan]}).status_code == 200
    assert process.post(f"{url}/confirm", headers=admin).status_code == 200
    started = process.post(f"{P}/instances", headers=admin, json={"process_key": "vong_lap", "unit_id": w.a["id"]})
    assert started.status_code == 201, started.get_json()
    task = started.get_json()["current"][0] if "current" in started.get_json() else None
    inbox = process.get(f"{P}/inbox", headers=suite.headers("dinhtruongtoan")).get_json()["items"]
    task = task or next(t for t in inbox if t["process_key"] == "vong_lap")
    stopped = process.post(f"{P}/tasks/{task['id']}/complete", headers=suite.headers("dinhtruongtoan"),
                           json={"action": "handle"})
    assert stopped.status_code == 422 and "time limit" in stopped.get_json()["detail"]
    again = process.get(f"{P}/inbox", headers=suite.headers("dinhtruongtoan")).get_json()["items"]
    assert task["id"] in {t["id"] for t in again}, "the task still waits; nothing was half-done"


def test_people_of_a_child_unit_do_not_see_the_parents_instances(suite):
    w = world(suite)
    people = staff_field_report(suite)
    suite.runtime("orgunits").bus.publish(report_event("IOC-CON-1", people["unit"]["id"]))
    suite.deliver()
    process = suite.gateway.apps["process"].test_client()
    w.register("Cán Bộ Đơn Vị Con", "060081100004", w.a1)
    child = w.headers("060081100004")
    assert process.get(f"{P}/units/{w.a['id']}/instances", headers=child).status_code == 404
    listed = process.get(f"{P}/units/{w.a['id']}/instances", headers=suite.headers("phungtienhung")).get_json()
    instance = listed["items"][0]["id"]
    assert process.get(f"{P}/instances/{instance}", headers=child).status_code == 404
    assert process.get(f"{P}/inbox", headers=child, query_string={"scope": "unit",
                                                                  "unit_id": w.a["id"]}).status_code == 404


def test_a_locked_officer_gets_no_new_work_and_his_open_tasks_go_back_to_the_step(suite):
    people = staff_field_report(suite)
    process, distribute = start_report(suite, people, "IOC-KHOA-1")
    toan_h = suite.headers("dinhtruongtoan")
    handle = process.post(f"{P}/tasks/{distribute['id']}/complete", headers=toan_h,
                          json={"action": "assign", "assign_to": [people["hung"]]}).get_json()["next"][0]
    assert suite.identity.post(f"{ID}/accounts/{people['hung']}/lock",
                               headers=suite.headers("qt.sokhcn")).status_code == 200
    suite.deliver()
    inbox = {t["id"]: t for t in process.get(f"{P}/inbox", headers=toan_h).get_json()["items"]}
    assert handle["id"] in inbox, "the handling task went back to the step's other staff"
    assert people["hung"] not in inbox[handle["id"]]["candidates"]
    delegated = process.post(f"{P}/tasks/{handle['id']}/delegate", headers=toan_h,
                             json={"to": people["hung"]})
    assert delegated.status_code == 422
    staffing = process.get(f"{P}/units/{people['unit']['id']}/processes/field_report/staffing",
                           headers=suite.headers("qt.sokhcn")).get_json()
    assert all(people["hung"] not in step["staff"] for step in staffing["steps"])
    suite.runtime("orgunits").bus.publish(report_event("IOC-KHOA-2", people["unit"]["id"]))
    suite.deliver()
    new = [t for t in process.get(f"{P}/inbox", headers=toan_h).get_json()["items"] if t["id"] != handle["id"]]
    assert all(people["hung"] not in t["candidates"] for t in new)


def test_conversion_moves_open_tasks_and_staffing_places_to_the_new_account(suite):
    w = world(suite)
    people = staff_field_report(suite)
    process = suite.gateway.apps["process"].test_client()
    suite.runtime("orgunits").bus.publish(report_event("IOC-DOI-1", people["unit"]["id"]))
    suite.deliver()
    new_toan = w.register("Đinh Trường Toàn", "060081100005", w.a)
    admin = suite.headers("qt.binhthuan")
    for group in suite.identity.get(f"{ID}/groups", headers=admin).get_json()["items"]:
        if people["toan"] in group["member_ids"]:     # seed 004 §3.4: the new account joins the same groups first
            suite.identity.post(f"{ID}/groups/{group['id']}/members", headers=admin, json={"account_id": new_toan})
    converted = suite.identity.post(f"{ID}/accounts/{people['toan']}/convert", headers=suite.headers("qt.binhthuan"),
                                    json={"new_account_id": new_toan, "confirm": True})
    assert converted.status_code == 200, converted.get_json()
    suite.deliver()
    inbox = process.get(f"{P}/inbox", headers=w.headers("060081100005")).get_json()["items"]
    assert [t["name"] for t in inbox] == ["Phân phối phản ánh"]
    staffing = process.get(f"{P}/units/{people['unit']['id']}/processes/field_report/staffing",
                           headers=suite.headers("qt.sokhcn")).get_json()
    assert staffing["status"] == "complete"
    assert all(people["toan"] not in step["staff"] for step in staffing["steps"])
    assert new_toan in staffing["steps"][0]["staff"]


def test_a_step_left_without_staff_makes_the_staffing_incomplete_and_tells_its_admin(suite):
    people = staff_field_report(suite)
    process = suite.gateway.apps["process"].test_client()
    assert suite.identity.post(f"{ID}/accounts/{people['toan']}/lock",
                               headers=suite.headers("qt.sokhcn")).status_code == 200
    suite.deliver()
    staffing = process.get(f"{P}/units/{people['unit']['id']}/processes/field_report/staffing",
                           headers=suite.headers("qt.sokhcn")).get_json()
    assert staffing["status"] == "not_configured"
    told = suite.gateway.apps["notify"].test_client().get("/api/notify/notifications",
                                                          headers=suite.headers("qt.sokhcn")).get_json()["items"]
    assert any("Tiếp nhận, phân phối" in n["body"] for n in told), told
    suite.runtime("orgunits").bus.publish(report_event("IOC-TRONG-1", people["unit"]["id"]))
    suite.deliver()
    assert process.get(f"{P}/units/{people['unit']['id']}/instances",
                       headers=suite.headers("qt.sokhcn")).get_json()["items"] == [], "no report waits on nobody"


def test_process_data_beyond_the_size_bound_is_refused_and_nothing_changes(suite, monkeypatch):
    from services.process.domain.instances import mirror

    people = staff_field_report(suite)
    process, task = start_report(suite, people, "IOC-LON-1")
    toan_h = suite.headers("dinhtruongtoan")
    monkeypatch.setattr(mirror, "MAX_ENGINE_STATE_BYTES", 2_000)
    refused = process.post(f"{P}/tasks/{task['id']}/complete", headers=toan_h,
                           json={"action": "assign", "assign_to": [people["hung"]]})
    assert refused.status_code == 422 and refused.get_json()["code"] == "state_too_large"
    monkeypatch.setattr(mirror, "MAX_ENGINE_STATE_BYTES", 8 * 1024 * 1024)
    assert task["id"] in {t["id"] for t in process.get(f"{P}/inbox", headers=toan_h).get_json()["items"]}
