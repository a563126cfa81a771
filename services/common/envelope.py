"""The event envelope: CloudEvents 1.0, structured JSON mode, plus a ``correlationid`` extension.

``data`` always carries ``schema_version`` so consumers can tell payload versions apart.
"""
from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from typing import Any

CONTENT_TYPE = "application/cloudevents+json"
SCHEMA_BASE = "urn:egov-suite:schema"
REQUIRED = ("specversion", "id", "source", "type", "time", "subject", "datacontenttype", "data")


def schema_uri(event_type: str, version: int) -> str:
    """The ``$id`` of a payload's JSON Schema (docs/events/<type>.schema.json), which ``dataschema`` names."""
    return f"{SCHEMA_BASE}:{event_type}:v{version}"


class MalformedEvent(ValueError):
    """A message that is not a CloudEvent of ours: it can never be processed, so it is dead-lettered."""


def make_event(
    event_type: str,
    *,
    source: str,
    subject: str,
    data: dict[str, Any],
    correlation_id: str | None = None,
    schema_version: int = 1,
) -> dict[str, Any]:
    payload = {"schema_version": schema_version, **data}
    return {
        "specversion": "1.0",
        "id": str(uuid.uuid4()),
        "source": f"/egov/{source}",
        "type": event_type,
        "time": datetime.now(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z"),
        "subject": subject,
        "datacontenttype": "application/json",
        "dataschema": schema_uri(event_type, payload["schema_version"]),
        "correlationid": correlation_id or uuid.uuid4().hex,
        "data": payload,
    }


def encode(event: dict[str, Any]) -> bytes:
    return json.dumps(event, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def decode(body: bytes | str | dict) -> dict[str, Any]:
    """Parse and check an envelope; raise MalformedEvent with the reason."""
    if isinstance(body, dict):
        event = body
    else:
        try:
            event = json.loads(body)
        except (ValueError, UnicodeDecodeError) as exc:
            raise MalformedEvent(f"body is not JSON: {exc}") from exc
    if not isinstance(event, dict):
        raise MalformedEvent("body is not a JSON object")
    missing = [name for name in REQUIRED if name not in event]
    if missing:
        raise MalformedEvent(f"missing CloudEvents attributes: {', '.join(missing)}")
    if event["specversion"] != "1.0" or not isinstance(event["data"], dict):
        raise MalformedEvent("unsupported specversion or data is not an object")
    return event
