"""Accounts and their lifecycle: register → approve/reject, edit, lock/unlock, archive, delete; lists,
statistics and the edit history (Lịch sử chỉnh sửa)."""
from __future__ import annotations

import json
import re
import uuid

from sqlalchemy import String, cast, func, or_
from sqlmodel import Session, col, select

from services.common import contact
from services.common.auth import Principal
from services.common.db import UnitOfWork
from services.common.errors import Conflict, Forbidden, Invalid
from services.common.i18n import msg
from services.common.models import iso, utcnow
from services.common.text import fold, sort_key
from services.identity.domain import passwords
from services.identity.domain.scope import (
    authority,
    can,
    get_account_for,
    live_unit,
    subtree_filter,
)
from services.identity.domain.withdrawal import not_yourself, withdraw_access
from services.identity.models import (
    Account,
    AccountChange,
    AccountStatus,
    AdminGrant,
    Appointment,
    Group,
    GroupMember,
    UnitRef,
)
from services.identity.schemas import AccountUpdate, Approval, Registration

EDITABLE = ("full_name", "date_of_birth", "phone", "email", "department", "position", "staff_category", "roles",
            "note", "is_head", "manager_id")


def snapshot(session: Session, account: Account) -> dict:
    """The account as events and API responses show it (never any secret)."""
    appointments = session.exec(select(Appointment).where(Appointment.account_id == account.id)).all()
    return {
        "id": account.id, "username": account.username, "full_name": account.full_name,
        "date_of_birth": account.date_of_birth.isoformat() if account.date_of_birth else None,
        "citizen_id": account.citizen_id, "phone": account.phone, "email": account.email,
        "unit_id": account.unit_id, "department": account.department, "position": account.position,
        "staff_category": account.staff_category, "grade_code": account.grade_code,
        "title_category": account.title_category, "salary_coefficient": account.salary_coefficient,
        "roles": list(account.roles or []), "note": account.note,
        "is_head": account.is_head, "manager_id": account.manager_id, "status": str(account.status),
        "archive_group": account.archive_group, "needs_redeclare": account.needs_redeclare,
        "appointments": [{"unit_id": a.unit_id, "position": a.position} for a in appointments],
        "version": account.version, "updated_at": iso(account.updated_at), "updated_by": account.updated_by,
    }


def unit_names(session: Session, unit_ids: set[str | None]) -> dict[str, str]:
    """The names of these units, from identity's read model of the tree (one query for a page of rows)."""
    ids = [u for u in unit_ids if u]
    if not ids:
        return {}
    return {u.id: u.name for u in session.exec(select(UnitRef).where(col(UnitRef.id).in_(ids))).all()}


def publish(uow: UnitOfWork, change: str, account: Account, **extra) -> None:
    uow.session.flush()
    uow.emit(f"identity.account.{change}", account.id, {"account": snapshot(uow.session, account), **extra})


def record(session: Session, account: Account, action: str, by: str | None,
           changes: dict[str, tuple[object, object]] | None = None) -> None:
    """Write the history rows and stamp the account."""
    for name, (old, new) in (changes or {None: (None, None)}).items():
        session.add(AccountChange(account_id=account.id, action=action, field=name,
                                  old_value=None if old is None else str(old)[:2000],
                                  new_value=None if new is None else str(new)[:2000], changed_by=by))
    account.version += 1
    account.updated_at = utcnow()
    account.updated_by = by


def _ensure_unique(session: Session, account_id: str | None, **values) -> None:
    for name, value in values.items():
        if value is None:
            continue
        holder = session.exec(select(Account).where(getattr(Account, name) == value)).first()
        if holder is not None and holder.id != account_id:
            raise Conflict(msg("another account already uses this {field}", field=name.replace('_', ' ')))


def refresh_derived(account: Account) -> Account:
    """The columns searching and sorting use: folded text (no diacritics) and a Vietnamese sort key that puts
    the given name (the last word) first, as Vietnamese staff lists are ordered."""
    account.search_text = fold(f"{account.full_name} {account.citizen_id or ''} {account.username}")
    account.sort_name = sort_key(account.full_name.rsplit(" ", 1)[-1]) + "|" + sort_key(account.full_name)
    return account


