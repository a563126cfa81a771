"""Nothing lost, nothing applied twice: a relay killed between the broker's confirm and marking the row
sent, every connection cut mid-burst, and the broker stopped and started mid-burst.

The publisher is a stand-in for identity (a database with an outbox, publishing identity.account.*);
the consumer is the real org-units members consumer on its own PostgreSQL database."""
from __future__ import annotations

import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from sqlmodel import func, select

from services.common.bus.amqp import KombuBus
from services.common.envelope import make_event
from services.common.models import InboxEntry, OutboxMessage
from services.common.outbox import OutboxRelay
from services.orgunits.app import create_app
from services.orgunits.models import Member
from tests.helpers import wait_for
from tests.integration.conftest import (
    ensure_broker_running,
    integrator_queue,
    pika_connection,
    publisher_database,
    rabbitmqctl,
    service_settings,
)

ROOT = Path(__file__).resolve().parents[2]
BURST = 1000
pytestmark = pytest.mark.broker_restart


def emit_account(db, i: int) -> str:
    with db.uow() as uow:
        event = uow.emit("identity.account.approved", f"acc-{i}", {"account": {
            "id": f"acc-{i}", "full_name": f"Cán bộ số {i}", "unit_id": "unit-x", "status": "approved"}})
        uow.commit()
    return event["id"]


def count(db, query) -> int:
    with db.session() as session:
        return session.exec(select(func.count()).select_from(query.subquery())).one()


def distinct_ids(amqp_url: str, queue: str, expected: int, timeout: float = 60) -> tuple[set[str], int]:
    """Read the integrator's queue with pika: the distinct event ids and the number of messages."""
    import json

    ids, messages = set(), 0
    deadline = time.monotonic() + timeout
    with pika_connection(amqp_url) as conn:
        channel = conn.channel()
        for method, _props, body in channel.consume(queue, inactivity_timeout=1.0):
            if method is None:
                if len(ids) >= expected or time.monotonic() > deadline:
                    break
                continue
            messages += 1
            ids.add(json.loads(body)["id"])
            channel.basic_ack(method.delivery_tag)
        channel.cancel()
    return ids, messages


@pytest.fixture
def consumer(pg_url, amqp_url, keys):
    app = create_app(service_settings("orgunits", pg_url, amqp_url, keys))
    runtime = app.extensions["egov"]
    runtime.bus.declare()
    runtime.start_consumers()
    yield runtime
    runtime.stop()


def test_relay_killed_after_confirm_is_seen_twice_and_applied_once(consumer, second_pg_url, amqp_url):
    publisher = publisher_database(second_pg_url, "identity")
    integrator = integrator_queue(amqp_url, "identity.account.#")
    event_id = emit_account(publisher, 1)
    crashed = subprocess.run([sys.executable, str(ROOT / "tests/integration/relay_crash.py"), second_pg_url,
                              amqp_url, "identity"], cwd=ROOT, capture_output=True, timeout=60)
    assert crashed.returncode == 9, crashed.stderr.decode()[-2000:]
    assert count(publisher, select(OutboxMessage).where(OutboxMessage.sent_at.is_(None))) == 1

    relay = OutboxRelay(publisher, KombuBus(amqp_url))
    assert relay.publish_pending() == 1
    handler = consumer.subscription("orgunits.members").handler
    wait_for(lambda: handler.applied + handler.duplicates >= 2, 30, "both deliveries")
    assert (handler.applied, handler.duplicates) == (1, 1)
    assert count(consumer.db, select(Member)) == 1
    assert count(consumer.db, select(InboxEntry).where(InboxEntry.event_id == event_id)) == 1
    ids, messages = distinct_ids(amqp_url, integrator, expected=1, timeout=10)
    assert ids == {event_id} and messages == 2
    relay.bus.close()
    publisher.dispose()


def _burst_with_fault(consumer, second_pg_url, amqp_url, fault) -> None:
    publisher = publisher_database(second_pg_url, "identity")
    integrator = integrator_queue(amqp_url, "identity.account.#")
    relay_bus = KombuBus(amqp_url)
    relay = OutboxRelay(publisher, relay_bus, interval=0.05)
    stop = threading.Event()
    relay_thread = threading.Thread(target=relay.run, args=(stop,), daemon=True)
    relay_thread.start()
    try:
        for i in range(BURST):
            emit_account(publisher, i)
            if i == BURST // 3:
                fault()
        handler = consumer.subscription("orgunits.members").handler
        wait_for(lambda: handler.applied >= BURST, 180, f"{BURST} events applied")
        wait_for(lambda: relay.pending() == 0, 60, "the outbox to drain")
        assert handler.applied == BURST
        assert count(consumer.db, select(Member)) == BURST
        assert count(consumer.db, select(InboxEntry)) == BURST
        ids, messages = distinct_ids(amqp_url, integrator, expected=BURST, timeout=60)
        assert len(ids) == BURST and messages >= BURST
    finally:
        stop.set()
        relay_thread.join(timeout=10)
        relay_bus.close()
        publisher.dispose()


def test_burst_survives_every_connection_being_cut(consumer, second_pg_url, amqp_url):
    _burst_with_fault(consumer, second_pg_url, amqp_url,
                      lambda: rabbitmqctl("close_all_connections", "egov chaos test"))


def test_burst_survives_the_broker_stopping_and_starting(consumer, second_pg_url, amqp_url):
    def stop_and_start():
        try:
            rabbitmqctl("stop_app")
            time.sleep(3)
        finally:
            ensure_broker_running()

    _burst_with_fault(consumer, second_pg_url, amqp_url, stop_and_start)


def test_a_poison_message_and_a_failing_handler_end_in_the_dead_letter_queue(consumer, amqp_url):
    import json

    with pika_connection(amqp_url) as conn:
        channel = conn.channel()
        channel.confirm_delivery()
        channel.basic_publish("egov.events", "identity.account.approved", b"not a cloudevent")
        bad_payload = make_event("identity.account.approved", source="identity", subject="x",
                                 data={"account": {"nothing": "useful"}})
        channel.basic_publish("egov.events", "identity.account.approved", json.dumps(bad_payload).encode())

    def dead_count() -> int:
        with pika_connection(amqp_url) as conn:
            return conn.channel().queue_declare("orgunits.members.dead", passive=True).method.message_count

    wait_for(lambda: dead_count() == 2, 30, "two dead letters")
    assert count(consumer.db, select(Member)) == 0
