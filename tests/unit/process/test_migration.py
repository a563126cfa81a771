"""Acceptance 4: running PAHT instances move from v1 to a v2 that adds a step after approval. The dry run names
the instances that cannot move (they wait at an element v2 no longer has) and why; the moved ones keep their
tasks and people and finish on v2."""
from __future__ import annotations

import io
from pathlib import Path

from lxml import etree
from sqlmodel import select

from services.process.models import ProcessInstance
from tests.unit.process.story import P, report_event, staff_field_report

BPMN_DIR = Path(__file__).resolve().parents[3] / "bpmn"
ARCHIVE_LANE = """<bpmn:lane id="Lane_archive" name="Lưu trữ hồ sơ">
        <bpmn:extensionElements><camunda:properties>
          <camunda:property name="actions" value="archive"/><camunda:property name="fixed_hours" value="8"/>
        </camunda:properties></bpmn:extensionElements>
        <bpmn:flowNodeRef>Archive</bpmn:flowNodeRef>
      </bpmn:lane>
    </bpmn:laneSet>"""
ARCHIVE_TASK = """<bpmn:userTask id="Archive" name="Lưu trữ hồ sơ phản ánh">
      <bpmn:incoming>Flow_approve_done</bpmn:incoming><bpmn:outgoing>Flow_archived</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:sequenceFlow id="Flow_archived" sourceRef="Archive" targetRef="End_approved"/>
    <bpmn:sequenceFlow id="Flow_approve_done" sourceRef="Approve" targetRef="Archive"/>"""


def version_two() -> bytes:
    """PAHT with an archive step after approval and without the extension path, so an instance waiting for an
    extension decision cannot move."""
    xml = (BPMN_DIR / "field_report.bpmn").read_text(encoding="utf-8")
    root = etree.fromstring(xml.encode())
    dropped = {"Decide_extension", "Flow_extension_requested", "Flow_extension_decided"}
    for element in list(root.iter()):
        if not isinstance(element.tag, str):
            continue
        if element.get("id") in dropped or element.get("bpmnElement") in dropped or \
                (element.text or "").strip() in dropped:
            element.getparent().remove(element)
    xml = etree.tostring(root, encoding="unicode").replace("</bpmn:laneSet>", ARCHIVE_LANE)
    xml = xml.replace('<bpmn:sequenceFlow id="Flow_approve_done" sourceRef="Approve" targetRef="End_approved"/>',
                      ARCHIVE_TASK)
    return xml.replace("<bpmn:incoming>Flow_approve_done</bpmn:incoming>\n    </bpmn:endEvent>",
                       "<bpmn:incoming>Flow_archived</bpmn:incoming>\n    </bpmn:endEvent>").encode()


def test_fifty_running_reports_move_to_a_version_with_one_more_step(suite):
    people = staff_field_report(suite)
    process = suite.gateway.apps["process"].test_client()
    toan_h, hung_h, admin = (suite.headers(n) for n in ("dinhtruongtoan", "phungtienhung", "qt.sokhcn"))
    for n in range(50):
        suite.runtime("orgunits").bus.publish(report_event(f"IOC-MIG-{n:02d}", people["unit"]["id"]))
    suite.deliver()
    inbox = process.get(f"{P}/inbox", headers=toan_h, query_string={"page_size": 100}).get_json()["items"]
    distribute = sorted((t for t in inbox if t["name"] == "Phân phối phản ánh"), key=lambda t: t["instance_id"])
    assert len(distribute) == 50
    extended, handling = [], []
    for task in distribute[:10]:   # 10 handled up to a point: 4 wait for an extension decision, 6 at handling
        (handle,) = process.post(f"{P}/tasks/{task['id']}/complete", headers=toan_h, json={
            "action": "assign", "assign_to": [people["hung"]]}).get_json()["next"]
        if len(extended) < 4:
            process.post(f"{P}/tasks/{handle['id']}/extension", headers=hung_h, json={"days": 1, "reason": "Chờ"})
            extended.append(task["instance_id"])
        else:
            handling.append(handle)

    designer = suite.headers("admin")
    uploaded = process.post(f"{P}/definitions", headers=designer, data={
        "file": (io.BytesIO(version_two()), "field_report_v2.bpmn")}, content_type="multipart/form-data")
    assert uploaded.status_code == 201 and uploaded.get_json()["items"][0]["version"] == 2
    url = f"{P}/definitions/field_report/migrations"
    assert process.post(url, headers=toan_h, json={"from_version": 1, "to_version": 2}).status_code == 403

    plan = process.post(url, headers=designer, json={"from_version": 1, "to_version": 2}).get_json()
    assert len(plan["movable"]) == 0 and len(plan["blocked"]) == 50, "v2's new step is not staffed yet"
    assert "Lưu trữ hồ sơ" in plan["blocked"][0]["reasons"][-1]
    staffing = f"{P}/units/{people['unit']['id']}/processes/field_report/staffing"
    assert process.patch(f"{staffing}/steps/Lane_archive", headers=admin, json={"staff": [people["toan"]]}
                         ).status_code == 200
    assert process.post(f"{staffing}/confirm", headers=admin).status_code == 200

    plan = process.post(url, headers=designer, json={"from_version": 1, "to_version": 2}).get_json()
    blocked = {b["instance_id"]: b["reasons"] for b in plan["blocked"]}
    assert set(blocked) == set(extended) and len(plan["movable"]) == 46
    assert all("Duyệt gia hạn" in reasons[0] for reasons in blocked.values())
    with suite.runtime("process").db.session() as session:
        assert {i.definition_version for i in session.exec(select(ProcessInstance)).all()} == {1}, "a dry run"

    moved = process.post(url, headers=designer, json={"from_version": 1, "to_version": 2, "dry_run": False})
    report = moved.get_json()
    assert moved.status_code == 200 and len(report["moved"]) == 46 and report["failed"] == []
    with suite.runtime("process").db.session() as session:
        versions = {i.id: i.definition_version for i in session.exec(select(ProcessInstance)).all()}
    assert {versions[i] for i in extended} == {1} and sum(v == 2 for v in versions.values()) == 46

    handle = handling[0]   # a moved one keeps its task and its assignee, and finishes on v2
    (approve,) = process.post(f"{P}/tasks/{handle['id']}/complete", headers=hung_h, json={
        "action": "handle", "data": {"result": "Đã xử lý"}}).get_json()["next"]
    (archive,) = process.post(f"{P}/tasks/{approve['id']}/complete", headers=toan_h, json={
        "action": "approve"}).get_json()["next"]
    assert archive["name"] == "Lưu trữ hồ sơ phản ánh" and archive["step_name"] == "Lưu trữ hồ sơ"
    done = process.post(f"{P}/tasks/{archive['id']}/complete", headers=toan_h, json={})
    assert done.status_code == 200 and done.get_json()["next"] == []
    detail = process.get(f"{P}/instances/{handle['instance_id']}", headers=toan_h).get_json()
    assert (detail["state"], detail["result"], detail["definition_version"]) == ("completed", "approved", 2)
    assert "migrated" in [h["action"] for h in detail["history"]]
    assert suite.outbox_types("process").count("process.instance.migrated") == 46
