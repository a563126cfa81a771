"""Signing in: password (with throttling and an audit of every attempt), one-time passwords that can only
set a new password, refresh tokens kept server-side, logout, forgotten passwords."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

from limits import parse
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter
from sqlmodel import Session, col, or_, select

from services.common.db import UnitOfWork
from services.common.errors import Forbidden, Invalid, TooManyRequests, Unauthorized
from services.common.models import iso, utcnow
from services.identity.domain import passwords
from services.identity.domain.accounts import record, revoke_sessions
from services.identity.domain.scope import authority
from services.identity.domain.tokens import TokenIssuer
from services.identity.models import (
    Account,
    AccountStatus,
    LoginAttempt,
    LoginThrottle,
    OneTimeToken,
    RefreshToken,
)

REFRESH_TTL = timedelta(days=30)
CHANGE_TTL = timedelta(minutes=15)
RESET_TTL = timedelta(minutes=30)
FREE_FAILURES = 3          # failures per user name before the progressive delay starts
MAX_DELAY = 15 * 60        # seconds
WRONG = "wrong user name or password"


class LoginGuard:
    """Per-IP rate limit of failed sign-ins (the ``limits`` library; memory:// or a shared store by URL)."""

    def __init__(self, storage_url: str = "memory://", per_ip: str = "5/minute"):
        self.limiter = MovingWindowRateLimiter(storage_from_string(storage_url))
        self.item = parse(per_ip)

    def check(self, ip: str) -> None:
        if not self.limiter.test(self.item, "ip", ip):
            reset_at = self.limiter.get_window_stats(self.item, "ip", ip).reset_time
            raise TooManyRequests("too many failed sign-ins from your address; wait a minute and try again",
                                  retry_after=max(1, int(reset_at - datetime.now(UTC).timestamp())))

    def failed(self, ip: str) -> None:
        self.limiter.hit(self.item, "ip", ip)


def _aware(moment: datetime | None) -> datetime | None:
    return moment.replace(tzinfo=UTC) if moment is not None and moment.tzinfo is None else moment


def find_account(session: Session, username: str) -> Account | None:
    key = username.strip().lower()
    return session.exec(select(Account).where(or_(Account.username == key, Account.email == key,
                                                  Account.citizen_id == key))).first()


def _throttle(session: Session, username: str) -> LoginThrottle:
    key = passwords.digest(username.strip().lower())
    row = session.get(LoginThrottle, key)
    if row is None:
        row = LoginThrottle(key=key)
        session.add(row)
    return row


def _audit(session: Session, username: str, account: Account | None, ip: str | None, outcome: str,
           method: str = "password") -> None:
    session.add(LoginAttempt(username=username.strip().lower()[:200], account_id=account.id if account else None,
                             remote_addr=ip, outcome=outcome, method=method))


def login(uow: UnitOfWork, issuer: TokenIssuer, guard: LoginGuard, username: str, password: str,
          ip: str) -> dict:
    session = uow.session
    try:
        guard.check(ip)
    except TooManyRequests:
        _audit(session, username, None, ip, "throttled_ip")
        uow.commit()
        raise
    throttle = _throttle(session, username)
    now = utcnow()
    if throttle.blocked_until and _aware(throttle.blocked_until) > now:
        wait = int((_aware(throttle.blocked_until) - now).total_seconds()) + 1
        _audit(session, username, None, ip, "delayed")
        uow.commit()
        raise TooManyRequests(f"too many failed sign-ins for this user name; try again in {wait} s",
                              retry_after=wait)
    account = find_account(session, username)
    if not passwords.verify(account, password):
        guard.failed(ip)
        throttle.failures += 1
        if throttle.failures >= FREE_FAILURES:
            delay = min(2 ** (throttle.failures - FREE_FAILURES), MAX_DELAY)
            throttle.blocked_until = now + timedelta(seconds=delay)
        _audit(session, username, account, ip, "wrong_password")
        uow.commit()
        raise Unauthorized(WRONG)
    throttle.failures, throttle.blocked_until = 0, None
    if account.status != AccountStatus.approved:
        _audit(session, username, account, ip, f"refused_{account.status}")
        uow.commit()
        raise Forbidden(f"this account is {account.status}; it cannot sign in")
    if passwords.needs_rehash(account):
        account.password_hash = passwords.hash_password(password)
    if account.must_change_password:
        ticket = _one_time(session, "change_password", account.id, CHANGE_TTL)
        _audit(session, username, account, ip, "password_change_required")
        uow.commit()
        return {"password_change_required": True, "change_token": ticket,
                "detail": "this password can only be used to choose a new one"}
    _audit(session, username, account, ip, "success")
    result = issue(session, issuer, account)
    uow.commit()
    return result


def _one_time(session: Session, purpose: str, account_id: str, ttl: timedelta, payload: dict | None = None) -> str:
    token, digest = passwords.new_secret()
    session.add(OneTimeToken(token_hash=digest, purpose=purpose, account_id=account_id, payload=payload or {},
                             expires_at=utcnow() + ttl))
    return token


def use_one_time(session: Session, token: str, purpose: str) -> OneTimeToken:
    row = session.get(OneTimeToken, passwords.digest(token))
    if row is None or row.purpose != purpose or row.used_at is not None or _aware(row.expires_at) < utcnow():
        raise Unauthorized("the link or ticket is unknown, used or expired; start again")
    row.used_at = utcnow()
    return row


def issue(session: Session, issuer: TokenIssuer, account: Account) -> dict:
    who = authority(session, account.id)
    access, ttl = issuer.access_token(account_id=account.id, unit_id=account.unit_id,
                                      permissions=sorted(who.permissions),
                                      admin_units=sorted({unit for unit, _ in who.grants}), name=account.full_name)
    refresh, digest = passwords.new_secret()
    session.add(RefreshToken(token_hash=digest, account_id=account.id, expires_at=utcnow() + REFRESH_TTL))
    return {"access_token": access, "token_type": "Bearer", "expires_in": ttl, "refresh_token": refresh,
            "account_id": account.id}


def _set_password(session: Session, account: Account, new_password: str) -> None:
    passwords.check_policy(new_password, account)
    if passwords.verify(account, new_password):
        raise Invalid("choose a password different from the current one")
    account.password_hash = passwords.hash_password(new_password)
    account.must_change_password = False
    record(session, account, "password_changed", account.id)


def change_password(uow: UnitOfWork, issuer: TokenIssuer, *, new_password: str, change_token: str | None = None,
                    username: str | None = None, current_password: str | None = None) -> dict:
    session = uow.session
    if change_token:
        account = session.get(Account, use_one_time(session, change_token, "change_password").account_id)
    else:
        account = find_account(session, username or "")
        if not passwords.verify(account, current_password or ""):
            raise Unauthorized(WRONG)
    if account is None or account.status != AccountStatus.approved:
        raise Forbidden("this account cannot sign in")
    _set_password(session, account, new_password)
    revoke_sessions(session, account.id)
    result = issue(session, issuer, account)
    uow.commit()
    return result


def refresh(uow: UnitOfWork, issuer: TokenIssuer, token: str) -> dict:
    """Rotate: the used refresh token is revoked and a new pair is issued."""
    session = uow.session
    row = session.get(RefreshToken, passwords.digest(token))
    if row is None or row.revoked_at is not None or _aware(row.expires_at) < utcnow():
        raise Unauthorized("the refresh token is unknown, revoked or expired; sign in again")
    account = session.get(Account, row.account_id)
    if account is None or account.status != AccountStatus.approved:
        raise Unauthorized("this account can no longer sign in")
    row.revoked_at = utcnow()
    result = issue(session, issuer, account)
    uow.commit()
    return result


def logout(uow: UnitOfWork, token: str) -> None:
    row = uow.session.get(RefreshToken, passwords.digest(token))
    if row is not None and row.revoked_at is None:
        row.revoked_at = utcnow()
        uow.commit()


def forgot(uow: UnitOfWork, username: str, ip: str | None) -> None:
    """Always answers the same; an existing, approved account gets a reset token through notify."""
    session = uow.session
    account = find_account(session, username)
    _audit(session, username, account, ip, "reset_requested", method="reset")
    if account is not None and account.status == AccountStatus.approved and (account.email or account.phone):
        token = _one_time(session, "reset_password", account.id, RESET_TTL)
        uow.emit("identity.password_reset.requested", account.id, {
            "account_id": account.id, "full_name": account.full_name, "email": account.email,
            "phone": account.phone, "token": token, "expires_at": iso(utcnow() + RESET_TTL)})
    uow.commit()


def reset(uow: UnitOfWork, token: str, new_password: str) -> None:
    session = uow.session
    account = session.get(Account, use_one_time(session, token, "reset_password").account_id)
    if account is None or account.status != AccountStatus.approved:
        raise Forbidden("this account cannot sign in")
    _set_password(session, account, new_password)
    revoke_sessions(session, account.id)
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
