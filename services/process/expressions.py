"""Expressions designers bring from Camunda: the suite's expression language is Python (run in the sandbox), and
the simple JUEL (``${approved && days > 3}``) and FEEL (``= approved and days > 3``) forms are translated to it
at deployment — names, literals, comparisons, and/or/not, arithmetic, parentheses. Anything richer (method
calls, JUEL functions, FEEL ranges and lists) is refused with what to write instead."""
from __future__ import annotations

import re

from services.common.i18n import msg

_TOKEN = re.compile(r"""\s*(?:
    (?P<number>\d+(?:\.\d+)?)
  | (?P<string>"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')
  | (?P<name>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<op>==|!=|<=|>=|&&|\|\||[-+*/%<>()!=])
)""", re.VERBOSE)
_WORDS = {"and": "and", "or": "or", "not": "not", "true": "True", "false": "False", "null": "None",
          "eq": "==", "ne": "!=", "lt": "<", "gt": ">", "le": "<=", "ge": ">=", "div": "/", "mod": "%"}
_OPS = {"&&": "and", "||": "or", "!": "not", "==": "==", "!=": "!=", "<": "<", ">": ">", "<=": "<=", ">=": ">=",
        "+": "+", "-": "-", "*": "*", "/": "/", "%": "%", "(": "(", ")": ")"}
_XPATH_BOOLEANS = {"true": "True", "false": "False", "true()": "True", "false()": "False"}
HINT = msg("write it in Python as the suite runs it, e.g. approved == True and so_ngay > 3 "
        "(names, numbers, 'text', and/or/not, comparisons)")


class NotTranslatable(ValueError):
    """A JUEL/FEEL expression beyond the simple forms the suite translates."""


def dialect(text: str) -> str | None:
    """'juel' for ``${…}`` / ``#{…}``, 'feel' for a leading ``=``, None for the suite's own Python."""
    stripped = (text or "").strip()
    if re.fullmatch(r"[$#]\{.*\}", stripped, re.DOTALL):
        return "juel"
    if stripped.startswith("=") and not stripped.startswith("=="):
        return "feel"
    return None


def to_python(text: str) -> str:
    """The Python form of a JUEL or FEEL expression (Python is returned as it is)."""
    kind = dialect(text)
    if kind is None:
        # XPath's boolean literals, which Signavio, Bonita and Trisotech write on always-taken flows
        return _XPATH_BOOLEANS.get((text or "").strip(), text)
    body = text.strip()[2:-1] if kind == "juel" else text.strip()[1:]
    out, position = [], 0
    while position < len(body):
        match = _TOKEN.match(body, position)
        if match is None or match.end() == position:
            rest = body[position:].strip()
            if not rest:
                break
            raise NotTranslatable(msg("“{rest}” in “{strip}” is beyond the simple forms translated; {HINT}",
                                      rest=rest[:30], strip=text.strip(), HINT=HINT))
        position = match.end()
        name = match.group("name")
        if name and name not in ("and", "or", "not") and re.match(r"\s*\(", body[position:]):
            raise NotTranslatable(msg("“{name}(…)” in “{strip}” calls a function, which is beyond the simple forms "
                                      "translated; put the value in a process variable, or {HINT}", name=name,
                                      strip=text.strip(), HINT=HINT))
        out.append(_token(match, kind, text))
    python = " ".join(part for part in out if part)
    if not python:
        raise NotTranslatable(msg("“{strip}” is empty; {HINT}", strip=text.strip(), HINT=HINT))
    return python


def _token(match: re.Match, kind: str, text: str) -> str:
    if match.group("number") or match.group("string"):
        return match.group("number") or match.group("string")
    if match.group("name"):
        word = match.group("name")
        return _WORDS.get(word, word)
    op = match.group("op")
    if op == "=":
        if kind == "feel":
            return "=="  # FEEL compares with a single =
        raise NotTranslatable(msg("“=” in “{strip}” assigns; compare with ==; {HINT}", strip=text.strip(), HINT=HINT))
    return _OPS[op]


_BPMN = "{http://www.omg.org/spec/BPMN/20100524/MODEL}"
_CAMUNDA = "{http://camunda.org/schema/1.0/bpmn}"
_EXPRESSION_ELEMENTS = ("conditionExpression", "loopCardinality", "completionCondition")


def rewrite(root) -> list[tuple[str | None, int | None, str]]:
    """Translate every JUEL/FEEL condition, cardinality, completion condition and multi-instance collection of a
    model to Python in place; returns (element id, line, sentence) for each that cannot be translated."""
    problems = []
    for local in _EXPRESSION_ELEMENTS:
        for element in root.iter(f"{_BPMN}{local}"):
            owner = element.getparent()
            owner = owner.getparent() if local != "conditionExpression" else owner
            try:
                element.text = to_python(element.text or "")
            except NotTranslatable as exc:
                problems.append((owner.get("id"), element.sourceline, msg("{local}: {exc}", local=local, exc=exc)))
    for loop in root.iter(f"{_BPMN}multiInstanceLoopCharacteristics"):
        for attribute in (f"{_CAMUNDA}collection", f"{_CAMUNDA}elementVariable"):
            value = loop.get(attribute)
            if value and dialect(value):
                try:
                    loop.set(attribute, to_python(value))
                except NotTranslatable as exc:
                    problems.append((loop.getparent().get("id"), loop.sourceline, msg("collection: {exc}", exc=exc)))
    return problems
