"""Notify publishes nothing; it consumes every service's events from its own queue."""
from __future__ import annotations

from services.common.outbox import idempotent
from services.notify.domain.dispatch import on_event

CONSUMER_QUEUE = "notify.events"
CONSUMES = ["identity.#", "process.#", "meetings.#", "orgunits.#"]


def subscribe(runtime) -> None:
    runtime.subscribe(CONSUMER_QUEUE, CONSUMES, idempotent(runtime.db, CONSUMER_QUEUE, on_event))
