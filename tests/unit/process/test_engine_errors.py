"""Whatever the engine trips on in a designer's model — an element the suite does not run yet, a multi-instance
over a variable that is missing — answers a sentence (422) and leaves nothing half-written: no 500, no stuck
instance."""
from __future__ import annotations

import io

from tests.unit.process import bpmn_samples as samples
from tests.unit.process.story import P

ACTIONS = ('<bpmn:extensionElements><camunda:properties><camunda:property name="actions" value="handle"/>'
           '<camunda:property name="time_share_percent" value="100"/></camunda:properties></bpmn:extensionElements>')


def _deploy_and_staff(suite, xml: str, key: str) -> tuple[object, dict]:
    process = suite.gateway.apps["process"].test_client()
    lane = '<bpmn:lane id="Lane_handle" name="Xử lý">'
    xml = xml.replace(lane, lane + ACTIONS)
    deployed = process.post(f"{P}/definitions", headers=suite.headers("admin"), content_type="multipart/form-data",
                            data={"file": (io.BytesIO(xml.encode()), f"{key}.bpmn")})
    assert deployed.status_code == 201, deployed.get_json()
    unit = suite.unit("BT.01.01.13")
    admin = suite.headers("qt.sokhcn")
    url = f"{P}/units/{unit['id']}/processes/{key}/staffing"
    toan = suite.account("dinhtruongtoan")["id"]
    assert process.patch(f"{url}/steps/Lane_handle", headers=admin, json={"staff": [toan]}).status_code == 200
    assert process.post(f"{url}/confirm", headers=admin).status_code == 200
    return process, unit


def _after_handle(xml: str, element: str) -> str:
    """``element`` (id Next) between the user task and the end."""
    xml = xml.replace("<bpmn:flowNodeRef>Handle</bpmn:flowNodeRef>",
                      "<bpmn:flowNodeRef>Handle</bpmn:flowNodeRef><bpmn:flowNodeRef>Next</bpmn:flowNodeRef>")
    return xml.replace('<bpmn:sequenceFlow id="Flow_2" sourceRef="Handle" targetRef="End_1"/>',
                       '<bpmn:sequenceFlow id="Flow_2" sourceRef="Handle" targetRef="Next"/>'
                       '<bpmn:sequenceFlow id="Flow_3" sourceRef="Next" targetRef="End_1"/>' + element
                       ).replace('<bpmn:endEvent id="End_1"><bpmn:incoming>Flow_2',
                                 '<bpmn:endEvent id="End_1"><bpmn:incoming>Flow_3')


def test_a_multi_instance_over_a_missing_collection_is_refused_and_the_task_still_waits(suite):
    element = ('<bpmn:task id="Next" name="Từng phòng"><bpmn:incoming>Flow_2</bpmn:incoming>'
               '<bpmn:outgoing>Flow_3</bpmn:outgoing><bpmn:multiInstanceLoopCharacteristics '
               'camunda:collection="${phong_ban}" camunda:elementVariable="phong"/></bpmn:task>')
    process, unit = _deploy_and_staff(suite, _after_handle(samples.process(key="tung_phong"), element), "tung_phong")
    started = process.post(f"{P}/instances", headers=suite.headers("qt.sokhcn"),
                           json={"process_key": "tung_phong", "unit_id": unit["id"]})
    assert started.status_code == 201, started.get_json()
    task = started.get_json()["current"][0]
    toan_h = suite.headers("dinhtruongtoan")
    refused = process.post(f"{P}/tasks/{task['id']}/complete", headers=toan_h, json={"action": "handle"})
    assert refused.status_code == 422 and "could not continue" in refused.get_json()["detail"]
    assert "0x" not in refused.get_json()["detail"]
    detail = process.get(f"{P}/instances/{task['instance_id']}", headers=toan_h).get_json()
    assert [t["id"] for t in detail["current"]] == [task["id"]] and detail["state"] == "running"
    seen = process.get(f"{P}/units/{unit['id']}/incidents", headers=suite.headers("qt.sokhcn")).get_json()["items"]
    assert [(i["instance_id"], i["kind"], i["element_id"]) for i in seen] == [(task["instance_id"], "script",
                                                                               task["element_id"])]
    assert "could not continue" in seen[0]["error"]
    assert process.get(f"{P}/units/{unit['id']}/incidents", headers=toan_h).status_code == 403


def test_a_service_task_that_is_not_an_external_job_is_refused_at_deployment_with_a_sentence(suite):
    element = ('<bpmn:serviceTask id="Next" name="Gửi sang hệ thống khác" camunda:class="vn.gov.GuiVanBan">'
               '<bpmn:incoming>Flow_2</bpmn:incoming>'
               '<bpmn:outgoing>Flow_3</bpmn:outgoing></bpmn:serviceTask>')
    xml = _after_handle(samples.process(key="dich_vu"), element)
    process = suite.gateway.apps["process"].test_client()
    refused = process.post(f"{P}/definitions", headers=suite.headers("admin"), content_type="multipart/form-data",
                           data={"file": (io.BytesIO(xml.encode()), "dich_vu.bpmn")})
    assert refused.status_code == 422, refused.get_json()
    (problem,) = refused.get_json()["problems"]
    assert problem["element_id"] == "Next" and problem["line"] and "Implementation to External" in problem["message"]
