"""Who may do what to a unit, on the suite's one authority check (services/common/authority.py). The tree itself
is public inside the organisation; changing it needs ``units.manage`` on the unit or an ancestor (or a place on
the unit's editor list — Phân quyền thành viên); seeing its people needs membership of that very unit, or a
grant covering it."""
from __future__ import annotations

from sqlmodel import Session, select

from services.common import authority
from services.common.auth import Principal
from services.common.errors import Forbidden
from services.common.i18n import msg
from services.orgunits.models import Unit, UnitEditor

MANAGE = "units.manage"
READ_PEOPLE = "accounts.read"


def lineage(unit: Unit) -> list[str]:
    """Ids from the root down to and including ``unit``."""
    return list(authority.lineage(unit.path))


def can_edit(session: Session, principal: Principal, unit: Unit) -> bool:
    ids = lineage(unit)
    if principal.may(MANAGE, ids):
        return True
    grant = session.exec(
        select(UnitEditor.unit_id).where(UnitEditor.account_id == principal.account_id,
                                         UnitEditor.unit_id.in_(ids)).limit(1)
    ).first()
    return grant is not None


def require_edit(session: Session, principal: Principal, unit: Unit) -> None:
    if not can_edit(session, principal, unit):
        raise Forbidden(msg("you may not change “{name}”: it is outside the units you administer or edit",
                            name=unit.name),
                        code="permission_missing", permission=MANAGE)


def unit_for_edit(session: Session, principal: Principal, unit_id: str) -> Unit:
    """The unit, if it exists (404) and the caller may change it (403) — the one per-object check."""
    from services.orgunits.domain.tree import get_unit  # tree imports this module

    unit = get_unit(session, unit_id)
    require_edit(session, principal, unit)
    return unit


def require_view_people(session: Session, principal: Principal, unit: Unit) -> None:
    """People data (headcount, members, bank accounts) of a unit: the people of that unit itself, its editors,
    or an admin whose grant covers it. An officer of a parent unit does not see a child's people."""
    if principal.unit_id == unit.id or principal.may(READ_PEOPLE, lineage(unit)):
        return
    if not can_edit(session, principal, unit):
        raise Forbidden(msg("you may not see the people of “{name}”", name=unit.name), code="permission_missing")
