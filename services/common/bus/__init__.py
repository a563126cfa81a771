"""The bus: one small interface, two implementations chosen by URL.

``memory://`` — in-process (the embedded default, one process); ``amqp://`` — kombu on RabbitMQ.
Both route by topic (routing key = event type), give every consumer its own queue bound by patterns,
redeliver a failing message up to a limit and then dead-letter it.
"""
from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import Any, Protocol

Handler = Callable[[dict[str, Any]], None]

EXCHANGE = "egov.events"
DEAD_LETTER_EXCHANGE = "egov.dlx"
UNROUTED_EXCHANGE = "egov.unrouted"


class BusError(RuntimeError):
    """The broker did not take the message (no confirm, a nack, a return, or no connection)."""


class Bus(Protocol):
    def publish(self, event: dict[str, Any]) -> None:
        """Hand one event to the broker; return only once it is safely stored (confirmed)."""

    def subscribe(self, queue: str, patterns: list[str], handler: Handler) -> None:
        """Declare ``queue`` bound to ``patterns``; ``handler`` runs for each message once consuming starts."""

    def declare(self) -> None:
        """Create the exchanges and this service's queues (idempotent)."""

    def start(self) -> None:
        """Start delivering to the subscribed handlers (in background threads)."""

    def ping(self) -> None:
        """Raise BusError when the broker cannot be reached."""

    def close(self) -> None: ...


@lru_cache(maxsize=4096)
def _words_match(pattern: tuple[str, ...], key: tuple[str, ...]) -> bool:
    if not pattern:
        return not key
    head, rest = pattern[0], pattern[1:]
    if head == "#":
        return _words_match(rest, key) or (bool(key) and _words_match(pattern, key[1:]))
    return bool(key) and head in ("*", key[0]) and _words_match(rest, key[1:])


def topic_matches(pattern: str, routing_key: str) -> bool:
    """AMQP topic semantics: ``*`` is exactly one word, ``#`` zero or more words."""
    return _words_match(tuple(pattern.split(".")), tuple(routing_key.split(".")))


def make_bus(url: str, *, delivery_limit: int = 10, prefetch: int = 32) -> Bus:
    if url.startswith("memory://"):
        from services.common.bus.memory import InProcessBus

        return InProcessBus(delivery_limit=delivery_limit)
    if url.startswith(("amqp://", "amqps://", "pyamqp://")):
        from services.common.bus.amqp import KombuBus

        return KombuBus(url, delivery_limit=delivery_limit, prefetch=prefetch)
    raise ValueError(f"unsupported bus URL scheme: {url.split('://')[0]!r} (use memory:// or amqp://)")
