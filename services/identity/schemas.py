"""Commands and views of the identity service (request bodies and responses)."""
from __future__ import annotations

from datetime import date
from decimal import Decimal
from enum import StrEnum

from pydantic import BaseModel, Field, field_validator

from services.common.text import nfc
from services.identity.domain import validation
from services.identity.models import ArchiveGroup


def _opt(fn):
    return lambda value: None if value in (None, "") else fn(value)


class Registration(BaseModel):
    """Self-registration of an officer (public); the unit's admin reviews it."""

    full_name: str = Field(min_length=2, max_length=200)
    date_of_birth: date | None = None
    citizen_id: str = Field(description="CCCD, 12 digits")
    phone: str | None = Field(default=None, max_length=30)
    email: str | None = Field(default=None, max_length=200)
    unit_id: str = Field(min_length=1, max_length=32, description="the unit the officer works in")
    department: str | None = Field(default=None, max_length=200)
    position: str | None = Field(default=None, max_length=200)
    staff_category: str | None = Field(default=None, max_length=100, description="Công chức, viên chức, …")
    note: str | None = Field(default=None, max_length=2000)

    _name = field_validator("full_name")(validation.person_name)
    _cccd = field_validator("citizen_id")(validation.citizen_id)
    _phone = field_validator("phone")(_opt(validation.phone))
    _email = field_validator("email")(_opt(validation.email))
    _text = field_validator("department", "position", "staff_category", "note")(_opt(nfc))

    @field_validator("date_of_birth")
    @classmethod
    def _adult(cls, value: date | None) -> date | None:
        if value is not None and not (date(1930, 1, 1) <= value <= date.today().replace(year=date.today().year - 16)):
            raise ValueError("the date of birth is not plausible for an officer")
        return value


class ImportedAccount(BaseModel):
    """An existing officer brought over from an older system; a 9-digit CMND is accepted here only."""

    full_name: str = Field(min_length=2, max_length=200)
    date_of_birth: date | None = None
    citizen_id: str = Field(description="CCCD (12 digits) or a legacy 9-digit CMND")
    phone: str | None = Field(default=None, max_length=30)
    email: str | None = Field(default=None, max_length=200)
    unit_id: str = Field(min_length=1, max_length=32)
    department: str | None = Field(default=None, max_length=200)
    position: str | None = Field(default=None, max_length=200)
    staff_category: str | None = Field(default=None, max_length=100)

    _name = field_validator("full_name")(validation.person_name)
    _cccd = field_validator("citizen_id")(lambda v: validation.citizen_id(v, allow_legacy=True))
    _phone = field_validator("phone")(_opt(validation.phone))
    _email = field_validator("email")(_opt(validation.email))
    _text = field_validator("department", "position", "staff_category")(_opt(nfc))


class AccountImport(BaseModel):
    accounts: list[ImportedAccount] = Field(min_length=1, max_length=5000)


class Approval(BaseModel):
    """What the admin may set while approving (Duyệt)."""

    department: str | None = Field(default=None, max_length=200)
    position: str | None = Field(default=None, max_length=200)
    roles: list[str] | None = Field(default=None, max_length=20)
    is_head: bool | None = None

    _text = field_validator("department", "position")(_opt(nfc))


class Rejection(BaseModel):
    reason: str = Field(min_length=3, max_length=1000)


class AccountUpdate(BaseModel):
    """Fields to change; those left out stay as they are."""

    full_name: str | None = Field(default=None, min_length=2, max_length=200)
    date_of_birth: date | None = None
    phone: str | None = Field(default=None, max_length=30)
    email: str | None = Field(default=None, max_length=200)
    department: str | None = Field(default=None, max_length=200)
    position: str | None = Field(default=None, max_length=200)
    staff_category: str | None = Field(default=None, max_length=100)
    roles: list[str] | None = Field(default=None, max_length=20)
    note: str | None = Field(default=None, max_length=2000)
    is_head: bool | None = None
    manager_id: str | None = Field(default=None, max_length=32)

    _name = field_validator("full_name")(_opt(validation.person_name))
    _phone = field_validator("phone")(_opt(validation.phone))
    _email = field_validator("email")(_opt(validation.email))
    _text = field_validator("department", "position", "staff_category", "note")(_opt(nfc))


class TransferCommand(BaseModel):
    to_unit_id: str = Field(min_length=1, max_length=32)


