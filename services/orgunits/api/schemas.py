"""Request and response shapes of the HTTP API (documented in the OpenAPI document)."""
from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from services.common.http import Page
from services.orgunits.events import BankAccountSnapshot, UnitSnapshot
from services.orgunits.models import UnitKind, UnitStatus

MAX_OFFSET = 10_000_000


class UnitPath(BaseModel):
    unit_id: str = Field(max_length=64)


class UnitQuery(BaseModel):
    parent: str | None = Field(default=None, description="“root” for the top level, or a unit id: its children")
    q: str | None = Field(default=None, max_length=200, description="name or code, diacritics optional")
    kind: UnitKind | None = None
    status: UnitStatus | None = None
    within: str | None = Field(default=None, description="only units inside this unit's subtree")
    limit: int = Field(default=50, ge=1, le=500)
    offset: int = Field(default=0, ge=0, le=MAX_OFFSET)


class UnitList(Page):
    items: list[UnitSnapshot]


class UnitItems(BaseModel):
    items: list[UnitSnapshot]


class SubtreeQuery(BaseModel):
    max_depth: int | None = Field(default=None, ge=0, le=100, description="levels below the unit to include")


class MoveBody(BaseModel):
    parent_id: str | None = Field(description="the new parent; null makes the unit a root (super admin only)")


class MergeBody(BaseModel):
    target_id: str = Field(max_length=64, description="the unit that takes over children and people")


class DissolveBody(BaseModel):
    reason: str | None = Field(default=None, max_length=1000)


class ExportQuery(BaseModel):
    format: Literal["json", "csv"] = "json"


class ImportResult(BaseModel):
    created: int
    root_ids: list[str]


class HeadcountQuery(BaseModel):
    subtree: bool = Field(default=False, description="count the whole subtree, not only the unit")


class DepartmentCount(BaseModel):
    department: str | None
    count: int
    planned: int | None = Field(default=None, description="the approved figure of the unit of that name directly "
                                                         "under this one, where it has one")
    surplus: int | None = None
    shortfall: int | None = None


class UnitReconciled(BaseModel):
    unit_id: str
    name: str
    depth: int = Field(description="levels below the unit asked about")
    planned: int | None = Field(description="the unit's own approved figure (biên chế), if any")
    people: int = Field(description="people on record attached to the unit itself")
    surplus: int | None
    shortfall: int | None


class Headcount(BaseModel):
    unit_id: str
    include_subtree: bool
    total: int
    planned: int | None = Field(description="over the subtree: the unit's own figure, else the sum of the nearest "
                                            "figures below")
    surplus: int | None = Field(description="people on record beyond the figure (who left: archive or delete)")
    shortfall: int | None = Field(description="places to fill (new hires, transfers in)")
    by_department: list[DepartmentCount]
    units: list[UnitReconciled] = Field(default_factory=list, description="subtree=true: each unit on its line")


class MembersQuery(HeadcountQuery):
    department: str | None = Field(default=None, description="only this department; empty = none set")
    limit: int = Field(default=100, ge=1, le=1000)
    offset: int = Field(default=0, ge=0, le=MAX_OFFSET)


class MemberOut(BaseModel):
    account_id: str
    full_name: str
    unit_id: str | None
    department: str | None
    position: str | None
    status: str


class MemberList(Page):
    items: list[MemberOut]


class Reorganised(BaseModel):
    unit: UnitSnapshot
    still_to_redeclare: int


class ReorganisedList(BaseModel):
    items: list[Reorganised]


class BankAccountPath(UnitPath):
    account_id: int = Field(ge=1, le=2**31 - 1)


class BankAccountList(BaseModel):
    items: list[BankAccountSnapshot]


class EditorBody(BaseModel):
    account_id: str = Field(min_length=1, max_length=64)


class EditorPath(UnitPath):
    account_id: str = Field(min_length=1, max_length=64)


class EditorOut(BaseModel):
    account_id: str
    granted_by: str | None
    granted_at: str
    inherited_from: str | None


class EditorList(BaseModel):
    items: list[EditorOut]
