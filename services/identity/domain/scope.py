"""Who may act on what: tiered, delegated administration confined to unit subtrees.

An admin grant is (account, unit, permissions): it covers the unit and everything below it. Groups add
functional permissions (tasks.assign, meetings.create …). ``get_account_for`` is the one per-object check
every account operation goes through: an account outside all of the caller's subtrees is "not found"
(its existence is not revealed); inside a subtree but without the permission it is "forbidden"."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import or_
from sqlmodel import Session, col, select

from services.common.auth import Principal
from services.common.errors import Forbidden, Invalid, NotFound
from services.common.permissions import SUPER_ADMIN
from services.identity.models import Account, AdminGrant, Appointment, Group, GroupMember, UnitRef


@dataclass(frozen=True)
class Authority:
    """What an account may do, read fresh from the database (revocations apply at once)."""

    account_id: str
    permissions: frozenset[str]
    grants: tuple[tuple[str, frozenset[str]], ...]

    @property
    def is_super(self) -> bool:
        return SUPER_ADMIN in self.permissions


def authority(session: Session, account_id: str) -> Authority:
    group_perms = session.exec(select(Group.permissions).join(GroupMember, col(GroupMember.group_id) == Group.id)
                               .where(GroupMember.account_id == account_id)).all()
    grants = session.exec(select(AdminGrant).where(AdminGrant.account_id == account_id)).all()
    perms = {p for perms in group_perms for p in perms} | {p for g in grants for p in g.permissions}
    return Authority(account_id, frozenset(perms),
                     tuple((g.unit_id, frozenset(g.permissions)) for g in grants))


def unit_ref(session: Session, unit_id: str | None) -> UnitRef | None:
    return session.get(UnitRef, unit_id) if unit_id else None


def live_unit(session: Session, unit_id: str) -> UnitRef:
    unit = unit_ref(session, unit_id)
    if unit is None:
        raise Invalid(f"unknown unit {unit_id!r}")
    if unit.status != "active":
        raise Invalid(f"“{unit.name}” is {unit.status}; choose a unit in use")
    return unit


def within(session: Session, unit_id: str | None, root_id: str) -> bool:
    unit = unit_ref(session, unit_id)
    return unit is not None and f"/{root_id}/" in unit.path


def can(session: Session, who: Authority, permission: str, unit_id: str | None) -> bool:
    if who.is_super:
        return True
    return any(permission in perms and within(session, unit_id, root) for root, perms in who.grants)


def require(session: Session, who: Authority, permission: str, unit_id: str | None) -> None:
    if not can(session, who, permission, unit_id):
        unit = unit_ref(session, unit_id)
        raise Forbidden(f"you lack {permission} for “{unit.name if unit else unit_id}”")


def account_units(session: Session, account: Account) -> list[str]:
    extra = session.exec(select(Appointment.unit_id).where(Appointment.account_id == account.id)).all()
    return [u for u in [account.unit_id, *extra] if u]


def get_account_for(session: Session, principal: Principal | Authority, account_id: str, permission: str,
                    *, allow_self: bool = False) -> Account:
    """The account if the caller may apply ``permission`` to it; 404 outside the caller's subtrees."""
    who = principal if isinstance(principal, Authority) else authority(session, principal.account_id)
    account = session.get(Account, account_id) if account_id else None
    if account is None:
        raise NotFound(f"no account {account_id!r}")
    if who.is_super or (allow_self and who.account_id == account.id):
        return account
    units = account_units(session, account)
    in_scope = [perms for root, perms in who.grants if any(within(session, u, root) for u in units)]
    if not in_scope:
        raise NotFound(f"no account {account_id!r}")
    if not any(permission in perms for perms in in_scope):
        raise Forbidden(f"you lack {permission} for this account")
    return account


def subtree_filter(session: Session, who: Authority, permission: str, unit_id: str | None,
                   include_subtree: bool):
    """A WHERE clause limiting accounts to what the caller may see (and to the asked-for unit)."""
    clauses = []
    if unit_id:
        root = unit_ref(session, unit_id)
        if root is None:
            raise NotFound(f"no unit {unit_id!r}")
        if not can(session, who, permission, unit_id):
            raise Forbidden(f"you lack {permission} for “{root.name}”")
        if include_subtree:
            clauses.append(col(Account.unit_id).in_(select(UnitRef.id).where(
                col(UnitRef.path).startswith(root.path))))
        else:
            clauses.append(Account.unit_id == unit_id)
    if not who.is_super:
        roots = [session.get(UnitRef, r) for r, perms in who.grants if permission in perms]
        paths = [r.path for r in roots if r is not None]
        if not paths:
            raise Forbidden(f"you lack {permission} for any unit")
        visible = select(UnitRef.id).where(or_(*[col(UnitRef.path).startswith(p) for p in paths]))
        clauses.append(col(Account.unit_id).in_(visible))
    return clauses