def register(uow: UnitOfWork, data: Registration) -> Account:
    """A pending registration. When the citizen ID or e-mail is already in use the answer looks exactly the
    same but nothing is stored: a public form must not tell strangers who has an account (the person can sign
    in, or ask for a reset link)."""
    session = uow.session
    live_unit(session, data.unit_id)
    account = Account(id=uuid.uuid4().hex, username=data.citizen_id, status=AccountStatus.pending,
                      **data.model_dump())
    refresh_derived(account)
    try:
        _ensure_unique(session, None, citizen_id=data.citizen_id, email=data.email, username=data.citizen_id)
    except Conflict:
        session.add(AccountChange(account_id="-", action="registration_duplicate", field=None,
                                  new_value=data.unit_id, changed_by="public"))
        uow.commit()
        return account
    session.add(account)
    record(session, account, "registered", account.id)
    publish(uow, "registered", account)
    uow.commit()
    return account


def import_accounts(uow: UnitOfWork, principal: Principal, records: list) -> list[Account]:
    """Bring existing officers over, approved, all or nothing. They get no password: they sign in with the
    e-ID, a reset link, or a one-time password their admin issues."""
    session = uow.session
    who = authority(session, principal)
    outside = sorted({r.unit_id for r in records if not can(session, who, "accounts.approve", r.unit_id)})
    if outside:
        raise Forbidden(msg("you lack accounts.approve for {count} of the units named; nothing was imported",
                            count=len(outside)),
                        code="permission_missing", permission="accounts.approve", units=outside[:50])
    problems, seen = [], set()
    for line, record_ in enumerate(records, start=1):
        try:
            live_unit(session, record_.unit_id)
            if record_.citizen_id in seen:
                raise Conflict(msg("the citizen ID is repeated in the import"))
            seen.add(record_.citizen_id)
            _ensure_unique(session, None, citizen_id=record_.citizen_id, email=record_.email,
                           username=record_.citizen_id)
        except (Conflict, Invalid, Forbidden) as exc:
            problems.append({"line": line, "citizen_id": record_.citizen_id, "message": exc.detail})
    if problems:
        raise Invalid(msg("the import was refused with {count} problem(s); nothing was imported", count=len(problems)),
                      problems=problems[:500])
    created = []
    for record_ in records:
        account = Account(id=uuid.uuid4().hex, username=record_.citizen_id, status=AccountStatus.approved,
                          legacy_id_card=len(record_.citizen_id) == 9, **record_.model_dump())
        refresh_derived(account)
        session.add(account)
        record(session, account, "imported", principal.account_id)
        publish(uow, "approved", account)
        created.append(account)
    uow.commit()
    return created


def issue_one_time_password(uow: UnitOfWork, principal: Principal, account_id: str) -> str:
    """A new one-time password for someone who cannot sign in (shown once to the admin)."""
    session = uow.session
    account = get_account_for(session, principal, account_id, "accounts.edit")
    if account.status != AccountStatus.approved:
        raise Conflict(msg("the account is {status}; only an approved account can sign in", status=account.status))
    otp = passwords.one_time_password()
    account.password_hash, account.must_change_password = passwords.hash_password(otp), True
    withdraw_access(uow, account.id, "one_time_password_issued", sessions=True)
    record(session, account, "one_time_password_issued", principal.account_id)
    uow.commit()
    return otp


def approve(uow: UnitOfWork, principal: Principal, account_id: str, data: Approval) -> tuple[Account, str]:
    """Approve a registration; returns the one-time password to hand to the person (shown once)."""
    session = uow.session
    account = get_account_for(session, principal, account_id, "accounts.approve")
    if account.status != AccountStatus.pending:
        raise Conflict(msg("the account is {status}, not waiting for approval", status=account.status))
    changes = _apply(account, data.model_dump(exclude_none=True))
    changes["status"] = (account.status, AccountStatus.approved)
    account.status = AccountStatus.approved
    otp = passwords.one_time_password()
    account.password_hash = passwords.hash_password(otp)
    account.must_change_password = True
    record(session, account, "approved", principal.account_id, changes)
    publish(uow, "approved", account)
    uow.commit()
    return account, otp


def reject(uow: UnitOfWork, principal: Principal, account_id: str, reason: str) -> Account:
    session = uow.session
    account = get_account_for(session, principal, account_id, "accounts.approve")
    if account.status != AccountStatus.pending:
        raise Conflict(msg("the account is {status}, not waiting for approval", status=account.status))
    account.status = AccountStatus.rejected
    account.rejection_reason = reason
    record(session, account, "rejected", principal.account_id,
           {"status": (AccountStatus.pending, AccountStatus.rejected), "rejection_reason": (None, reason)})
    publish(uow, "rejected", account, reason=reason)
    uow.commit()
    return account


def _apply(account: Account, values: dict) -> dict[str, tuple[object, object]]:
    changes = {}
    for name, value in values.items():
        old = getattr(account, name)
        if old != value:
            setattr(account, name, value)
            changes[name] = (old, value)
    if "full_name" in changes:
        refresh_derived(account)
    return changes


