"""Write the event catalogue for integrators from the payload models: docs/events.md (one page) and
docs/events/<type>.schema.json (JSON Schema of each event's ``data``), and the JSON Schema of the suite's BPMN
conventions (docs/bpmn.schema.json, what the modeler offers). `make events-doc` runs this; a test fails when
the committed files differ from what the code says."""
from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from types import UnionType
from typing import Annotated, Union, get_args, get_origin

from pydantic import BaseModel, WithJsonSchema

from services import asyncapi
from services.common.eventmodel import PLACEHOLDER, never_filled
from services.identity import events as identity_events
from services.notify.domain.catalogue import KINDS
from services.orgunits import events as orgunits_events
from services.process import conventions
from services.process import events as process_events

DOCS = Path(__file__).resolve().parent.parent / "docs"
CATALOGUES: dict[str, dict[str, type[BaseModel]]] = {
    "identity": identity_events.PUBLISHED,
    "orgunits": orgunits_events.PUBLISHED,
    "process": process_events.PUBLISHED,
    "accepted by process (publish these, e.g. from the IOC)": process_events.ACCEPTED,
    "accepted by process from workers (replies to process.job.created)": process_events.JOB_REPLIES,
}
DESCRIPTIONS, SUBJECTS = asyncapi.DESCRIPTIONS, asyncapi.SUBJECTS

HEADER = """# Event catalogue

Every state change is published on the RabbitMQ topic exchange **`egov.events`** (durable) with the
**routing key = event type**. Bind your own queue with a pattern (`orgunits.#`, `identity.account.*`).
Messages are persistent, CloudEvents 1.0 in structured JSON mode (`content_type`
`application/cloudevents+json`, AMQP `message_id` = event `id`, `type` = event type):

```json
{"specversion": "1.0", "id": "…uuid…", "source": "/egov/orgunits", "type": "orgunits.unit.created",
 "time": "2026-11-22T10:00:00.000000Z", "subject": "<the unit's id>", "datacontenttype": "application/json",
 "dataschema": "urn:egov-suite:schema:orgunits.unit.created:v1",
 "correlationid": "<the request that caused it>", "data": {"schema_version": 1, "unit": {…}}}
```

- Delivery is at least once: deduplicate by `id` (the suite's own consumers keep an inbox table).
- Events about one subject are published in the order they happened (one relay per service, commit order). Each
  type below says what its `subject` is. Across subjects — even the task and instance events of one process
  instance — nothing more is promised than each service's commit order; order by `time` for one timeline. Every
  task's last event is `process.task.closed`, however it ended.
- Versioning: `data.schema_version` changes only when a payload changes incompatibly; new fields may appear at
  any time. Each published version's schema stays in [`events/versions/`](events/versions/), and
  [`events-changelog.md`](events-changelog.md) says what each new version changed and until when the previous one
  is still published beside it (at least 90 days). A test fails when a payload model changes incompatibly without
  a new version (`services/contract.py` states the rule).
- Events nobody is bound to are kept for 7 days in the queue `egov.unrouted`.
- A consumer queue's messages that keep failing go to `<queue>.dead` via the exchange `egov.dlx`.
- An inbound message whose payload does not match its schema is answered with `process.inbound.rejected`
  (the reason and each problem); only a message that is not a CloudEvent at all goes straight to `<queue>.dead`.
- The suite's own queues: `identity.units`, `identity.declarations`, `orgunits.members`, `process.directory`,
  `process.intake` (reports from the IOC), `process.job_replies` (workers), `process.messages` (messages and
  signals), `process.callbacks`, `notify.events`, and `<service>.revocations` for each service; each with its
  `<queue>.dead`. Bind your own queues; never consume from these.

The JSON Schema (2020-12) of each event's `data` is in [`docs/events/`](events/); its `$id` is the event's
`dataschema`. The envelope itself is [`events/envelope.schema.json`](events/envelope.schema.json). The whole
contract — exchange, routing keys, every message published and every inbound message consumed — is the AsyncAPI 3
document [`asyncapi.json`](asyncapi.json), generated from the same payload models (`make events-doc`).

**Callback URLs** (besides the bus, for a receiver that cannot consume AMQP — the monitoring centre): register
`POST /api/process/callbacks` with `url`, `unit_id` and the `event_types` wanted (process.work or
process.configure on the unit). The answer holds the callback's `secret`, shown once. Each matching event about
an instance of the unit's subtree is POSTed as the CloudEvent above (`application/cloudevents+json`, same `id`),
with `X-Egov-Signature: t=<unix time>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`; check it and deduplicate by
`id`. A receiver that does not answer 2xx gets the event again after 30 s, 1 min, 2 min … (at most an hour); after
10 attempts the delivery is parked: `GET /api/process/callbacks/<id>/deliveries` shows it and
`POST …/deliveries/<delivery id>/resend` sends it again.

"""


