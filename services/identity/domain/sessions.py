"""Signing in: password (with throttling and an audit of every attempt), one-time passwords that can only
set a new password, refresh tokens kept server-side, logout, forgotten passwords."""
from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import update
from sqlmodel import Session, col, or_, select

from services.common.auth import claims_for
from services.common.db import UnitOfWork
from services.common.errors import Forbidden, Invalid, TooManyRequests, Unauthorized
from services.common.i18n import msg
from services.common.models import iso, utcnow
from services.common.revocation import current_floor
from services.common.sealing import Sealer
from services.identity.domain import passwords, signin_rules
from services.identity.domain.accounts import record
from services.identity.domain.scope import grants_of, unit_ref
from services.identity.domain.throttle import Budget, reserve, settle
from services.identity.domain.tokens import TokenIssuer
from services.identity.domain.withdrawal import withdraw_access
from services.identity.models import (
    Account,
    AccountStatus,
    LoginAttempt,
    OneTimeToken,
    RefreshToken,
    UnitRef,
)

REFRESH_TTL = timedelta(days=30)
CHANGE_TTL = timedelta(minutes=15)
RESET_TTL = timedelta(minutes=30)
WRONG = msg("wrong user name or password")


@dataclass(frozen=True)
class SignInPolicy:
    """How many password checks each budget allows per window (identity's settings)."""

    per_address_and_account: int = 5    # one person at one desk
    per_account: int = 10               # from every unknown device together
    per_address: int = 50               # a whole office behind one address
    window: timedelta = timedelta(minutes=15)
    resets_per_account: int = 3         # reset messages per account per hour
    resets_per_address: int = 10

    def sign_in(self, account_key: str, ip: str, device: str | None) -> list[Budget]:
        where = f"dev:{device}" if device else f"ip:{ip}"
        budgets = [Budget(passwords.digest(f"pair|{where}|{account_key}"), self.per_address_and_account,
                          self.window, msg("too many wrong passwords for this account from your device"))]
        if not device:
            budgets.append(Budget(passwords.digest(f"acct|{account_key}"), self.per_account, self.window,
                                  msg("too many wrong passwords for this account from unknown devices; sign in "
                                      "from a device you used before, or reset the password")))
        budgets.append(Budget(passwords.digest(f"ip|{ip}"), self.per_address, self.window,
                              msg("too many wrong passwords from your network address")))
        return budgets

    def resets(self, account_key: str, ip: str) -> tuple[Budget, Budget]:
        hour = timedelta(hours=1)
        return (Budget(passwords.digest(f"reset-ip|{ip}"), self.resets_per_address, hour,
                       msg("too many password-reset requests from your address")),
                Budget(passwords.digest(f"reset|{account_key}"), self.resets_per_account, hour, "quiet"))


def _aware(moment: datetime | None) -> datetime | None:
    return moment.replace(tzinfo=UTC) if moment is not None and moment.tzinfo is None else moment


def find_account(session: Session, username: str) -> Account | None:
    key = username.strip().lower()
    return session.exec(select(Account).where(or_(Account.username == key, Account.email == key,
                                                  Account.citizen_id == key))).first()


def account_key(account: Account | None, typed: str) -> str:
    """One budget per account whatever identifier was typed; an unknown name gets its own."""
    return account.id if account is not None else "name|" + typed.strip().lower()


def device_of(issuer: TokenIssuer, token: str | None, account: Account | None) -> str | None:
    """The device id of a device token this account's owner received at an earlier sign-in."""
    if not token or account is None:
        return None
    claims = issuer.read_device_token(token)
    return claims["dev"] if claims and claims.get("sub") == account.id else None


def _audit(session: Session, username: str, account: Account | None, ip: str | None, outcome: str,
           method: str = "password") -> None:
    session.add(LoginAttempt(username=username.strip().lower()[:200], account_id=account.id if account else None,
                             remote_addr=ip, outcome=outcome, method=method))


def check_password(db, issuer: TokenIssuer, policy: SignInPolicy, account: Account | None, typed: str,
                   password: str, ip: str, device_token: str | None = None) -> str | None:
    """Take an attempt from every budget, then check the password; the device id when it is a known device.
    Wrong password: 401 (the attempt stays counted); budget exhausted: 429 before any check."""
    device = device_of(issuer, device_token, account)
    budgets = policy.sign_in(account_key(account, typed), ip, device)
    reserve(db, budgets)
    if not passwords.verify(account, password):
        raise Unauthorized(WRONG)
    settle(db, cleared=[budgets[0].key], returned=[budget.key for budget in budgets[1:]])
    return device


