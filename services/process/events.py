"""Events the process service publishes (more arrive with instances, staffing and tasks)."""
from __future__ import annotations

from pydantic import BaseModel, Field


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


PUBLISHED = {"process.definition.deployed": DefinitionDeployed}
DESCRIPTIONS = {"process.definition.deployed": "A new version of a BPMN process was deployed (same content "
                                               "again deploys nothing)."}