def update(uow: UnitOfWork, principal: Principal, account_id: str, data: AccountUpdate) -> Account:
    session = uow.session
    account = get_account_for(session, principal, account_id, "accounts.edit")
    values = data.model_dump(exclude_unset=True)
    if values.get("full_name", "") is None:
        raise Invalid(msg("the full name cannot be emptied"))
    if values.get("manager_id"):
        get_account_for(session, principal, values["manager_id"], "accounts.read")
    _ensure_unique(session, account.id, email=values.get("email"))
    changes = _apply(account, values)
    if changes:
        record(session, account, "updated", principal.account_id, changes)
        publish(uow, "updated", account, changed=sorted(changes))
        uow.commit()
    return account


def set_locked(uow: UnitOfWork, principal: Principal, account_id: str, locked: bool) -> Account:
    session = uow.session
    account = get_account_for(session, principal, account_id, "accounts.lock")
    wanted, allowed_from = ((AccountStatus.locked, AccountStatus.approved) if locked
                            else (AccountStatus.approved, AccountStatus.locked))
    if account.status != allowed_from:
        raise Conflict(msg("the account is {status}; only an approved account can be locked", status=account.status)
                       if locked else msg("the account is {status}; only a locked account can be unlocked",
                                          status=account.status))
    if locked:
        not_yourself(principal, account, "lock")
    account.status = wanted
    if locked:
        withdraw_access(uow, account.id, "locked", sessions=True)
    record(session, account, "locked" if locked else "unlocked", principal.account_id,
           {"status": (allowed_from, wanted)})
    publish(uow, "locked" if locked else "unlocked", account)
    uow.commit()
    return account


APPROVE = "accounts.approve"


def approvers_at(session: Session, unit_id: str | None, *, excluding: str,
                 counts: tuple[str, ...] = (APPROVE,)) -> set[str]:
    """The approved accounts, other than ``excluding``, holding one of ``counts`` at exactly this unit — by an admin
    grant there or through a group of that unit (``None``: the groups of every unit, such as the system group)."""
    grants = session.exec(select(AdminGrant).where(AdminGrant.unit_id == unit_id)).all() if unit_id else []
    found = {g.account_id for g in grants if set(counts) & set(g.permissions)}
    groups = session.exec(select(Group).where(
        Group.unit_id == unit_id if unit_id else col(Group.unit_id).is_(None))).all()
    for group in groups:
        if set(counts) & set(group.permissions):
            found |= set(session.exec(select(GroupMember.account_id).where(GroupMember.group_id == group.id)))
    found.discard(excluding)
    if not found:
        return set()
    return set(session.exec(select(Account.id).where(col(Account.id).in_(found),
                                                     Account.status == AccountStatus.approved)).all())


def _sole_approver_grants(session: Session, account: Account) -> list[AdminGrant]:
    """The account's grants holding accounts.approve on a unit where no other active account holds it (by a
    grant or a group of that unit): archiving it would leave the unit's registrations with nobody to approve them."""
    return [grant for grant in session.exec(select(AdminGrant).where(AdminGrant.account_id == account.id)).all()
            if APPROVE in grant.permissions and not approvers_at(session, grant.unit_id, excluding=account.id)]


def _hand_over(uow: UnitOfWork, principal: Principal, account: Account, replacement_id: str | None) -> None:
    """Seed 002's warning: the last approver of a unit is archived only once a replacement takes the right over."""
    from services.identity.domain.admin import _only_what_you_hold, grant_view

    session = uow.session
    sole = _sole_approver_grants(session, account)
    if not sole:
        return
    names = ", ".join(sorted((session.get(UnitRef, g.unit_id).name if session.get(UnitRef, g.unit_id) else g.unit_id)
                             for g in sole))
    if not replacement_id:
        raise Conflict(msg("{name} is the last person who approves the accounts of {units}; name a replacement who "
                           "takes that right over before archiving", name=account.full_name, units=names),
                       code="last_approver", unit_ids=[g.unit_id for g in sole])
    replacement = get_account_for(session, principal, replacement_id, "accounts.lock")
    if replacement.id == account.id or replacement.status != AccountStatus.approved:
        raise Invalid(msg("the replacement must be another approved account"), code="bad_replacement")
    who = authority(session, principal)
    for grant in sole:
        _only_what_you_hold(session, who, list(grant.permissions), grant.unit_id)
        before = grant_view(grant)
        grant.account_id, grant.granted_by = replacement.id, principal.account_id
        uow.emit("identity.admin.revoked", account.id, {"grant": before})
        uow.emit("identity.admin.granted", replacement.id, {"grant": grant_view(grant)})
    withdraw_access(uow, replacement.id, "grants_changed")


