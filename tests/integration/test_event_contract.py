"""The public event contract, as an integrator sees it with pika: CloudEvents on egov.events, routing key
= event type, persistent, in order per unit."""
from __future__ import annotations

from services.orgunits.app import create_app
from tests.conftest import auth
from tests.integration.conftest import drain, integrator_queue, service_settings


def test_pika_integrator_receives_create_move_merge_in_order(pg_url, amqp_url, keys, super_token):
    app = create_app(service_settings("orgunits", pg_url, amqp_url, keys))
    runtime = app.extensions["egov"]
    runtime.bus.declare()
    queue = integrator_queue(amqp_url, "orgunits.#")
    runtime.start_relay()
    try:
        client = app.test_client()
        post = lambda url, body: client.post(url, headers=auth(super_token), json=body).get_json()  # noqa: E731
        root = post("/api/orgunits/units", {"code": "T", "name": "Tỉnh Thử"})
        a = post("/api/orgunits/units", {"code": "A", "name": "Sở A", "parent_id": root["id"], "kind": "department"})
        b = post("/api/orgunits/units", {"code": "B", "name": "Sở B", "parent_id": root["id"], "kind": "department"})
        a1 = post("/api/orgunits/units", {"code": "A1", "name": "Phòng A1", "parent_id": a["id"]})
        post(f"/api/orgunits/units/{a1['id']}/move", {"parent_id": b["id"]})
        post(f"/api/orgunits/units/{a1['id']}/move", {"parent_id": a["id"]})
        post(f"/api/orgunits/units/{a['id']}/merge", {"target_id": b["id"]})
        received = drain(amqp_url, queue, expect=8, timeout=30)
    finally:
        runtime.stop()

    events = [event for event, _ in received]
    assert len(events) == 8
    for event, props in received:
        assert event["specversion"] == "1.0" and event["source"] == "/egov/orgunits"
        assert {"id", "type", "time", "subject", "datacontenttype", "data", "correlationid"} <= set(event)
        assert event["data"]["schema_version"] == 1 and event["data"]["unit"]["id"] == event["subject"]
        assert props.content_type == "application/cloudevents+json"
        assert props.delivery_mode == 2 and props.message_id == event["id"] and props.type == event["type"]

    def story(unit):
        return [e["type"].rsplit(".", 1)[1] for e in events if e["subject"] == unit["id"]]

    assert story(a1) == ["created", "moved", "moved", "moved"]
    assert story(a) == ["created", "merged"]
    assert [e["data"]["new_parent_id"] for e in events if e["subject"] == a1["id"] and "moved" in e["type"]] == [
        b["id"], a["id"], b["id"]]
    merged = next(e for e in events if e["type"] == "orgunits.unit.merged")
    assert merged["data"]["target"]["id"] == b["id"] and merged["data"]["moved_child_ids"] == [a1["id"]]
    times = [e["time"] for e in events]
    assert times == sorted(times)


def test_an_event_nobody_is_bound_to_is_kept_not_lost(amqp_url):
    """mandatory + the exchange's alternate exchange: unroutable events wait in egov.unrouted."""
    from services.common.bus.amqp import KombuBus
    from services.common.envelope import make_event
    from tests.integration.conftest import pika_connection

    bus = KombuBus(amqp_url)
    try:
        bus.declare()
        bus.publish(make_event("nobody.listens.here", source="test", subject="x", data={}))
    finally:
        bus.close()
    with pika_connection(amqp_url) as conn:
        kept = conn.channel().queue_declare("egov.unrouted", passive=True).method.message_count
    assert kept == 1
