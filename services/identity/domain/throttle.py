"""Atomic attempt budgets shared by every worker, kept in identity's database (Keycloak's brute-force
detection and OWASP ASVS 2.2 in spirit). Each budget is a row (key, attempts, window end); an attempt is
*reserved* by one conditional UPDATE before the password is checked, so twenty concurrent guesses against a
budget of five evaluate exactly five, whichever worker they reach. A window that has ended starts over.

Sign-in keys one budget per account (whatever identifier was typed), per (address or known device, account)
and per address. A device that once signed in to the account carries a device token; its own budget is
separate and it skips the account-wide one, so a stranger cannot lock the owner out, and one office behind one
address is not blocked because several colleagues mistyped once."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import case, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from services.common.db import Database
from services.common.errors import TooManyRequests
from services.common.i18n import msg
from services.identity.models import LoginThrottle


@dataclass(frozen=True)
class Budget:
    key: str
    limit: int
    window: timedelta
    refusal: str          # the sentence a refused caller reads (ends with "; try again in N min")


def _insert(db: Database):
    return pg_insert if db.is_postgres else sqlite_insert


def reserve(db: Database, budgets: list[Budget]) -> None:
    """Take one attempt from every budget, or none: 429 naming the exhausted budget and when it reopens."""
    now = datetime.now(UTC)
    with db.session() as session:
        for budget in budgets:
            session.execute(_insert(db)(LoginThrottle).values(key=budget.key, failures=0, window_ends_at=None)
                            .on_conflict_do_nothing(index_elements=["key"]))
            ended = (LoginThrottle.window_ends_at.is_(None)) | (LoginThrottle.window_ends_at <= now)
            taken = session.execute(
                update(LoginThrottle).where(LoginThrottle.key == budget.key,
                                            ended | (LoginThrottle.failures < budget.limit))
                .values(failures=case((ended, 1), else_=LoginThrottle.failures + 1),
                        window_ends_at=case((ended, now + budget.window), else_=LoginThrottle.window_ends_at))
                .execution_options(synchronize_session=False))
            if taken.rowcount != 1:
                session.rollback()
                row = session.get(LoginThrottle, budget.key)
                wait = max(1, int((row.window_ends_at - now).total_seconds())) if row and row.window_ends_at else 60
                raise TooManyRequests(msg("{refusal}; try again in {max} min", refusal=budget.refusal,
                                          max=max(1, round(wait / 60))),
                                      retry_after=wait, code="throttled")
        session.commit()


def settle(db: Database, *, cleared: list[str], returned: list[str]) -> None:
    """After a right password: the ``cleared`` budgets start over, the ``returned`` ones get their attempt back
    (a success does not count against them) — in one transaction."""
    with db.session() as session:
        session.execute(update(LoginThrottle).where(LoginThrottle.key.in_(cleared))
                        .values(failures=0, window_ends_at=None).execution_options(synchronize_session=False))
        session.execute(update(LoginThrottle).where(LoginThrottle.key.in_(returned), LoginThrottle.failures > 0)
                        .values(failures=LoginThrottle.failures - 1).execution_options(synchronize_session=False))
        session.commit()
