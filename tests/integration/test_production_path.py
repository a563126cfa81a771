"""The production path as deploy/ runs it: honcho starts gunicorn, the outbox relay and the consumer as
separate processes on PostgreSQL and RabbitMQ with production settings."""
from __future__ import annotations

import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import requests

from services.common.envelope import make_event
from tests.conftest import auth
from tests.integration.conftest import pika_connection, rabbitmqctl

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def broker_user(amqp_url):
    """A real broker user for the vhost (production refuses the guest account's password)."""
    user, password = f"egov_t_{uuid.uuid4().hex[:8]}", secrets.token_urlsafe(16)
    vhost = amqp_url.rsplit("/", 1)[1]
    rabbitmqctl("add_user", user, password)
    rabbitmqctl("set_permissions", "-p", vhost, user, ".*", ".*", ".*")
    yield f"amqp://{user}:{password}@127.0.0.1:5672/{vhost}"
    rabbitmqctl("delete_user", user)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait(predicate, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            value = predicate()
            if value:
                return value
        except requests.RequestException:
            pass
        time.sleep(0.2)
    pytest.fail(f"timed out waiting for {what}")


def test_procfile_processes_serve_publish_and_consume(pg_url, broker_user, keys, super_token):
    port = _free_port()
    env = {**os.environ, "ORGUNITS_ENV": "production", "ORGUNITS_DATABASE_URL": pg_url,
           "ORGUNITS_BUS_URL": broker_user, "ORGUNITS_SECRET_KEY": secrets.token_urlsafe(32),
           "ORGUNITS_JWT_PUBLIC_KEY": keys.public_pem, "ORGUNITS_PORT": str(port), "ORGUNITS_LOG_FORMAT": "json"}
    for step in ("migrate", "declare"):
        subprocess.run([sys.executable, "-m", "services.common.worker", "orgunits", step], cwd=ROOT, env=env,
                       check=True, capture_output=True, timeout=60)
    with pika_connection(broker_user) as conn:
        channel = conn.channel()
        queue = channel.queue_declare("", exclusive=False, auto_delete=False).method.queue
        channel.queue_bind(queue, "egov.events", routing_key="orgunits.#")
    honcho = subprocess.Popen([str(ROOT / ".venv/bin/honcho"), "-f", "deploy/Procfile", "start"], cwd=ROOT,
                              env=env, start_new_session=True, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              text=True)
    base = f"http://127.0.0.1:{port}/api/orgunits"
    try:
        _wait(lambda: requests.get(f"{base}/readyz", timeout=5).status_code == 200, 60, "gunicorn")
        root = requests.post(f"{base}/units", headers=auth(super_token), timeout=5,
                             json={"code": "P", "name": "Tỉnh Sản Xuất"})
        assert root.status_code == 201, root.text
        unit = root.json()

        def published():
            with pika_connection(broker_user) as conn:
                method, _props, body = conn.channel().basic_get(queue, auto_ack=True)
                return json.loads(body) if method else None

        event = _wait(published, 30, "the relay process to publish")
        assert event["type"] == "orgunits.unit.created" and event["subject"] == unit["id"]

        with pika_connection(broker_user) as conn:
            channel = conn.channel()
            channel.confirm_delivery()
            channel.basic_publish("egov.events", "identity.account.approved", json.dumps(make_event(
                "identity.account.approved", source="identity", subject="acc-9", data={"account": {
                    "id": "acc-9", "full_name": "Trương Minh Hòa", "unit_id": unit["id"], "status": "approved"}})))
        _wait(lambda: requests.get(f"{base}/units/{unit['id']}/headcount", headers=auth(super_token),
                                   timeout=2).json().get("total") == 1, 30, "the consumer process to apply")
    finally:
        os.killpg(honcho.pid, signal.SIGTERM)
        try:
            output, _ = honcho.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(honcho.pid, signal.SIGKILL)
            output, _ = honcho.communicate()
            pytest.fail(f"the processes did not stop on SIGTERM:\n{output[-3000:]}")
    assert "Traceback" not in output, output[-3000:]
