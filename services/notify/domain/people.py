"""The people read model: names, e-mail addresses and phone numbers from identity.account.* events."""
from __future__ import annotations

from services.common.db import UnitOfWork
from services.common.readmodel import current_row
from services.notify.models import Person


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
