"""Checks of contact details people type (a person's or a unit's): a Vietnamese phone number, an e-mail
address."""
from __future__ import annotations

import phonenumbers
from email_validator import EmailNotValidError, validate_email


def phone(value: str) -> str:
    """A Vietnamese phone number in any usual writing (+84 912…, 0912.345.678, (0252) 3822 123),
    stored in the national form 0xxxxxxxxx."""
    try:
        parsed = phonenumbers.parse(value, "VN")
    except phonenumbers.NumberParseException as exc:
        raise ValueError("not a phone number") from exc
    if parsed.country_code != 84 or not phonenumbers.is_valid_number(parsed):
        raise ValueError("not a valid Vietnamese phone number")
    return "0" + str(parsed.national_number)


def email(value: str) -> str:
    try:
        return validate_email(value.strip(), check_deliverability=False).normalized.lower()
    except EmailNotValidError as exc:
        raise ValueError(str(exc)) from exc