NOTIFY_HEADER = """## What notify reads (for publishers)

notify announces the events below. It finds the recipients at these places in `data` (account ids, one or a
list) and fills its templates from `data`; e-mail addresses and phone numbers come from identity's
account events. Publishers of `process.task.*` put the task under `data.task` (`id`, `name`, `instance_id`,
`unit_id`, `assignees`, `followers`, `created_by`, `due_at`) and who acted in `data.actor` / `data.actor_name`.

| event type | label | recipient roles | channels |
|---|---|---|---|"""


def _type(annotation) -> str:
    """How a field's type reads in the tables: ``str | None``, ``date-time``, ``list[str]``…"""
    origin = get_origin(annotation)
    if origin is Annotated:
        formats = [m.json_schema.get("format") for m in annotation.__metadata__ if isinstance(m, WithJsonSchema)]
        return formats[0] if formats and formats[0] else _type(get_args(annotation)[0])
    if origin in (Union, UnionType):
        return " | ".join(_type(member) for member in get_args(annotation))
    if annotation is type(None):
        return "None"
    text = annotation.__name__ if isinstance(annotation, type) and not get_args(annotation) else str(annotation)
    return re.sub(r"[\w.]+\.(\w+)", r"\1", text)


def _fields(model: type[BaseModel]) -> str:
    """The fields this type fills (those it never fills are left out): always there or not, and their type."""
    rows = []
    for name, field in model.model_fields.items():
        if never_filled(field):
            continue
        annotation = _type(field.annotation)
        required = "yes" if field.is_required() or name == "schema_version" else ""
        meaning = (field.description or "").replace("|", "\\|")
        rows.append(f"| `{name}` | `{annotation.replace('|', chr(92) + '|')}` | {required} | {meaning} |")
    return "| field | type | always there | meaning |\n|---|---|---|---|\n" + "\n".join(rows)


def subject_line(event_type: str) -> str:
    template, words = SUBJECTS.get(event_type, (None, ""))
    if not words:
        return ""
    where = ""
    if template:
        shown = PLACEHOLDER.sub(lambda m: "{" + " or ".join(f"data.{p}" for p in m.group(1).split("|")) + "}",
                                template)
        where = f": `{shown[1:-1] if re.fullmatch(r'[{][^{}]+[}]', shown) else shown}`"
    return f"Subject: {words}{where}.\n\n"


def frozen_path(event_type: str, schema: dict) -> Path:
    return DOCS / "events" / "versions" / f"{event_type}.{schema['$id'].rsplit(':', 1)[-1]}.schema.json"


def render() -> dict[Path, str]:
    files: dict[Path, str] = {}
    parts = [HEADER]
    for title, catalogue in CATALOGUES.items():
        parts.append(f"## {title}\n")
        for event_type, model in catalogue.items():
            schema = asyncapi.payload_schema(event_type, model)
            text = json.dumps(schema, ensure_ascii=False, indent=2) + "\n"
            files[DOCS / "events" / f"{event_type}.schema.json"] = text
            frozen = frozen_path(event_type, schema)    # a published version's schema never changes again
            files[frozen] = frozen.read_text(encoding="utf-8") if frozen.exists() else text
            doc = DESCRIPTIONS.get(event_type, "")
            parts.append(f"### `{event_type}`\n\n{doc}\n\n{subject_line(event_type)}"
                         f"Schema: [`events/{event_type}.schema.json`]"
                         f"(events/{event_type}.schema.json)\n\n{_fields(model)}\n")
        nested = {m for m in catalogue.values()}
        for model in sorted(nested, key=lambda m: m.__name__):
            for field in model.model_fields.values():
                inner = getattr(field.annotation, "model_fields", None)
                if inner and f"#### `{field.annotation.__name__}`" not in "".join(parts):
                    parts.append(f"#### `{field.annotation.__name__}`\n\n{_fields(field.annotation)}\n")
    parts.append("## Published into another service's contract\n")
    parts.append("| event type | published by | what for |\n|---|---|---|")
    parts += [f"| `{event_type}` | identity | {what} |" for event_type, what in identity_events.SENDS.items()]
    parts.append("")
    parts.append(NOTIFY_HEADER)
    for found in KINDS.values():
        roles = ", ".join(f"{role} ← `{path}`" for role, path in found.roles.items())
        channels = ", ".join(ch for ch in found.templates if not (found.secret and ch == "in_app"))
        parts.append(f"| `{found.event_type}` | {found.label} | {roles} | {channels} |")
    parts.append("")
    files[DOCS / "events.md"] = "\n".join(parts)
    files[DOCS / "events" / "envelope.schema.json"] = json.dumps(asyncapi.envelope_schema(), ensure_ascii=False,
                                                                 indent=2) + "\n"
    files[DOCS / "asyncapi.json"] = json.dumps(asyncapi.document(), ensure_ascii=False, indent=2) + "\n"
    files[DOCS / "bpmn.schema.json"] = json.dumps(conventions.json_schema(), ensure_ascii=False, indent=2) + "\n"
    return files


def main() -> int:
    for path, text in render().items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    print(f"wrote {len(render())} files under {DOCS}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
