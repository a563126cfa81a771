"""The read models notify keeps: people (names, addresses, unit) from identity.account.* events, and the unit
tree from orgunits.unit.* events (whose subtree's rules and templates apply to a person)."""
from __future__ import annotations

from services.common.db import UnitOfWork
from services.common.readmodel import current_row, move_subtree, unit_path
from services.notify.models import Person, UnitRef


def apply_unit(uow: UnitOfWork, event: dict) -> None:
    unit = (event.get("data") or {}).get("unit") or {}
    if not unit.get("id"):
        return
    row = current_row(uow.session, UnitRef, unit["id"], event, deleted=event["type"] == "orgunits.unit.deleted")
    if row is not None:
        row.name = unit.get("name") or ""
        move_subtree(uow.session, UnitRef, row, unit_path(unit))


def apply_account(uow: UnitOfWork, event: dict) -> None:
    account = event["data"].get("account") or {}
    if not account.get("id"):
        return
    person = current_row(uow.session, Person, account["id"], event,
                         deleted=event["type"] == "identity.account.deleted")
    if person is None:
        return
    person.full_name = account.get("full_name") or ""
    person.email, person.phone = account.get("email"), account.get("phone")
    person.status = account.get("status") or ""
    person.unit_id = account.get("unit_id")
