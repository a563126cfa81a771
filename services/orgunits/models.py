"""Tables owned by the org-units service."""
from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import field_validator
from sqlalchemy import Column, Index, LargeBinary, String, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from services.common import contact
from services.common.models import utcnow
from services.common.text import nfc


class UnitKind(StrEnum):
    """Kinds of unit; the Vietnamese name is what users see."""

    province = "province"            # Tỉnh / Bộ — province or ministry
    group = "group"                  # Khối — a grouping node in the tree (e.g. "I. Cơ quan thuộc UBND tỉnh")
    department = "department"        # Sở, ban, ngành
    district = "district"            # Huyện, thị xã, thành phố
    commune = "commune"              # Xã, phường, thị trấn
    office = "office"                # Phòng, ban, đơn vị trực thuộc
    party_provincial = "party_provincial"  # Đảng bộ tỉnh
    party_upper = "party_upper"      # Đảng bộ cấp trên cơ sở
    party_grassroots = "party_grassroots"  # Tổ chức cơ sở đảng
    party_partial = "party_partial"  # Đảng bộ bộ phận
    party_cell = "party_cell"        # Chi bộ trực thuộc


PARTY_KINDS = frozenset(k for k in UnitKind if k.value.startswith("party_"))


class UnitStatus(StrEnum):
    active = "active"          # Đang sử dụng
    inactive = "inactive"      # Ngừng sử dụng
    merged = "merged"          # Đã sáp nhập
    dissolved = "dissolved"    # Đã giải thể


class UnitFields(SQLModel):
    """What a person fills in about a unit."""

    code: str = Field(min_length=1, max_length=50,
                      description="Identifier code (mã định danh), unique; no spaces or slashes")
    name: str = Field(min_length=1, max_length=300)
    kind: UnitKind = Field(default=UnitKind.office, sa_type=String(30))
    email: str | None = Field(default=None, max_length=200)
    phone: str | None = Field(default=None, max_length=50)
    address: str | None = Field(default=None, max_length=500)
    website: str | None = Field(default=None, max_length=300)
    tax_code: str | None = Field(default=None, max_length=20)
    description: str | None = Field(default=None, max_length=4000)
    planned_headcount: int | None = Field(default=None, ge=0, le=1_000_000,
                                          description="Approved headcount (biên chế)")


def _clean(value: str | None) -> str | None:
    return nfc(value) if isinstance(value, str) else value


def _clean_required(value: str | None) -> str | None:
    if value is None:
        return None
    value = nfc(value)
    if not value:
        raise ValueError("must not be blank")
    return value



def _contact_email(value: str | None) -> str | None:
    return None if value is None or not value.strip() else contact.email(value)


def _contact_phone(value: str | None) -> str | None:
    """Checked as a Vietnamese number, kept as written (a switchboard reads better as 0252 3822 000)."""
    if value is None or not value.strip():
        return None
    contact.phone(value)
    return " ".join(nfc(value).split())


def _clean_code(value: str | None) -> str | None:
    value = _clean_required(value)
    if value is not None and any(ch.isspace() or ch in "/\\" or not ch.isprintable() for ch in value):
        raise ValueError("a code may not contain spaces, slashes or control characters")
    return value


class UnitCreate(UnitFields):
    parent_id: str | None = Field(default=None, description="Parent unit id; empty only for a new root")

    _email = field_validator("email", mode="after")(_contact_email)
    _phone = field_validator("phone", mode="after")(_contact_phone)
    _required = field_validator("name", mode="after")(_clean_required)
    _code = field_validator("code", mode="after")(_clean_code)
    _normalise = field_validator("address", "description", mode="after")(_clean)


class UnitUpdate(SQLModel):
    """Fields to change; those left out stay as they are."""

    code: str | None = Field(default=None, min_length=1, max_length=50)
    name: str | None = Field(default=None, min_length=1, max_length=300)
    kind: UnitKind | None = None
    email: str | None = Field(default=None, max_length=200)
    phone: str | None = Field(default=None, max_length=50)
    address: str | None = Field(default=None, max_length=500)
    website: str | None = Field(default=None, max_length=300)
    tax_code: str | None = Field(default=None, max_length=20)
    description: str | None = Field(default=None, max_length=4000)
    planned_headcount: int | None = Field(default=None, ge=0, le=1_000_000)

    _email = field_validator("email", mode="after")(_contact_email)
    _phone = field_validator("phone", mode="after")(_contact_phone)
    _required = field_validator("name", mode="after")(_clean_required)
    _code = field_validator("code", mode="after")(_clean_code)
    _normalise = field_validator("address", "description", mode="after")(_clean)


class UnitRead(UnitFields):
    id: str
    parent_id: str | None
    depth: int
    position: int
    status: UnitStatus
    merged_into_id: str | None = None
    version: int
    updated_at: datetime


class Unit(UnitFields, table=True):
    __tablename__ = "unit"
    __table_args__ = (
        Index("ix_unit_path", "path", postgresql_ops={"path": "text_pattern_ops"}),
        Index("ix_unit_parent_position", "parent_id", "position"),
    )

    id: str = Field(primary_key=True, max_length=32)
    code: str = Field(max_length=50, unique=True)
    parent_id: str | None = Field(default=None, foreign_key="unit.id", max_length=32)
    path: str = Field(max_length=2000, description="'/'-separated ids from the root to this unit")
    depth: int = 0
    position: int = 0
    status: UnitStatus = Field(default=UnitStatus.active, sa_type=String(20))
    merged_into_id: str | None = Field(default=None, max_length=32)
    search_text: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    sort_name: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    version: int = 1
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    updated_by: str | None = Field(default=None, max_length=64)


