"""Passwords: argon2id hashes (re-hashed when the parameters change), a length rule and a list of common
passwords — no composition rules — and nothing a person's own data gives away (CCCD, phone, birthday)."""
from __future__ import annotations

import hashlib
import secrets
from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from services.common.errors import Invalid
from services.common.text import fold
from services.identity.models import Account

MIN_LENGTH = 8
MAX_LENGTH = 128
_OTP_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789"
HASHER = PasswordHasher()  # argon2id with the library's current recommended parameters
# Verified when the account does not exist, so both paths take the same time.
_DUMMY_HASH = HASHER.hash(secrets.token_urlsafe(16))


def configure(*, time_cost: int, memory_kib: int) -> None:
    """Set the argon2id cost for this process; hashes made with other parameters are redone at sign-in."""
    global HASHER, _DUMMY_HASH
    if (HASHER.time_cost, HASHER.memory_cost) != (time_cost, memory_kib):
        HASHER = PasswordHasher(time_cost=time_cost, memory_cost=memory_kib)
        _DUMMY_HASH = HASHER.hash(secrets.token_urlsafe(16))


@lru_cache(maxsize=1)
def _common_passwords() -> frozenset[str]:
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    local = {"matkhau", "matkhau123", "123456a@", "abc@123", "admin@123", "vnpt@123", "quantri", "egov@123"}
    return frozenset(FREQUENCY_LISTS["passwords"]) | local


def hash_password(password: str) -> str:
    return HASHER.hash(password)


def verify(account: Account | None, password: str) -> bool:
    """Constant-work check; an unknown account verifies against a dummy hash."""
    stored = account.password_hash if account is not None and account.password_hash else _DUMMY_HASH
    try:
        return HASHER.verify(stored, password) and account is not None and bool(account.password_hash)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(account: Account) -> bool:
    return bool(account.password_hash) and HASHER.check_needs_rehash(account.password_hash)


def check_policy(password: str, account: Account | None = None) -> None:
    problems = []
    if len(password) < MIN_LENGTH:
        problems.append(f"at least {MIN_LENGTH} characters")
    if len(password) > MAX_LENGTH:
        problems.append(f"at most {MAX_LENGTH} characters")
    if fold(password) in _common_passwords() or password.lower() in _common_passwords():
        problems.append("not one of the commonly used passwords")
    if account is not None:
        personal = [account.citizen_id, account.phone, account.username,
                    account.date_of_birth.strftime("%d%m%Y") if account.date_of_birth else None]
        if any(p and len(p) >= 6 and p in password for p in personal):
            problems.append("not built from your citizen ID, phone number, user name or birthday")
    if problems:
        raise Invalid("the password must be " + "; ".join(problems))


def one_time_password() -> str:
    """A random 12-character password for a first sign-in; it can only be used to set a new one."""
    return "".join(secrets.choice(_OTP_ALPHABET) for _ in range(12))


def new_secret() -> tuple[str, str]:
    """(the secret to hand out, the hash to store)."""
    token = secrets.token_urlsafe(32)
    return token, digest(token)


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
