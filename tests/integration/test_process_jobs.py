"""Acceptance 1, the service task family on the real parts: the job reaches an external worker's own pika queue on
RabbitMQ with its topic and the process data, the worker replies with a pika-published ``worker.job.completed``,
and the instance (on PostgreSQL) runs on to its next task."""
from __future__ import annotations

import io
import uuid

from services.common.envelope import make_event
from services.common.settings import settings_for
from services.process.app import ProcessSettings, create_app
from services.process.models import ProcessJob
from tests.conftest import auth
from tests.helpers import wait_for
from tests.integration.conftest import drain, integrator_queue
from tests.integration.test_process_field_report import person_event, publish, unit_event
from tests.unit.process.story import P
from tests.unit.process.test_jobs import model


def test_an_external_worker_over_pika_does_the_service_task(pg_url, amqp_url, keys):
    app = create_app(settings_for("process", ProcessSettings, env="test", database_url=pg_url, bus_url=amqp_url,
                                  jwt_public_key=keys.public_pem, log_format="json", log_level="WARNING",
                                  relay_interval=0.05, scheduler_interval=0.5))
    runtime = app.extensions["egov"]
    runtime.bus.declare()
    jobs_queue = integrator_queue(amqp_url, "process.job.created")
    runtime.start_background()
    try:
        unit, officer = f"u{uuid.uuid4().hex[:8]}", f"acc-{uuid.uuid4().hex[:6]}"
        publish(amqp_url, unit_event(unit, "Sở Khoa học và Công nghệ", []),
                person_event(officer, "Phùng Tiến Hùng", unit))
        client = app.test_client()
        officer_h = auth(keys.mint(sub=officer, unit=unit, perms=["tasks.handle"]))

        def directory_ready():
            return client.get(f"{P}/units/{unit}/instances", headers=officer_h).status_code == 200
        wait_for(directory_ready, 30, "the directory events to reach the process service")
        designer = auth(keys.mint(sub="designer-1", perms=["process.design"]))
        deployed = client.post(f"{P}/definitions", headers=designer, content_type="multipart/form-data",
                               data={"file": (io.BytesIO(model().xml().encode()), "lien_thong.bpmn")})
        assert deployed.status_code == 201, deployed.get_json()
        started = client.post(f"{P}/instances", headers=officer_h, json={
            "process_key": "lien_thong_thu", "unit_id": unit, "variables": {"officer": officer}})
        assert started.status_code == 201, started.get_json()
        draft = started.get_json()["current"][0]
        assert client.post(f"{P}/tasks/{draft['id']}/complete", headers=officer_h,
                           json={"data": {"trich_yeu": "Báo cáo quý IV"}}).status_code == 200

        ((event, props),) = drain(amqp_url, jobs_queue, expect=1, timeout=30)   # the worker's side, with pika
        assert props.content_type == "application/cloudevents+json"
        job = event["data"]["job"]
        assert (job["topic"], event["data"]["variables"]["trich_yeu"]) == ("lien_thong_van_ban", "Báo cáo quý IV")
        publish(amqp_url, make_event("worker.job.completed", source="lien-thong", subject=job["id"], data={
            "job_id": job["id"], "variables": {"so_van_ban": "123/UBND-VX"}}))

        def moved_on():
            detail = client.get(f"{P}/instances/{started.get_json()['id']}", headers=officer_h).get_json()
            return [t["name"] for t in detail["current"]] == ["Kiểm tra kết quả gửi"] or None
        wait_for(moved_on, 30, "the worker's reply to move the instance on")
        with runtime.db.session() as session:
            stored = session.get(ProcessJob, job["id"])
            assert (stored.status, stored.worker) == ("completed", "system:worker")
    finally:
        runtime.stop()
