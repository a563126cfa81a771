"""Vietnamese text: store NFC, search without diacritics, sort in Vietnamese alphabetical order."""
from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"\s+")
# The Vietnamese alphabet: letters with a modifier (ă â đ ê ô ơ ư) sort right after their base letter.
_ALPHABET = "aăâbcdđeêghiklmnoôơpqrstuưvxy"
_ORDER = {ch: i for i, ch in enumerate(_ALPHABET)}
# Tone marks rank after the letters themselves: none, huyền, hỏi, ngã, sắc, nặng.
_TONES = {"\u0300": 1, "\u0309": 2, "\u0303": 3, "\u0301": 4, "\u0323": 5}
_MODIFIERS = {"\u0306", "\u0302", "\u031b"}  # breve (ă), circumflex (â ê ô), horn (ơ ư)


def visible(value: str) -> str:
    """Without invisible and direction-changing characters (zero-width spaces and joiners, the bidi embeddings,
    overrides and isolates — Unicode "format" characters) and control characters: they let two different names
    look the same, or make "gpj.exe" read as "exe.jpg". Line breaks and tabs stay."""
    return "".join(ch for ch in value if ch in "\n\t" or unicodedata.category(ch) not in ("Cf", "Cc", "Cs", "Co"))


def nfc(value: str) -> str:
    """Trimmed, single-spaced, NFC, only visible characters — the form every name is stored in."""
    return _SPACES.sub(" ", unicodedata.normalize("NFC", visible(value))).strip()


def fold(value: str) -> str:
    """Lower-case without diacritics: "Sở Khoa học" -> "so khoa hoc" (đ -> d)."""
    decomposed = unicodedata.normalize("NFD", value.replace("đ", "d").replace("Đ", "D"))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _SPACES.sub(" ", stripped.casefold()).strip()


def sort_key(value: str) -> str:
    """A digits-only key that orders Vietnamese text as a Vietnamese reader expects (a < à < á < an < ă …,
    d < đ), letters first and tones second. Being digits only, it sorts the same in Python and under any
    database collation, so it can be stored and used in ORDER BY."""
    letters, tones = [], []
    for ch in nfc(value).casefold():
        parts = unicodedata.normalize("NFD", ch)
        base, marks = parts[0], parts[1:]
        letter = unicodedata.normalize("NFC", base + "".join(m for m in marks if m in _MODIFIERS))
        letters.append(_letter_code(letter, base))
        tones.append(str(max((_TONES.get(m, 0) for m in marks), default=0)))
    return "".join(letters) + "000" + "".join(tones)


def _letter_code(letter: str, base: str) -> str:
    if letter in _ORDER:
        return f"{12 + _ORDER[letter]:03d}"
    if base.isspace():
        return "001"
    if base.isdigit() and base.isascii():
        return f"{2 + int(base):03d}"
    return f"{100 + ord(base) % 900:03d}"
