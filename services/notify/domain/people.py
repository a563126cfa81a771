"""The people read model: names, e-mail addresses and phone numbers from identity.account.* events."""
from __future__ import annotations

from services.common.db import UnitOfWork
from services.notify.models import Person


def apply_account(uow: UnitOfWork, event: dict) -> None:
    account = event["data"].get("account") or {}
    if not account.get("id"):
        return
    person = uow.session.get(Person, account["id"])
    if event["type"] == "identity.account.deleted":
        if person is not None:
            uow.session.delete(person)
        return
    if person is None:
        person = Person(account_id=account["id"])
        uow.session.add(person)
    elif person.as_of > event["time"]:
        return
    person.full_name = account.get("full_name") or ""
    person.email, person.phone = account.get("email"), account.get("phone")
    person.status, person.as_of = account.get("status") or "", event["time"]
