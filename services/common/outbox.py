"""The outbox relay (publish committed events with confirms, then mark them sent) and the inbox
(apply each event once, recording its id in the same transaction as the effect)."""
from __future__ import annotations

import threading
import zlib
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, text
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlmodel import select

from services.common.bus import Bus, BusError, Handler
from services.common.db import Database, UnitOfWork
from services.common.logging import get_logger
from services.common.models import InboxEntry, OutboxMessage, utcnow

log = get_logger(__name__)


class OutboxRelay:
    """Publishes unsent outbox rows in commit order. One relay per database publishes at a time
    (a PostgreSQL advisory lock), so events of one subject reach the broker in the order they happened.

    Published rows stay for ``retention`` (deploy/replay publishes them again on request); the relay deletes
    older ones once an hour.

    ``after_publish`` runs after the broker confirmed a row and before it is marked sent; the crash
    tests use it to kill the process in exactly that gap."""

    PURGE_EVERY = timedelta(hours=1)

    def __init__(self, db: Database, bus: Bus, *, batch: int = 200, interval: float = 0.2,
                 retention: timedelta = timedelta(days=30),
                 after_publish: Callable[[OutboxMessage], None] | None = None):
        self.db = db
        self.bus = bus
        self.batch = batch
        self.interval = interval
        self.retention = retention
        self.after_publish = after_publish
        self._lock_key = zlib.crc32(f"outbox:{db.service}".encode())
        self._purged_at: datetime | None = None
        self._publishing = threading.Lock()   # the background relay and deliver_pending take turns in one process
        self.published_total = 0              # rows this relay has handed to the bus, ever

    def purge(self, now: datetime | None = None) -> int:
        """Delete the rows published before the retention period; returns how many."""
        cutoff = (now or utcnow()) - self.retention
        with self.db.session() as session:
            deleted = session.execute(delete(OutboxMessage).where(OutboxMessage.sent_at.is_not(None),
                                                                  OutboxMessage.sent_at < cutoff)).rowcount
            session.commit()
        if deleted:
            log.info("outbox.purged", deleted=deleted, before=cutoff.isoformat())
        return deleted

    def _purge_now_and_then(self) -> None:
        now = utcnow()
        if self._purged_at is None or now - self._purged_at >= self.PURGE_EVERY:
            self._purged_at = now
            self.purge(now)

    def publish_pending(self) -> int:
        with self._publishing:
            return self._publish_batch()

    def _publish_batch(self) -> int:
        with self.db.session() as session:
            if self.db.is_postgres:
                got = session.execute(text("SELECT pg_try_advisory_xact_lock(:k)"), {"k": self._lock_key})
                if not got.scalar():
                    return 0
            rows = session.exec(
                select(OutboxMessage).where(OutboxMessage.sent_at.is_(None))
                .order_by(OutboxMessage.id).limit(self.batch)
            ).all()
            published = 0
            try:
                for row in rows:
                    self.bus.publish(row.event())
                    self.published_total += 1
                    if self.after_publish is not None:
                        self.after_publish(row)
                    row.sent_at = utcnow()
                    published += 1
            except BusError as exc:
                failed = rows[published]
                failed.attempts += 1
                failed.last_error = str(exc)[:500]
                session.commit()
                raise
            session.commit()
            return published

    def run(self, stop: threading.Event) -> None:
        backoff = self.interval
        while not stop.is_set():
            try:
                count = self.publish_pending()
                self._purge_now_and_then()
                backoff = self.interval
            except (BusError, SQLAlchemyError) as exc:
                log.warning("outbox.relay_failed", error=str(exc)[:300], retry_in=backoff)
                stop.wait(backoff)
                backoff = min(backoff * 2, 5.0)
                continue
            if count == self.batch:
                continue
            self.db.outbox_signal.wait(timeout=self.interval)
            self.db.outbox_signal.clear()

    def pending(self) -> int:
        with self.db.session() as session:
            return session.exec(select(func.count()).select_from(OutboxMessage)
                                .where(OutboxMessage.sent_at.is_(None))).one()


class IdempotentConsumer:
    """Wraps ``apply(uow, event)`` so each event id takes effect once for this consumer."""

    def __init__(self, db: Database, consumer: str, apply: Callable[[UnitOfWork, dict[str, Any]], None]):
        self.db = db
        self.consumer = consumer
        self.apply = apply
        self.applied = 0
        self.duplicates = 0

    def __call__(self, event: dict[str, Any]) -> None:
        with self.db.uow() as uow:
            if uow.session.get(InboxEntry, (self.consumer, event["id"])) is not None:
                self._duplicate(event)
                return
            self.apply(uow, event)
            uow.session.add(InboxEntry(consumer=self.consumer, event_id=event["id"], event_type=event["type"]))
            try:
                uow.commit()
            except IntegrityError:
                # Another delivery of the same event committed first.
                self._duplicate(event)
                return
        self.applied += 1

    def _duplicate(self, event: dict[str, Any]) -> None:
        self.duplicates += 1
        log.info("inbox.duplicate_ignored", consumer=self.consumer, event_id=event["id"])


def idempotent(db: Database, consumer: str, apply: Callable[[UnitOfWork, dict[str, Any]], None]) -> Handler:
    return IdempotentConsumer(db, consumer, apply)
