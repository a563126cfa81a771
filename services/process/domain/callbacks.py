"""Callback URLs, besides the bus: an integrator (the monitoring centre) registers a URL for some of the process
service's event types about a unit's subtree; each such event is POSTed to it as the CloudEvent the bus carries
(same id, so the receiver deduplicates as a bus consumer would), signed with the callback's secret:

    X-Egov-Signature: t=<unix time>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>

A delivery is owed until the receiver answers 2xx: the scheduler sends what is due, a failure waits longer each
time (30 s, 1 min, 2 min … at most an hour), and after ``MAX_ATTEMPTS`` the delivery is parked where the integrator
sees it and can send it again. Deliveries live in the database, so a restart loses none."""
from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import time
import uuid
from datetime import datetime, timedelta
from urllib.parse import urlsplit

import requests
from sqlalchemy import update
from sqlmodel import Session, col, select
from tenacity import retry, retry_if_exception_type, stop_after_attempt, wait_exponential

from services.common.auth import Principal
from services.common.db import Database, UnitOfWork
from services.common.errors import Conflict, Forbidden, Invalid, NotFound
from services.common.i18n import msg
from services.common.logging import get_logger
from services.common.models import iso, utcnow
from services.process.domain import access
from services.process.models import Callback, CallbackDelivery, UnitRef

log = get_logger(__name__)
MAX_ATTEMPTS = 10
FIRST_PAUSE = timedelta(seconds=30)
LONGEST_PAUSE = timedelta(hours=1)
LEASE = timedelta(seconds=60)        # a sender holds a delivery this long; another scheduler leaves it alone
TIMEOUT = 10.0


def _work() -> str:
    from services.process.domain.jobs import WORK  # jobs → instances → events imports this module

    return WORK


def view(cb: Callback, *, secret: bool = False) -> dict:
    shown = {"id": cb.id, "url": cb.url, "unit_id": cb.unit_id, "event_types": list(cb.event_types),
             "active": cb.active, "created_by": cb.created_by, "created_at": iso(cb.created_at)}
    return {**shown, "secret": cb.secret} if secret else shown


def delivery_view(row: CallbackDelivery) -> dict:
    state = "delivered" if row.delivered_at else "parked" if row.parked_at else "pending"
    return {"id": row.id, "event_id": row.event_id, "event_type": row.event_type, "state": state,
            "attempts": row.attempts, "next_at": iso(row.next_at) if row.next_at else None,
            "delivered_at": iso(row.delivered_at) if row.delivered_at else None,
            "last_status": row.last_status, "last_error": row.last_error}


def _manages(principal: Principal, unit: UnitRef) -> bool:
    """The unit's integrators (process.work) and admins (process.configure) keep its callbacks."""
    lineage = access.lineage_of(unit)
    return principal.may(_work(), lineage) or principal.may(access.CONFIGURE, lineage)


def _may_manage(session: Session, principal: Principal, unit_id: str) -> UnitRef:
    unit = access.unit_or_404(session, unit_id)
    if not _manages(principal, unit):
        raise Forbidden(msg("callbacks for “{name}” are registered by its integrators (process.work) or admins "
                            "(process.configure)", name=unit.name), code="permission_missing",
                        permission=_work())
    return unit


def _check_url(url: str, allow_http: bool) -> str:
    parts = urlsplit(url.strip())
    if parts.scheme not in (("https", "http") if allow_http else ("https",)) or not parts.hostname:
        raise Invalid(msg("the callback URL must be an https:// address") if not allow_http else
                      msg("the callback URL must be an http:// or https:// address"), code="bad_url", field="url")
    if parts.username or parts.password:
        raise Invalid(msg("put no user name or password in the callback URL; the signature proves who sends"),
                      code="bad_url", field="url")
    return url.strip()


def register(uow: UnitOfWork, principal: Principal, *, url: str, unit_id: str, event_types: list[str],
             known: set[str], allow_http: bool) -> Callback:
    session = uow.session
    unit = _may_manage(session, principal, unit_id)
    unknown = sorted(set(event_types) - known)
    if unknown or not event_types:
        raise Invalid(msg("name event types of the catalogue (docs/events.md); unknown: {types}",
                          types=", ".join(unknown) or "—"), code="unknown_event_type", field="event_types")
    cb = Callback(id=uuid.uuid4().hex, url=_check_url(url, allow_http), unit_id=unit.id,
                  event_types=sorted(set(event_types)), secret=secrets.token_urlsafe(32),
                  created_by=principal.account_id)
    session.add(cb)
    uow.commit()
    return cb


def listed(session: Session, principal: Principal) -> list[Callback]:
    rows = session.exec(select(Callback).where(Callback.active == True).order_by(Callback.created_at)).all()  # noqa: E712
    return [cb for cb in rows if (unit := session.get(UnitRef, cb.unit_id)) is not None and _manages(principal, unit)]


def get(session: Session, principal: Principal, callback_id: str) -> Callback:
    cb = session.get(Callback, callback_id)
    unit = session.get(UnitRef, cb.unit_id) if cb is not None and cb.active else None
    if unit is None or not _manages(principal, unit):
        raise NotFound(msg("no callback {callback_id!r}", callback_id=callback_id))
    return cb


