"""Notify publishes nothing; it consumes every service's events from its own queue."""
from __future__ import annotations

from services.common.outbox import idempotent
from services.common.sealing import Sealer
from services.notify.domain.dispatch import consumer

CONSUMER_QUEUE = "notify.events"
CONSUMES = ["identity.#", "process.#", "direction.#", "meetings.#", "orgunits.#"]


def subscribe(runtime, sealer: Sealer) -> None:
    runtime.subscribe(CONSUMER_QUEUE, CONSUMES, idempotent(runtime.db, CONSUMER_QUEUE, consumer(sealer)))
