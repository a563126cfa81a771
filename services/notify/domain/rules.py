"""Rules and templates as an admin sees them: the catalogue's defaults, the province's choices (no unit), and
each unit subtree's overrides. For a recipient, the override of the nearest unit above (or at) the person's unit
wins, then the province's choice, then the catalogue. The province's choices need notify.configure on every
unit; a subtree's overrides need notify.configure on that subtree — so one unit's admin never changes what
another unit's people receive."""
from __future__ import annotations

from sqlmodel import Session, col, select

from services.common import authority
from services.common.auth import Principal
from services.common.db import UnitOfWork
from services.common.errors import Forbidden, Invalid, NotFound
from services.common.i18n import msg
from services.common.models import utcnow
from services.notify.domain import templates
from services.notify.domain.catalogue import CHANNELS, IN_APP, KINDS, Kind
from services.notify.models import Person, Rule, RuleOverride, Template, TemplateOverride, UnitRef

CONFIGURE = "notify.configure"
PROVINCE = "province"


def _kind(event_type: str) -> Kind:
    found = KINDS.get(event_type)
    if found is None:
        raise NotFound(msg("notify knows no event type {event_type!r}; see /api/notify/catalogue",
                           event_type=event_type))
    return found


def lineage_of(session: Session, unit_id: str | None) -> tuple[str, ...]:
    unit = session.get(UnitRef, unit_id) if unit_id else None
    return authority.lineage(unit.path) if unit is not None else ()


def person_lineage(session: Session, account_id: str) -> tuple[str, ...]:
    person = session.get(Person, account_id)
    return lineage_of(session, person.unit_id if person else None)


def require_configure(session: Session, principal: Principal, unit_id: str | None = None) -> None:
    """The province's settings need notify.configure on every unit; a subtree's, on that subtree."""
    if unit_id is None:
        if not principal.holds_everywhere(CONFIGURE):
            raise Forbidden(msg("the province's notification settings need notify.configure for the whole province; a"
                                " unit's admin sets its own subtree's (send unit_id)"), code="permission_missing",
                            permission=CONFIGURE)
        return
    unit = session.get(UnitRef, unit_id)
    if unit is None:
        raise NotFound(msg("no unit {unit_id!r}", unit_id=unit_id))
    if not principal.may(CONFIGURE, authority.lineage(unit.path)):
        raise Forbidden(msg("notification settings of “{name}” need notify.configure on that unit", name=unit.name),
                        code="permission_missing", permission=CONFIGURE)


def _nearest(rows, lineage: tuple[str, ...]):
    """The override of the deepest unit of ``lineage`` among ``rows`` (None when there is none)."""
    depth = {unit: i for i, unit in enumerate(lineage)}
    return max((r for r in rows if r.unit_id in depth), key=lambda r: depth[r.unit_id], default=None)


def _rule(session: Session, kind: Kind, role: str, channel: str, lineage: tuple[str, ...]) -> tuple[bool, str]:
    if lineage:
        override = _nearest(session.exec(select(RuleOverride).where(
            RuleOverride.event_type == kind.event_type, RuleOverride.role == role, RuleOverride.channel == channel,
            col(RuleOverride.unit_id).in_(lineage))).all(), lineage)
        if override is not None:
            return override.enabled, override.unit_id
    row = session.exec(select(Rule).where(Rule.event_type == kind.event_type, Rule.role == role,
                                          Rule.channel == channel)).first()
    if row is not None:
        return row.enabled, PROVINCE
    return kind.defaults.get((role, channel), False), "default"


def enabled(session: Session, kind: Kind, role: str, channel: str, lineage: tuple[str, ...] = ()) -> bool:
    return _rule(session, kind, role, channel, lineage)[0]


