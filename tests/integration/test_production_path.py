"""The production path as deploy/ runs it: honcho starts every process of deploy/Procfile (gunicorn, outbox
relays, consumers, notify's dispatcher) on PostgreSQL and RabbitMQ with production settings; orgunits and
notify verify identity's tokens through its JWKS."""
from __future__ import annotations

import json
import os
import re
import secrets
import signal
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
import requests
from cryptography.fernet import Fernet
from cryptography.hazmat.primitives import serialization

from services.common.envelope import make_event
from tests.conftest import auth
from tests.helpers import free_port, stop_group, wait_for
from tests.integration.conftest import pika_connection, rabbitmqctl

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def broker_user(amqp_url):
    """A real broker user for the vhost (production refuses the guest account's password)."""
    user, password = f"egov_t_{uuid.uuid4().hex[:8]}", secrets.token_urlsafe(16)
    vhost = amqp_url.rsplit("/", 1)[1]
    rabbitmqctl("add_user", "--", user, password)
    rabbitmqctl("set_permissions", "-p", vhost, user, ".*", ".*", ".*")
    yield f"amqp://{user}:{password}@127.0.0.1:5672/{vhost}"
    rabbitmqctl("delete_user", user)


def _wait(predicate, timeout: float, what: str):
    return wait_for(predicate, timeout, what, interval=0.2, ignore=(requests.RequestException,))


def _the_portal_signs_in_over_the_services_http_apis(portal: str) -> None:
    """portal-web: its sign-in page, the super admin signed in through it (identity over HTTP, the token checked
    against identity's JWKS, the session kept server-side), the inbox from process."""
    browser = requests.Session()
    page = _wait(lambda: browser.get(f"{portal}/dang-nhap", timeout=5), 60, "the portal")
    assert page.status_code == 200 and "Đăng nhập" in page.text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    signed_in = browser.post(f"{portal}/dang-nhap", timeout=10, allow_redirects=False, data={
        "csrf_token": token, "username": "admin", "password": "mật khẩu quản trị sản xuất"})
    assert signed_in.status_code == 302, signed_in.text
    cookie = next(c for c in browser.cookies if c.name == "egov_portal")
    assert cookie.has_nonstandard_attr("HttpOnly") or "httponly" in str(cookie._rest).lower()
    assert "access_token" not in cookie.value and len(cookie.value) < 200, "only a session id in the cookie"
    inbox = browser.get(f"{portal}/cong-viec", timeout=10)
    assert inbox.status_code == 200 and "Công việc" in inbox.text and "Quá hạn" in inbox.text, inbox.text[:500]


def _production_env(service: str, database: str, broker: str, port: int) -> dict[str, str]:
    prefix = service.upper()
    return {f"{prefix}_ENV": "production", f"{prefix}_DATABASE_URL": database, f"{prefix}_BUS_URL": broker,
            f"{prefix}_SECRET_KEY": secrets.token_urlsafe(32), f"{prefix}_PORT": str(port),
            f"{prefix}_LOG_FORMAT": "json", f"{prefix}_WEB_WORKERS": "1"}


