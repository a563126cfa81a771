"""The event catalogue for integrators is generated from the payload models and kept in the repository."""
from __future__ import annotations

import re
from pathlib import Path

from services.eventdoc import render
from services.orgunits import events

ROOT = Path(__file__).resolve().parents[2]


def test_committed_catalogue_matches_the_code():
    stale = [str(path.relative_to(ROOT)) for path, text in render().items()
             if not path.exists() or path.read_text(encoding="utf-8") != text]
    assert stale == [], f"run `make events-doc`: {stale}"


def test_every_event_the_code_emits_is_in_the_catalogue():
    emitted = set()
    for path in (ROOT / "services/orgunits").rglob("*.py"):
        emitted |= set(re.findall(r"events\.([A-Z_]+)", path.read_text(encoding="utf-8")))
    published = {getattr(events, name) for name in emitted if isinstance(getattr(events, name, None), str)
                 and getattr(events, name).startswith("orgunits.")}
    assert published and published <= set(events.PUBLISHED)
    assert set(events.PUBLISHED) <= set(events.DESCRIPTIONS)


def test_every_event_identity_emits_is_in_the_catalogue():
    from services.identity import events as identity_events

    emitted = set()
    for path in (ROOT / "services/identity").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        emitted |= {f"identity.account.{kind}" for kind in re.findall(r'publish\(uow, "(\w+)"', text)}
        emitted |= set(re.findall(r'uow\.emit\("([\w.]+)"', text))
    assert len(emitted) >= 12 and emitted <= set(identity_events.PUBLISHED)
    assert set(identity_events.PUBLISHED) <= set(identity_events.DESCRIPTIONS)


def test_what_identity_sends_into_process_is_a_message_process_reads():
    """A submitted self-declaration starts its review by ``process.message.sent``; the payload identity builds is
    the one process validates, and its name is one a deployed model's start event takes."""
    from services.identity import events as identity_events
    from services.identity.domain import declarations
    from services.process import events as process_events

    assert set(identity_events.SENDS) <= set(process_events.MESSAGE_TYPES)
    source = (ROOT / "services/identity/domain/declarations.py").read_text(encoding="utf-8")
    assert "uow.emit(MESSAGE_SENT" in source
    assert f'name="{declarations.MESSAGE}"' in (ROOT / "bpmn/staff_declaration.bpmn").read_text(encoding="utf-8")


def test_orgunits_reads_what_identity_publishes(tmp_path, monkeypatch):
    """The consumer side (orgunits' members read model) accepts identity's published snapshot."""
    from services.identity.events import AccountChanged
    from services.orgunits.events import AccountEvent

    sample = AccountChanged.model_validate({"account": {
        "id": "a1", "username": "060088000303", "full_name": "Đinh Trường Toàn", "date_of_birth": None,
        "citizen_id": "060088000303", "phone": None, "email": None, "unit_id": "u1", "department": "Phòng A",
        "position": None, "staff_category": None, "roles": [], "note": None, "is_head": False, "manager_id": None,
        "status": "approved", "archive_group": None, "needs_redeclare": False, "appointments": [], "version": 2,
        "updated_at": "2026-11-22T00:00:00Z", "updated_by": None}})
    consumed = AccountEvent.model_validate(sample.model_dump(mode="json")).account
    assert (consumed.id, consumed.unit_id, consumed.department, consumed.status) == ("a1", "u1", "Phòng A", "approved")


def test_every_event_process_emits_is_in_the_catalogue():
    from services.process import events as process_events

    emitted = set()
    for path in (ROOT / "services/process").rglob("*.py"):
        emitted |= set(re.findall(r'uow\.emit\("([\w.]+)"', path.read_text(encoding="utf-8")))
    assert emitted and emitted <= set(process_events.PUBLISHED) <= set(process_events.DESCRIPTIONS)


def test_every_published_type_says_what_its_subject_is():
    """events.md and the AsyncAPI document state each type's subject; the suite-based tests check the events
    against it (tests/helpers.check_published_events), so a type without one would go unchecked."""
    from services import asyncapi

    assert set(asyncapi.SUBJECTS) == set(asyncapi.published())
    assert all(words for _template, words in asyncapi.SUBJECTS.values())
