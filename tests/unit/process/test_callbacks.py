"""The monitoring centre's callback URL (seed 000, IOC): registered for some event types of a unit's subtree, each
such event is POSTed to it as the bus carries it (same id), signed with the callback's secret; a receiver that
fails gets it again later, one that keeps failing has it parked where the integrator sees it and sends it again.
The receiver here is a real HTTP server."""
from __future__ import annotations

import hashlib
import hmac
import json
import threading
from datetime import timedelta

import pytest
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from services.common.envelope import make_event
from services.common.models import utcnow
from services.process.domain import callbacks
from tests.unit.identity.conftest import suite, suite_template  # noqa: F401 - the embedded suite's fixtures

OUTCOMES = ["process.field_report.approved", "process.field_report.returned_to_ioc"]


class Receiver:
    """Answers with the statuses it is given (then 200) and keeps what it received."""

    def __init__(self):
        self.statuses: list[int] = []
        self.received: list[tuple[dict, bytes]] = []

        @Request.application
        def app(request: Request) -> Response:
            self.received.append((dict(request.headers), request.get_data()))
            return Response("ok", self.statuses.pop(0) if self.statuses else 200)

        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}/ket-qua"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture
def receiver():
    made = Receiver()
    yield made
    made.server.shutdown()


def _report(suite, report_id: str, unit_id: str) -> None:  # noqa: F811
    runtime = suite.runtime("process")
    runtime.bus.publish(make_event("ioc.field_report.received", source="ioc", subject=report_id, data={"report": {
        "id": report_id, "unit_id": unit_id, "title": "Cây đổ chắn đường", "content": "Cây đổ sau bão.",
        "location": "Phan Thiết", "reporter": "Nguyễn Thị Mai"}}))
    suite.deliver()


def test_a_callback_receives_each_outcome_signed_and_again_after_a_failure(suite, receiver):  # noqa: F811
    process = suite.gateway.apps["process"].test_client()
    integrator, skhcn = suite.headers("admin"), suite.unit("BT.01.01.13")
    refusals = [
        (integrator, {"url": receiver.url, "unit_id": skhcn["id"], "event_types": ["process.khong.co"]}, 422),
        (integrator, {"url": "ftp://ioc.example/ket-qua", "unit_id": skhcn["id"], "event_types": OUTCOMES}, 422),
        (integrator, {"url": "https://ioc:matkhau@ioc.example/x", "unit_id": skhcn["id"], "event_types": OUTCOMES},
         422),
        (suite.headers("dinhtruongtoan"), {"url": receiver.url, "unit_id": skhcn["id"], "event_types": OUTCOMES},
         403),
    ]
    for headers, body, status in refusals:
        answer = process.post("/api/process/callbacks", headers=headers, json=body)
        assert answer.status_code == status and answer.get_json()["detail"], answer.get_data(as_text=True)
    assert process.get("/api/process/callbacks", headers=integrator).get_json()["items"] == []

    made = process.post("/api/process/callbacks", headers=integrator, json={
        "url": receiver.url, "unit_id": skhcn["id"], "event_types": OUTCOMES})
    assert made.status_code == 201
    callback = made.get_json()
    assert len(callback["secret"]) >= 40
    assert "secret" not in process.get("/api/process/callbacks", headers=integrator).get_json()["items"][0]

    receiver.statuses = [503]
    _report(suite, "IOC-CB-1", skhcn["id"])               # nobody staffs PAHT there: returned to the IOC at once
    _report(suite, "IOC-CB-2", suite.unit("BT.01.01.01")["id"])   # another unit's subtree: not this callback's
    db = suite.runtime("process").db
    assert callbacks.deliver_due(db) == 0 and len(receiver.received) == 1
    pending = process.get(f"/api/process/callbacks/{callback['id']}/deliveries", headers=integrator).get_json()
    assert [(d["state"], d["attempts"], d["last_status"]) for d in pending["items"]] == [("pending", 1, 503)]
    assert callbacks.deliver_due(db) == 0, "not before its pause"
    assert callbacks.deliver_due(db, utcnow() + timedelta(minutes=1)) == 1

    headers, body = receiver.received[-1]
    event = json.loads(body)
    assert event["type"] == "process.field_report.returned_to_ioc" and event["data"]["report_id"] == "IOC-CB-1"
    assert headers["X-Egov-Event-Id"] == event["id"] == receiver.received[0][0]["X-Egov-Event-Id"], "the same id"
    stamp, signature = (part.split("=", 1)[1] for part in headers["X-Egov-Signature"].split(","))
    expected = hmac.new(callback["secret"].encode(), f"{stamp}.".encode() + body, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(signature, expected)
    done = process.get(f"/api/process/callbacks/{callback['id']}/deliveries", headers=integrator).get_json()
    assert [(d["state"], d["attempts"]) for d in done["items"]] == [("delivered", 2)]
    assert all(json.loads(b)["data"]["report_id"] != "IOC-CB-2" for _h, b in receiver.received)


def test_a_receiver_that_keeps_failing_has_the_delivery_parked_and_sent_again(suite, receiver):  # noqa: F811
    process = suite.gateway.apps["process"].test_client()
    integrator, skhcn = suite.headers("admin"), suite.unit("BT.01.01.13")
    callback = process.post("/api/process/callbacks", headers=integrator, json={
        "url": receiver.url, "unit_id": skhcn["id"], "event_types": OUTCOMES}).get_json()
    receiver.statuses = [500] * callbacks.MAX_ATTEMPTS
    _report(suite, "IOC-CB-3", skhcn["id"])
    db, now = suite.runtime("process").db, utcnow()
    for _attempt in range(callbacks.MAX_ATTEMPTS):
        callbacks.deliver_due(db, now)
        now += callbacks.LONGEST_PAUSE + timedelta(seconds=1)
    path = f"/api/process/callbacks/{callback['id']}/deliveries"
    parked = process.get(path, headers=integrator).get_json()["items"]
    assert [(d["state"], d["attempts"]) for d in parked] == [("parked", callbacks.MAX_ATTEMPTS)]
    assert callbacks.deliver_due(db, now) == 0, "a parked delivery waits for the integrator"
    assert process.post(f"{path}/{parked[0]['id']}/resend",
                        headers=suite.headers("dinhtruongtoan")).status_code == 404
    again = process.post(f"{path}/{parked[0]['id']}/resend", headers=integrator)
    assert again.status_code == 200 and again.get_json()["state"] == "pending"
    assert callbacks.deliver_due(db) == 1
    assert process.post(f"{path}/{parked[0]['id']}/resend", headers=integrator).status_code == 409
    assert process.delete(f"/api/process/callbacks/{callback['id']}", headers=integrator).status_code == 204
    assert process.get("/api/process/callbacks", headers=integrator).get_json()["items"] == []
