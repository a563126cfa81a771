"""Who may do what to a unit. The tree itself is public inside the organisation; changing it, and seeing
the people in it, needs a grant on the unit or one of its ancestors.

- super admins (``system.admin``) may do anything;
- an admin whose token lists the unit (or an ancestor) in ``admin_units`` and who holds ``units.manage``;
- an account on the unit's (or an ancestor's) editor list (Phân quyền thành viên)."""
from __future__ import annotations

from sqlmodel import Session, select

from services.common.auth import Principal
from services.common.errors import Forbidden
from services.orgunits.models import Unit, UnitEditor

MANAGE = "units.manage"


def lineage(unit: Unit) -> list[str]:
    """Ids from the root down to and including ``unit``."""
    return [part for part in unit.path.split("/") if part]


def can_edit(session: Session, principal: Principal, unit: Unit) -> bool:
    if principal.is_super_admin:
        return True
    ids = lineage(unit)
    if principal.has(MANAGE) and set(principal.admin_units) & set(ids):
        return True
    grant = session.exec(
        select(UnitEditor.unit_id).where(UnitEditor.account_id == principal.account_id,
                                         UnitEditor.unit_id.in_(ids)).limit(1)
    ).first()
    return grant is not None


def require_edit(session: Session, principal: Principal, unit: Unit) -> None:
    if not can_edit(session, principal, unit):
        raise Forbidden(f"you may not change “{unit.name}”: it is outside the units you administer or edit")


def unit_for_edit(session: Session, principal: Principal, unit_id: str) -> Unit:
    """The unit, if it exists (404) and the caller may change it (403) — the one per-object check."""
    from services.orgunits.domain.tree import get_unit  # tree imports this module

    unit = get_unit(session, unit_id)
    require_edit(session, principal, unit)
    return unit


def require_view_people(session: Session, principal: Principal, unit: Unit) -> None:
    """People data (headcount, members, bank accounts) of a unit: its editors, or someone working in it."""
    if principal.unit_id and principal.unit_id in lineage(unit):
        return
    if not can_edit(session, principal, unit):
        raise Forbidden(f"you may not see the people of “{unit.name}”")
