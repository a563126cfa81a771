"""Checks of what people type about themselves: citizen ID (CCCD), phone, e-mail, names."""
from __future__ import annotations

import re

from services.common.contact import email, phone  # noqa: F401 - the same checks for units' contacts
from services.common.text import nfc

# Province codes that open a 12-digit CCCD (Thông tư 07/2016/TT-BCA), e.g. 042 Hà Tĩnh, 060 Bình Thuận.
PROVINCE_CODES = frozenset(
    "001 002 004 006 008 010 011 012 014 015 017 019 020 022 024 025 026 027 030 031 033 034 035 036 037 "
    "038 040 042 044 045 046 048 049 051 052 054 056 058 060 062 064 066 067 068 070 072 074 075 077 079 "
    "080 082 083 084 086 087 089 091 092 093 094 095 096".split())


def citizen_id(value: str, *, allow_legacy: bool = False) -> str:
    """A 12-digit CCCD whose first three digits are a province code; a 9-digit CMND only if allowed."""
    digits = value.strip().replace(" ", "")
    if not digits.isdigit() or not digits.isascii():
        raise ValueError("a citizen ID has digits only")
    if len(digits) == 9 and allow_legacy:
        return digits
    if len(digits) != 12:
        raise ValueError("a citizen ID (CCCD) has 12 digits" + ("" if allow_legacy else
                         "; 9-digit CMND numbers are accepted only on imported records"))
    if digits[:3] not in PROVINCE_CODES:
        raise ValueError(f"{digits[:3]} is not a province code; a CCCD starts with its province's code")
    return digits


GRADE_CODE = re.compile(r"(?:\d{2}[a-z]?\.\d{3}|V\.\d{2}\.\d{2}\.\d{2})")


def grade_code(value: str) -> str:
    """Mã ngạch công chức (01.003, 06.031, 01a.003) or mã chức danh nghề nghiệp viên chức (V.07.03.29)."""
    code = value.strip().upper().replace("A.", "a.")
    if not GRADE_CODE.fullmatch(code):
        raise ValueError("a grade code is written 01.003 (ngạch) or V.07.03.29 (chức danh nghề nghiệp)")
    return code


def person_name(value: str) -> str:
    name = nfc(value)
    if len(name) < 2 or any(ch.isdigit() for ch in name):
        raise ValueError("write the full name in letters (Họ và tên)")
    return name
