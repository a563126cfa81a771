"""Settings, text, topic routing, the in-process bus, the relay and the HTTP plumbing."""
from __future__ import annotations

import json
import threading

import pytest
from pydantic import ValidationError

from services.common.bus import topic_matches
from services.common.bus.memory import InProcessBus
from services.common.db import make_engine
from services.common.envelope import MalformedEvent, decode, make_event
from services.common.settings import settings_for
from services.common.text import fold, nfc, sort_key


def test_settings_come_from_the_service_prefix(monkeypatch):
    monkeypatch.setenv("ORGUNITS_BUS_URL", "amqp://u:p@localhost//")
    monkeypatch.setenv("IDENTITY_BUS_URL", "memory://")
    assert settings_for("orgunits").bus_url == "amqp://u:p@localhost//"


@pytest.mark.parametrize("overrides, complaint", [
    ({"secret_key": "change-me-please-change-me-please-x"}, "SECRET_KEY"),
    ({"secret_key": "short"}, "SECRET_KEY"),
    ({"bus_url": "amqp://guest:guest@localhost//"}, "BUS_URL"),
    ({"database_url": "postgresql://egov:changeme@localhost/egov"}, "DATABASE_URL"),
    ({"jwt_public_key": ""}, "JWT_PUBLIC_KEY"),
])
def test_production_refuses_placeholder_secrets(overrides, complaint):
    good = {"env": "production", "secret_key": "k" * 40, "database_url": "postgresql://egov:s3cr3t-Xy@db/egov",
            "bus_url": "amqp://egov:s3cr3t-Xy@mq//", "jwt_public_key": "pem"}
    settings_for("orgunits", **good)
    with pytest.raises(ValidationError, match=complaint):
        settings_for("orgunits", **{**good, **overrides})


def test_development_accepts_the_defaults():
    assert settings_for("orgunits").env == "development"


def test_vietnamese_text_helpers():
    assert nfc("  Sở   Y tế ") == "Sở Y tế"
    assert fold("Đảng ủy Khối Cơ quan") == "dang uy khoi co quan"
    assert sorted(["Đông", "Dung", "Anh", "Ánh", "Ân", "Bảo"], key=sort_key) == ["Anh", "Ánh", "Ân", "Bảo",
                                                                                  "Dung", "Đông"]


@pytest.mark.parametrize("pattern, key, expected", [
    ("orgunits.#", "orgunits.unit.created", True), ("orgunits.#", "orgunits", True),
    ("identity.account.*", "identity.account.approved", True), ("identity.account.*", "identity.admin.x", False),
    ("a.*", "a.b.c", False), ("a.#.c", "a.c", True), ("a.#.c", "a.x.y.c", True), ("#", "anything.at.all", True),
    ("orgunits.#", "orgunitsx.unit", False),
])
def test_topic_patterns_follow_amqp_rules(pattern, key, expected):
    assert topic_matches(pattern, key) is expected


def test_envelope_round_trip_and_refusal():
    event = make_event("x.y.z", source="test", subject="s", data={"a": 1}, correlation_id="c1")
    assert decode(json.dumps(event)) == event
    for bad in (b"not json", b"[]", b'{"specversion": "1.0"}'):
        with pytest.raises(MalformedEvent):
            decode(bad)


def test_in_process_bus_retries_then_dead_letters():
    bus = InProcessBus(delivery_limit=3)
    attempts = []

    def flaky(event):
        attempts.append(event["id"])
        if event["data"]["fail"]:
            raise RuntimeError("handler failed")

    bus.subscribe("q", ["t.#"], flaky)
    bus.start()
    good = make_event("t.ok", source="test", subject="s", data={"fail": False})
    bad = make_event("t.bad", source="test", subject="s", data={"fail": True})
    bus.publish(bad)
    bus.publish(good)
    bus.publish(make_event("other.topic", source="test", subject="s", data={"fail": True}))
    assert bus.wait_idle(5)
    bus.close()
    assert attempts.count(bad["id"]) == 3 and attempts.count(good["id"]) == 1
    assert [e["id"] for e in bus.queues["q"].dead] == [bad["id"]]
    assert len(bus.unrouted) == 1


def test_relay_publishes_in_commit_order_and_marks_rows_sent(orgunits, super_token):
    from tests.conftest import auth

    runtime = orgunits.extensions["egov"]
    seen = []
    runtime.bus.subscribe("integrator", ["orgunits.#"], lambda e: seen.append((e["type"], e["subject"])))
    runtime.bus.start()
    client = orgunits.test_client()
    root = client.post("/api/orgunits/units", headers=auth(super_token), json={"code": "R", "name": "Gốc"}).get_json()
    child = client.post("/api/orgunits/units", headers=auth(super_token),
                        json={"code": "C", "name": "Con", "parent_id": root["id"]}).get_json()
    client.post(f"/api/orgunits/units/{child['id']}/deactivate", headers=auth(super_token))
    assert runtime.relay.pending() == 3
    assert runtime.relay.publish_pending() == 3
    assert runtime.relay.pending() == 0
    assert runtime.bus.wait_idle(5)
    assert seen == [("orgunits.unit.created", root["id"]), ("orgunits.unit.created", child["id"]),
                    ("orgunits.unit.deactivated", child["id"])]


