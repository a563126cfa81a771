"""Service tasks run as external jobs (Camunda's external-task convention): published with their topic, worked by
an integrator with process.work over HTTP or by a bus reply, retried on failure, an incident after the last
retry that the unit's admin retries or cancels."""
from __future__ import annotations

import io
import json

from sqlmodel import select

from services.common.envelope import make_event
from services.common.models import OutboxMessage
from tests.unit.process.drawn import Model
from tests.unit.process.story import P
from tests.unit.security.world import world


def model() -> Model:
    m = Model("lien_thong_thu", "Gửi văn bản liên thông (thử)")
    lane = m.lane("Lane_1", "Văn thư", people="role:officer")
    m.start("Start_1", lane)
    m.user("Draft", "Soạn văn bản", lane, fields=[("trich_yeu", "Trích yếu", "string", True)])
    m.node("serviceTask", "Send", lane, name="Gửi liên thông", **{"camunda:type": "external",
                                                                  "camunda:topic": "lien_thong_van_ban"},
           extensions='<bpmn:extensionElements><camunda:properties><camunda:property name="retries" value="2"/>'
                      '</camunda:properties></bpmn:extensionElements>')
    m.user("Check", "Kiểm tra kết quả gửi", lane)
    m.end("End_1", lane, result="sent")
    m.chain("Start_1", "Draft", "Send", "Check", "End_1")
    return m


def jobs_created(suite) -> list[dict]:
    with suite.runtime("process").db.session() as session:
        return [json.loads(m.body)["data"] for m in session.exec(select(OutboxMessage).order_by(OutboxMessage.id))
                if m.event_type == "process.job.created"]


def test_a_service_task_waits_for_a_worker_is_retried_becomes_an_incident_and_is_retried_by_the_admin(suite):
    w = world(suite)
    process = suite.gateway.apps["process"].test_client()
    deployed = process.post(f"{P}/definitions", headers=suite.headers("admin"), content_type="multipart/form-data",
                            data={"file": (io.BytesIO(model().xml().encode()), "lien_thong.bpmn")})
    assert deployed.status_code == 201, deployed.get_json()
    worker = w.register("Máy chủ liên thông", "060091000701", w.a)
    w.grant(worker, w.a, ["process.work"])
    worker_h, hung_h, admin = w.headers("060091000701"), suite.headers("phungtienhung"), suite.headers("qt.sokhcn")
    hung = suite.account("phungtienhung")["id"]
    started = process.post(f"{P}/instances", headers=hung_h, json={
        "process_key": "lien_thong_thu", "unit_id": w.a["id"], "variables": {"officer": hung}}).get_json()
    (draft,) = started["current"]
    after = process.post(f"{P}/tasks/{draft['id']}/complete", headers=hung_h,
                         json={"data": {"trich_yeu": "Báo cáo quý IV"}}).get_json()
    assert after["next"] == [], "nobody's task: the job waits for a worker"
    (created,) = jobs_created(suite)
    job = created["job"]
    assert (job["topic"], job["element_id"], created["variables"]["trich_yeu"]) == (
        "lien_thong_van_ban", "Send", "Báo cáo quý IV")
    listed = process.get(f"{P}/jobs", headers=worker_h, query_string={"topic": "lien_thong_van_ban"}).get_json()
    assert [j["id"] for j in listed["items"]] == [job["id"]]
    assert process.get(f"{P}/jobs", headers=hung_h).get_json()["items"] == []
    assert process.post(f"{P}/jobs/{job['id']}/complete", headers=hung_h, json={}).status_code == 403

    once = process.post(f"{P}/jobs/{job['id']}/failure", headers=worker_h, json={"error": "Trục liên thông bận"})
    assert once.status_code == 200 and once.get_json()["retries_left"] == 1 and len(jobs_created(suite)) == 2
    assert jobs_created(suite)[1]["variables"]["trich_yeu"] == "Báo cáo quý IV", "sent again with its data"
    twice = process.post(f"{P}/jobs/{job['id']}/failure", headers=worker_h, json={"error": "Trục liên thông bận"})
    assert twice.get_json()["status"] == "incident"
    (incident,) = process.get(f"{P}/units/{w.a['id']}/incidents", headers=admin).get_json()["items"]
    assert (incident["kind"], incident["element_id"], incident["error"]) == ("job", "Send", "Trục liên thông bận")
    assert process.post(f"{P}/jobs/{job['id']}/complete", headers=worker_h, json={}).status_code == 409

    retried = process.post(f"{P}/incidents/{incident['id']}/retry", headers=admin)
    assert retried.status_code == 200 and retried.get_json()["resolution"] == "retried"
    assert len(jobs_created(suite)) == 3 and jobs_created(suite)[2]["variables"]["trich_yeu"] == "Báo cáo quý IV"
    assert jobs_created(suite)[2]["retried_by"] == suite.account("qt.sokhcn")["id"]
    done = process.post(f"{P}/jobs/{job['id']}/complete", headers=worker_h,
                        json={"variables": {"so_van_ban": "123/UBND-VX"}})
    assert done.status_code == 200 and done.get_json()["status"] == "completed"
    detail = process.get(f"{P}/instances/{started['id']}", headers=hung_h).get_json()
    assert [t["name"] for t in detail["current"]] == ["Kiểm tra kết quả gửi"]
    assert "job_completed" in [h["action"] for h in detail["history"]]


