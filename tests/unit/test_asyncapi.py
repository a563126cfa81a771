"""The AsyncAPI document (docs/asyncapi.json) parses with the AsyncAPI initiative's own parser, without an error
or a warning, and lists exactly the event types the code can publish and the messages it consumes; the envelope
and payload schemas it is made of validate the events the suite really writes, and each event's `dataschema`
names its payload's schema."""
from __future__ import annotations

import json
import subprocess
from pathlib import Path

import jsonschema_rs
from sqlmodel import select

from services import asyncapi
from services.common.models import OutboxMessage
from tests.unit.identity.conftest import suite, suite_template  # noqa: F401 - the embedded suite's fixtures
from tests.unit.identity.test_authz_matrix import _approve, _register

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"


def test_the_document_parses_and_lists_every_published_and_consumed_message():
    found = subprocess.run(["node", str(ROOT / "tests" / "unit" / "asyncapi_parse.mjs"), str(DOCS / "asyncapi.json")],
                           capture_output=True, text=True, timeout=120, cwd=ROOT, check=True)
    parsed = json.loads(found.stdout)
    assert parsed["errors"] == [] and parsed["warnings"] == 0
    published, consumed = set(asyncapi.published()), set(asyncapi.consumed())
    assert len(published) > 70 and {"ioc.field_report.received", "worker.job.completed"} <= consumed
    assert sorted(parsed["sends"]) == sorted(published)
    assert sorted(parsed["receives"]) == sorted(consumed)
    assert set(parsed["channels"]) == published | consumed, "one channel per routing key"


def _schema(name: str) -> dict:
    return json.loads((DOCS / "events" / name).read_text(encoding="utf-8"))


def test_the_published_schemas_validate_the_events_the_suite_writes(suite):  # noqa: F811
    skhcn = suite.unit("BT.01.01.13")
    person = _register(suite, "Hà Thị Lược Đồ", "060091000808", skhcn["id"])
    _approve(suite, person["id"], "qt.sokhcn")
    made = suite.orgunits.post("/api/orgunits/units", headers=suite.headers("qt.binhthuan"), json={
        "parent_id": skhcn["id"], "code": "LD-1", "name": "Phòng Lược đồ"})
    assert made.status_code == 201
    envelope = jsonschema_rs.validator_for(_schema("envelope.schema.json"))
    checked = set()
    for service in ("identity", "orgunits"):
        with suite.runtime(service).db.session() as session:
            events = [row.event() for row in session.exec(select(OutboxMessage)).all()]
        for event in events:
            envelope.validate(event)
            payload = _schema(f"{event['type']}.schema.json")
            assert event["dataschema"] == payload["$id"]
            jsonschema_rs.validator_for(payload).validate(event["data"])
            checked.add(event["type"])
    assert {"identity.account.registered", "identity.account.approved", "orgunits.unit.created"} <= checked
