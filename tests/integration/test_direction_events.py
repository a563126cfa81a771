"""Seed 001's story on the real parts: the process service on PostgreSQL and RabbitMQ learns UBND tỉnh, Sở Tài
nguyên và Môi trường and its units below, and their people, from directory events published with pika; the
story is worked over HTTP; an integrator's pika queue bound to ``direction.#`` receives every step as an event,
in order, each valid against the catalogue's payload model, and the same steps are in the task's history."""
from __future__ import annotations

import io
import json
import uuid

from services.common.settings import settings_for
from services.process.app import ProcessSettings, create_app
from services.process.events import PUBLISHED
from services.process.models import PersonRef, UnitRef
from tests.conftest import auth
from tests.helpers import wait_for
from tests.integration.conftest import drain, integrator_queue
from tests.integration.test_process_field_report import person_event, publish, unit_event

D = "/api/process/direction"


def test_a_direction_story_reaches_an_integrators_pika_queue(pg_url, amqp_url, keys):
    app = create_app(settings_for("process", ProcessSettings, env="test", database_url=pg_url, bus_url=amqp_url,
                                  jwt_public_key=keys.public_pem, log_format="json", log_level="WARNING",
                                  relay_interval=0.05, scheduler_interval=0.5))
    runtime = app.extensions["egov"]
    runtime.bus.declare()
    queue = integrator_queue(amqp_url, "direction.#")
    runtime.start_background()
    try:
        province, ubnd, stnmt, vpdk, branch = (f"u{uuid.uuid4().hex[:8]}" for _ in range(5))
        people = {"creator": ubnd, "follower": ubnd, "rep": stnmt, "officer": stnmt, "rep_vpdk": vpdk,
                  "rep_cn": branch}
        publish(amqp_url, unit_event(province, "Tỉnh Bình Thuận", []),
                unit_event(ubnd, "UBND tỉnh", [province]),
                unit_event(stnmt, "Sở Tài nguyên và Môi trường", [province, ubnd]),
                unit_event(vpdk, "Văn phòng Đăng ký đất đai", [province, ubnd, stnmt]),
                unit_event(branch, "Chi nhánh Phan Thiết", [province, ubnd, stnmt, vpdk]),
                *(person_event(key, key.replace("_", " ").title(), unit) for key, unit in people.items()))

        def directory_ready():
            with runtime.db.session() as session:
                return session.get(UnitRef, branch) is not None and session.get(PersonRef, "rep_cn") is not None
        wait_for(directory_ready, 30, "the directory events to reach the process service")

        client = app.test_client()
        admin = auth(keys.mint(sub="qt-tinh", unit=province, perms=["process.configure"], admin_units=[province]))
        for unit, side, role, who in ((ubnd, "assign", "leader", ["creator", "follower"]),
                                      (stnmt, "execute", "representative", ["rep"]),
                                      (vpdk, "execute", "representative", ["rep_vpdk"]),
                                      (branch, "execute", "representative", ["rep_cn"])):
            answer = client.put(f"{D}/units/{unit}/roles/{side}/{role}", headers=admin, json={"accounts": who})
            assert answer.status_code == 200, answer.get_json()
        h = {key: auth(keys.mint(sub=key, unit=unit, perms=[])) for key, unit in people.items()}

        def ok(response, status=200):
            assert response.status_code == status, response.get_json()
            return response.get_json()

        def act(who, task, action, **body):
            return ok(client.post(f"{D}/tasks/{task}/actions/{action}", headers=h[who], json=body))

        def attach(who, task):
            ok(client.post(f"{D}/tasks/{task}/files", headers=h[who], content_type="multipart/form-data",
                           data={"file": (io.BytesIO(b"%PDF-1.4 ket qua"), "ket-qua.pdf"), "purpose": "result"}), 201)

        made = ok(client.post(f"{D}/assignments", headers=h["creator"], content_type="multipart/form-data", data={
            "assignment": json.dumps({"number": "125/UBND-KT", "summary": "Rà soát đất ven biển",
                                      "assigner_id": "creator", "follower_ids": ["follower"],
                                      "tasks": [{"name": "Rà soát hiện trạng sử dụng đất ven biển",
                                                 "executing_unit_id": stnmt, "representatives": ["rep"],
                                                 "deadline": "2099-03-31"}]})}), 201)
        root = made["tasks"][0]["id"]
        act("rep", root, "forward", to=["officer"], reason="Chủ trì")
        act("officer", root, "refuse", reason="Không thuộc chức năng")
        act("rep", root, "forward", to=["officer"], reason="Đề nghị thực hiện")
        sub = ok(client.post(f"{D}/tasks/{root}/subtasks", headers=h["officer"], json={
            "name": "Thống kê hồ sơ", "executing_unit_id": vpdk, "representatives": ["rep_vpdk"]}), 201)["id"]
        ok(client.post(f"{D}/tasks/{sub}/progress", headers=h["rep_vpdk"], json={"percent": 50}))
        deeper = ok(client.post(f"{D}/tasks/{sub}/subtasks", headers=h["rep_vpdk"], json={
            "name": "Số liệu chi nhánh", "executing_unit_id": branch, "representatives": ["rep_cn"]}), 201)["id"]
        for doer, approver, task in (("rep_cn", "rep_vpdk", deeper), ("rep_vpdk", "officer", sub)):
            attach(doer, task)
            act(doer, task, "complete")
            act(approver, task, "approve")
        attach("officer", root)
        act("officer", root, "complete")
        act("follower", root, "reject", reason="Thiếu số liệu")
        act("officer", root, "complete")
        act("follower", root, "approve")
        history = [line["action"] for line in ok(client.get(f"{D}/tasks/{root}", headers=h["follower"]))["history"]]

        published = wait_for(lambda: _sent(runtime), 30, "the outbox to be published")
        received = drain(amqp_url, queue, expect=published, timeout=60)
    finally:
        runtime.stop()

    events = [event for event, _props in received]
    assert len(events) == published
    for event in events:
        PUBLISHED[event["type"]].model_validate(event["data"])
    on_root = [e["type"].removeprefix("direction.") for e in events if e["subject"] == root and
               not e["type"].endswith("status_changed")]
    assert on_root == ["task.forwarded", "task.refused", "task.forwarded", "task.subtask_created", "task.completed",
                       "task.rejected", "task.completed", "task.approved"]
    assert history == ["created", "forward", "refuse", "forward", "subtask_created", "attach", "complete", "reject",
                       "complete", "approve"]
    assert [e["type"] for e in events][:5] == ["direction.unit_setup.changed"] * 4 + ["direction.assignment.created"]
    deep_types = [e["type"] for e in events if e["subject"] == deeper and not e["type"].endswith("status_changed")]
    assert deep_types == ["direction.task.completed", "direction.task.approved"]
    assert [e["data"]["task"]["progress"] for e in events if e["subject"] == root][-1] == 100


def _sent(runtime) -> int | None:
    """How many direction events the process service published, once its outbox is empty."""
    from sqlmodel import func, select

    from services.common.models import OutboxMessage

    with runtime.db.session() as session:
        waiting = session.exec(select(func.count()).select_from(OutboxMessage).where(
            OutboxMessage.sent_at.is_(None))).one()
        sent = session.exec(select(func.count()).select_from(OutboxMessage).where(
            OutboxMessage.event_type.startswith("direction."))).one()
    return sent if waiting == 0 and sent else None