def rules(session: Session, event_type: str | None = None, unit_id: str | None = None) -> list[dict]:
    """The rules in force for the people of ``unit_id`` (the province's without it), and where each comes from."""
    kinds = [_kind(event_type)] if event_type else list(KINDS.values())
    lineage = lineage_of(session, unit_id)
    if unit_id and not lineage:
        raise NotFound(msg("no unit {unit_id!r}", unit_id=unit_id))
    items = []
    for k in kinds:
        for role in k.roles:
            for channel in CHANNELS:
                if (k.secret and channel == IN_APP) or channel not in k.templates:
                    continue
                on, source = _rule(session, k, role, channel, lineage)
                items.append({"event_type": k.event_type, "label": k.label, "role": role, "channel": channel,
                              "enabled": on, "source": source})
    return items


def set_rule(uow: UnitOfWork, principal: Principal, event_type: str, role: str, channel: str, on: bool,
             unit_id: str | None = None) -> dict:
    session = uow.session
    require_configure(session, principal, unit_id)
    kind = _kind(event_type)
    if role not in kind.roles:
        raise Invalid(msg("{event_type} has no recipient role {role!r}; roles: {items}", event_type=event_type,
                          role=role, items=', '.join(kind.roles)))
    if channel not in kind.templates or (kind.secret and channel == IN_APP):
        raise Invalid(msg("{event_type} cannot go out on {channel}", event_type=event_type, channel=channel))
    model = RuleOverride if unit_id else Rule
    query = select(model).where(model.event_type == event_type, model.role == role, model.channel == channel)
    row = session.exec(query.where(RuleOverride.unit_id == unit_id) if unit_id else query).first()
    if row is None:
        row = model(event_type=event_type, role=role, channel=channel, **({"unit_id": unit_id} if unit_id else {}))
        session.add(row)
    row.enabled, row.updated_by, row.updated_at = on, principal.account_id, utcnow()
    uow.commit()
    return {"event_type": event_type, "role": role, "channel": channel, "enabled": on,
            "source": unit_id or PROVINCE}


def template(session: Session, event_type: str, channel: str, lineage: tuple[str, ...] = ()) -> tuple[str, str]:
    kind = _kind(event_type)
    if lineage:
        override = _nearest(session.exec(select(TemplateOverride).where(
            TemplateOverride.event_type == event_type, TemplateOverride.channel == channel,
            col(TemplateOverride.unit_id).in_(lineage))).all(), lineage)
        if override is not None:
            return override.subject, override.body
    row = session.exec(select(Template).where(Template.event_type == event_type,
                                              Template.channel == channel)).first()
    if row is not None:
        return row.subject, row.body
    if channel not in kind.templates:
        raise NotFound(msg("{event_type} has no {channel} template", event_type=event_type, channel=channel))
    return kind.templates[channel]


def save_template(uow: UnitOfWork, principal: Principal, event_type: str, channel: str, subject: str,
                  body: str, unit_id: str | None = None) -> dict:
    session = uow.session
    require_configure(session, principal, unit_id)
    kind = _kind(event_type)
    if channel not in kind.templates:
        raise Invalid(msg("{event_type} cannot go out on {channel}", event_type=event_type, channel=channel))
    preview_subject, preview_body = templates.check(kind, subject, body)
    model = TemplateOverride if unit_id else Template
    query = select(model).where(model.event_type == event_type, model.channel == channel)
    row = session.exec(query.where(TemplateOverride.unit_id == unit_id) if unit_id else query).first()
    if row is None:
        row = model(event_type=event_type, channel=channel, body=body, **({"unit_id": unit_id} if unit_id else {}))
        session.add(row)
    row.subject, row.body, row.updated_by, row.updated_at = subject, body, principal.account_id, utcnow()
    uow.commit()
    return {"event_type": event_type, "channel": channel, "subject": subject, "body": body,
            "unit_id": unit_id, "preview": {"subject": preview_subject, "body": preview_body}}


def preview(session: Session, event_type: str, channel: str, subject: str | None, body: str | None) -> dict:
    kind = _kind(event_type)
    saved_subject, saved_body = template(session, event_type, channel)
    rendered_subject, rendered_body = templates.check(kind, saved_subject if subject is None else subject,
                                                      saved_body if body is None else body)
    return {"subject": rendered_subject, "body": rendered_body, "example": kind.example}