def remove(uow: UnitOfWork, principal: Principal, callback_id: str) -> None:
    cb = get(uow.session, principal, callback_id)
    cb.active = False
    for row in uow.session.exec(select(CallbackDelivery).where(CallbackDelivery.callback_id == cb.id,
                                                               col(CallbackDelivery.next_at).is_not(None))).all():
        row.next_at, row.parked_at, row.last_error = None, utcnow(), "the callback was removed"
    uow.commit()


def deliveries(session: Session, principal: Principal, callback_id: str, limit: int = 200) -> list[CallbackDelivery]:
    cb = get(session, principal, callback_id)
    return list(session.exec(select(CallbackDelivery).where(CallbackDelivery.callback_id == cb.id)
                             .order_by(col(CallbackDelivery.id).desc()).limit(limit)).all())


def resend(uow: UnitOfWork, principal: Principal, callback_id: str, delivery_id: int) -> CallbackDelivery:
    """A parked delivery is owed again (the receiver is back)."""
    cb = get(uow.session, principal, callback_id)
    row = uow.session.get(CallbackDelivery, delivery_id)
    if row is None or row.callback_id != cb.id:
        raise NotFound(msg("no delivery {delivery_id} of this callback", delivery_id=delivery_id))
    if row.delivered_at is not None:
        raise Conflict(msg("the receiver already took this event"), code="already_delivered")
    row.parked_at, row.next_at, row.attempts = None, utcnow(), 0
    uow.commit()
    return row


def _unit_of(data: dict) -> str | None:
    for holder in (data, data.get("instance") or {}, data.get("task") or {}):
        if isinstance(holder, dict) and holder.get("unit_id"):
            return str(holder["unit_id"])
    return None


def enqueue(uow: UnitOfWork, event: dict) -> int:
    """An event the service published: owe it to every callback that asked for its type in its unit's subtree."""
    session = uow.session
    unit_id = _unit_of(event.get("data") or {})
    unit = session.get(UnitRef, unit_id) if unit_id else None
    if unit is None:
        return 0
    owed = 0
    for cb in session.exec(select(Callback).where(Callback.active == True)).all():  # noqa: E712
        covering = session.get(UnitRef, cb.unit_id)
        if event["type"] not in cb.event_types or covering is None or not unit.path.startswith(covering.path):
            continue
        session.add(CallbackDelivery(callback_id=cb.id, event_id=event["id"], event_type=event["type"],
                                     body=json.dumps(event, ensure_ascii=False, separators=(",", ":"))))
        owed += 1
    return owed


def sign(secret: str, body: bytes, at: int) -> str:
    digest = hmac.new(secret.encode(), f"{at}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={at},v1={digest}"


class _Refused(Exception):
    def __init__(self, status: int | None, reason: str):
        super().__init__(reason)
        self.status, self.reason = status, reason


@retry(retry=retry_if_exception_type(requests.ConnectionError), stop=stop_after_attempt(2),
       wait=wait_exponential(multiplier=0.2, max=1), reraise=True)
def _post(url: str, body: bytes, headers: dict) -> requests.Response:
    return requests.post(url, data=body, headers=headers, timeout=TIMEOUT, allow_redirects=False)


def send(cb: Callback, row: CallbackDelivery) -> int:
    body = row.body.encode()
    headers = {"Content-Type": "application/cloudevents+json; charset=utf-8", "X-Egov-Event-Id": row.event_id,
               "X-Egov-Event-Type": row.event_type, "X-Egov-Delivery": str(row.id),
               "X-Egov-Signature": sign(cb.secret, body, int(time.time())), "User-Agent": "egov-suite-callbacks/1"}
    try:
        response = _post(cb.url, body, headers)
    except requests.RequestException as exc:
        raise _Refused(None, exc.__class__.__name__) from exc
    if not 200 <= response.status_code < 300:
        raise _Refused(response.status_code, f"HTTP {response.status_code}")
    return response.status_code


def pause(attempts: int) -> timedelta:
    return min(FIRST_PAUSE * (2 ** max(attempts - 1, 0)), LONGEST_PAUSE)


def deliver_due(db: Database, now: datetime | None = None, limit: int = 50) -> int:
    """Send what is due; each row is claimed first (a conditional UPDATE), so two schedulers never both send it."""
    now = now or utcnow()
    with db.session() as session:
        due = session.exec(select(CallbackDelivery.id).where(col(CallbackDelivery.next_at) <= now)
                           .order_by(col(CallbackDelivery.next_at)).limit(limit)).all()
    sent = 0
    for delivery_id in due:
        with db.uow() as uow:
            claimed = uow.session.execute(update(CallbackDelivery).where(
                col(CallbackDelivery.id) == delivery_id, col(CallbackDelivery.next_at) <= now)
                .values(next_at=now + LEASE).execution_options(synchronize_session=False))
            uow.commit()
        if claimed.rowcount != 1:
            continue
        with db.uow() as uow:
            row = uow.session.get(CallbackDelivery, delivery_id)
            cb = uow.session.get(Callback, row.callback_id)
            row.attempts += 1
            try:
                row.last_status = send(cb, row)
                row.delivered_at, row.next_at, row.last_error = utcnow(), None, None
                sent += 1
            except _Refused as refused:
                row.last_status, row.last_error = refused.status, refused.reason[:500]
                if row.attempts >= MAX_ATTEMPTS:
                    row.next_at, row.parked_at = None, utcnow()
                    log.warning("process.callback_parked", callback=cb.id, event_id=row.event_id,
                                reason=refused.reason)
                else:
                    row.next_at = utcnow() + pause(row.attempts)
            uow.commit()
    return sent
