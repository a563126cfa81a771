"""Bank accounts of party organisations (seed 003 §3): several per unit, exactly one in use, and only
accounts held by the organisation itself — never a person's account."""
from __future__ import annotations

import re

from pydantic import BaseModel, Field, field_validator
from sqlmodel import Session, select

from services.common.auth import Principal
from services.common.db import UnitOfWork
from services.common.errors import Conflict, Invalid, NotFound
from services.common.i18n import msg
from services.common.text import fold, nfc
from services.orgunits import events
from services.orgunits.domain.access import unit_for_edit
from services.orgunits.domain.tree import get_unit
from services.orgunits.models import PARTY_KINDS, BankAccount, Unit

_ACCOUNT_NUMBER = re.compile(r"^[0-9]{6,20}$")


class BankAccountCreate(BaseModel):
    bank_name: str = Field(min_length=1, max_length=200)
    branch: str | None = Field(default=None, max_length=200)
    account_number: str = Field(min_length=1, max_length=40, description="6–20 digits")
    holder_name: str = Field(min_length=1, max_length=300, description="must be the organisation's own name")
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
            "in_use": account.in_use}


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
    existing = list_accounts(session, unit.id)
    if any(a.bank_name == data.bank_name and a.account_number == number for a in existing):
        raise Conflict(msg("account {number} at {bank_name} is already registered for this unit", number=number,
                           bank_name=data.bank_name))
    in_use = data.in_use or not existing
    if in_use:
        for other in existing:
            other.in_use = False
    account = BankAccount(unit_id=unit.id, bank_name=data.bank_name, branch=data.branch,
                          account_number=number, holder_name=data.holder_name, in_use=in_use)
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
