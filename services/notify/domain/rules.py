"""Rules and templates as an admin sees them: the catalogue's defaults, overridden by what was saved."""
from __future__ import annotations

from sqlmodel import Session, select

from services.common.auth import Principal
from services.common.db import UnitOfWork
from services.common.errors import Forbidden, Invalid, NotFound
from services.common.models import utcnow
from services.notify.domain import templates
from services.notify.domain.catalogue import CHANNELS, IN_APP, KINDS, Kind
from services.notify.models import Rule, Template

CONFIGURE = "notify.configure"


def _kind(event_type: str) -> Kind:
    found = KINDS.get(event_type)
    if found is None:
        raise NotFound(f"notify knows no event type {event_type!r}; see /api/notify/catalogue")
    return found


def _require(principal: Principal) -> None:
    if not principal.has(CONFIGURE):
        raise Forbidden("changing notifications needs notify.configure")


def enabled(session: Session, kind: Kind, role: str, channel: str) -> bool:
    row = session.exec(select(Rule).where(Rule.event_type == kind.event_type, Rule.role == role,
                                          Rule.channel == channel)).first()
    return row.enabled if row is not None else kind.defaults.get((role, channel), False)


def rules(session: Session, event_type: str | None = None) -> list[dict]:
    kinds = [_kind(event_type)] if event_type else list(KINDS.values())
    return [{"event_type": k.event_type, "label": k.label, "role": role, "channel": channel,
             "enabled": enabled(session, k, role, channel)}
            for k in kinds for role in k.roles for channel in CHANNELS
            if not (k.secret and channel == IN_APP) and channel in k.templates]


def set_rule(uow: UnitOfWork, principal: Principal, event_type: str, role: str, channel: str, on: bool) -> dict:
    _require(principal)
    kind = _kind(event_type)
    if role not in kind.roles:
        raise Invalid(f"{event_type} has no recipient role {role!r}; roles: {', '.join(kind.roles)}")
    if channel not in kind.templates or (kind.secret and channel == IN_APP):
        raise Invalid(f"{event_type} cannot go out on {channel}")
    row = uow.session.exec(select(Rule).where(Rule.event_type == event_type, Rule.role == role,
                                              Rule.channel == channel)).first()
    if row is None:
        row = Rule(event_type=event_type, role=role, channel=channel)
        uow.session.add(row)
    row.enabled, row.updated_by, row.updated_at = on, principal.account_id, utcnow()
    uow.commit()
    return {"event_type": event_type, "role": role, "channel": channel, "enabled": on}


def template(session: Session, event_type: str, channel: str) -> tuple[str, str]:
    kind = _kind(event_type)
    row = session.exec(select(Template).where(Template.event_type == event_type,
                                              Template.channel == channel)).first()
    if row is not None:
        return row.subject, row.body
    if channel not in kind.templates:
        raise NotFound(f"{event_type} has no {channel} template")
    return kind.templates[channel]


def save_template(uow: UnitOfWork, principal: Principal, event_type: str, channel: str, subject: str,
                  body: str) -> dict:
    _require(principal)
    kind = _kind(event_type)
    if channel not in kind.templates:
        raise Invalid(f"{event_type} cannot go out on {channel}")
    preview_subject, preview_body = templates.check(kind, subject, body)
    row = uow.session.exec(select(Template).where(Template.event_type == event_type,
                                                  Template.channel == channel)).first()
    if row is None:
        row = Template(event_type=event_type, channel=channel, body=body)
        uow.session.add(row)
    row.subject, row.body, row.updated_by, row.updated_at = subject, body, principal.account_id, utcnow()
    uow.commit()
    return {"event_type": event_type, "channel": channel, "subject": subject, "body": body,
            "preview": {"subject": preview_subject, "body": preview_body}}


def preview(session: Session, event_type: str, channel: str, subject: str | None, body: str | None) -> dict:
    kind = _kind(event_type)
    saved_subject, saved_body = template(session, event_type, channel)
    rendered_subject, rendered_body = templates.check(kind, saved_subject if subject is None else subject,
                                                      saved_body if body is None else body)
    return {"subject": rendered_subject, "body": rendered_body, "example": kind.example}