class BankAccount(SQLModel, table=True):
    """A party organisation's bank account; exactly one per unit is in use."""

    __tablename__ = "bank_account"
    __table_args__ = (UniqueConstraint("unit_id", "bank_name", "account_number"),)

    id: int | None = Field(default=None, primary_key=True)
    unit_id: str = Field(foreign_key="unit.id", index=True, max_length=32)
    bank_name: str = Field(max_length=200)
    branch: str | None = Field(default=None, max_length=200)
    account_number: str = Field(max_length=40, index=True)
    holder_name: str = Field(max_length=300)
    citad_code: str | None = Field(default=None, max_length=8, description="the bank's Citad code (8 digits)")
    in_use: bool = False
    created_at: datetime = Field(default_factory=utcnow)


class FeeAllocation(StrEnum):
    """How a party organisation's fees are allocated (Loại phân bổ cho cơ quan, seed 003 §2.2.2)."""

    top_down = "top_down"      # from the provincial committee down to the party cells
    bottom_up = "bottom_up"    # from the party cells up to the provincial committee


class CellType(StrEnum):
    """Loại chi bộ trực thuộc (seed 003 §4.1): the classification the Central Organisation Commission asks for."""

    commune = "commune"            # Chi bộ thuộc đảng bộ xã, phường, thị trấn
    company = "company"            # Chi bộ đại đội
    border_ship = "border_ship"    # Chi bộ đồn, tàu biên phòng, tàu hải quân, tàu cảnh sát biển
    radar = "radar"                # Chi bộ đài, trạm ra đa
    remote = "remote"              # Chi bộ đóng quân ở các xã biên giới vùng sâu, vùng xa, trên các đảo
    agency = "agency"              # Chi bộ cơ quan, doanh nghiệp, đơn vị sự nghiệp (the others)


class PartyDetails(SQLModel, table=True):
    """What a party organisation keeps besides the unit's own fields: its fee allocation and a structured
    address (province, district, commune, the rest)."""

    __tablename__ = "party_details"

    unit_id: str = Field(foreign_key="unit.id", primary_key=True, max_length=32)
    fee_allocation: FeeAllocation | None = Field(default=None, sa_type=String(20))
    province: str | None = Field(default=None, max_length=100)
    district: str | None = Field(default=None, max_length=100)
    commune: str | None = Field(default=None, max_length=100)
    address_detail: str | None = Field(default=None, max_length=300)
    cell_type: CellType | None = Field(default=None, sa_type=String(20), description="chi bộ trực thuộc only")
    updated_at: datetime = Field(default_factory=utcnow)
    updated_by: str | None = Field(default=None, max_length=64)


class UnitEditor(SQLModel, table=True):
    """An account allowed to edit this unit's subtree (Phân quyền thành viên), inherited downwards."""

    __tablename__ = "unit_editor"

    unit_id: str = Field(foreign_key="unit.id", primary_key=True, max_length=32)
    account_id: str = Field(primary_key=True, max_length=64)
    granted_by: str | None = Field(default=None, max_length=64)
    granted_at: datetime = Field(default_factory=utcnow)


class Member(SQLModel, table=True):
    """Read model of people, fed by identity.account.* events (orgunits never writes it otherwise)."""

    __tablename__ = "member"

    account_id: str = Field(primary_key=True, max_length=64)
    full_name: str = Field(default="", max_length=300)
    unit_id: str | None = Field(default=None, index=True, max_length=32)
    department: str | None = Field(default=None, max_length=200)
    position: str | None = Field(default=None, max_length=200)
    status: str = Field(default="approved", max_length=30)
    as_of: str = Field(default="", max_length=40, description="time of the newest identity event applied")


class ResidenceCell(SQLModel, table=True):
    """Where a party member takes part in party life where they live (chi bộ sinh hoạt nơi cư trú, seed 003 §1):
    a party organisation below the provincial committee, chosen by the member."""

    __tablename__ = "residence_cell"

    account_id: str = Field(primary_key=True, max_length=64)
    unit_id: str = Field(foreign_key="unit.id", index=True, max_length=32)
    updated_at: datetime = Field(default_factory=utcnow)


class SignatureImage(SQLModel, table=True):
    """The image of an organisation's seal (con dấu) or of a signer's signature (chữ ký) there, seed 003 §5: what a
    signed document shows; the digital signature itself stays in the signer's token."""

    __tablename__ = "signature_image"

    id: str = Field(primary_key=True, max_length=32)
    unit_id: str = Field(foreign_key="unit.id", index=True, max_length=32)
    kind: str = Field(max_length=20, description="seal | signature")
    name: str = Field(max_length=200, description="tên chữ ký / tên con dấu")
    signer_id: str | None = Field(default=None, max_length=64, description="signature: whose")
    content_type: str = Field(max_length=50)
    size: int
    data: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    uploaded_by: str | None = Field(default=None, max_length=64)
    uploaded_at: datetime = Field(default_factory=utcnow)


ORGUNITS_TABLES = ("unit", "bank_account", "unit_editor", "member", "party_details", "residence_cell",
                   "signature_image")