def test_a_worker_replies_over_the_bus_and_an_admin_cancels_a_stuck_instance(suite):
    w = world(suite)
    process = suite.gateway.apps["process"].test_client()
    process.post(f"{P}/definitions", headers=suite.headers("admin"), content_type="multipart/form-data",
                 data={"file": (io.BytesIO(model().xml().encode()), "lien_thong.bpmn")})
    hung_h, admin = suite.headers("phungtienhung"), suite.headers("qt.sokhcn")
    hung = suite.account("phungtienhung")["id"]
    ids = []
    for n in range(2):
        started = process.post(f"{P}/instances", headers=hung_h, json={
            "process_key": "lien_thong_thu", "unit_id": w.a["id"], "variables": {"officer": hung}}).get_json()
        process.post(f"{P}/tasks/{started['current'][0]['id']}/complete", headers=hung_h,
                     json={"data": {"trich_yeu": f"Văn bản {n}"}})
        ids.append(started["id"])
    first, second = (c["job"]["id"] for c in jobs_created(suite))
    bus = suite.runtime("orgunits").bus
    bus.publish(make_event("worker.job.completed", source="lien-thong", subject=first,
                           data={"job_id": first, "variables": {"so_van_ban": "9/SKHCN"}}))
    bus.publish(make_event("worker.job.failed", source="lien-thong", subject=second,
                           data={"job_id": second, "error": "Sai địa chỉ nhận", "retries": 0}))
    suite.deliver()
    detail = process.get(f"{P}/instances/{ids[0]}", headers=hung_h).get_json()
    assert [t["name"] for t in detail["current"]] == ["Kiểm tra kết quả gửi"]
    (incident,) = process.get(f"{P}/units/{w.a['id']}/incidents", headers=admin).get_json()["items"]
    assert incident["instance_id"] == ids[1]
    cancelled = process.post(f"{P}/incidents/{incident['id']}/cancel", headers=admin,
                             json={"reason": "Gửi bằng đường bưu chính"})
    assert cancelled.status_code == 200 and cancelled.get_json()["resolution"] == "cancelled"
    assert process.get(f"{P}/instances/{ids[1]}", headers=hung_h).get_json()["state"] == "cancelled"
    assert process.get(f"{P}/units/{w.a['id']}/incidents", headers=admin).get_json()["items"] == []


def test_an_inbound_message_that_cannot_be_taken_is_answered_on_the_bus(suite):
    """A report without its unit and a reply to a job nobody knows each get `process.inbound.rejected`, naming the
    refused message and every problem, and start or change nothing."""
    from sqlmodel import select

    from services.common.models import OutboxMessage

    bus = suite.runtime("orgunits").bus
    bad_report = make_event("ioc.field_report.received", source="ioc", subject="IOC-SAI-1",
                            data={"report": {"id": "IOC-SAI-1", "title": "Thiếu đơn vị", "content": ""}})
    stray = make_event("worker.job.completed", source="lien-thong", subject="khong-co",
                       data={"job_id": "khong-co", "variables": {}})
    for event in (bad_report, stray):
        bus.publish(event)
    suite.deliver()
    with suite.runtime("process").db.session() as session:
        answers = [row.event() for row in session.exec(select(OutboxMessage).where(
            OutboxMessage.event_type == "process.inbound.rejected")).all()]
        started = session.exec(select(OutboxMessage).where(
            OutboxMessage.event_type == "process.instance.started")).all()
    by_id = {a["data"]["rejected_id"]: a for a in answers}
    assert set(by_id) == {bad_report["id"], stray["id"]} and started == []
    report = by_id[bad_report["id"]]
    assert report["subject"] == "IOC-SAI-1" and report["data"]["rejected_type"] == "ioc.field_report.received"
    assert {e["loc"] for e in report["data"]["errors"]} >= {"report.unit_id"}
    assert "khong-co" in by_id[stray["id"]]["data"]["reason"]
