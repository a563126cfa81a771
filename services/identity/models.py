"""Tables owned by the identity service."""
from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import JSON, Column, Index, String, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from services.common.models import utcnow


class AccountStatus(StrEnum):
    pending = "pending"        # Chờ duyệt
    inactive = "inactive"      # Chưa kích hoạt (added by citizen id from the e-ID directory)
    approved = "approved"      # Đã duyệt
    rejected = "rejected"      # Từ chối
    locked = "locked"          # Đã khóa
    archived = "archived"      # Lưu trữ (nghỉ hưu, chuyển công tác ngoài tỉnh, từ trần)


class ArchiveGroup(StrEnum):
    retired = "retired"                  # Nghỉ hưu
    transferred_out = "transferred_out"  # Chuyển công tác ra ngoài tỉnh
    deceased = "deceased"                # Từ trần
    converted = "converted"              # Đã chuyển đổi sang tài khoản mới


class Account(SQLModel, table=True):
    __tablename__ = "account"
    __table_args__ = (Index("ix_account_unit_status", "unit_id", "status"),)

    id: str = Field(primary_key=True, max_length=32)
    username: str = Field(max_length=100, unique=True)
    full_name: str = Field(max_length=200)
    search_text: str = Field(default="", max_length=600)
    sort_name: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""),
                           description="Vietnamese order: given name first, then the full name")
    date_of_birth: date | None = None
    citizen_id: str | None = Field(default=None, max_length=12, unique=True)
    legacy_id_card: bool = False
    phone: str | None = Field(default=None, max_length=20)
    email: str | None = Field(default=None, max_length=200, unique=True)
    unit_id: str | None = Field(default=None, max_length=32, index=True)
    department: str | None = Field(default=None, max_length=200)
    position: str | None = Field(default=None, max_length=200)
    staff_category: str | None = Field(default=None, max_length=100)
    grade_code: str | None = Field(default=None, max_length=20, description="mã ngạch / mã chức danh nghề nghiệp")
    title_category: str | None = Field(default=None, max_length=20, description="hạng chức danh nghề nghiệp")
    salary_coefficient: str | None = Field(default=None, max_length=6, description="hệ số lương, e.g. 2.34")
    roles: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False, default=list))
    note: str | None = Field(default=None, max_length=2000)
    is_head: bool = False
    manager_id: str | None = Field(default=None, max_length=32)
    status: AccountStatus = Field(default=AccountStatus.pending, sa_type=String(20))
    archive_group: str | None = Field(default=None, max_length=30)
    rejection_reason: str | None = Field(default=None, max_length=1000)
    needs_redeclare: bool = False
    password_hash: str | None = Field(default=None, max_length=300)
    must_change_password: bool = False
    version: int = 1
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    updated_by: str | None = Field(default=None, max_length=64)


class Appointment(SQLModel, table=True):
    """A concurrent appointment (kiêm nhiệm): membership of an extra unit with a position there."""

    __tablename__ = "appointment"

    account_id: str = Field(foreign_key="account.id", primary_key=True, max_length=32)
    unit_id: str = Field(primary_key=True, max_length=32)
    position: str | None = Field(default=None, max_length=200)


class AccountChange(SQLModel, table=True):
    """Edit history (Lịch sử chỉnh sửa): who changed which field from what to what, when."""

    __tablename__ = "account_change"

    id: int | None = Field(default=None, primary_key=True)
    account_id: str = Field(max_length=32, index=True)
    action: str = Field(max_length=40)
    field: str | None = Field(default=None, max_length=60)
    old_value: str | None = Field(default=None, max_length=2000)
    new_value: str | None = Field(default=None, max_length=2000)
    changed_by: str | None = Field(default=None, max_length=64)
    changed_at: datetime = Field(default_factory=utcnow)


class TransferRequest(SQLModel, table=True):
    """A move to another unit waiting for the receiving unit's admin (transfer or re-declaration)."""

    __tablename__ = "transfer_request"

    id: int | None = Field(default=None, primary_key=True)
    account_id: str = Field(foreign_key="account.id", max_length=32, index=True)
    from_unit_id: str | None = Field(default=None, max_length=32)
    to_unit_id: str = Field(max_length=32, index=True)
    kind: str = Field(default="transfer", max_length=20, description="transfer | redeclare")
    status: str = Field(default="pending", max_length=20)
    requested_by: str | None = Field(default=None, max_length=64)
    decided_by: str | None = Field(default=None, max_length=64)
    created_at: datetime = Field(default_factory=utcnow)
    decided_at: datetime | None = None


