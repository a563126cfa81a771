"""Bank accounts of party organisations (seed 003 §3): several per unit, exactly one in use, only accounts held by
the organisation itself — never a person's account — and an account belongs to one organisation only; its
details (fee allocation, a structured address); and the organisations of a subtree with no account in use
(§2.2.3)."""
from __future__ import annotations

import re

from pydantic import BaseModel, Field, field_validator
from sqlmodel import Session, col, select

from services.common.auth import Principal
from services.common.db import UnitOfWork
from services.common.errors import Conflict, Invalid, NotFound
from services.common.i18n import msg
from services.common.models import utcnow
from services.common.text import fold, nfc
from services.orgunits import events
from services.orgunits.domain.access import unit_for_edit
from services.orgunits.domain.tree import get_unit
from services.orgunits.models import PARTY_KINDS, BankAccount, CellType, FeeAllocation, PartyDetails, Unit, UnitKind

_ACCOUNT_NUMBER = re.compile(r"^[0-9]{6,20}$")
_CITAD = re.compile(r"^[0-9]{8}$")


def _registered(session: Session, number: str, bank_name: str, citad: str | None) -> BankAccount | None:
    """An account with this number at the same bank, in any unit: the same Citad code where both have one, else
    the same bank name however it is written (accents, case, spaces)."""
    for other in session.exec(select(BankAccount).where(BankAccount.account_number == number)).all():
        if citad and other.citad_code:
            if other.citad_code == citad:
                return other
        elif "".join(fold(other.bank_name).split()) == "".join(fold(bank_name).split()):
            return other
    return None


class BankAccountCreate(BaseModel):
    bank_name: str = Field(min_length=1, max_length=200)
    branch: str | None = Field(default=None, max_length=200)
    account_number: str = Field(min_length=1, max_length=40, description="6–20 digits")
    holder_name: str = Field(min_length=1, max_length=300, description="must be the organisation's own name")
    citad_code: str | None = Field(default=None, max_length=20, description="the bank's Citad code: 8 digits")
    in_use: bool = False

    @field_validator("bank_name", "holder_name", "account_number", mode="after")
    @classmethod
    def _nfc(cls, value: str) -> str:
        return nfc(value)


def _holder_is_organisation(holder: str, unit: Unit) -> bool:
    return fold(holder) == fold(unit.name)


def list_accounts(session: Session, unit_id: str) -> list[BankAccount]:
    get_unit(session, unit_id)
    return list(session.exec(select(BankAccount).where(BankAccount.unit_id == unit_id)
                             .order_by(BankAccount.id)).all())


def _publish(uow: UnitOfWork, unit: Unit) -> None:
    accounts = list_accounts(uow.session, unit.id)
    uow.emit(events.BANK_ACCOUNTS_CHANGED, unit.id, {
        "unit_id": unit.id, "accounts": [account_snapshot(a) for a in accounts]})


def account_snapshot(account: BankAccount) -> dict:
    return {"id": account.id, "bank_name": account.bank_name, "branch": account.branch,
            "account_number": account.account_number, "holder_name": account.holder_name,
            "citad_code": account.citad_code, "in_use": account.in_use}


def add_account(uow: UnitOfWork, principal: Principal, unit_id: str, data: BankAccountCreate) -> BankAccount:
    session = uow.session
    unit = unit_for_edit(session, principal, unit_id)
    if unit.kind not in PARTY_KINDS:
        raise Invalid(msg("“{name}” is not a party organisation; bank accounts are kept only for those",
                          name=unit.name))
    number = data.account_number.replace(" ", "").replace(".", "")
    if not _ACCOUNT_NUMBER.match(number):
        raise Invalid(msg("an account number is 6 to 20 digits"))
    if not _holder_is_organisation(data.holder_name, unit):
        raise Invalid(msg("the holder “{holder_name}” is not the organisation “{name}”; only the organisation's own "
                          "account is accepted, not a personal one", holder_name=data.holder_name, name=unit.name))
    citad = "".join((data.citad_code or "").split()) or None
    if citad is not None and not _CITAD.match(citad):
        raise Invalid(msg("a Citad code is 8 digits"), code="bad_citad")
    taken = _registered(session, number, data.bank_name, citad)
    if taken is not None:
        raise Conflict(msg("account {number} at {bank_name} is already registered for this organisation", number=number,
                           bank_name=taken.bank_name) if taken.unit_id == unit.id else
                       msg("account {number} at {bank_name} is already registered for another organisation; an "
                           "account belongs to one organisation", number=number, bank_name=taken.bank_name),
                       code="account_taken")
    existing = list_accounts(session, unit.id)
    in_use = data.in_use or not existing
    if in_use:
        for other in existing:
            other.in_use = False
    account = BankAccount(unit_id=unit.id, bank_name=data.bank_name, branch=data.branch,
                          account_number=number, holder_name=data.holder_name, citad_code=citad, in_use=in_use)
    session.add(account)
    session.flush()
    _publish(uow, unit)
    uow.commit()
    return account


