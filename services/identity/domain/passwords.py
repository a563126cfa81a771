"""Passwords: argon2id hashes (re-hashed when the parameters change); strength estimated by zxcvbn fed with the
person's own data (name, user name, e-mail, phone, CCCD, birthday, unit) — no composition rules — and refused
with one sentence that says why."""
from __future__ import annotations

import hashlib
import secrets
from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from services.common.errors import Invalid
from services.common.i18n import msg
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


# Words every guesser of a Bình Thuận officer's password tries first, besides the person's own data.
LOCAL_WORDS = ("matkhau", "binhthuan", "quantri", "admin", "egov", "vnpt", "tinhuy", "ubnd", "songanh")
MIN_SCORE = 3                    # zxcvbn: about 10^8 guesses — resists an offline attack on a slow hash
_ZXCVBN_CHARS = 100              # zxcvbn's cost grows with length; a longer tail only makes it stronger
_WARNINGS = {
    "Repeats": "repeated characters such as “aaa” are guessed at once",
    "Sequences": "sequences such as “abc” or “6543” are guessed at once",
    "Dates": "dates and years are guessed easily",
    "Recent years": "recent years are guessed easily",
    "This is a top": "it is one of the most used passwords",
    "This is very similar": "it is very close to a commonly used password",
    "This is similar": "it is close to a commonly used password",
    "Straight rows": "keyboard rows are guessed at once",
    "Short keyboard": "keyboard patterns are guessed easily",
    "A word by itself": "a single word is guessed easily",
    "Names and surnames": "names are guessed easily",
    "Common names": "common names are guessed easily",
}


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


def personal_words(account: Account | None, unit_name: str | None = None) -> list[str]:
    """What the account itself gives away: its name, user name, e-mail, phone, citizen ID, birthday, unit."""
    words = list(LOCAL_WORDS)
    if account is not None:
        values = [account.full_name, account.username, account.email, account.phone, account.citizen_id,
                  account.date_of_birth.strftime("%d%m%Y") if account.date_of_birth else None]
        for value in filter(None, values):
            words.append(fold(value).replace(" ", ""))
            words += [w for w in fold(value).replace("@", " ").replace(".", " ").split() if len(w) >= 3]
    if unit_name:
        words.append(fold(unit_name).replace(" ", ""))
        words += [w for w in fold(unit_name).split() if len(w) >= 3]
    return words


def check_policy(password: str, account: Account | None = None, unit_name: str | None = None) -> None:
    """Refuse a guessable password with one sentence that says why (zxcvbn, fed the person's own data)."""
    from zxcvbn import zxcvbn

    if len(password) < MIN_LENGTH:
        raise Invalid(msg("the password must have at least {MIN_LENGTH} characters; a short sentence is easiest to "
                          "remember", MIN_LENGTH=MIN_LENGTH), code="password_too_short")
    if len(password) > MAX_LENGTH:
        raise Invalid(msg("the password must have at most {MAX_LENGTH} characters", MAX_LENGTH=MAX_LENGTH),
                      code="password_too_long")
    words = personal_words(account, unit_name)
    folded = fold(password).replace(" ", "")
    if any(len(w) >= 4 and w in folded for w in words[len(LOCAL_WORDS):]):
        raise Invalid(msg("the password must not contain your name, user name, e-mail, phone number, citizen ID, "
                          "birthday or unit name; choose a sentence only you would think of"), code="password_personal")
    weakest = min((zxcvbn(candidate[:_ZXCVBN_CHARS], user_inputs=words) for candidate in {password, folded}),
                  key=lambda result: result["score"])
    if weakest["score"] < MIN_SCORE or fold(password) in _common_passwords():
        warning = weakest["feedback"].get("warning") or ""
        why = next((text for start, text in _WARNINGS.items() if warning.startswith(start)),
                   "it would be guessed in a few hours")
        raise Invalid(msg("this password is too easy to guess: {why}; use a longer sentence of uncommon words (spaces"
                          " and Vietnamese letters are welcome)", why=why), code="password_weak")


@lru_cache(maxsize=1)
def _common_passwords() -> frozenset[str]:
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    local = {"matkhau", "matkhau123", "123456a@", "abc@123", "admin@123", "vnpt@123", "quantri", "egov@123"}
    return frozenset(FREQUENCY_LISTS["passwords"]) | local


def one_time_password() -> str:
    """A random 12-character password for a first sign-in; it can only be used to set a new one."""
    return "".join(secrets.choice(_OTP_ALPHABET) for _ in range(12))


def new_secret() -> tuple[str, str]:
    """(the secret to hand out, the hash to store)."""
    token = secrets.token_urlsafe(32)
    return token, digest(token)


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
