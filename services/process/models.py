"""Tables owned by the process service."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Column, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from services.common.models import utcnow


class ProcessDefinition(SQLModel, table=True):
    """One version of a deployed BPMN process; running instances stay on the version they started with."""

    __tablename__ = "process_definition"
    __table_args__ = (UniqueConstraint("key", "version"), UniqueConstraint("key", "content_hash"))

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=200, index=True, description="the BPMN process id")
    version: int
    name: str = Field(default="", max_length=300)
    abbreviation: str | None = Field(default=None, max_length=30, description="e.g. PAHT, NPHEP")
    group: str | None = Field(default=None, max_length=200)
    steps: int = Field(default=0, description="number of lanes (steps staffed per unit)")
    filename: str | None = Field(default=None, max_length=300)
    content_hash: str = Field(max_length=64)
    xml: str = Field(sa_column=Column(Text, nullable=False))
    deployed_at: datetime = Field(default_factory=utcnow)
    deployed_by: str | None = Field(default=None, max_length=64)




class UnitRef(SQLModel, table=True):
    """Read model of org units (orgunits.unit.* events): whose subtree a unit is in."""

    __tablename__ = "process_unit"

    id: str = Field(primary_key=True, max_length=32)
    name: str = Field(default="", max_length=300)
    path: str = Field(default="", max_length=2000, index=True)
    status: str = Field(default="active", max_length=20)
    as_of: str = Field(default="", max_length=40)


class PersonRef(SQLModel, table=True):
    """Read model of accounts (identity.account.* events): who can be staffed where."""

    __tablename__ = "process_person"

    account_id: str = Field(primary_key=True, max_length=64)
    full_name: str = Field(default="", max_length=300)
    unit_id: str | None = Field(default=None, max_length=32, index=True)
    status: str = Field(default="approved", max_length=20)
    as_of: str = Field(default="", max_length=40)


class Staffing(SQLModel, table=True):
    """How one unit runs one process: per step (lane) who acts, what they may do, how long they have."""

    __tablename__ = "staffing"
    __table_args__ = (UniqueConstraint("process_key", "unit_id"),)

    id: int | None = Field(default=None, primary_key=True)
    process_key: str = Field(max_length=200)
    unit_id: str = Field(max_length=32, index=True)
    status: str = Field(default="not_configured", max_length=20, description="not_configured | complete")
    steps: list = Field(default_factory=list, sa_column=Column(JSON, nullable=False, default=list))
    version: int = 1
    updated_at: datetime = Field(default_factory=utcnow)
    updated_by: str | None = Field(default=None, max_length=64)


class StaffingAudit(SQLModel, table=True):
    """Every change of a unit's staffing: who, what, when."""

    __tablename__ = "staffing_audit"

    id: int | None = Field(default=None, primary_key=True)
    process_key: str = Field(max_length=200)
    unit_id: str = Field(max_length=32, index=True)
    action: str = Field(max_length=40)
    detail: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False, default=dict))
    actor: str | None = Field(default=None, max_length=64)
    at: datetime = Field(default_factory=utcnow)


PROCESS_TABLES = ("process_definition", "process_unit", "process_person", "staffing", "staffing_audit")