def _account(session: Session, unit_id: str, account_id: int) -> BankAccount:
    account = session.get(BankAccount, account_id)
    if account is None or account.unit_id != unit_id:
        raise NotFound(msg("no bank account {account_id} for this unit", account_id=account_id))
    return account


def use_account(uow: UnitOfWork, principal: Principal, unit_id: str, account_id: int) -> BankAccount:
    session = uow.session
    unit = unit_for_edit(session, principal, unit_id)
    chosen = _account(session, unit.id, account_id)
    for account in list_accounts(session, unit.id):
        account.in_use = account.id == chosen.id
    _publish(uow, unit)
    uow.commit()
    return chosen


def remove_account(uow: UnitOfWork, principal: Principal, unit_id: str, account_id: int) -> None:
    session = uow.session
    unit = unit_for_edit(session, principal, unit_id)
    account = _account(session, unit.id, account_id)
    if account.in_use and len(list_accounts(session, unit.id)) > 1:
        raise Conflict(msg("this is the account in use; choose another account to use before removing it"))
    session.delete(account)
    session.flush()
    _publish(uow, unit)
    uow.commit()


class PartyDetailsUpdate(BaseModel):
    fee_allocation: FeeAllocation | None = Field(default=None, description="top_down: from the provincial "
                                                 "committee down to the cells; bottom_up: from the cells up")
    province: str | None = Field(default=None, max_length=100)
    district: str | None = Field(default=None, max_length=100)
    commune: str | None = Field(default=None, max_length=100)
    address_detail: str | None = Field(default=None, max_length=300)
    cell_type: CellType | None = Field(default=None, description="a chi bộ trực thuộc's type (loại chi bộ): commune | "
                                       "company | border_ship | radar | remote | agency")

    @field_validator("province", "district", "commune", "address_detail", mode="after")
    @classmethod
    def _text(cls, value: str | None) -> str | None:
        return " ".join(nfc(value).split()) or None if value is not None else None


def details_view(unit: Unit, row: PartyDetails | None) -> dict:
    return {"unit_id": unit.id, "fee_allocation": row.fee_allocation if row else None,
            "province": row.province if row else None, "district": row.district if row else None,
            "commune": row.commune if row else None, "address_detail": row.address_detail if row else None,
            "cell_type": row.cell_type if row else None}


def party_unit(session: Session, unit_id: str) -> Unit:
    unit = get_unit(session, unit_id)
    if unit.kind not in PARTY_KINDS:
        raise NotFound(msg("“{name}” is not a party organisation", name=unit.name))
    return unit


def details(session: Session, unit_id: str) -> dict:
    unit = party_unit(session, unit_id)
    return details_view(unit, session.get(PartyDetails, unit.id))


def save_details(uow: UnitOfWork, principal: Principal, unit_id: str, data: PartyDetailsUpdate) -> dict:
    session = uow.session
    unit = unit_for_edit(session, principal, unit_id)
    if unit.kind not in PARTY_KINDS:
        raise Invalid(msg("“{name}” is not a party organisation; bank accounts are kept only for those",
                          name=unit.name))
    if data.cell_type is not None and unit.kind != UnitKind.party_cell:
        raise Invalid(msg("only a chi bộ trực thuộc has a cell type; “{name}” is a {kind}", name=unit.name,
                          kind=UnitKind(unit.kind)), code="not_a_cell", field="cell_type")
    row = session.get(PartyDetails, unit.id) or PartyDetails(unit_id=unit.id)
    for key, value in data.model_dump(exclude_unset=True).items():
        setattr(row, key, value)
    row.updated_at, row.updated_by = utcnow(), principal.account_id
    session.add(row)
    session.flush()
    view = details_view(unit, row)
    uow.emit(events.PARTY_DETAILS_CHANGED, unit.id, {"details": view})
    uow.commit()
    return view


def without_account(session: Session, unit_id: str, limit: int = 500) -> list[dict]:
    """The party organisations of the subtree with no bank account in use, in tree order."""
    top = get_unit(session, unit_id)
    in_use = select(BankAccount.unit_id).where(BankAccount.in_use == True)  # noqa: E712 - SQL
    rows = session.exec(select(Unit).where(col(Unit.path).startswith(top.path), col(Unit.kind).in_(
        [k.value for k in PARTY_KINDS]), Unit.status == "active", col(Unit.id).not_in(in_use))
        .order_by(Unit.depth, Unit.sort_name).limit(limit)).all()
    return [{"id": u.id, "code": u.code, "name": u.name, "kind": u.kind, "parent_id": u.parent_id} for u in rows]
