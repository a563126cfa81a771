"""The AsyncAPI document (docs/asyncapi.json) parses with the AsyncAPI initiative's own parser, without an error
or a warning, and lists exactly the event types the code can publish and the messages it consumes; the envelope
and payload schemas it is made of validate the events the suite really writes, and each event's `dataschema`
names its payload's schema."""
from __future__ import annotations

import json
import subprocess
from pathlib import Path

from services import asyncapi
from services.common.models import OutboxMessage
from tests.helpers import check_published_events
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


def test_the_published_schemas_validate_the_events_the_suite_writes(suite):  # noqa: F811
    skhcn = suite.unit("BT.01.01.13")
    person = _register(suite, "Hà Thị Lược Đồ", "060091000808", skhcn["id"])
    _approve(suite, person["id"], "qt.sokhcn")
    made = suite.orgunits.post("/api/orgunits/units", headers=suite.headers("qt.binhthuan"), json={
        "parent_id": skhcn["id"], "code": "LD-1", "name": "Phòng Lược đồ"})
    assert made.status_code == 201
    checked = set(check_published_events(suite.gateway))   # envelope, payload (formats too), dataschema, subject
    assert {"identity.account.registered", "identity.account.approved", "orgunits.unit.created"} <= checked


def test_every_suite_test_checks_what_it_published_against_the_contract(suite):  # noqa: F811
    """The suite fixture's teardown runs check_published_events: it passes the demo data's hundreds of events and
    catches an event whose subject is not the one its type promises, or whose time is not a date-time."""
    import pytest
    from sqlmodel import delete


    assert len(check_published_events(suite.gateway)) > 600
    runtime = suite.runtime("orgunits")
    unit = suite.unit("BT.01.01.13")
    snapshot = suite.orgunits.get(f"/api/orgunits/units/{unit['id']}").get_json()
    for data, subject, complaint in (
            ({"unit_id": unit["id"], "editor_account_ids": []}, "another-unit", "subject"),
            ({"unit": {**snapshot, "updated_at": "hôm qua"}}, unit["id"], "date-time")):
        kind = "orgunits.editors.changed" if "unit_id" in data else "orgunits.unit.activated"
        with runtime.db.uow() as uow:
            uow.emit(kind, subject, data)
            uow.commit()
        with pytest.raises(AssertionError, match=complaint):
            check_published_events(suite.gateway)
        with runtime.db.session() as session:
            session.exec(delete(OutboxMessage).where(OutboxMessage.event_type == kind))
            session.commit()
