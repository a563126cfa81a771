"""Path, query and response shapes of the identity API."""
from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from services.common.http import Page
from services.identity.events import AccountSnapshot, Declaration, Grant
from services.identity.models import AccountStatus


class AccountPath(BaseModel):
    account_id: str = Field(max_length=64)


class AppointmentPath(AccountPath):
    unit_id: str = Field(max_length=64)


class RequestPath(BaseModel):
    request_id: int = Field(ge=1, le=2**31 - 1)


class GrantPath(BaseModel):
    grant_id: int = Field(ge=1, le=2**31 - 1)


class GroupPath(BaseModel):
    group_id: int = Field(ge=1, le=2**31 - 1)


class GroupMemberPath(GroupPath):
    account_id: str = Field(max_length=64)


class AccountQuery(BaseModel):
    unit_id: str | None = Field(default=None, max_length=64)
    subtree: bool = True
    status: AccountStatus | None = None
    department: str | None = Field(default=None, max_length=200)
    role: str | None = Field(default=None, max_length=100)
    q: str | None = Field(default=None, max_length=200, description="name or CCCD, diacritics optional")
    limit: int = Field(default=50, ge=1, le=500)
    offset: int = Field(default=0, ge=0, le=10_000_000)


class StatsQuery(BaseModel):
    unit_id: str | None = Field(default=None, max_length=64)


class TransferQuery(BaseModel):
    status: str | None = Field(default="pending", max_length=20)


class AccountRow(AccountSnapshot):
    unit_name: str | None = Field(default=None, description="the name of the account's unit (list rows only)")


class AccountList(Page):
    items: list[AccountRow]


class Approved(BaseModel):
    account: AccountSnapshot
    one_time_password: str = Field(description="shown once: hand it to the person; it only sets a new password")


class HistoryItem(BaseModel):
    action: str
    field: str | None
    old_value: str | None
    new_value: str | None
    changed_by: str | None
    changed_at: str


class History(BaseModel):
    items: list[HistoryItem]


class UnitStats(BaseModel):
    unit_id: str | None
    by_status: dict[str, int]
    total: int


class Stats(BaseModel):
    items: list[UnitStats]


class TransferView(BaseModel):
    id: int
    account_id: str
    from_unit_id: str | None
    to_unit_id: str
    kind: str
    status: str
    requested_by: str | None
    decided_by: str | None
    created_at: str
    decided_at: str | None
    full_name: str | None = Field(default=None, description="who is moving (in the list: the receiving admin "
                                  "cannot read the account before accepting it)")


class TransferList(BaseModel):
    items: list[TransferView]


class GrantList(BaseModel):
    items: list[Grant]


class GroupView(BaseModel):
    id: int
    name: str
    unit_id: str | None
    permissions: list[str]
    builtin: bool
    member_ids: list[str]


class GroupList(BaseModel):
    items: list[GroupView]


class Tokens(BaseModel):
    access_token: str | None = None
    token_type: str | None = None
    expires_in: int | None = None
    refresh_token: str | None = None
    account_id: str | None = None
    password_change_required: bool | None = None
    change_token: str | None = None
    detail: str | None = None


class SsoCallbackQuery(BaseModel):
    state: str = Field(default="", max_length=200)
    code: str = Field(default="", max_length=2000)
    error: str | None = Field(default=None, max_length=200)


class DeclarationList(BaseModel):
    items: list[Declaration]


class DeclarationQuery(BaseModel):
    status: Literal["submitted", "approved", "returned"] | None = None


class UnitDeclarationPath(BaseModel):
    unit_id: str = Field(min_length=1, max_length=32)


class EidPersonView(BaseModel):
    citizen_id: str
    full_name: str
    phone: str | None
    email: str | None
    date_of_birth: str | None


class EidLookupAnswer(BaseModel):
    citizen_id: str
    found: EidPersonView | None = Field(description="who the national e-ID directory knows under this citizen ID")
    has_account: bool = Field(description="an account already holds the citizen ID")
