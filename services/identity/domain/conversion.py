"""Account conversion (seed 004 §3.4): an old account's roles and admin grants move to a new account of the same
unit and the same user groups, after explicit confirmation; the old one is archived as converted, and neither a
converted nor an archived account is converted again."""
from __future__ import annotations

from sqlmodel import select

from services.common.auth import Principal
from services.common.db import UnitOfWork
from services.common.errors import Conflict, Invalid
from services.common.i18n import msg
from services.identity.domain.accounts import publish, record
from services.identity.domain.scope import get_account_for
from services.identity.domain.withdrawal import withdraw_access
from services.identity.models import AccountStatus, AdminGrant, ArchiveGroup, Group, GroupMember


def convert(uow: UnitOfWork, principal: Principal, old_id: str, new_id: str, confirm: bool) -> dict:
    session = uow.session
    old = get_account_for(session, principal, old_id, "accounts.convert")
    new = get_account_for(session, principal, new_id, "accounts.convert")
    if old.id == new.id:
        raise Invalid(msg("choose a different new account"))
    if old.status == AccountStatus.archived:
        if old.archive_group == ArchiveGroup.converted:
            raise Conflict(msg("{name} was already converted into another account; a converted account is not "
                               "converted again (convert the account it became)", name=old.full_name),
                           code="already_converted")
        raise Conflict(msg("{name} is archived; an archived account is not converted", name=old.full_name),
                       code="archived")
    if old.unit_id != new.unit_id:
        raise Conflict(msg("both accounts must belong to the same unit"), code="not_same_unit")
    if new.status != AccountStatus.approved:
        raise Conflict(msg("the new account is {status}; approve it first", status=new.status))
    old_groups = set(session.exec(select(GroupMember.group_id).where(GroupMember.account_id == old.id)).all())
    new_groups = set(session.exec(select(GroupMember.group_id).where(GroupMember.account_id == new.id)).all())
    if new_groups != old_groups:
        # seed 004 §3.4: both accounts in the same unit and the same user group
        missing = sorted(session.get(Group, g).name for g in old_groups - new_groups)
        extra = sorted(session.get(Group, g).name for g in new_groups - old_groups)
        raise Conflict(msg("both accounts must be in the same user groups: add the new account to {names} first",
                           names=", ".join(missing)) if missing else
                       msg("both accounts must be in the same user groups: the new account is also in {names}",
                           names=", ".join(extra)), code="not_same_group", missing=missing, extra=extra)
    grants = session.exec(select(AdminGrant).where(AdminGrant.account_id == old.id)).all()
    plan = {"roles": sorted(set(old.roles or [])), "group_ids": sorted(old_groups),
            "admin_grant_ids": [g.id for g in grants]}
    if not confirm:
        raise Conflict(msg("conversion moves roles, groups and admin rights and cannot be undone; send confirm=true"),
                       plan=plan)
    new.roles = sorted(set(new.roles or []) | set(old.roles or []))
    for member in session.exec(select(GroupMember).where(GroupMember.account_id == old.id)).all():
        session.delete(member)
    for grant in grants:
        grant.account_id = new.id
    old.roles, old.status, old.archive_group = [], AccountStatus.archived, ArchiveGroup.converted
    withdraw_access(uow, old.id, "converted", sessions=True)
    withdraw_access(uow, new.id, "grants_changed")
    record(session, old, "converted", principal.account_id, {"converted_to": (None, new.id)})
    record(session, new, "converted_from", principal.account_id, {"converted_from": (None, old.id)})
    publish(uow, "converted", old, old_account_id=old.id, new_account_id=new.id, moved=plan)
    uow.commit()
    return {"old_account_id": old.id, "new_account_id": new.id, "moved": plan}
