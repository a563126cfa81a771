"""Identity's side of revocation: withdrawing an account's access tokens (its token generation raised in the
same transaction as the change, ``identity.tokens.revoked`` published for the other services) and its sessions,
and the guard that keeps an admin from removing itself — so the last super admin always stays."""
from __future__ import annotations

from sqlmodel import Session, col, select

from services.common.auth import Principal
from services.common.db import UnitOfWork
from services.common.errors import Conflict
from services.common.i18n import msg
from services.common.models import utcnow
from services.common.revocation import EVENT as REVOKED_EVENT
from services.common.revocation import current_floor, raise_floor
from services.identity.models import Account, RefreshToken


def not_yourself(principal: Principal, account: Account, action: str) -> None:
    """Nobody locks, archives or deletes its own account. With that, the last super admin always stays: only a
    super admin can act on a super admin (it must hold everything the other holds), and an active one remains —
    the one acting."""
    if account.id == principal.account_id:
        raise Conflict(msg("you cannot {action} your own account; ask another admin", action=action),
                       code="self_action")


def withdraw_access(uow: UnitOfWork, account_id: str, reason: str, *, sessions: bool = False) -> int:
    """Refuse every access token issued to the account so far, in every service (identity at once, the others
    when ``identity.tokens.revoked`` arrives); with ``sessions`` its refresh tokens go too, so it must sign in
    again. Returns the new token generation."""
    version = current_floor(uow.session, account_id) + 1
    raise_floor(uow.session, account_id, version)
    if sessions:
        revoke_sessions(uow.session, account_id)
    uow.emit(REVOKED_EVENT, account_id, {"account_id": account_id, "version": version, "reason": reason})
    return version


def revoke_sessions(session: Session, account_id: str) -> int:
    tokens = session.exec(select(RefreshToken).where(RefreshToken.account_id == account_id,
                                                     col(RefreshToken.revoked_at).is_(None))).all()
    for token in tokens:
        token.revoked_at = utcnow()
    return len(tokens)
