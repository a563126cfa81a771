"""Notifications: exactly once per recipient and channel, e-mail through a real SMTP server, SMS through a
gateway that fails and recovers, parked deliveries replayed once, rules and templates that take effect."""
from __future__ import annotations

import time

from sqlmodel import select

from services.common.envelope import make_event
from services.notify.models import Notification

SUBJECT = "[Nhiệm vụ] Nhiệm vụ được chuyển cho bạn: Báo cáo chuyển đổi số quý IV — Sở KH&CN"


def forwarded(suite, name: str = "Báo cáo chuyển đổi số quý IV — Sở KH&CN") -> dict:
    """What the process service publishes when a task is forwarded (task direction)."""
    toan, hung = suite.account("dinhtruongtoan"), suite.account("phungtienhung")
    return make_event("process.task.delegated", source="process", subject="task-1", data={
        "task": {"id": "task-1", "name": name, "instance_id": "i-1", "unit_id": toan["unit_id"],
                 "assignees": [hung["id"]], "due_at": "2026-12-15T17:00:00+07:00"},
        "actor": toan["id"], "actor_name": toan["full_name"]})


def deliver(suite, *events) -> None:
    bus = suite.runtime("notify").bus
    for event in events:
        bus.publish(event)
    suite.deliver()


def dispatch(suite, rounds: int = 1) -> None:
    parts = suite.gateway.apps["notify"].extensions["notify"]
    for _ in range(rounds):
        parts.dispatch_once()
        time.sleep(0.03)


def inbox(suite, username: str) -> list[dict]:
    return suite.gateway.apps["notify"].test_client().get(
        "/api/notify/notifications", headers=suite.headers(username)).get_json()["items"]


def test_a_forwarded_task_gives_one_notification_and_one_email_even_if_delivered_twice(suite, smtp):
    event = forwarded(suite)
    deliver(suite, event, event)
    dispatch(suite, 3)
    mine = [n for n in inbox(suite, "phungtienhung") if n["event_type"] == "process.task.delegated"]
    assert len(mine) == 1 and "Đinh Trường Toàn" in mine[0]["body"]
    emails = [m for m in smtp.messages if m["To"] == "phungtienhung@demo.binhthuan.gov.vn"
              and m["Subject"].startswith("[Nhiệm vụ]")]
    assert len(emails) == 1
    assert emails[0]["Subject"] == SUBJECT
    assert "Kính gửi Phùng Tiến Hùng" in emails[0].get_content()
    handler = suite.runtime("notify").subscription("notify.events").handler
    assert handler.duplicates >= 1


def test_nobody_is_told_what_they_did_and_deadlines_read_in_vietnam_time(suite):
    toan, hung = suite.account("dinhtruongtoan"), suite.account("phungtienhung")
    task = {"id": "task-9", "name": "Phê duyệt kết quả", "instance_id": "i-9", "unit_id": toan["unit_id"],
            "step_name": "Phê duyệt", "assignees": [toan["id"], hung["id"]], "created_by": toan["id"],
            "due_at": "2026-11-24T10:00:00Z"}
    created = make_event("process.task.created", source="process", subject="task-9",
                         data={"task": task, "actor": toan["id"], "actor_name": toan["full_name"]})
    completed = make_event("process.task.completed", source="process", subject="task-9",
                           data={"task": task, "actor": toan["id"], "actor_name": toan["full_name"]})
    deliver(suite, created, completed)
    mine = [n for n in inbox(suite, "dinhtruongtoan") if n["subject_id"] == "task-9"]
    assert mine == [], "Toàn created and completed it: no notification of his own doing"
    told = [n for n in inbox(suite, "phungtienhung") if n["subject_id"] == "task-9"]
    new = next(n for n in told if n["event_type"] == "process.task.created")
    assert "Hạn xử lý: 17:00 24/11/2026." in new["body"], "the deadline as people there read it"


def test_sms_gateway_down_twice_then_up_sends_on_the_third_attempt(suite, sms):
    notify = suite.gateway.apps["notify"].test_client()
    admin = suite.headers("admin")
    switched = notify.put("/api/notify/rules", headers=admin, json={
        "event_type": "process.task.delegated", "role": "assignee", "channel": "sms", "enabled": True})
    assert switched.status_code == 200
    sms.fail_next = 2
    deliver(suite, forwarded(suite))
    dispatch(suite, 6)
    assert len(sms.received) == 1 and sms.refused == 2
    assert sms.received[0]["auth"] == "Bearer gateway-token"
    log = notify.get("/api/notify/deliveries", headers=admin).get_json()["items"]
    texts = [d for d in log if d["channel"] == "sms"]
    assert texts[0]["status"] == "sent" and texts[0]["attempts"] == 3


