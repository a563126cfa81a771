"""Building blocks of the payload models each service's ``events.py`` publishes (docs/events.md, the JSON Schemas
and docs/asyncapi.json are generated from them).

``Moment`` and ``Day`` are strings on the wire with their JSON Schema ``format`` (``date-time``: ISO 8601 in UTC
with a Z, as ``services.common.models.iso`` writes them; ``date``: YYYY-MM-DD).

Several types share one model (a family: ``process.task.*``); ``per_type`` states what one type of the family
fills: the fields it always fills become required and non-null, the ones it may fill keep the family's type, and
the rest are never filled by it (``null`` in its schema, left out of its table). Each of these only narrows the
family's schema, so it is a compatible change of the contract (``services/contract.py``)."""
from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Annotated, Any

from pydantic import BaseModel, Field, WithJsonSchema, create_model

Moment = Annotated[str, WithJsonSchema({"type": "string", "format": "date-time"})]
Day = Annotated[str, WithJsonSchema({"type": "string", "format": "date"})]
NEVER = "never filled by this type"
PLACEHOLDER = re.compile(r"\{([\w.|]+)\}")   # in a SUBJECTS template: {task.id}, {correlation_key|name}


def per_type(base: type[BaseModel], event_type: str, *, always: dict[str, Any] | None = None,
             may: Iterable[str] = ()) -> type[BaseModel]:
    """``base`` as ``event_type`` fills it (see the module's docstring). ``always`` maps a field to its type when
    the type always fills it (non-null); ``may`` names the optional fields the type sometimes fills."""
    always, may = dict(always or {}), set(may)
    unknown = (set(always) | may) - set(base.model_fields)
    if unknown:
        raise ValueError(f"{event_type}: {base.__name__} has no field {', '.join(sorted(unknown))}")
    fields: dict[str, Any] = {}
    for name, field in base.model_fields.items():
        if name in always:
            fields[name] = (always[name], Field(description=field.description))
        elif name not in may and field.default is None and not field.is_required():
            fields[name] = (None, Field(default=None, description=NEVER))
    title = "".join(part.title() for part in re.split(r"[._]", event_type))
    return create_model(title, __base__=base, __doc__=base.__doc__, **fields)


def never_filled(field) -> bool:
    """A field whose only value is ``null``: the type never fills it (``per_type`` made it so)."""
    return field.annotation is type(None)


def subject_from(template: str, data: dict) -> str:
    """The subject a ``SUBJECTS`` template says an event has: ``{task.id}`` is ``data["task"]["id"]``;
    ``{correlation_key|name}`` is the first of them that is there."""
    def one(path: str) -> Any:
        found: Any = data
        for key in path.split("."):
            found = found.get(key) if isinstance(found, dict) else None
        return found

    def value(match: re.Match) -> str:
        found = next((v for v in map(one, match.group(1).split("|")) if v not in (None, "")), None)
        return str(found)

    return PLACEHOLDER.sub(value, template)
