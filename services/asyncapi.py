"""The AsyncAPI 3 document of the suite's bus, made from the same payload models as docs/events.md: the exchange,
one channel per routing key (= event type), every message the suite publishes and every inbound message it
consumes, each as the CloudEvents envelope around its payload's JSON Schema. `make events-doc` writes it to
docs/asyncapi.json; a test parses it with the AsyncAPI initiative's own parser."""
from __future__ import annotations

import copy

from pydantic import BaseModel

from services.common.envelope import CONTENT_TYPE, SCHEMA_BASE, schema_uri
from services.identity import events as identity_events
from services.orgunits import events as orgunits_events
from services.process import events as process_events

EXCHANGE = "egov.events"
DESCRIPTIONS = {**identity_events.DESCRIPTIONS, **orgunits_events.DESCRIPTIONS, **process_events.DESCRIPTIONS}
SUBJECTS = {**identity_events.SUBJECTS, **orgunits_events.SUBJECTS, **process_events.SUBJECTS}
JSON_SCHEMA = "https://json-schema.org/draft/2020-12/schema"


def published() -> dict[str, tuple[str, type[BaseModel]]]:
    """Every event type a service publishes: type → (service, payload model)."""
    found = {}
    for service, catalogue in (("identity", identity_events.PUBLISHED), ("orgunits", orgunits_events.PUBLISHED),
                               ("process", process_events.PUBLISHED)):
        for event_type, model in catalogue.items():
            found[event_type] = (service, model)
    return found


def consumed() -> dict[str, type[BaseModel]]:
    """What the suite takes from outside: the monitoring centre's reports, workers' replies, messages and
    signals to correlate."""
    return {**process_events.ACCEPTED, **process_events.JOB_REPLIES,
            **{t: process_events.MessageSent for t in process_events.MESSAGE_TYPES}}


def payload_schema(event_type: str, model: type[BaseModel], *, ref_template: str = "#/$defs/{model}") -> dict:
    schema = model.model_json_schema(ref_template=ref_template)
    version = model.model_fields["schema_version"].default if "schema_version" in model.model_fields else 1
    return {"$schema": JSON_SCHEMA, "$id": schema_uri(event_type, version), **schema}


def envelope_schema() -> dict:
    """The CloudEvents 1.0 envelope (structured JSON mode) every event travels in; ``data`` is described by the
    schema ``dataschema`` names."""
    return {
        "$schema": JSON_SCHEMA, "$id": f"{SCHEMA_BASE}:envelope",
        "title": "Envelope", "description": "The CloudEvents 1.0 envelope of every event on egov.events (structured "
                                            "JSON mode, content type application/cloudevents+json).",
        "type": "object",
        "required": ["specversion", "id", "source", "type", "time", "subject", "datacontenttype", "dataschema",
                     "correlationid", "data"],
        "properties": {
            "specversion": {"const": "1.0"},
            "id": {"type": "string", "format": "uuid", "description": "unique per event; deduplicate by it (also "
                                                                     "the AMQP message_id)"},
            "source": {"type": "string", "pattern": "^/egov/[a-z]+$", "description": "/egov/<service>"},
            "type": {"type": "string", "description": "the event type, also the routing key"},
            "time": {"type": "string", "format": "date-time"},
            "subject": {"type": "string", "description": "what the event is about (see each type)"},
            "datacontenttype": {"const": "application/json"},
            "dataschema": {"type": "string", "format": "uri", "description": "the `$id` of the payload's schema "
                                                                            "(docs/events/<type>.schema.json)"},
            "correlationid": {"type": "string", "description": "the request that caused it"},
            "data": {"type": "object", "required": ["schema_version"],
                     "properties": {"schema_version": {"type": "integer", "minimum": 1}}},
        },
    }


def _message(event_type: str, model: type[BaseModel], summary: str, schemas: dict) -> dict:
    payload = model.model_json_schema(ref_template="#/components/schemas/{model}")
    for name, inner in payload.pop("$defs", {}).items():
        schemas.setdefault(name, inner)
    envelope = copy.deepcopy(envelope_schema())
    for key in ("$schema", "$id"):
        envelope.pop(key)
    envelope["properties"]["type"] = {"const": event_type}
    template, words = SUBJECTS.get(event_type, (None, ""))
    if words:
        envelope["properties"]["subject"] = {"type": "string", "description": words + (
            f" ({template} of data)" if template else "")}
    envelope["properties"]["data"] = payload
    return {"name": event_type, "title": model.__name__, "summary": summary or model.__doc__ or event_type,
            "contentType": CONTENT_TYPE, "payload": envelope,
            "bindings": {"amqp": {"messageType": event_type, "bindingVersion": "0.3.0"}}}


def _key(event_type: str) -> str:
    return event_type.replace(".", "_")


def document() -> dict:
    schemas: dict = {}
    channels: dict = {}
    messages: dict = {}
    operations: dict = {}
    exchange = {"name": EXCHANGE, "type": "topic", "durable": True, "autoDelete": False, "vhost": "egov"}

    def channel(event_type: str, model: type[BaseModel]) -> str:
        key = _key(event_type)
        if key not in channels:
            messages[key] = _message(event_type, model, DESCRIPTIONS.get(event_type, ""), schemas)
            channels[key] = {"address": event_type, "title": event_type,
                             "messages": {key: {"$ref": f"#/components/messages/{key}"}},
                             "bindings": {"amqp": {"is": "routingKey", "exchange": exchange,
                                                   "bindingVersion": "0.3.0"}}}
        return key

    for event_type, (service, model) in published().items():
        key = channel(event_type, model)
        operations[f"publish_{key}"] = {
            "action": "send", "channel": {"$ref": f"#/channels/{key}"}, "title": f"{service} publishes",
            "messages": [{"$ref": f"#/channels/{key}/messages/{key}"}],
            "bindings": {"amqp": {"deliveryMode": 2, "mandatory": True, "bindingVersion": "0.3.0"}}}
    for event_type, model in consumed().items():
        key = channel(event_type, model)
        operations[f"consume_{key}"] = {
            "action": "receive", "channel": {"$ref": f"#/channels/{key}"}, "title": "process consumes",
            "messages": [{"$ref": f"#/channels/{key}/messages/{key}"}]}
    return {
        "asyncapi": "3.0.0",
        "info": {"title": "e-government suite events", "version": "1.0.0",
                 "description": "Every state change of the suite on the topic exchange `egov.events` (routing key = "
                                "event type), and the messages it takes in. Each message is a CloudEvents 1.0 "
                                "envelope; `dataschema` names its payload's schema (docs/events/). See "
                                "docs/events.md for ordering, delivery and versioning."},
        "defaultContentType": CONTENT_TYPE,
        "servers": {"broker": {"host": "localhost:5672", "protocol": "amqp", "protocolVersion": "0.9.1",
                               "description": "RabbitMQ. The vhost is the installation's name (EGOV_INSTANCE, "
                                              "default egov); an integrator's user comes from deploy/add-integrator "
                                              "and may only read queues named integrator.<name>.… that it binds to "
                                              "egov.events (docs/integrators.md)"}},
        "channels": channels, "operations": operations,
        "components": {"messages": messages, "schemas": schemas},
    }