def test_relay_thread_wakes_on_commit(orgunits, super_token):
    from tests.conftest import auth

    runtime = orgunits.extensions["egov"]
    got = threading.Event()
    runtime.bus.subscribe("integrator", ["orgunits.unit.created"], lambda e: got.set())
    runtime.bus.start()
    runtime.start_relay()
    orgunits.test_client().post("/api/orgunits/units", headers=auth(super_token), json={"code": "R", "name": "Gốc"})
    assert got.wait(5)


def test_every_response_carries_a_correlation_id_and_health_answers(orgunits):
    client = orgunits.test_client()
    response = client.get("/api/orgunits/healthz", headers={"X-Correlation-ID": "req-42"})
    assert response.status_code == 200 and response.headers["X-Correlation-ID"] == "req-42"
    assert client.get("/healthz").headers["X-Correlation-ID"]
    ready = client.get("/api/orgunits/readyz").get_json()
    assert ready["checks"] == {"database": "ok", "bus": "ok"}


def test_readyz_reports_a_database_that_is_gone(orgunits):
    runtime = orgunits.extensions["egov"]
    runtime.db.engine.dispose()
    runtime.db.engine = make_engine("postgresql+psycopg://nobody@127.0.0.1:9/none?connect_timeout=2")
    response = orgunits.test_client().get("/readyz")
    assert response.status_code == 503 and response.get_json()["checks"]["database"].startswith("unavailable")


def test_unknown_route_is_a_problem_document(orgunits):
    response = orgunits.test_client().get("/api/orgunits/nothing-here")
    assert response.status_code == 404 and response.mimetype == "application/problem+json"


def test_only_a_trusted_proxy_names_the_persons_address():
    from werkzeug.test import Client

    from services.common.http import ForwardedFor

    def echo(environ, start_response):
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [environ["REMOTE_ADDR"].encode()]

    client = Client(ForwardedFor(echo, {"10.0.0.5"}))

    def seen(remote: str, forwarded: str | None) -> str:
        headers = {"X-Forwarded-For": forwarded} if forwarded else {}
        return client.get("/", headers=headers, environ_base={"REMOTE_ADDR": remote}).get_data(as_text=True)

    assert seen("10.0.0.5", "203.0.113.7") == "203.0.113.7", "the portal passes on the person's address"
    assert seen("10.0.0.5", "198.51.100.1, 203.0.113.7, 10.0.0.5") == "203.0.113.7", "the right-most outside hop"
    assert seen("198.51.100.9", "203.0.113.7") == "198.51.100.9", "anyone else cannot choose their address"
    assert seen("10.0.0.5", None) == "10.0.0.5"


def test_the_relay_keeps_published_events_for_the_retention_then_deletes_them(orgunits, super_token):
    """deploy/replay reads the outbox: rows published within the retention stay; older published rows go; a row
    not yet published stays however old it is."""
    from datetime import timedelta

    from sqlmodel import select

    from services.common.models import OutboxMessage, utcnow
    from tests.conftest import auth

    runtime = orgunits.extensions["egov"]
    client = orgunits.test_client()
    for code in ("A", "B", "C"):
        client.post("/api/orgunits/units", headers=auth(super_token), json={"code": code, "name": f"Đơn vị {code}"})
    assert runtime.relay.publish_pending() == 3
    client.post("/api/orgunits/units", headers=auth(super_token), json={"code": "D", "name": "Chưa gửi"})
    now = utcnow()
    with runtime.db.session() as session:
        rows = session.exec(select(OutboxMessage).order_by(OutboxMessage.id)).all()
        ages = {rows[0].id: 31, rows[1].id: 29, rows[3].id: 400}
        for row in rows:
            if row.id in ages:
                row.created_at = now - timedelta(days=ages[row.id])
                row.sent_at = row.created_at if row.sent_at else None
        session.commit()
        kept_ids = [rows[1].id, rows[2].id, rows[3].id]
    assert runtime.relay.retention == timedelta(days=30), "the default retention"
    assert runtime.relay.purge(now) == 1
    with runtime.db.session() as session:
        assert session.exec(select(OutboxMessage.id).order_by(OutboxMessage.id)).all() == kept_ids
    assert runtime.relay.purge(now) == 0


@pytest.mark.parametrize("background_relay", [False, True], ids=["alone", "beside-the-relay-thread"])
def test_deliver_pending_waits_for_events_that_consumers_cause(orgunits, background_relay):
    """An event straight on the bus whose consumer writes an outbox row: deliver_pending returns only after that
    row's event has been published and consumed too, whether or not the background relay is publishing beside it
    (a test's callback delivery once ran before the event it checks had arrived)."""
    from services.common.gateway import Gateway

    runtime = orgunits.extensions["egov"]
    consequences = []

    def intake(event):
        with runtime.db.uow() as uow:
            uow.emit("orgunits.unit.updated", event["subject"], {"caused_by": event["id"]})
            uow.commit()

    runtime.bus.subscribe("intake", ["ioc.#"], intake)
    runtime.bus.subscribe("integrator", ["orgunits.unit.updated"], lambda e: consequences.append(e["subject"]))
    runtime.bus.start()
    if background_relay:
        runtime.start_relay()
    gateway = Gateway({"orgunits": orgunits})
    for n in range(20):
        runtime.bus.publish(make_event("ioc.field_report.received", source="ioc", subject=f"r{n}", data={}))
        gateway.deliver_pending(timeout=5)
        assert consequences == [f"r{i}" for i in range(n + 1)]
    assert runtime.relay.pending() == 0
