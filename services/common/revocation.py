"""Access tokens withdrawn before they expire. Identity raises an account's token generation when the account is
locked, archived, deleted or converted, when its grants or memberships change, or when a stolen refresh token is
replayed; it writes the new floor in the same transaction and publishes ``identity.tokens.revoked``. Every
other service keeps the floors as a read model fed by that event, and its token verifier refuses a token whose
generation is below the account's floor — so a revocation takes effect within the time the event takes to arrive."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlmodel import Session

from services.common.db import Database, UnitOfWork
from services.common.envelope import MalformedEvent
from services.common.models import TokenFloor, utcnow

EVENT = "identity.tokens.revoked"


def floor_reader(db: Database) -> Callable[[str], int]:
    def floor(account_id: str) -> int:
        with db.session() as session:
            row = session.get(TokenFloor, account_id)
            return row.version if row is not None else 0
    return floor


def current_floor(session: Session, account_id: str) -> int:
    row = session.get(TokenFloor, account_id)
    return row.version if row is not None else 0


def raise_floor(session: Session, account_id: str, version: int) -> None:
    """Keep the highest floor seen (events may arrive out of order)."""
    row = session.get(TokenFloor, account_id)
    if row is None:
        session.add(TokenFloor(account_id=account_id, version=version))
    elif version > row.version:
        row.version, row.updated_at = version, utcnow()
    session.flush()


def apply_revocation(uow: UnitOfWork, event: dict[str, Any]) -> None:
    data = event.get("data") or {}
    if not data.get("account_id") or not isinstance(data.get("version"), int):
        raise MalformedEvent(f"{EVENT} without account_id and version")
    raise_floor(uow.session, data["account_id"], data["version"])
