"""From an event to messages, once: the consumer plans in-app notifications and outside deliveries in the
same transaction as its inbox row; the dispatcher sends due deliveries, retries with exponential
back-off, and parks what keeps failing for an admin to replay."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, or_
from sqlmodel import Session, col, select

from services.common import authority
from services.common.auth import Principal
from services.common.db import Database, UnitOfWork
from services.common.errors import Conflict, Forbidden, NotFound
from services.common.i18n import msg
from services.common.logging import get_logger
from services.common.models import utcnow
from services.common.sealing import Sealer
from services.notify.domain import people, rules, templates
from services.notify.domain.catalogue import EMAIL, IN_APP, SMS, Kind, kind
from services.notify.models import Delivery, DeliveryStatus, Notification, Person, UnitRef

log = get_logger(__name__)


class ChannelError(RuntimeError):
    """A channel could not deliver (the server refused, timed out, is not configured …)."""


def consumer(sealer: Sealer):
    """The consumer's effect for one event (the inbox makes it happen once)."""

    def on_event(uow: UnitOfWork, event: dict) -> None:
        if event["type"].startswith("identity.account."):
            people.apply_account(uow, event)
            uow.session.flush()
        elif event["type"].startswith("orgunits.unit."):
            people.apply_unit(uow, event)
            uow.session.flush()
        found = kind(event["type"])
        if found is not None:
            plan(uow, found, event, sealer)

    return on_event


def _address(person: Person | None, data: dict, channel: str) -> str | None:
    if channel == EMAIL:
        return (person.email if person else None) or data.get("email")
    return (person.phone if person else None) or data.get("phone")


def plan(uow: UnitOfWork, found: Kind, event: dict, sealer: Sealer | None = None) -> int:
    session, data, planned = uow.session, event["data"], 0
    secret = sealer.open(data.get(f"sealed_{found.secret_field}")) if found.secret and sealer else None
    actor = data.get("actor")
    for role, resolve in found.roles.items():
        for account_id in dict.fromkeys(resolve(data)):
            if account_id == actor:
                continue    # nobody is told about what they did themselves
            person = session.get(Person, account_id)
            recipient = {"account_id": account_id, "full_name": person.full_name if person else data.get(
                "full_name", "")}
            values = templates.context(event, recipient, found)
            lineage = rules.person_lineage(session, account_id)
            for channel in found.templates:
                if (found.secret and channel == IN_APP) or not rules.enabled(session, found, role, channel,
                                                                             lineage):
                    continue
                title, text = _render(session, found, channel, values, lineage)
                planned += _add(session, found, event, account_id, channel, title, text,
                                _address(person, data, channel), secret)
    return planned


def _render(session: Session, found: Kind, channel: str, values: dict, lineage: tuple[str, ...]) -> tuple[str, str]:
    """The template in force for the recipient's unit; if it fails on this event's real data, the built-in one
    (the message still goes)."""
    subject, body = rules.template(session, found.event_type, channel, lineage)
    try:
        return templates.shown(templates.render(subject, values)), templates.render(body, values)
    except Exception as exc:  # noqa: BLE001 - an admin's template must never stop the consumer
        log.warning("notify.template_failed", event_type=found.event_type, channel=channel,
                    error=f"{exc.__class__.__name__}: {str(exc)[:200]}")
        subject, body = found.templates[channel]
        return templates.shown(templates.render(subject, values)), templates.render(body, values)


def _add(session: Session, found: Kind, event: dict, account_id: str, channel: str, title: str, text: str,
         address: str | None, secret: str | None = None) -> int:
    if channel == IN_APP:
        if session.exec(select(Notification).where(Notification.event_id == event["id"],
                                                   Notification.account_id == account_id)).first():
            return 0
        session.add(Notification(account_id=account_id, event_id=event["id"], event_type=event["type"],
                                 title=title, body=text, subject_id=event.get("subject")))
        return 1
    if session.exec(select(Delivery).where(Delivery.event_id == event["id"], Delivery.account_id == account_id,
                                           Delivery.channel == channel)).first():
        return 0
    delivery = Delivery(event_id=event["id"], event_type=event["type"], account_id=account_id, channel=channel,
                        address=address, subject=title, body=text, secret=found.secret,
                        secret_value=str(secret) if secret is not None else None)
    if not address:
        delivery.status, delivery.last_error = DeliveryStatus.parked, f"no {channel} address for this account"
        delivery.secret_value = None
    session.add(delivery)
    return 1


