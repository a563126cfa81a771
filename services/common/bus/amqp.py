"""kombu on RabbitMQ: durable topic exchange, quorum queues with a dead-letter exchange and a delivery
limit, publisher confirms + ``mandatory``, persistent messages, ack after the handler committed."""
from __future__ import annotations

import threading
from typing import Any

from kombu import Connection, Exchange, Queue, binding
from kombu.mixins import ConsumerMixin

from services.common import envelope
from services.common.bus import DEAD_LETTER_EXCHANGE, EXCHANGE, UNROUTED_EXCHANGE, BusError, Handler
from services.common.logging import correlation, get_logger

log = get_logger(__name__)

UNROUTED_KEEP_MS = 7 * 24 * 3600 * 1000


def topology_exchanges() -> tuple[Exchange, Exchange, Exchange]:
    events = Exchange(
        EXCHANGE, "topic", durable=True, arguments={"alternate-exchange": UNROUTED_EXCHANGE}
    )
    return events, Exchange(DEAD_LETTER_EXCHANGE, "topic", durable=True), Exchange(
        UNROUTED_EXCHANGE, "fanout", durable=True
    )


def consumer_queues(name: str, patterns: list[str], delivery_limit: int) -> tuple[Queue, Queue]:
    """The consumer's quorum queue and the queue its dead letters land in (``<name>.dead``)."""
    events, dlx, _ = topology_exchanges()
    main = Queue(
        name,
        bindings=[binding(events, routing_key=p) for p in patterns],
        durable=True,
        queue_arguments={
            "x-queue-type": "quorum",
            "x-dead-letter-exchange": DEAD_LETTER_EXCHANGE,
            "x-dead-letter-routing-key": name,
            "x-delivery-limit": delivery_limit,
        },
    )
    dead = Queue(f"{name}.dead", exchange=dlx, routing_key=name, durable=True,
                 queue_arguments={"x-queue-type": "quorum"})
    return main, dead


class KombuBus:
    def __init__(self, url: str, *, delivery_limit: int = 10, prefetch: int = 32):
        self.url = url
        self.delivery_limit = delivery_limit
        self.prefetch = prefetch
        self._subscriptions: list[tuple[Queue, Queue, Handler]] = []
        self._publish_lock = threading.Lock()
        self._publisher: Connection | None = None
        self._producer = None
        self._returned: list[Any] = []
        self._worker: _Worker | None = None
        self._thread: threading.Thread | None = None

    # -- topology -------------------------------------------------------------------------------
    def declare_topology(self, channel) -> None:
        events, dlx, unrouted = topology_exchanges()
        for exchange in (unrouted, events, dlx):
            exchange(channel).declare()
        Queue(UNROUTED_EXCHANGE, exchange=unrouted, durable=True,
              queue_arguments={"x-message-ttl": UNROUTED_KEEP_MS, "x-max-length": 1_000_000})(channel).declare()
        for main, dead, _ in self._subscriptions:
            dead(channel).declare()
            main(channel).declare()

    def declare(self) -> None:
        """Declare the exchanges and this bus's consumer queues now (deploy set-up and start-up use it)."""
        try:
            with Connection(self.url, connect_timeout=5) as conn:
                conn.ensure_connection(max_retries=1)
                self.declare_topology(conn.default_channel)
        except Exception as exc:
            raise BusError(f"could not declare the topology: {exc!r}") from exc

    # -- publishing -----------------------------------------------------------------------------
    def _connect_publisher(self) -> None:
        conn = Connection(self.url, transport_options={"confirm_publish": True}, connect_timeout=5)
        conn.ensure_connection(max_retries=1)
        channel = conn.channel()
        self.declare_topology(channel)
        channel.events["basic_return"].add(self._on_return)
        self._publisher = conn
        self._producer = conn.Producer(channel=channel)

    def _on_return(self, exc, exchange, routing_key, message) -> None:
        self._returned.append((routing_key, str(exc)))

    def publish(self, event: dict[str, Any]) -> None:
        with self._publish_lock:
            try:
                if self._publisher is None:
                    self._connect_publisher()
                self._returned.clear()
                self._producer.publish(
                    envelope.encode(event),
                    exchange=EXCHANGE,
                    routing_key=event["type"],
                    mandatory=True,
                    delivery_mode=2,
                    content_type=envelope.CONTENT_TYPE,
                    content_encoding="utf-8",
                    message_id=event["id"],
                    correlation_id=event.get("correlationid"),
                    type=event["type"],
                    headers={"ce_subject": event["subject"]},
                    retry=False,
                )
            except Exception as exc:
                self._drop_publisher()
                raise BusError(f"publish of {event['type']} {event['id']} failed: {exc!r}") from exc
            if self._returned:
                raise BusError(f"broker returned {event['type']} as unroutable: {self._returned[0]}")

    def _drop_publisher(self) -> None:
        if self._publisher is not None:
            try:
                self._publisher.release()
            except Exception:  # noqa: BLE001 - the connection is already broken; nothing left to do
                log.debug("bus.publisher_release_failed")
        self._publisher = None
        self._producer = None

    # -- consuming ------------------------------------------------------------------------------
    def subscribe(self, queue: str, patterns: list[str], handler: Handler) -> None:
        main, dead = consumer_queues(queue, patterns, self.delivery_limit)
        self._subscriptions.append((main, dead, handler))

    def start(self) -> None:
        if not self._subscriptions or self._thread is not None:
            return
        self._worker = _Worker(self)
        self._thread = threading.Thread(target=self._worker.run, name="bus-consumer", daemon=True)
        self._thread.start()

    def run_consumers(self) -> None:
        """Consume in the calling thread until ``close`` (the worker entry point uses this)."""
        self._worker = _Worker(self)
        self._worker.run()

    def ping(self) -> None:
        try:
            with Connection(self.url, connect_timeout=3) as conn:
                conn.ensure_connection(max_retries=1)
        except Exception as exc:
            raise BusError(f"broker unreachable: {exc!r}") from exc

    def close(self) -> None:
        if self._worker is not None:
            self._worker.should_stop = True
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None
        with self._publish_lock:
            self._drop_publisher()


class _Worker(ConsumerMixin):
    """Reconnects by itself (ConsumerMixin); acks only after the handler returned, i.e. committed."""

    def __init__(self, bus: KombuBus):
        self.bus = bus
        self.connection = Connection(bus.url, connect_timeout=5)

    def get_consumers(self, Consumer, channel):  # noqa: N803 - kombu's signature
        self.bus.declare_topology(channel)
        channel.basic_qos(0, self.bus.prefetch, False)
        return [
            Consumer(queues=[main], on_message=self._callback(handler), no_ack=False)
            for main, _dead, handler in self.bus._subscriptions
        ]

    def _callback(self, handler: Handler):
        def on_message(message) -> None:
            try:
                event = envelope.decode(message.body)
            except envelope.MalformedEvent as exc:
                log.error("bus.malformed_message", reason=str(exc))
                message.reject(requeue=False)
                return
            with correlation(event.get("correlationid"), event_id=event["id"], event_type=event["type"]):
                try:
                    handler(event)
                except envelope.MalformedEvent as exc:
                    log.error("bus.dead_letter", reason=str(exc))
                    message.reject(requeue=False)
                except Exception as exc:  # noqa: BLE001 - requeue; the delivery limit dead-letters it
                    log.warning("bus.handler_failed", error=repr(exc))
                    message.requeue()
                else:
                    message.ack()

        return on_message

    def on_connection_error(self, exc, interval) -> None:
        log.warning("bus.reconnecting", error=repr(exc), retry_in=interval)