class RedeclareCommand(BaseModel):
    unit_id: str = Field(min_length=1, max_length=32, description="the unit the person now works in")


class EidLookup(BaseModel):
    citizen_id: str = Field(description="CCCD, 12 digits")

    _cccd = field_validator("citizen_id")(validation.citizen_id)


class EidAdd(BaseModel):
    """Add the person the e-ID directory knows under this citizen id to a unit (Chưa kích hoạt)."""

    citizen_id: str = Field(description="CCCD, 12 digits")
    unit_id: str = Field(min_length=1, max_length=32)
    department: str | None = Field(default=None, max_length=200)
    position: str | None = Field(default=None, max_length=200)

    _cccd = field_validator("citizen_id")(validation.citizen_id)
    _text = field_validator("department", "position")(_opt(nfc))


class TitleCategory(StrEnum):
    """Hạng chức danh nghề nghiệp of a public employee (viên chức)."""

    rank_1 = "I"
    rank_2 = "II"
    rank_3 = "III"
    rank_4 = "IV"


class DeclarationCommand(BaseModel):
    """An officer's self-declaration (phiếu kê khai); the admin of the declared unit approves or returns it."""

    unit_id: str | None = Field(default=None, max_length=32, description="after a merge or dissolution: the unit "
                                "the person now works in; otherwise left out (the person's own unit)")
    department_id: str | None = Field(default=None, max_length=32, description="the bộ phận: one of the units "
                                      "directly under the declared unit")
    position: str | None = Field(default=None, max_length=200, description="chức vụ")
    grade_code: str | None = Field(default=None, max_length=20, description="mã ngạch công chức (01.003) or mã "
                                   "chức danh nghề nghiệp viên chức (V.07.03.29)")
    title_category: TitleCategory | None = Field(default=None, description="hạng chức danh nghề nghiệp")
    salary_coefficient: Decimal | None = Field(default=None, ge=Decimal("1.00"), le=Decimal("10.00"),
                                               decimal_places=2, description="hệ số lương, 1.00–10.00")

    _position = field_validator("position")(_opt(nfc))
    _grade = field_validator("grade_code")(_opt(validation.grade_code))


class AppointmentCommand(BaseModel):
    unit_id: str = Field(min_length=1, max_length=32)
    position: str | None = Field(default=None, max_length=200)


class ArchiveCommand(BaseModel):
    group: ArchiveGroup
    replacement_id: str | None = Field(default=None, max_length=32, description="who takes over the accounts.approve "
                                       "right of a unit the archived account is the last approver of")


class ConversionCommand(BaseModel):
    new_account_id: str = Field(min_length=1, max_length=32)
    confirm: bool = Field(default=False, description="must be true: the move cannot be undone")


class GrantCommand(BaseModel):
    account_id: str = Field(min_length=1, max_length=32)
    unit_id: str = Field(min_length=1, max_length=32)
    permissions: list[str] = Field(min_length=1, max_length=30)


class GroupCommand(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    unit_id: str | None = Field(default=None, max_length=32)
    permissions: list[str] = Field(default_factory=list, max_length=30)

    _name = field_validator("name")(nfc)


class GroupUpdate(BaseModel):
    name: str | None = Field(default=None, min_length=1, max_length=200)
    permissions: list[str] | None = Field(default=None, max_length=30)


class MemberCommand(BaseModel):
    account_id: str = Field(min_length=1, max_length=32)


class LoginCommand(BaseModel):
    username: str = Field(min_length=1, max_length=200, description="CCCD, user name or e-mail")
    password: str = Field(min_length=1, max_length=200)
    device_token: str | None = Field(default=None, max_length=2000,
                                     description="from an earlier sign-in on this device (also read from the "
                                                 "egov_device cookie): its own attempt budget")


class PasswordChange(BaseModel):
    change_token: str | None = Field(default=None, max_length=200, description="from a one-time-password login")
    username: str | None = Field(default=None, max_length=200)
    current_password: str | None = Field(default=None, max_length=200)
    new_password: str = Field(min_length=1, max_length=200)
    device_token: str | None = Field(default=None, max_length=2000)


class RefreshCommand(BaseModel):
    refresh_token: str = Field(min_length=1, max_length=200)


class ForgotCommand(BaseModel):
    username: str = Field(min_length=1, max_length=200)


class ResetCommand(BaseModel):
    token: str = Field(min_length=1, max_length=200)
    new_password: str = Field(min_length=1, max_length=200)