def archive(uow: UnitOfWork, principal: Principal, account_id: str, group: str,
            replacement_id: str | None = None) -> Account:
    session = uow.session
    account = get_account_for(session, principal, account_id, "accounts.lock")
    if account.status == AccountStatus.archived:
        raise Conflict(msg("the account is already archived"))
    not_yourself(principal, account, "archive")
    _hand_over(uow, principal, account, replacement_id)
    old = account.status
    account.status, account.archive_group = AccountStatus.archived, group
    withdraw_access(uow, account.id, "archived", sessions=True)
    record(session, account, "archived", principal.account_id,
           {"status": (old, AccountStatus.archived), "archive_group": (None, group)})
    publish(uow, "archived", account)
    uow.commit()
    return account


def delete(uow: UnitOfWork, principal: Principal, account_id: str) -> None:
    """Delete on request: the account and its personal data go; the event keeps the last snapshot."""
    from services.identity.domain.admin import remove_all_of

    session = uow.session
    account = get_account_for(session, principal, account_id, "accounts.delete")
    not_yourself(principal, account, "delete")
    if _sole_approver_grants(session, account):
        raise Conflict(msg("{name} is the last person who approves the accounts of a unit; archive the account naming "
                           "a replacement, or give someone else that right first", name=account.full_name),
                       code="last_approver")
    withdraw_access(uow, account.id, "deleted")
    publish(uow, "deleted", account)
    remove_all_of(session, account.id)
    session.delete(account)
    uow.commit()


_PHONE_MARKS = re.compile(r"[\s.\-()+]")


def _text_filter(text: str) -> list:
    """Words of a name, a citizen id or a username without diacritics; or a phone number however it is written
    (0912.345.678, +84 912 345 678, the last digits of one)."""
    digits = _PHONE_MARKS.sub("", text)
    if digits.isdigit() and len(digits) >= 6:
        try:
            national = contact.phone(text)
        except ValueError:
            national = None
        found = {digits} | ({national} if national else set())
        return [or_(*[col(Account.search_text).contains(d, autoescape=True) for d in found],
                    *[col(Account.phone).contains(d, autoescape=True) for d in found])]
    return [col(Account.search_text).contains(word, autoescape=True) for word in fold(text).split()]


def list_accounts(session: Session, principal: Principal, *, unit_id: str | None = None, subtree: bool = True,
                  status: str | None = None, department: str | None = None, role: str | None = None,
                  text: str | None = None, limit: int = 50, offset: int = 0) -> tuple[list[Account], int]:
    who = authority(session, principal)
    query = select(Account).where(*subtree_filter(session, who, "accounts.read", unit_id, subtree))
    if status:
        query = query.where(Account.status == status)
    if department:
        query = query.where(Account.department == department)
    if text:
        query = query.where(*_text_filter(text))
    if role:
        # roles is a JSON list; its text form holds each role as a quoted string on every database.
        query = query.where(cast(Account.roles, String).contains(json.dumps(role), autoescape=True))
    total = session.exec(select(func.count()).select_from(query.subquery())).one()
    page = session.exec(query.order_by(Account.sort_name, Account.id).offset(offset).limit(limit)).all()
    return list(page), total


def statistics(session: Session, principal: Principal, unit_id: str | None) -> list[dict]:
    """Accounts per unit and status (Thống kê tài khoản) within what the caller administers."""
    who = authority(session, principal)
    rows = session.exec(select(Account.unit_id, Account.status, func.count())
                        .where(*subtree_filter(session, who, "accounts.read", unit_id, True))
                        .group_by(Account.unit_id, Account.status)).all()
    per_unit: dict[str | None, dict[str, int]] = {}
    for unit, status, count in rows:
        per_unit.setdefault(unit, {})[str(status)] = count
    return [{"unit_id": u, "by_status": s, "total": sum(s.values())} for u, s in sorted(per_unit.items(),
                                                                                      key=lambda kv: kv[0] or "")]


def history(session: Session, principal: Principal, account_id: str) -> list[AccountChange]:
    get_account_for(session, principal, account_id, "accounts.read", allow_self=True)
    return list(session.exec(select(AccountChange).where(AccountChange.account_id == account_id)
                             .order_by(AccountChange.id)).all())


def read(session: Session, principal: Principal, account_id: str) -> Account:
    return get_account_for(session, principal, account_id, "accounts.read", allow_self=True)
