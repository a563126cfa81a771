"""The services' sentences in the caller's language. A refusal is written once, in English, as ``msg(template,
**values)``; the problem+json answer says it in the language the request's ``Accept-Language`` prefers among those
the catalogue has (``translations/<lang>/LC_MESSAGES/services.po``, read with Babel), and names that language in
``Content-Language``. Logs, events and integrators without the header keep the English sentence."""
from __future__ import annotations

from enum import Enum
from functools import lru_cache
from pathlib import Path
from typing import Any

from babel.messages.pofile import read_po
from babel.numbers import format_decimal

TRANSLATIONS = Path(__file__).parent / "translations"
DEFAULT = "en"


class Message(str):
    """An English sentence that remembers its template and values, so it can be said again in another language."""

    template: str
    params: dict[str, Any]

    def __new__(cls, template: str, **params: Any) -> Message:
        self = super().__new__(cls, template.format(**{k: _plain(v) for k, v in params.items()}))
        self.template, self.params = template, params
        return self

    def __reduce__(self):
        return _rebuild, (self.template, self.params)


class Sentences(tuple):
    """Several sentences said as one, "; " between them (each said in the caller's language)."""

    def __str__(self) -> str:
        return "; ".join(map(str, self))

    def __format__(self, spec: str) -> str:
        return format(str(self), spec)


def _rebuild(template: str, params: dict[str, Any]) -> Message:
    return Message(template, **params)


def msg(template: str, **params: Any) -> Message:
    """A sentence for people (an error's detail, a deployment problem): ``{name}`` placeholders, str.format style."""
    return Message(template, **params)


def _plain(value: Any) -> Any:
    return value.value if isinstance(value, Enum) else value


def _numeric(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


class _Number:
    """A number in a sentence said in ``language``: ``{n:,}`` groups its digits as that language does (4.000 in
    Vietnamese, where 4,000 would read as four); any other format is Python's."""

    def __init__(self, value: int | float, language: str):
        self.value, self.language = value, language

    def __format__(self, spec: str) -> str:
        if spec == ",":
            return format_decimal(self.value, locale=self.language)
        return format(self.value, spec)

    def __str__(self) -> str:
        return str(self.value)

    def __repr__(self) -> str:
        return repr(self.value)


def languages() -> tuple[str, ...]:
    """English and every language the catalogue holds."""
    found = sorted(p.name for p in TRANSLATIONS.iterdir() if (p / "LC_MESSAGES" / "services.po").is_file())
    return (DEFAULT, *found)


@lru_cache(maxsize=8)
def catalogue(language: str) -> dict[str, str]:
    """msgid → msgstr of one language (entries left empty or fuzzy are not used)."""
    path = TRANSLATIONS / language / "LC_MESSAGES" / "services.po"
    if language == DEFAULT or not path.is_file():
        return {}
    with path.open("rb") as handle:
        read = read_po(handle, locale=language)
    return {m.id: m.string for m in read if m.id and isinstance(m.id, str) and m.string and not m.fuzzy}


# values of these names are words of the suite's vocabulary (a status, a kind of element), said by the catalogue's
# "value:<word>" entries; other values (names, ids, numbers) are said as they are
VOCABULARY = frozenset({"status", "kind", "local", "tag", "field", "action"})


def say(value: Any, language: str) -> Any:
    """``value`` in ``language``: a Message by the catalogue (its English template where the catalogue has none,
    with its values said), an exception by its Message, several sentences each, dicts and lists item by item;
    anything else unchanged."""
    if language == DEFAULT:
        return value
    words = catalogue(language)
    if isinstance(value, Message):
        params = {k: words.get(f"value:{_plain(v)}", _plain(v)) if k in VOCABULARY and not isinstance(v, Message)
                  else _Number(v, language) if _numeric(v) else say(_plain(v), language)
                  for k, v in value.params.items()}
        return words.get(value.template, value.template).format(**params)
    if isinstance(value, BaseException) and value.args and isinstance(value.args[0], Message):
        return say(value.args[0], language)
    if isinstance(value, Sentences):
        return "; ".join(str(say(v, language)) for v in value)
    if isinstance(value, dict):
        return {k: say(v, language) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [say(v, language) for v in value]
    return value


def described(schema: Any, language: str) -> Any:
    """A JSON Schema with its ``description`` texts in ``language`` (the catalogue's "schema:<text>" entries), so
    the modeler's hints read in the designer's language; a text without an entry stays English."""
    words = catalogue(language)
    if isinstance(schema, dict):
        return {k: words.get(f"schema:{v}", v) if k == "description" and isinstance(v, str)
                else described(v, language) for k, v in schema.items()}
    if isinstance(schema, list):
        return [described(v, language) for v in schema]
    return schema


def requested() -> str:
    """The language of the current request (``Accept-Language``), English when none of ours is asked for."""
    from flask import has_request_context, request
    if not has_request_context():
        return DEFAULT
    return request.accept_languages.best_match(languages(), default=DEFAULT) or DEFAULT
