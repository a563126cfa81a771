"""What a running service is made of — settings, database, bus, token verifier, relay, consumers — and
how its background work (outbox relay, consumers) starts and stops. Built by each service's app.py."""
from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import timedelta

from services.common.auth import TokenVerifier
from services.common.bus import Bus, Handler, make_bus
from services.common.db import Database, migrate
from services.common.logging import configure_logging, get_logger
from services.common.outbox import OutboxRelay, idempotent
from services.common.revocation import EVENT as REVOKED_EVENT
from services.common.revocation import apply_revocation, floor_reader
from services.common.settings import ServiceSettings

log = get_logger(__name__)


@dataclass
class Subscription:
    queue: str
    patterns: list[str]
    handler: Handler


@dataclass
class ServiceRuntime:
    settings: ServiceSettings
    db: Database
    bus: Bus
    verifier: TokenVerifier
    subscriptions: list[Subscription] = field(default_factory=list)
    relay: OutboxRelay | None = None
    extra_background: list = field(default_factory=list)  # a service's own loops (notify's dispatcher)
    _stop: threading.Event = field(default_factory=threading.Event)
    _threads: list[threading.Thread] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.settings.service

    def subscribe(self, queue: str, patterns: list[str], handler: Handler) -> None:
        self.subscriptions.append(Subscription(queue, patterns, handler))
        self.bus.subscribe(queue, patterns, handler)

    def subscription(self, queue: str) -> Subscription:
        return next(s for s in self.subscriptions if s.queue == queue)

    def start_relay(self) -> None:
        thread = threading.Thread(target=self.relay.run, args=(self._stop,), name=f"relay-{self.name}",
                                  daemon=True)
        thread.start()
        self._threads.append(thread)

    def start_consumers(self) -> None:
        self.bus.start()

    def start_background(self) -> None:
        """Everything a one-process run needs besides HTTP: the relay, the consumers, the service's own loops."""
        self.start_relay()
        self.start_consumers()
        for start in self.extra_background:
            start()

    def stop(self) -> None:
        self._stop.set()
        self.db.outbox_signal.set()
        for thread in self._threads:
            thread.join(timeout=5)
        self.bus.close()
        self.db.dispose()


def build_runtime(settings: ServiceSettings, *, bus: Bus | None = None) -> ServiceRuntime:
    """Wire one service from its settings. Nothing connects at import time; this is where it happens.
    Outside production the schema is brought up to date here; in production `deploy/setup` migrates."""
    configure_logging(settings.log_format, settings.log_level)
    db = Database(settings.resolved_database_url, settings.service)
    if settings.env != "production":
        migrate(settings.service, db.url)
    bus = bus or make_bus(settings.bus_url, delivery_limit=settings.delivery_limit,
                          prefetch=settings.consumer_prefetch)
    verifier = TokenVerifier(issuer=settings.jwt_issuer, audience=settings.jwt_audience,
                             public_key=settings.jwt_public_key, jwks_url=settings.jwks_url)
    runtime = ServiceRuntime(settings=settings, db=db, bus=bus, verifier=verifier)
    runtime.relay = OutboxRelay(db, bus, batch=settings.relay_batch, interval=settings.relay_interval,
                                retention=timedelta(days=settings.outbox_retention_days))
    verifier.floor = floor_reader(db)
    if settings.service != "identity":  # identity writes its floors itself, in the revoking transaction
        queue = f"{settings.service}.revocations"
        runtime.subscribe(queue, [REVOKED_EVENT], idempotent(db, queue, apply_revocation))
    return runtime
