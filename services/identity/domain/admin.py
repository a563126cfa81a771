"""Delegated administration: admin grants (account, unit, permissions) and permission groups.
An admin acts only inside its subtrees and can never hand out a permission it does not hold there."""
from __future__ import annotations

from sqlmodel import Session, select

from services.common.auth import Principal
from services.common.db import UnitOfWork
from services.common.errors import Conflict, Invalid, NotFound
from services.common.i18n import msg
from services.common.models import iso
from services.common.permissions import SUPER_ADMIN, unknown
from services.identity.domain.scope import authority, can, get_account_for, require, unit_ref
from services.identity.domain.withdrawal import withdraw_access
from services.identity.models import (
    AdminGrant,
    Appointment,
    Group,
    GroupMember,
    OneTimeToken,
    RefreshToken,
    TransferRequest,
)
from services.identity.schemas import GrantCommand, GroupCommand, GroupUpdate

SYSTEM_GROUP = "Quản trị hệ thống"


def grant_view(grant: AdminGrant) -> dict:
    return {"id": grant.id, "account_id": grant.account_id, "unit_id": grant.unit_id,
            "permissions": sorted(grant.permissions), "granted_by": grant.granted_by,
            "granted_at": iso(grant.granted_at)}


def group_view(session: Session, group: Group) -> dict:
    members = session.exec(select(GroupMember.account_id).where(GroupMember.group_id == group.id)).all()
    return {"id": group.id, "name": group.name, "unit_id": group.unit_id, "permissions": sorted(group.permissions),
            "builtin": group.builtin, "member_ids": sorted(members)}


def _only_what_you_hold(session: Session, who: Principal, permissions: list[str], unit_id: str | None) -> None:
    """Nobody hands out — by a grant, a group's permissions or a group membership — what it does not hold on
    that unit itself."""
    bad = unknown(permissions)
    if bad:
        raise Invalid(msg("unknown permission(s): {items}", items=', '.join(bad)))
    if who.is_super_admin:
        return
    if SUPER_ADMIN in permissions or unit_id is None:
        raise Conflict(msg("only a super admin can grant system administration or rights outside every unit"))
    missing = [p for p in permissions if not can(session, who, p, unit_id)]
    if missing:
        raise Conflict(msg("you cannot grant what you do not hold there: {items}", items=', '.join(sorted(missing))))


def grant_admin(uow: UnitOfWork, principal: Principal, cmd: GrantCommand) -> AdminGrant:
    session = uow.session
    who = authority(session, principal)
    get_account_for(session, who, cmd.account_id, "admins.grant")
    if unit_ref(session, cmd.unit_id) is None:
        raise Invalid(msg("unknown unit {unit_id!r}", unit_id=cmd.unit_id))
    require(session, who, "admins.grant", cmd.unit_id)
    perms = sorted(set(cmd.permissions))
    _only_what_you_hold(session, who, perms, cmd.unit_id)
    grant = AdminGrant(account_id=cmd.account_id, unit_id=cmd.unit_id, permissions=perms,
                       granted_by=principal.account_id)
    session.add(grant)
    session.flush()
    withdraw_access(uow, cmd.account_id, "grants_changed")
    uow.emit("identity.admin.granted", cmd.account_id, {"grant": grant_view(grant)})
    uow.commit()
    return grant


def _grant_for(session: Session, who: Principal, grant_id: int) -> AdminGrant:
    grant = session.get(AdminGrant, grant_id)
    if grant is None or not can(session, who, "admins.grant", grant.unit_id):
        raise NotFound(msg("no admin grant {grant_id}", grant_id=grant_id))
    return grant


def revoke_admin(uow: UnitOfWork, principal: Principal, grant_id: int) -> None:
    session = uow.session
    grant = _grant_for(session, authority(session, principal), grant_id)
    if grant.account_id == principal.account_id:
        raise Conflict(msg("you cannot revoke your own admin grant; ask an admin above you"))
    get_account_for(session, principal, grant.account_id, "admins.grant")
    view = grant_view(grant)
    session.delete(grant)
    withdraw_access(uow, grant.account_id, "grants_changed")
    uow.emit("identity.admin.revoked", view["account_id"], {"grant": view})
    uow.commit()


def list_grants(session: Session, principal: Principal) -> list[AdminGrant]:
    who = authority(session, principal)
    grants = session.exec(select(AdminGrant).order_by(AdminGrant.id)).all()
    return [g for g in grants if can(session, who, "admins.grant", g.unit_id) or g.account_id == who.account_id]