def _with_secret(delivery: Delivery) -> Delivery:
    """The message as the channel sends it: the secret in place of its mark, on a copy that is never saved."""
    body = delivery.body.replace(templates.SECRET_MARK, delivery.secret_value or "[mã đã hết hiệu lực]")
    return Delivery(**{**delivery.model_dump(), "body": body})


def send_due(db: Database, channels: dict, *, max_attempts: int, backoff: float, limit: int = 50) -> int:
    """Send what is due now; returns how many deliveries were tried."""
    with db.session() as session:
        due = session.exec(select(Delivery).where(
            col(Delivery.status).in_((DeliveryStatus.queued, DeliveryStatus.failed)),
            Delivery.next_attempt_at <= utcnow()).order_by(Delivery.id).limit(limit)).all()
        for delivery in due:
            _attempt(delivery, channels.get(delivery.channel), max_attempts, backoff)
            session.commit()
        return len(due)


def _attempt(delivery: Delivery, channel, max_attempts: int, backoff: float) -> None:
    delivery.attempts += 1
    if channel is None:
        # Retrying cannot help until an operator configures the channel; replay after that.
        delivery.status, delivery.secret_value = DeliveryStatus.parked, None
        delivery.last_error = f"the {delivery.channel} channel is not configured (NOTIFY_SMTP_HOST / NOTIFY_SMS_URL)"
        return
    try:
        channel.send(_with_secret(delivery))
    except ChannelError as exc:
        delivery.last_error = str(exc)[:500]
        if delivery.attempts >= max_attempts:
            delivery.status = DeliveryStatus.parked
            delivery.secret_value = None
            log.warning("notify.parked", delivery_id=delivery.id, channel=delivery.channel, error=delivery.last_error)
        else:
            delivery.status = DeliveryStatus.failed
            delivery.next_attempt_at = utcnow() + timedelta(seconds=backoff * 2 ** (delivery.attempts - 1))
        return
    delivery.status, delivery.sent_at, delivery.last_error = DeliveryStatus.sent, utcnow(), None
    if delivery.secret:
        delivery.body, delivery.secret_value = "[đã gửi; nội dung bí mật không được lưu lại]", None
    log.info("notify.sent", delivery_id=delivery.id, channel=delivery.channel, attempts=delivery.attempts)


def _visible_people(session: Session, principal: Principal):
    """The people whose deliveries the caller may read: those of the subtrees where it holds notify.configure
    (None: everyone)."""
    if principal.holds_everywhere(rules.CONFIGURE):
        return None
    roots = [session.get(UnitRef, u) for u in authority.roots_with(principal.grants, rules.CONFIGURE)]
    paths = [r.path for r in roots if r is not None]
    if not paths:
        raise Forbidden(msg("the delivery log needs notify.configure on a unit"), code="permission_missing",
                        permission=rules.CONFIGURE)
    units = select(UnitRef.id).where(or_(*[col(UnitRef.path).startswith(p) for p in paths]))
    return select(Person.account_id).where(col(Person.unit_id).in_(units))


def deliveries(session: Session, principal: Principal, status: str | None, limit: int, offset: int):
    """The delivery log of the people the caller administers notifications for, newest first."""
    query = select(Delivery)
    people_ = _visible_people(session, principal)
    if people_ is not None:
        query = query.where(col(Delivery.account_id).in_(people_))
    if status:
        query = query.where(Delivery.status == status)
    total = session.exec(select(func.count()).select_from(query.subquery())).one()
    rows = session.exec(query.order_by(col(Delivery.id).desc()).offset(offset).limit(limit)).all()
    return list(rows), total


def replay(uow: UnitOfWork, principal: Principal, delivery_id: int) -> Delivery:
    delivery = uow.session.get(Delivery, delivery_id)
    people_ = _visible_people(uow.session, principal) if delivery is not None else None
    if delivery is None or (people_ is not None and uow.session.exec(
            people_.where(Person.account_id == delivery.account_id)).first() is None):
        raise NotFound(msg("no delivery {delivery_id}", delivery_id=delivery_id))
    if delivery.status != DeliveryStatus.parked:
        raise Conflict(msg("only a parked delivery can be replayed; this one is {status}", status=delivery.status))
    if delivery.channel in (EMAIL, SMS) and not delivery.address:
        person = uow.session.get(Person, delivery.account_id)
        delivery.address = _address(person, {}, delivery.channel)
    delivery.status, delivery.attempts, delivery.next_attempt_at = DeliveryStatus.queued, 0, utcnow()
    uow.commit()
    return delivery