def login(uow: UnitOfWork, issuer: TokenIssuer, policy: SignInPolicy, username: str, password: str, ip: str,
          device_token: str | None = None) -> dict:
    session = uow.session
    account = find_account(session, username)
    try:
        device = check_password(uow.db, issuer, policy, account, username, password, ip, device_token)
    except (TooManyRequests, Unauthorized) as exc:
        outcome = "throttled" if isinstance(exc, TooManyRequests) else "wrong_password"
        _audit(session, username, account, ip, outcome)
        uow.commit()
        raise
    if account.status != AccountStatus.approved:
        _audit(session, username, account, ip, f"refused_{account.status}")
        uow.commit()
        raise Forbidden(msg("this account is {status}; it cannot sign in", status=account.status))
    allowed, source = signin_rules.rule(session, account.unit_id)
    if not allowed:
        _audit(session, username, account, ip, "refused_eid_only")
        uow.commit()
        unit = unit_ref(session, source)
        raise Forbidden(msg("the people of “{unit}” sign in with the e-ID (VNeID), not with a password",
                            unit=unit.name if unit else source), code="eid_only")
    if passwords.needs_rehash(account):
        account.password_hash = passwords.hash_password(password)
    device_token = issuer.device_token(account.id, device)
    if account.must_change_password:
        ticket = _one_time(session, "change_password", account.id, CHANGE_TTL)
        _audit(session, username, account, ip, "password_change_required")
        uow.commit()
        return {"password_change_required": True, "change_token": ticket, "device_token": device_token,
                "detail": "this password can only be used to choose a new one"}
    _audit(session, username, account, ip, "success")
    result = issue(session, issuer, account)
    uow.commit()
    return {**result, "device_token": device_token}


def _one_time(session: Session, purpose: str, account_id: str, ttl: timedelta, payload: dict | None = None) -> str:
    token, digest = passwords.new_secret()
    session.add(OneTimeToken(token_hash=digest, purpose=purpose, account_id=account_id, payload=payload or {},
                             expires_at=utcnow() + ttl))
    return token


def use_one_time(session: Session, token: str, purpose: str) -> OneTimeToken:
    row = session.get(OneTimeToken, passwords.digest(token))
    if row is None or row.purpose != purpose or row.used_at is not None or _aware(row.expires_at) < utcnow():
        raise Unauthorized(msg("the link or ticket is unknown, used or expired; start again"))
    row.used_at = utcnow()
    return row


def issue(session: Session, issuer: TokenIssuer, account: Account, family: str | None = None) -> dict:
    """An access token carrying the account's grants as (unit, permissions) pairs and its token generation,
    and a refresh token of the sign-in's family."""
    access, ttl = issuer.access_token(account_id=account.id, unit_id=account.unit_id,
                                      grants=claims_for(grants_of(session, account.id)),
                                      version=current_floor(session, account.id), name=account.full_name)
    refresh, digest = passwords.new_secret()
    session.add(RefreshToken(token_hash=digest, account_id=account.id, expires_at=utcnow() + REFRESH_TTL,
                             family=family or uuid.uuid4().hex))
    return {"access_token": access, "token_type": "Bearer", "expires_in": ttl, "refresh_token": refresh,
            "account_id": account.id}


def _set_password(uow: UnitOfWork, account: Account, new_password: str) -> None:
    session = uow.session
    passwords.check_policy(new_password, account, _unit_name(session, account))
    if passwords.verify(account, new_password):
        raise Invalid(msg("choose a password different from the current one"), code="password_unchanged")
    account.password_hash = passwords.hash_password(new_password)
    account.must_change_password = False
    record(session, account, "password_changed", account.id)
    _void_tickets(session, account.id)  # every other reset link or change ticket dies with the old password
    withdraw_access(uow, account.id, "password_changed", sessions=True)


def _void_tickets(session: Session, account_id: str, purpose: str | None = None) -> None:
    """Use up the account's open one-time tickets (of one purpose, or all)."""
    query = select(OneTimeToken).where(OneTimeToken.account_id == account_id, col(OneTimeToken.used_at).is_(None))
    for row in session.exec(query.where(OneTimeToken.purpose == purpose) if purpose else query).all():
        row.used_at = utcnow()


def _unit_name(session: Session, account: Account) -> str | None:
    unit = session.get(UnitRef, account.unit_id) if account.unit_id else None
    return unit.name if unit else None


def change_password(uow: UnitOfWork, issuer: TokenIssuer, policy: SignInPolicy, *, new_password: str, ip: str,
                    change_token: str | None = None, username: str | None = None,
                    current_password: str | None = None, device_token: str | None = None) -> dict:
    """With the ticket of a one-time password, or with the current password — which is throttled and audited
    exactly as a sign-in, so this is no guessing oracle."""
    session = uow.session
    if change_token:
        account = session.get(Account, use_one_time(session, change_token, "change_password").account_id)
    else:
        account = find_account(session, username or "")
        try:
            check_password(uow.db, issuer, policy, account, username or "", current_password or "", ip,
                           device_token)
        except (TooManyRequests, Unauthorized) as exc:
            outcome = "throttled" if isinstance(exc, TooManyRequests) else "wrong_password"
            _audit(session, username or "", account, ip, outcome, method="password_change")
            uow.commit()
            raise
    if account is None or account.status != AccountStatus.approved:
        raise Forbidden(msg("this account cannot sign in"))
    _set_password(uow, account, new_password)
    _audit(session, account.username, account, ip, "password_changed", method="password_change")
    result = issue(session, issuer, account)
    uow.commit()
    return result


