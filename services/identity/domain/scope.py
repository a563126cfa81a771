"""Who may act on what inside identity, on the suite's one authority check (services/common/authority.py).

The caller's grants are read fresh from the database (revocations apply at once): every admin grant is a pair
(unit, permissions), and every group membership is the pair (the group's unit, the group's permissions).
``get_account_for`` is the one per-object check every account operation goes through: an account outside all
of the caller's subtrees is "not found" (its existence is not revealed); reading needs a grant covering one of
the account's units; any change needs the caller to *dominate* the account — hold the permission on every
unit where the account holds anything, and hold there every permission the account holds — so an admin can
never act on someone who could act beyond the admin's own reach."""
from __future__ import annotations

from sqlalchemy import or_
from sqlmodel import Session, col, select

from services.common import authority as authz
from services.common.auth import Principal
from services.common.authority import Grant
from services.common.errors import Forbidden, Invalid, NotFound, Unauthorized
from services.common.i18n import msg
from services.common.logging import get_logger
from services.identity.models import Account, AccountStatus, AdminGrant, Appointment, Group, GroupMember, UnitRef

READ = "accounts.read"
log = get_logger(__name__)


def grants_of(session: Session, account_id: str) -> tuple[Grant, ...]:
    admin = session.exec(select(AdminGrant).where(AdminGrant.account_id == account_id)).all()
    groups = session.exec(select(Group).join(GroupMember, col(GroupMember.group_id) == Group.id)
                          .where(GroupMember.account_id == account_id)).all()
    pairs = [Grant(g.unit_id, frozenset(g.permissions)) for g in admin]
    pairs += [Grant(g.unit_id, frozenset(g.permissions)) for g in groups if g.permissions]
    return tuple(sorted(set(pairs), key=lambda g: (g.unit_id or "", sorted(g.permissions))))


def authority(session: Session, principal: Principal) -> Principal:
    """The caller as the database says now: a locked, archived or deleted caller is refused at once. The
    operator's break-glass token (``deploy/mint-token``, signed with identity's own key) is no account: its grants
    are taken as the token states them, and every use is logged."""
    if principal.break_glass:
        log.warning("identity.break_glass_token_used", subject=principal.account_id)
        return principal
    account = session.get(Account, principal.account_id)
    if account is None or account.status != AccountStatus.approved:
        raise Unauthorized(msg("this account can no longer act; sign in again"), code="account_inactive")
    return Principal(account_id=account.id, unit_id=account.unit_id, grants=grants_of(session, account.id),
                     name=account.full_name)


def unit_ref(session: Session, unit_id: str | None) -> UnitRef | None:
    return session.get(UnitRef, unit_id) if unit_id else None


def live_unit(session: Session, unit_id: str) -> UnitRef:
    unit = unit_ref(session, unit_id)
    if unit is None:
        raise Invalid(msg("unknown unit {unit_id!r}", unit_id=unit_id))
    if unit.status != "active":
        raise Invalid(msg("“{name}” is {status}; choose a unit in use", name=unit.name, status=unit.status))
    return unit


def lineage_of(session: Session, unit_id: str | None) -> tuple[str, ...]:
    """The unit's ancestors and itself; a unit nobody knows is covered only by grants on every unit."""
    unit = unit_ref(session, unit_id)
    return authz.lineage(unit.path) if unit is not None else ()


def can(session: Session, who: Principal, permission: str, unit_id: str | None) -> bool:
    return who.may(permission, lineage_of(session, unit_id))


def require(session: Session, who: Principal, permission: str, unit_id: str | None) -> None:
    unit = unit_ref(session, unit_id)
    authz.require(who.grants, permission, lineage_of(session, unit_id), unit.name if unit else str(unit_id))


def account_units(session: Session, account: Account) -> list[str]:
    extra = session.exec(select(Appointment.unit_id).where(Appointment.account_id == account.id)).all()
    return [u for u in [account.unit_id, *extra] if u]


def _holdings(session: Session, account: Account) -> tuple[list[str | None], tuple[Grant, ...]]:
    """Every unit where the account holds anything, and its grants."""
    grants = grants_of(session, account.id)
    return [*account_units(session, account), *(g.unit_id for g in grants)], grants


def _dominates(session: Session, who: Principal, permission: str, account: Account) -> str | None:
    """Why the caller may not change this account, or None when it may."""
    units, grants = _holdings(session, account)
    if any(unit_id is None or not can(session, who, permission, unit_id) for unit_id in units):
        return msg("it holds a post or rights outside what you administer")
    for grant in grants:  # each on a unit now: a grant on every unit was refused just above
        lineage = lineage_of(session, grant.unit_id)
        missing = sorted(perm for perm in grant.permissions if not who.may(perm, lineage))
        if missing:
            return msg("it holds {missing} where you do not", missing=missing[0])
    return None


def get_account_for(session: Session, principal: Principal, account_id: str, permission: str,
                    *, allow_self: bool = False) -> Account:
    """The account if the caller may apply ``permission`` to it; 404 outside the caller's subtrees."""
    who = authority(session, principal)
    account = session.get(Account, account_id) if account_id else None
    if account is None:
        raise NotFound(msg("no account {account_id!r}", account_id=account_id))
    if allow_self and who.account_id == account.id:
        return account
    if who.is_super_admin:
        return account
    units = account_units(session, account)
    if not any(authz.administers(who.grants, lineage_of(session, u)) for u in units):
        raise NotFound(msg("no account {account_id!r}", account_id=account_id))
    if not any(can(session, who, permission, u) for u in units):
        raise Forbidden(msg("you lack {permission} for this account", permission=permission), code="permission_missing")
    if permission == READ:
        return account
    why = _dominates(session, who, permission, account)
    if why:
        raise Forbidden(msg("you may not change this account: {why}; ask an admin above you", why=why),
                        code="account_outranks_you")
    return account


def subtree_filter(session: Session, who: Principal, permission: str, unit_id: str | None,
                   include_subtree: bool):
    """A WHERE clause limiting accounts to what the caller may see (and to the asked-for unit)."""
    clauses = []
    if unit_id:
        root = unit_ref(session, unit_id)
        if root is None:
            raise NotFound(msg("no unit {unit_id!r}", unit_id=unit_id))
        require(session, who, permission, unit_id)
        if include_subtree:
            clauses.append(col(Account.unit_id).in_(select(UnitRef.id).where(
                col(UnitRef.path).startswith(root.path))))
        else:
            clauses.append(Account.unit_id == unit_id)
    roots = authz.roots_with(who.grants, permission)
    if None in roots:
        return clauses
    paths = [r.path for r in (session.get(UnitRef, u) for u in roots) if r is not None]
    if not paths:
        raise Forbidden(msg("you lack {permission} for any unit", permission=permission), code="permission_missing")
    visible = select(UnitRef.id).where(or_(*[col(UnitRef.path).startswith(p) for p in paths]))
    clauses.append(col(Account.unit_id).in_(visible))
    return clauses
