"""Integration fixtures: a fresh PostgreSQL database and a fresh RabbitMQ vhost per test, removed after.

These tests use the real servers on this machine. If they cannot be reached the tests fail (they never
skip silently); set EGOV_SKIP_INTEGRATION=1 outside CI to leave them out on purpose."""
from __future__ import annotations

import os
import subprocess
import uuid
from contextlib import contextmanager

import pika
import psycopg
import pytest

from services.common.db import Database, migrate
from services.common.settings import settings_for

PG_ADMIN = os.environ.get("EGOV_TEST_PG", "postgresql://postgres@127.0.0.1:5432/postgres")
AMQP_BASE = os.environ.get("EGOV_TEST_AMQP", "amqp://guest:guest@127.0.0.1:5672")
pytestmark = pytest.mark.integration


def _unreachable(what: str, exc: Exception):
    message = f"{what} is not reachable ({exc}); integration tests need the real server on this machine"
    if os.environ.get("EGOV_SKIP_INTEGRATION") == "1" and os.environ.get("CI", "").lower() != "true":
        pytest.skip(message)
    pytest.fail(message)


def rabbitmqctl(*args: str, timeout: float = 60) -> str:
    done = subprocess.run(["rabbitmqctl", "-q", *args], capture_output=True, text=True, timeout=timeout)
    if done.returncode != 0:
        raise RuntimeError(f"rabbitmqctl {' '.join(args)} failed: {done.stderr.strip()}")
    return done.stdout


def ensure_broker_running() -> None:
    """Put the broker back if a test (or an earlier crashed run) left it stopped."""
    rabbitmqctl("start_app")
    rabbitmqctl("await_startup")


@contextmanager
def _fresh_database():
    name = f"egov_t_{uuid.uuid4().hex[:12]}"
    try:
        with psycopg.connect(PG_ADMIN, autocommit=True, connect_timeout=5) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
    except psycopg.OperationalError as exc:
        _unreachable("PostgreSQL", exc)
    try:
        yield f"postgresql+psycopg://{PG_ADMIN.split('://', 1)[1].rsplit('/', 1)[0]}/{name}"
    finally:
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _database_fixture(doc: str):
    @pytest.fixture
    def fixture():
        with _fresh_database() as url:
            yield url

    fixture.__doc__ = doc
    return fixture


pg_url = _database_fixture("A fresh PostgreSQL database (the service under test).")
second_pg_url = _database_fixture("Another database, e.g. for a second service's (publisher's) outbox.")
third_pg_url = _database_fixture("A third service's database.")
fourth_pg_url = _database_fixture("A fourth service's database.")


@pytest.fixture
def amqp_url():
    vhost = f"egov_t_{uuid.uuid4().hex[:12]}"
    try:
        ensure_broker_running()
        rabbitmqctl("add_vhost", vhost)
        rabbitmqctl("set_permissions", "-p", vhost, "guest", ".*", ".*", ".*")
    except (RuntimeError, FileNotFoundError, subprocess.TimeoutExpired) as exc:
        _unreachable("RabbitMQ", exc)
    yield f"{AMQP_BASE}/{vhost}"
    ensure_broker_running()
    rabbitmqctl("delete_vhost", vhost)


def pika_connection(amqp_url: str) -> pika.BlockingConnection:
    return pika.BlockingConnection(pika.URLParameters(amqp_url))


def integrator_queue(amqp_url: str, pattern: str) -> str:
    """A durable queue an outside integrator would bind to egov.events (survives connection cuts)."""
    name = f"integrator.{uuid.uuid4().hex[:8]}"
    with pika_connection(amqp_url) as conn:
        channel = conn.channel()
        channel.queue_declare(name, durable=True, arguments={"x-queue-type": "quorum"})
        channel.queue_bind(name, "egov.events", routing_key=pattern)
    return name


def drain(amqp_url: str, queue: str, expect: int, timeout: float = 60) -> list[tuple[dict, object]]:
    """Consume with pika until ``expect`` messages arrived (or the time is up); returns (event, properties)."""
    import json
    import time

    got = []
    deadline = time.monotonic() + timeout
    with pika_connection(amqp_url) as conn:
        channel = conn.channel()
        for method, props, body in channel.consume(queue, inactivity_timeout=0.5):
            if method is not None:
                got.append((json.loads(body), props))
                channel.basic_ack(method.delivery_tag)
            if len(got) >= expect or time.monotonic() > deadline:
                break
        channel.cancel()
    return got


def service_settings(service: str, pg: str, amqp: str, keys, **extra):
    return settings_for(service, env="test", database_url=pg, bus_url=amqp, jwt_public_key=keys.public_pem,
                        log_format="json", log_level="WARNING", relay_interval=0.05, **extra)


def publisher_database(url: str, source: str) -> Database:
    """A database with an outbox, standing in for another service (e.g. identity) that publishes."""
    migrate("orgunits", url)
    return Database(url, source)
