"""Unit roles for processes: a unit admin names who holds a role (clerk, leader…) in the unit. A lane whose
people come from an instance role that names *units* gives each unit's task to the holders of the lane's
``unit_role`` there (e.g. the receiving unit's clerk)."""
from __future__ import annotations

import re

from sqlalchemy import delete
from sqlmodel import Session, col, select

from services.common.auth import Principal
from services.common.db import UnitOfWork
from services.common.errors import Invalid
from services.common.i18n import msg
from services.process.domain.access import require_configure, require_sees_unit
from services.process.domain.staffing import check_staff
from services.process.models import UnitRole

_ROLE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")


def roles_of(session: Session, principal: Principal, unit_id: str) -> dict[str, list[str]]:
    require_sees_unit(session, principal, unit_id)
    found: dict[str, list[str]] = {}
    for row in session.exec(select(UnitRole).where(UnitRole.unit_id == unit_id)
                            .order_by(UnitRole.role, UnitRole.account_id)).all():
        found.setdefault(row.role, []).append(row.account_id)
    return found


def set_holders(uow: UnitOfWork, principal: Principal, unit_id: str, role: str, accounts: list[str]) -> dict:
    """Replace the holders of ``role`` in the unit (active people of the unit or its subtree; [] clears it)."""
    session = uow.session
    if not _ROLE.match(role):
        raise Invalid(msg("a role is a lower-case word (letters, digits, _), as lanes name it in unit_role"),
                      code="bad_role")
    unit = require_configure(session, principal, unit_id)
    accounts = list(dict.fromkeys(accounts))
    check_staff(session, unit, accounts)
    session.execute(delete(UnitRole).where(col(UnitRole.unit_id) == unit.id, col(UnitRole.role) == role))
    for account_id in accounts:
        session.add(UnitRole(unit_id=unit.id, role=role, account_id=account_id))
    uow.emit("process.unit_roles.changed", f"{unit.id}/{role}", {"unit_id": unit.id, "role": role,
                                                                "accounts": accounts})
    uow.commit()
    return {"unit_id": unit.id, "role": role, "accounts": accounts}
