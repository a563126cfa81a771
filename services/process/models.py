"""Tables owned by the process service."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Text, UniqueConstraint
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


PROCESS_TABLES = ("process_definition",)
