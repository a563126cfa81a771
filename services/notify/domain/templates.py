"""Rendering messages with a sandboxed Jinja2: a template sees the event's data and the recipient, never
Python internals (``__class__`` and friends are refused). A template is checked when it is saved, by
rendering it with the event type's example, so it cannot fail later when a message is sent."""
from __future__ import annotations

from jinja2 import ChainableUndefined, TemplateError, nodes
from jinja2.sandbox import ImmutableSandboxedEnvironment, SecurityError

from services.common.errors import Invalid
from services.notify.domain.catalogue import Kind

ENV = ImmutableSandboxedEnvironment(undefined=ChainableUndefined, autoescape=False, trim_blocks=True)
MAX_LENGTH = 20_000


def context(event: dict, recipient: dict) -> dict:
    return {"event": {k: event.get(k) for k in ("id", "type", "time", "subject", "source")},
            "data": event.get("data", {}), "recipient": recipient}


def render(text: str, values: dict) -> str:
    return ENV.from_string(text).render(values).strip()


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
        raise Invalid("the template is too long")
    values = context({"type": kind.event_type, "data": kind.example}, {"full_name": "Nguyễn Văn A"})
    try:
        for text in (subject, body):
            _refuse_private_names(text)
        return render(subject, values), render(body, values)
    except SecurityError as exc:
        raise Invalid(f"the template reaches for something it may not use: {exc}") from exc
    except TemplateError as exc:
        where = f" (line {exc.lineno})" if getattr(exc, "lineno", None) else ""
        raise Invalid(f"the template has an error{where}: {exc.message or exc}") from exc