def test_a_gateway_down_for_good_parks_the_delivery_and_a_replay_sends_it_once(suite, sms):
    notify = suite.gateway.apps["notify"].test_client()
    admin = suite.headers("admin")
    notify.put("/api/notify/rules", headers=admin, json={
        "event_type": "process.task.delegated", "role": "assignee", "channel": "sms", "enabled": True})
    sms.down = True
    deliver(suite, forwarded(suite))
    dispatch(suite, 8)
    parked = [d for d in notify.get("/api/notify/deliveries", headers=admin, query_string={"status": "parked"})
              .get_json()["items"] if d["event_type"] == "process.task.delegated"]
    assert len(parked) == 1 and parked[0]["attempts"] == 3 and "503" in parked[0]["last_error"]
    assert sms.received == []
    sms.down = False
    replayed = notify.post(f"/api/notify/deliveries/{parked[0]['id']}/replay", headers=admin)
    assert replayed.status_code == 200
    dispatch(suite, 4)
    assert len(sms.received) == 1
    again = notify.post(f"/api/notify/deliveries/{parked[0]['id']}/replay", headers=admin)
    assert again.status_code == 409
    dispatch(suite, 2)
    assert len(sms.received) == 1


def test_switching_a_rule_off_stops_that_channel(suite, smtp):
    notify = suite.gateway.apps["notify"].test_client()
    off = notify.put("/api/notify/rules", headers=suite.headers("admin"), json={
        "event_type": "process.task.delegated", "role": "assignee", "channel": "email", "enabled": False})
    assert off.status_code == 200
    deliver(suite, forwarded(suite))
    dispatch(suite, 2)
    assert [m for m in smtp.messages if "Nhiệm vụ" in m["Subject"]] == []
    assert len([n for n in inbox(suite, "phungtienhung") if n["event_type"] == "process.task.delegated"]) == 1


def test_editing_a_template_changes_the_next_message(suite):
    notify = suite.gateway.apps["notify"].test_client()
    saved = notify.put("/api/notify/templates/process.task.delegated/in_app", headers=suite.headers("admin"), json={
        "subject": "Việc mới: {{ data.task.name }}", "body": "{{ data.actor_name }} chuyển việc cho bạn."})
    assert saved.status_code == 200 and saved.get_json()["preview"]["subject"].startswith("Việc mới: Báo cáo")
    deliver(suite, forwarded(suite, name="Kiểm tra hồ sơ"))
    titles = [n["title"] for n in inbox(suite, "phungtienhung")]
    assert "Việc mới: Kiểm tra hồ sơ" in titles


def test_broken_or_escaping_templates_are_refused_when_saved(suite):
    notify = suite.gateway.apps["notify"].test_client()
    admin = suite.headers("admin")
    url = "/api/notify/templates/process.task.delegated/email"
    for body, words in [("Xin chào {{ data.task.name ", "error"), ("{% if %}", "error"),
                        ("{{ data.__class__ }}", "may not use"), ("{{ ''.__class__.__mro__[1] }}", "may not use"),
                        ("{{ recipient.full_name.__class__.__init__.__globals__ }}", "may not use")]:
        response = notify.put(url, headers=admin, json={"subject": "x", "body": body})
        assert response.status_code == 422, body
        assert words in response.get_json()["detail"], (body, response.get_json()["detail"])
    still = notify.get(url, headers=admin).get_json()
    assert still["body"].startswith("Kính gửi")
    officer = notify.put(url, headers=suite.headers("dinhtruongtoan"), json={"subject": "x", "body": "y"})
    assert officer.status_code == 403


def test_password_reset_goes_only_by_email_and_sms_and_never_into_logs(suite, smtp, sms, capsys, caplog):
    suite.identity.post("/api/identity/auth/forgot", json={"username": "qt.sokhcn"})
    suite.deliver()
    dispatch(suite, 2)
    from services.common.models import OutboxMessage

    with suite.runtime("identity").db.session() as session:
        sealed = session.exec(select(OutboxMessage).where(
            OutboxMessage.event_type == "identity.password_reset.requested")).one().event()["data"]["sealed_token"]
    token = suite.gateway.apps["identity"].extensions["identity"].sealer.open(sealed)
    assert token and token not in sealed
    mails = [m for m in smtp.messages if m["To"] == "qt.sokhcn@demo.binhthuan.gov.vn"
             and m["Subject"] == "[Tài khoản] Đặt lại mật khẩu"]
    assert len(mails) == 1 and token in mails[0].get_content()
    with suite.runtime("notify").db.session() as session:
        assert session.exec(select(Notification).where(
            Notification.event_type == "identity.password_reset.requested")).all() == []
    logged = capsys.readouterr().err + caplog.text
    assert token not in logged
    log = suite.gateway.apps["notify"].test_client().get("/api/notify/deliveries",
                                                        headers=suite.headers("admin")).get_json()["items"]
    assert all(token not in str(d) for d in log)


def test_preview_renders_the_example_in_vietnamese(suite):
    response = suite.gateway.apps["notify"].test_client().post(
        "/api/notify/templates/preview", headers=suite.headers("admin"),
        json={"event_type": "process.task.overdue", "channel": "email"})
    assert response.status_code == 200
    assert "quá hạn" in response.get_json()["body"] and "Báo cáo tình hình" in response.get_json()["subject"]