def test_procfile_processes_serve_publish_and_consume(pg_url, second_pg_url, third_pg_url, fourth_pg_url,
                                                      broker_user, keys, tmp_path):
    port, identity_port, notify_port, process_port = free_port(), free_port(), free_port(), free_port()
    portal_port = free_port()
    sealing_key = Fernet.generate_key().decode()
    private_pem = keys.private_key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                 serialization.NoEncryption()).decode()
    env = {**os.environ, **_production_env("orgunits", pg_url, broker_user, port),
           **_production_env("identity", second_pg_url, broker_user, identity_port),
           **_production_env("notify", third_pg_url, broker_user, notify_port),
           **_production_env("process", fourth_pg_url, broker_user, process_port),
           "PROCESS_JWKS_URL": f"http://127.0.0.1:{identity_port}/api/identity/.well-known/jwks.json",
           "NOTIFY_JWKS_URL": f"http://127.0.0.1:{identity_port}/api/identity/.well-known/jwks.json",
           "ORGUNITS_JWKS_URL": f"http://127.0.0.1:{identity_port}/api/identity/.well-known/jwks.json",
           "IDENTITY_SIGNING_KEY": private_pem, "IDENTITY_JWT_PUBLIC_KEY": keys.public_pem,
           "IDENTITY_BOOTSTRAP_ADMIN_PASSWORD": "mật khẩu quản trị sản xuất", "IDENTITY_WEB_WORKERS": "3",
           "IDENTITY_SEALING_KEY": sealing_key, "NOTIFY_SEALING_KEY": sealing_key,
           "IDENTITY_TRUSTED_PROXIES": "127.0.0.1",
           "PORTAL_ENV": "production", "PORTAL_SECRET_KEY": secrets.token_urlsafe(32),
           "PORTAL_PORT": str(portal_port), "PORTAL_WEB_WORKERS": "1", "PORTAL_VAR_DIR": str(tmp_path / "portal"),
           "PORTAL_COOKIE_SECURE": "false",   # plain HTTP here; behind TLS in production
           "PORTAL_JWKS_URL": f"http://127.0.0.1:{identity_port}/api/identity/.well-known/jwks.json",
           **{f"PORTAL_{name.upper()}_URL": f"http://127.0.0.1:{p}" for name, p in (
               ("identity", identity_port), ("orgunits", port), ("process", process_port),
               ("notify", notify_port))}}
    for service in ("identity", "orgunits", "process", "notify"):
        for step in ("migrate", "declare"):
            subprocess.run([sys.executable, "-m", "services.common.worker", service, step], cwd=ROOT, env=env,
                           check=True, capture_output=True, timeout=60)
    with pika_connection(broker_user) as conn:
        channel = conn.channel()
        queue = channel.queue_declare("", exclusive=False, auto_delete=False).method.queue
        channel.queue_bind(queue, "egov.events", routing_key="orgunits.#")
    honcho = subprocess.Popen([str(ROOT / ".venv/bin/honcho"), "-f", "deploy/Procfile", "start"], cwd=ROOT,
                              env=env, start_new_session=True, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              text=True)
    base = f"http://127.0.0.1:{port}/api/orgunits"
    identity = f"http://127.0.0.1:{identity_port}/api/identity"
    notify = f"http://127.0.0.1:{notify_port}/api/notify"
    process = f"http://127.0.0.1:{process_port}/api/process"
    try:
        for url in (base, identity, notify, process):
            _wait(lambda url=url: requests.get(f"{url}/readyz", timeout=5).status_code == 200, 60, "gunicorn")
        signed_in = requests.post(f"{identity}/auth/login", timeout=10, json={
            "username": "admin", "password": "mật khẩu quản trị sản xuất"})
        assert signed_in.status_code == 200, signed_in.text
        super_token = signed_in.json()["access_token"]
        root = requests.post(f"{base}/units", headers=auth(super_token), timeout=5,
                             json={"code": "P", "name": "Tỉnh Sản Xuất"})
        assert root.status_code == 201, root.text
        unit = root.json()

        def published():
            with pika_connection(broker_user) as conn:
                method, _props, body = conn.channel().basic_get(queue, auto_ack=True)
                return json.loads(body) if method else None

        event = _wait(published, 30, "the relay process to publish")
        while event["source"] != "/egov/orgunits":
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
        me = requests.get(f"{notify}/notifications", headers=auth(super_token), timeout=5)
        assert me.status_code == 200, me.text
        _the_portal_signs_in_over_the_services_http_apis(f"http://127.0.0.1:{portal_port}")
        _concurrent_guesses_are_counted_across_workers(identity)
        _a_locked_accounts_token_is_refused_everywhere_within_two_seconds(
            identity, {"orgunits": f"{base}/units/{unit['id']}/members", "process": f"{process}/inbox",
                       "notify": f"{notify}/notifications", "identity": f"{identity}/me"}, unit, super_token)
    finally:
        output = stop_group(honcho, signal.SIGTERM, "the Procfile's processes")
    assert "Traceback" not in output, output[-3000:]


def _concurrent_guesses_are_counted_across_workers(identity: str) -> None:
    """20 wrong passwords at once for one account from one address, spread over 3 gunicorn workers: exactly
    the configured 5 are checked, the rest refused before any check."""
    from concurrent.futures import ThreadPoolExecutor

    def guess(i: int) -> int:
        return requests.post(f"{identity}/auth/login", timeout=30,
                             json={"username": "admin", "password": f"đoán sai {i}"}).status_code

    with ThreadPoolExecutor(max_workers=20) as pool:
        statuses = sorted(pool.map(guess, range(20)))
    assert statuses == [401] * 5 + [429] * 15, statuses


def _a_locked_accounts_token_is_refused_everywhere_within_two_seconds(identity: str, urls: dict, unit: dict,
                                                                       super_token: str) -> None:
    import time

    def registered():
        response = requests.post(f"{identity}/register", timeout=5, json={
            "full_name": "Cán Bộ Sản Xuất", "citizen_id": "060099123456", "unit_id": unit["id"]})
        return response.json()["id"] if response.status_code == 201 else None

    account = _wait(registered, 30, "identity to know the new unit")
    otp = requests.post(f"{identity}/accounts/{account}/approve", headers=auth(super_token), json={},
                        timeout=5).json()["one_time_password"]
    ticket = requests.post(f"{identity}/auth/login", timeout=10, json={
        "username": "060099123456", "password": otp}).json()["change_token"]
    token = requests.post(f"{identity}/auth/password", timeout=10, json={
        "change_token": ticket, "new_password": "một câu mật khẩu của cán bộ"}).json()["access_token"]
    for service, url in urls.items():
        assert requests.get(url, headers=auth(token), timeout=5).status_code == 200, service
    locked = requests.post(f"{identity}/accounts/{account}/lock", headers=auth(super_token), timeout=5)
    assert locked.status_code == 200, locked.text
    started, refused = time.monotonic(), {}
    while len(refused) < len(urls) and time.monotonic() - started < 10:
        for service, url in urls.items():
            if service not in refused and requests.get(url, headers=auth(token), timeout=5).status_code == 401:
                refused[service] = time.monotonic() - started
        time.sleep(0.05)
    assert set(refused) == set(urls), f"still accepted by {set(urls) - set(refused)}"
    assert max(refused.values()) <= 2.0, refused