def _group_for(session: Session, who: Principal, group_id: int) -> Group:
    group = session.get(Group, group_id)
    if group is None or not (who.is_super_admin or (group.unit_id and can(session, who, "groups.manage",
                                                                          group.unit_id))):
        raise NotFound(msg("no group {group_id}", group_id=group_id))
    return group


def create_group(uow: UnitOfWork, principal: Principal, cmd: GroupCommand) -> Group:
    session = uow.session
    who = authority(session, principal)
    if cmd.unit_id is not None:
        if unit_ref(session, cmd.unit_id) is None:
            raise Invalid(msg("unknown unit {unit_id!r}", unit_id=cmd.unit_id))
        require(session, who, "groups.manage", cmd.unit_id)
    elif not who.is_super_admin:
        raise Conflict(msg("only a super admin can create a group outside every unit"))
    _only_what_you_hold(session, who, cmd.permissions, cmd.unit_id)
    if session.exec(select(Group).where(Group.unit_id == cmd.unit_id, Group.name == cmd.name)).first():
        raise Conflict(msg("a group named “{name}” already exists there", name=cmd.name))
    group = Group(name=cmd.name, unit_id=cmd.unit_id, permissions=sorted(set(cmd.permissions)))
    session.add(group)
    uow.commit()
    return group


def update_group(uow: UnitOfWork, principal: Principal, group_id: int, cmd: GroupUpdate) -> Group:
    session = uow.session
    who = authority(session, principal)
    group = _group_for(session, who, group_id)
    if cmd.permissions is not None:
        if group.builtin:
            raise Conflict(msg("the permissions of the built-in group “{name}” are fixed", name=group.name))
        _only_what_you_hold(session, who, group.permissions, group.unit_id)
        _only_what_you_hold(session, who, cmd.permissions, group.unit_id)
        if sorted(set(cmd.permissions)) != sorted(group.permissions):
            for member in _member_ids(session, group):
                withdraw_access(uow, member, "grants_changed")
        group.permissions = sorted(set(cmd.permissions))
    if cmd.name:
        group.name = cmd.name
    uow.commit()
    return group


def delete_group(uow: UnitOfWork, principal: Principal, group_id: int) -> None:
    session = uow.session
    group = _group_for(session, authority(session, principal), group_id)
    if group.builtin:
        raise Conflict(msg("“{name}” is the built-in system-management group and cannot be deleted", name=group.name))
    for member in session.exec(select(GroupMember).where(GroupMember.group_id == group.id)).all():
        withdraw_access(uow, member.account_id, "grants_changed")
        session.delete(member)
    session.delete(group)
    uow.commit()


def set_membership(uow: UnitOfWork, principal: Principal, group_id: int, account_id: str, member: bool) -> Group:
    session = uow.session
    who = authority(session, principal)
    group = _group_for(session, who, group_id)
    # Joining or leaving hands out or takes away the group's permissions on its unit: only someone who holds
    # them there may do it, and only to someone it administers entirely (yourself included).
    _only_what_you_hold(session, who, group.permissions, group.unit_id)
    get_account_for(session, who, account_id, "groups.manage")
    row = session.get(GroupMember, (group.id, account_id))
    if member and row is None:
        session.add(GroupMember(group_id=group.id, account_id=account_id))
        withdraw_access(uow, account_id, "grants_changed")
    elif not member and row is not None:
        if group.builtin and account_id == principal.account_id:
            raise Conflict(msg("you cannot remove yourself from the system-management group"))
        session.delete(row)
        withdraw_access(uow, account_id, "grants_changed")
    uow.commit()
    return group


def _member_ids(session: Session, group: Group) -> list[str]:
    return list(session.exec(select(GroupMember.account_id).where(GroupMember.group_id == group.id)).all())


def list_groups(session: Session, principal: Principal) -> list[Group]:
    who = authority(session, principal)
    groups = session.exec(select(Group).order_by(Group.id)).all()
    return [g for g in groups if who.is_super_admin or (g.unit_id and can(session, who, "groups.manage", g.unit_id))]


def remove_all_of(session: Session, account_id: str) -> None:
    """Everything that hangs on an account, before the account itself is deleted."""
    for table in (AdminGrant, GroupMember, Appointment, RefreshToken, OneTimeToken, TransferRequest):
        for row in session.exec(select(table).where(table.account_id == account_id)).all():
            session.delete(row)
    session.flush()