def refresh(uow: UnitOfWork, issuer: TokenIssuer, token: str) -> dict:
    """Rotate: the used refresh token is revoked and a new pair of the same family is issued. A refresh token
    used twice means it was stolen: its whole family and every access token of the account are withdrawn."""
    session = uow.session
    row = session.get(RefreshToken, passwords.digest(token))
    if row is not None and row.revoked_at is not None:
        _replayed(uow, token)
    if row is None or _aware(row.expires_at) < utcnow():
        raise Unauthorized(msg("the refresh token is unknown, revoked or expired; sign in again"))
    account = session.get(Account, row.account_id)
    if account is None or account.status != AccountStatus.approved:
        raise Unauthorized(msg("this account can no longer sign in"))
    # used up in one statement: of two requests presenting the same token at once, exactly one wins; the other
    # is a replay like any later one (read-then-write would let both through)
    won = session.execute(update(RefreshToken).where(RefreshToken.token_hash == row.token_hash,
                                                     col(RefreshToken.revoked_at).is_(None))
                          .values(revoked_at=utcnow())).rowcount
    if won != 1:
        session.rollback()
        _replayed(uow, token)
    result = issue(session, issuer, account, family=row.family)
    uow.commit()
    return result


def _replayed(uow: UnitOfWork, token: str):
    row = uow.session.get(RefreshToken, passwords.digest(token))
    _revoke_family(uow, row)
    uow.commit()
    raise Unauthorized(msg("this refresh token was already used; every session of this sign-in was closed for safety "
                           "— sign in again"), code="refresh_reused")


def _revoke_family(uow: UnitOfWork, row: RefreshToken) -> None:
    family = uow.session.exec(select(RefreshToken).where(RefreshToken.family == row.family,
                                                         col(RefreshToken.revoked_at).is_(None))).all()
    for member in family:
        member.revoked_at = utcnow()
    withdraw_access(uow, row.account_id, "refresh_token_reused")


def logout(uow: UnitOfWork, token: str) -> None:
    row = uow.session.get(RefreshToken, passwords.digest(token))
    if row is not None and row.revoked_at is None:
        row.revoked_at = utcnow()
        uow.commit()


def forgot(uow: UnitOfWork, policy: SignInPolicy, sealer: Sealer, username: str, ip: str | None) -> None:
    """Always answers the same; an existing, approved account gets a reset token through notify — at most a few
    per hour (beyond that nothing is sent, and the answer does not change), and a new one voids the older. The
    token crosses the bus sealed for notify: nobody else bound to the event can use it."""
    session = uow.session
    account = find_account(session, username)
    by_address, by_account = policy.resets(account_key(account, username), ip or "unknown")
    reserve(uow.db, [by_address])
    _audit(session, username, account, ip, "reset_requested", method="reset")
    if account is None or account.status != AccountStatus.approved or not (account.email or account.phone):
        uow.commit()
        return
    try:
        reserve(uow.db, [by_account])
    except TooManyRequests:
        _audit(session, username, account, ip, "reset_throttled", method="reset")
        uow.commit()
        return
    _void_tickets(session, account.id, "reset_password")
    token = _one_time(session, "reset_password", account.id, RESET_TTL)
    uow.emit("identity.password_reset.requested", account.id, {
        "schema_version": 2, "account_id": account.id, "full_name": account.full_name, "email": account.email,
        "phone": account.phone, "sealed_token": sealer.seal(token), "expires_at": iso(utcnow() + RESET_TTL)})
    uow.commit()


def reset(uow: UnitOfWork, token: str, new_password: str) -> None:
    session = uow.session
    account = session.get(Account, use_one_time(session, token, "reset_password").account_id)
    if account is None or account.status != AccountStatus.approved:
        raise Forbidden(msg("this account cannot sign in"))
    _set_password(uow, account, new_password)
    uow.commit()


def sign_in_by_citizen_id(uow: UnitOfWork, issuer: TokenIssuer, citizen_id: str, ip: str | None) -> dict | None:
    """SSO: the e-ID provider vouched for this citizen ID; None when no approved account has it."""
    session = uow.session
    account = session.exec(select(Account).where(Account.citizen_id == citizen_id,
                                                 col(Account.status) == AccountStatus.approved)).first()
    _audit(session, citizen_id, account, ip, "success" if account else "not_registered", method="sso")
    if account is None:
        uow.commit()
        return None
    result = issue(session, issuer, account)
    uow.commit()
    return result
