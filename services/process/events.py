"""Events the process service publishes, and the handlers of the directory events it keeps read models of
(units from orgunits, people from identity) to staff steps with."""
from __future__ import annotations

from pydantic import BaseModel, Field

from services.common.db import UnitOfWork
from services.common.envelope import MalformedEvent
from services.common.outbox import idempotent
from services.common.readmodel import current_row, move_subtree, unit_path
from services.process.models import PersonRef, UnitRef

CONSUMER_QUEUE = "process.directory"
CONSUMES = ["orgunits.unit.*", "identity.account.*"]


class Definition(BaseModel):
    key: str
    version: int
    name: str
    abbreviation: str | None
    group: str | None
    steps: int = Field(description="number of lanes")
    filename: str | None
    content_hash: str
    deployed_at: str
    deployed_by: str | None


class DefinitionDeployed(BaseModel):
    """A new version of a process was deployed."""

    schema_version: int = 1
    definition: Definition


class StaffingChanged(BaseModel):
    """A unit's staffing of a process changed (the monitoring centre listens)."""

    schema_version: int = 1
    process_key: str
    unit_id: str
    status: str = Field(description="not_configured | complete")
    action: str = Field(description="step_updated | confirmed | reset")
    steps: list[dict]
    version: int


PUBLISHED = {"process.definition.deployed": DefinitionDeployed, "process.staffing.changed": StaffingChanged}
DESCRIPTIONS = {
    "process.definition.deployed": "A new version of a BPMN process was deployed (same content again deploys "
                                   "nothing).",
    "process.staffing.changed": "A unit admin changed, confirmed or reset a unit's staffing of a process; the full "
                                "list of steps follows.",
}


def apply_directory_event(uow: UnitOfWork, event: dict) -> None:
    data = event["data"]
    if event["type"].startswith("orgunits.unit."):
        unit = data.get("unit") or {}
        if not unit.get("id"):
            raise MalformedEvent(f"{event['type']} without a unit snapshot")
        row = current_row(uow.session, UnitRef, unit["id"], event, deleted=event["type"] == "orgunits.unit.deleted")
        if row is not None:
            row.name, row.status = unit.get("name", ""), unit.get("status", "active")
            move_subtree(uow.session, UnitRef, row, unit_path(unit))
        return
    account = data.get("account") or {}
    if not account.get("id"):
        raise MalformedEvent(f"{event['type']} without an account snapshot")
    row = current_row(uow.session, PersonRef, account.get("id", ""), event,
                      deleted=event["type"] == "identity.account.deleted")
    if row is not None:
        row.full_name, row.unit_id, row.status = account.get("full_name", ""), account.get("unit_id"), \
            account.get("status", "")


def subscribe(runtime) -> None:
    runtime.subscribe(CONSUMER_QUEUE, CONSUMES, idempotent(runtime.db, CONSUMER_QUEUE, apply_directory_event))