class StaffDeclaration(SQLModel, table=True):
    """An officer's self-declaration (phiếu kê khai): what they declared, waiting for, approved by or returned by
    the admin of the unit they declared. Only an approved declaration changes the account."""

    __tablename__ = "staff_declaration"

    id: str = Field(primary_key=True, max_length=32)
    account_id: str = Field(foreign_key="account.id", max_length=32, index=True)
    from_unit_id: str | None = Field(default=None, max_length=32)
    unit_id: str = Field(max_length=32, index=True, description="the unit declared (the new one after a merge)")
    values: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False, default=dict),
                         description="the declared fields")
    status: str = Field(default="submitted", max_length=20, description="submitted | approved | returned")
    reason: str | None = Field(default=None, max_length=1000)
    decided_by: str | None = Field(default=None, max_length=64)
    created_at: datetime = Field(default_factory=utcnow)
    decided_at: datetime | None = None


class Group(SQLModel, table=True):
    """A user group with a permission set (Nhóm quyền), owned by a unit; ``builtin`` cannot be deleted."""

    __tablename__ = "user_group"
    __table_args__ = (UniqueConstraint("unit_id", "name"),)

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200)
    unit_id: str | None = Field(default=None, max_length=32)
    permissions: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False, default=list))
    builtin: bool = False


class GroupMember(SQLModel, table=True):
    __tablename__ = "group_member"

    group_id: int = Field(foreign_key="user_group.id", primary_key=True)
    account_id: str = Field(foreign_key="account.id", primary_key=True, max_length=32)


class AdminGrant(SQLModel, table=True):
    """Administration of a unit's subtree: (account, unit, permissions)."""

    __tablename__ = "admin_grant"

    id: int | None = Field(default=None, primary_key=True)
    account_id: str = Field(foreign_key="account.id", max_length=32, index=True)
    unit_id: str = Field(max_length=32)
    permissions: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False, default=list))
    granted_by: str | None = Field(default=None, max_length=64)
    granted_at: datetime = Field(default_factory=utcnow)


class UnitRef(SQLModel, table=True):
    """Read model of org units, fed by orgunits.unit.* events: enough to answer "is X inside Y"."""

    __tablename__ = "unit_ref"

    id: str = Field(primary_key=True, max_length=32)
    code: str = Field(default="", max_length=50, index=True)
    name: str = Field(default="", max_length=300)
    parent_id: str | None = Field(default=None, max_length=32)
    path: str = Field(max_length=2000, index=True)
    status: str = Field(default="active", max_length=20)
    as_of: str = Field(default="", max_length=40)


class RefreshToken(SQLModel, table=True):
    __tablename__ = "refresh_token"

    token_hash: str = Field(primary_key=True, max_length=64)
    account_id: str = Field(foreign_key="account.id", max_length=32, index=True)
    expires_at: datetime
    revoked_at: datetime | None = None
    created_at: datetime = Field(default_factory=utcnow)
    family: str | None = Field(default=None, max_length=32, index=True,
                               description="every token rotated from one sign-in; a replay revokes them all")


class OneTimeToken(SQLModel, table=True):
    """Single-use, time-limited secrets: password-change tickets, reset tokens, SSO state."""

    __tablename__ = "one_time_token"

    token_hash: str = Field(primary_key=True, max_length=64)
    purpose: str = Field(max_length=20, description="change_password | reset_password | sso")
    account_id: str | None = Field(default=None, max_length=32)
    payload: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False, default=dict))
    expires_at: datetime
    used_at: datetime | None = None


class LoginAttempt(SQLModel, table=True):
    """Every sign-in attempt, successful or not (audit)."""

    __tablename__ = "login_attempt"

    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(max_length=200)
    account_id: str | None = Field(default=None, max_length=32)
    remote_addr: str | None = Field(default=None, max_length=64)
    method: str = Field(default="password", max_length=20)
    outcome: str = Field(max_length=30)
    at: datetime = Field(default_factory=utcnow)


class LoginThrottle(SQLModel, table=True):
    """An attempt budget (sign-in, password change, reset request) per account, address or device."""

    __tablename__ = "login_throttle"

    key: str = Field(primary_key=True, max_length=64)
    failures: int = 0
    window_ends_at: datetime | None = None


class UnitSignIn(SQLModel, table=True):
    """How a unit's people sign in (seed 004): with a password and the e-ID, or with the e-ID only. A unit
    without a row follows its nearest ancestor's."""

    __tablename__ = "unit_sign_in"

    unit_id: str = Field(primary_key=True, max_length=32)
    password_allowed: bool = True
    updated_at: datetime = Field(default_factory=utcnow)
    updated_by: str | None = Field(default=None, max_length=64)


IDENTITY_TABLES = ("account", "appointment", "account_change", "transfer_request", "user_group", "group_member",
                   "admin_grant", "unit_ref", "refresh_token", "one_time_token", "login_attempt", "login_throttle",
                   "unit_sign_in")
