"""Rendering messages with a sandboxed Jinja2: a template sees the event's data and the recipient, never
Python internals (``__class__`` and friends are refused). A template is checked when it is saved, by
rendering it with the event type's example, so it cannot fail later when a message is sent.

Limits: a CPU-time limit per rendering, no argument, repetition or format width large enough to build a huge
text in one step, and at most ``MAX_OUTPUT`` characters of output."""
from __future__ import annotations

import functools
import re
from datetime import UTC, datetime
from typing import Any

from jinja2 import ChainableUndefined, TemplateError, nodes
from jinja2.sandbox import ImmutableSandboxedEnvironment, SecurityError

from services.common.deadline import MAX_ITEMS, LimitExceeded, bounded_binop, cpu_deadline
from services.common.errors import Invalid
from services.common.i18n import msg
from services.common.models import VIETNAM
from services.notify.domain.catalogue import Kind

MAX_LENGTH = 20_000
MAX_OUTPUT = 100_000
LIMITS = {"seconds": 2.0}
_WIDE = re.compile(r"\d{6,}")


class TemplateLimitError(ValueError):
    """A template that ran too long or would build too large a text."""


def _check_values(values) -> None:
    for value in values:
        if isinstance(value, int) and not isinstance(value, bool) and abs(value) > MAX_ITEMS:
            raise TemplateLimitError(f"the number {value} is larger than templates may use")
        if isinstance(value, str) and _WIDE.search(value) and ("{" in value or "%" in value):
            raise TemplateLimitError("a format width that large is not allowed")


class _LimitedEnvironment(ImmutableSandboxedEnvironment):
    intercepted_binops = frozenset({"*", "**", "%"})

    def call_binop(self, context, operator: str, left: Any, right: Any) -> Any:
        if operator == "%":
            _check_values([left])
            return super().call_binop(context, operator, left, right)
        try:
            return bounded_binop(operator, left, right)
        except OverflowError as exc:
            raise TemplateLimitError(str(exc)) from exc

    def call(__self, __context, __obj, *args, **kwargs):  # noqa: N805 - Jinja's own signature
        _check_values([*args, *kwargs.values(), getattr(getattr(__obj, "__wrapped__", __obj), "__self__", None)])
        return super().call(__context, __obj, *args, **kwargs)


def _bounded_filter(function):
    @functools.wraps(function)
    def bounded(*args, **kwargs):
        _check_values([*args[1:], *kwargs.values()])
        return function(*args, **kwargs)
    return bounded


def local_time(value) -> str:
    """An ISO moment (``2026-11-24T10:00:00Z``) as people there read it: ``17:00 24/11/2026``, Vietnam time;
    anything else as it is, nothing as nothing."""
    if not value:
        return ""
    try:
        moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return str(value)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(VIETNAM).strftime("%H:%M %d/%m/%Y")


ENV = _LimitedEnvironment(undefined=ChainableUndefined, autoescape=False, trim_blocks=True)
ENV.filters = {name: _bounded_filter(f) for name, f in ENV.filters.items()}
ENV.filters["local"] = local_time
ENV.filters["number"] = lambda value: f"{value:g}" if isinstance(value, int | float) and not isinstance(value, bool) \
    else ("" if value is None or isinstance(value, ChainableUndefined) else str(value))


# What a template sees instead of a secret (a reset code, a one-time password): the secret itself is put in
# place of this mark only by the channel, at send time, and only in the body of an outside message.
SECRET_MARK = "\u2063[SECRET]\u2063"  # noqa: S105 - a placeholder, not a secret
SHOWN_FOR_SECRET = "•••"  # noqa: S105


def context(event: dict, recipient: dict, kind: Kind | None = None) -> dict:
    data = dict(event.get("data") or {})
    if kind is not None and kind.secret:
        data.pop(f"sealed_{kind.secret_field}", None)
        data[kind.secret_field] = SECRET_MARK
    return {"event": {k: event.get(k) for k in ("id", "type", "time", "subject", "source")},
            "data": data, "recipient": recipient}


def shown(text: str) -> str:
    """A rendered text as the delivery log and previews show it (never the secret, never the mark)."""
    return text.replace(SECRET_MARK, SHOWN_FOR_SECRET)


def render(text: str, values: dict) -> str:
    """The text, or TemplateLimitError when it runs too long or grows too large (any other template error as
    Jinja raises it)."""
    pieces, length = [], 0
    try:
        with cpu_deadline(LIMITS["seconds"]):
            for piece in ENV.from_string(text).generate(values):
                length += len(piece)
                if length > MAX_OUTPUT:
                    raise TemplateLimitError(f"the message would be longer than {MAX_OUTPUT:,} characters")
                pieces.append(piece)
    except LimitExceeded as exc:
        raise TemplateLimitError(f"the template {exc}") from exc
    except (OverflowError, MemoryError, RecursionError) as exc:
        raise TemplateLimitError(f"the template grew beyond what is allowed: {exc}") from exc
    return "".join(pieces).strip()


def _refuse_private_names(text: str) -> None:
    """The sandbox would quietly render ``x.__class__`` as nothing; at save time it is refused outright."""
    tree = ENV.parse(text)
    names = [n.attr for n in tree.find_all(nodes.Getattr)]
    names += [n.arg.value for n in tree.find_all(nodes.Getitem) if isinstance(n.arg, nodes.Const)]
    names += [n.name for n in tree.find_all(nodes.Name)]
    private = sorted({str(name) for name in names if str(name).startswith("_")})
    if private:
        raise SecurityError(f"{', '.join(private)} is not available to templates")


def check(kind: Kind, subject: str, body: str) -> tuple[str, str]:
    """Render with the example event; refuse with a sentence the admin understands."""
    if len(body) > MAX_LENGTH or len(subject) > 500:
        raise Invalid(msg("the template is too long"))
    values = context({"type": kind.event_type, "data": kind.example}, {"full_name": "Nguyễn Văn A"}, kind)
    try:
        for text in (subject, body):
            _refuse_private_names(text)
        rendered_subject, rendered_body = render(subject, values), render(body, values)
        if SECRET_MARK in rendered_subject:
            raise Invalid(msg("the subject cannot carry the secret code: subjects are shown in lists and logs; put "
                              "{{{{ data.{secret_field} }}}} in the body", secret_field=kind.secret_field),
                          code="secret_in_subject")
        return rendered_subject, shown(rendered_body)
    except SecurityError as exc:
        raise Invalid(msg("the template reaches for something it may not use: {exc}", exc=exc),
                      code="template_unsafe") from exc
    except TemplateLimitError as exc:
        raise Invalid(msg("the template was stopped: {exc}", exc=exc), code="template_limit") from exc
    except TemplateError as exc:
        said = exc.message or exc
        raise Invalid(msg("the template has an error (line {line}): {value}", line=exc.lineno, value=said)
                      if getattr(exc, "lineno", None) else msg("the template has an error: {value}", value=said),
                      code="template_error") from exc
    except Exception as exc:  # noqa: BLE001 - any failure of an admin's template is a sentence, never a 500
        raise Invalid(msg("the template fails when rendered: {name}: {exc}", name=exc.__class__.__name__, exc=exc),
                      code="template_error") from exc
