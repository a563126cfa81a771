"""The versioning rule of the event contract: no payload model changes incompatibly without a new
``schema_version`` (compared with the frozen schema of its version in docs/events/versions/), and every version
after the first has its changelog entry. The rule itself is tested on the changes it must catch and let pass."""
from __future__ import annotations

import copy
import json
import re
from pathlib import Path

import pytest

from services import asyncapi
from services.contract import breaking

DOCS = Path(__file__).resolve().parents[2] / "docs"


def _all() -> list[tuple[str, object, bool]]:
    published = [(t, model, False) for t, (_service, model) in asyncapi.published().items()]
    return published + [(t, model, True) for t, model in asyncapi.consumed().items() if t not in asyncapi.published()]


@pytest.mark.parametrize(("event_type", "model", "inbound"), _all(), ids=[t for t, _m, _i in _all()])
def test_each_payload_is_compatible_with_the_frozen_schema_of_its_version(event_type, model, inbound):
    current = asyncapi.payload_schema(event_type, model)
    version = current["$id"].rsplit(":", 1)[-1]
    frozen = DOCS / "events" / "versions" / f"{event_type}.{version}.schema.json"
    assert frozen.exists(), f"run `make events-doc` and commit {frozen.name}"
    problems = breaking(json.loads(frozen.read_text(encoding="utf-8")), current, inbound=inbound)
    assert problems == [], (f"{event_type} changed incompatibly: {problems}; bump its schema_version and add an "
                            "entry to docs/events-changelog.md")


def test_every_version_after_the_first_is_in_the_changelog():
    changelog = (DOCS / "events-changelog.md").read_text(encoding="utf-8")
    for event_type, model, _inbound in _all():
        version = int(asyncapi.payload_schema(event_type, model)["$id"].rsplit(":v", 1)[-1])
        for older in range(2, version + 1):
            assert re.search(rf"`{re.escape(event_type)}` v{older}\b", changelog), f"{event_type} v{older}"


SAMPLE = {"$defs": {"Unit": {"type": "object", "required": ["id", "name"], "properties": {
    "id": {"type": "string"}, "name": {"type": "string"}, "depth": {"type": "integer"},
    "parent_id": {"anyOf": [{"type": "string"}, {"type": "null"}]}}}},
    "type": "object", "required": ["schema_version", "unit"],
    "properties": {"schema_version": {"type": "integer"}, "unit": {"$ref": "#/$defs/Unit"},
                   "tags": {"type": "array", "items": {"type": "string"}}}}


def _changed(edit) -> dict:
    schema = copy.deepcopy(SAMPLE)
    edit(schema)
    return schema


def test_the_rule_catches_what_breaks_consumers_and_lets_additions_pass():
    unit = lambda s: s["$defs"]["Unit"]  # noqa: E731 - a short accessor
    assert breaking(SAMPLE, _changed(lambda s: unit(s)["properties"].pop("depth"))) == ["unit.depth was removed"]
    assert breaking(SAMPLE, _changed(lambda s: unit(s)["properties"]["depth"].update(type="string")))
    assert breaking(SAMPLE, _changed(lambda s: unit(s)["required"].remove("name"))) == [
        "unit.name is no longer always there"]
    assert breaking(SAMPLE, _changed(lambda s: unit(s)["properties"].update(
        name={"anyOf": [{"type": "string"}, {"type": "null"}]}))), "a value that may now be null"
    assert breaking(SAMPLE, _changed(lambda s: s["properties"]["tags"]["items"].update(type="integer")))
    assert breaking(SAMPLE, _changed(lambda s: unit(s)["properties"].update(code={"type": "string"}))) == []
    assert breaking(SAMPLE, _changed(lambda s: unit(s)["properties"].update(
        parent_id={"type": "string"}))) == [], "narrowing is safe for a consumer"


def test_the_rule_protects_senders_of_inbound_messages():
    unit = lambda s: s["$defs"]["Unit"]  # noqa: E731 - a short accessor
    assert breaking(SAMPLE, _changed(lambda s: unit(s)["required"].append("depth")), inbound=True) == [
        "unit.depth is now required of senders"]
    assert breaking(SAMPLE, _changed(lambda s: unit(s)["properties"].update(parent_id={"type": "string"})),
                    inbound=True), "narrowing refuses what senders send"
    assert breaking(SAMPLE, _changed(lambda s: unit(s)["required"].remove("name")), inbound=True) == []
