"""How a unit's people sign in (seed 004): a unit's admin can switch password sign-in off, so its people — and
those of the units below, unless one of them says otherwise — sign in with the e-ID (VNeID) only."""
from __future__ import annotations

from sqlmodel import Session, col, select

from services.common.auth import Principal
from services.common.db import UnitOfWork
from services.common.errors import Conflict, NotFound
from services.common.i18n import msg
from services.common.models import utcnow
from services.identity.domain.scope import authority, lineage_of, require, unit_ref
from services.identity.models import UnitSignIn

EDIT = "accounts.edit"


def rule(session: Session, unit_id: str | None) -> tuple[bool, str | None]:
    """(whether a password may be used, the unit whose setting applies — None: the suite's default)."""
    lineage = lineage_of(session, unit_id)
    rows = {r.unit_id: r for r in session.exec(select(UnitSignIn).where(
        col(UnitSignIn.unit_id).in_(list(lineage)))).all()} if lineage else {}
    for unit in reversed(lineage):
        if unit in rows:
            return rows[unit].password_allowed, unit
    return True, None


def view(session: Session, unit_id: str) -> dict:
    allowed, source = rule(session, unit_id)
    return {"unit_id": unit_id, "password_allowed": allowed,
            "inherited_from": source if source != unit_id else None}


def read(session: Session, principal: Principal, unit_id: str) -> dict:
    if unit_ref(session, unit_id) is None:
        raise NotFound(msg("unknown unit {unit_id!r}", unit_id=unit_id))
    require(session, authority(session, principal), "accounts.read", unit_id)
    return view(session, unit_id)


def save(uow: UnitOfWork, principal: Principal, unit_id: str, password_allowed: bool, *,
         eid_available: bool) -> dict:
    session = uow.session
    if unit_ref(session, unit_id) is None:
        raise NotFound(msg("unknown unit {unit_id!r}", unit_id=unit_id))
    require(session, authority(session, principal), EDIT, unit_id)
    if not password_allowed and not eid_available:
        raise Conflict(msg("no e-ID provider is configured, so switching password sign-in off would leave the unit's "
                           "people unable to sign in"), code="eid_unavailable")
    row = session.get(UnitSignIn, unit_id) or UnitSignIn(unit_id=unit_id)
    row.password_allowed, row.updated_at, row.updated_by = password_allowed, utcnow(), principal.account_id
    session.add(row)
    session.flush()
    result = view(session, unit_id)
    uow.emit("identity.unit_sign_in.changed", unit_id, {"sign_in": result, "actor": principal.account_id})
    uow.commit()
    return result
