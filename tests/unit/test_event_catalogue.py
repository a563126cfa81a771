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
