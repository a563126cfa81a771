"""A real SMTP server (aiosmtpd) and a small HTTP server standing in for the SMS gateway, on localhost,
and the embedded suite wired to them."""
from __future__ import annotations

import json
import shutil
import threading
from email import message_from_bytes
from email.policy import default
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from aiosmtpd.controller import Controller

from services.run import build
from tests.helpers import check_published_events, free_port
from tests.unit.identity.conftest import ADMIN_PASSWORD, Suite, cheap_hashes, suite_template  # noqa: F401


class Mailbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        self.messages.append(message_from_bytes(envelope.original_content, policy=default))
        return "250 OK"


@pytest.fixture
def smtp():
    mailbox = Mailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    mailbox.port = controller.port
    yield mailbox
    controller.stop()


class Gateway:
    """Answers 503 while ``down`` (counting down ``fail_next`` first), 200 otherwise; keeps what it took."""

    def __init__(self):
        self.received, self.refused, self.fail_next, self.down = [], 0, 0, False


@pytest.fixture
def sms():
    gateway = Gateway()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 - http.server's hook name
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            if gateway.down or gateway.fail_next > 0:
                gateway.fail_next = max(0, gateway.fail_next - 1)
                gateway.refused += 1
                self.send_response(503)
                self.end_headers()
                return
            gateway.received.append({"body": body, "auth": self.headers.get("Authorization")})
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b'{"status": "queued"}')

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    gateway.url = f"http://127.0.0.1:{server.server_port}/sms"
    yield gateway
    server.shutdown()


@pytest.fixture
def suite(tmp_path, monkeypatch, smtp, sms, suite_template):  # noqa: F811
    """The embedded suite on a copy of the first start's data (the tree and the demo people), its e-mail and SMS
    wired to the servers above."""
    monkeypatch.setenv("IDENTITY_BOOTSTRAP_ADMIN_PASSWORD", ADMIN_PASSWORD)
    cheap_hashes(monkeypatch)
    for name, value in {"SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(smtp.port), "MAIL_FROM": "egov@binhthuan.gov.vn",
                        "SMS_URL": sms.url, "SMS_TOKEN": "gateway-token", "RETRY_BACKOFF": "0.01",
                        "MAX_ATTEMPTS": "3"}.items():
        monkeypatch.setenv(f"NOTIFY_{name}", value)
    template, people = suite_template
    shutil.copytree(template, tmp_path / "var")
    gateway, _created = build(tmp_path / "var", log_format="json", demo_processes=False)
    made = Suite(gateway, dict(people))
    made.people["admin"] = ADMIN_PASSWORD
    yield made
    gateway.stop()
    check_published_events(gateway)
