"""In-process bus for the embedded default: topic routing, a worker thread per queue, redelivery, dead letters."""
from __future__ import annotations

import copy
import queue
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from services.common.bus import Handler, topic_matches
from services.common.envelope import MalformedEvent
from services.common.logging import correlation, get_logger

log = get_logger(__name__)


@dataclass
class _Queue:
    name: str
    patterns: list[str]
    handler: Handler
    messages: queue.Queue = field(default_factory=queue.Queue)
    dead: list[dict[str, Any]] = field(default_factory=list)
    busy: bool = False


class InProcessBus:
    """Delivers to subscribers in this process. Messages live only in memory: in the embedded mode the
    outbox tables, not the bus, are what survives a restart (the relay re-publishes anything unsent)."""

    def __init__(self, delivery_limit: int = 10):
        self.delivery_limit = delivery_limit
        self.queues: dict[str, _Queue] = {}
        self.unrouted: deque[dict[str, Any]] = deque(maxlen=10_000)
        self._threads: list[threading.Thread] = []
        self._stopping = threading.Event()
        self._lock = threading.Lock()

    def publish(self, event: dict[str, Any]) -> None:
        routed = False
        with self._lock:
            for q in self.queues.values():
                if any(topic_matches(p, event["type"]) for p in q.patterns):
                    q.messages.put((copy.deepcopy(event), 1))
                    routed = True
        if not routed:
            self.unrouted.append(event)

    def subscribe(self, queue_name: str, patterns: list[str], handler: Handler) -> None:
        with self._lock:
            self.queues[queue_name] = _Queue(queue_name, list(patterns), handler)

    def start(self) -> None:
        started = {t.name for t in self._threads}
        for q in self.queues.values():
            if f"bus-{q.name}" in started:
                continue
            thread = threading.Thread(target=self._work, args=(q,), name=f"bus-{q.name}", daemon=True)
            thread.start()
            self._threads.append(thread)

    def _work(self, q: _Queue) -> None:
        while not self._stopping.is_set():
            try:
                event, delivery = q.messages.get(timeout=0.2)
            except queue.Empty:
                continue
            q.busy = True
            try:
                with correlation(event.get("correlationid"), event_id=event.get("id"), event_type=event.get("type")):
                    q.handler(event)
            except MalformedEvent as exc:
                log.error("bus.dead_letter", queue=q.name, event_id=event.get("id"), reason=str(exc))
                q.dead.append(event)
            except Exception as exc:  # noqa: BLE001 - any handler failure is retried up to the limit
                if delivery >= self.delivery_limit:
                    log.error("bus.dead_letter", queue=q.name, event_id=event.get("id"), reason=repr(exc))
                    q.dead.append(event)
                else:
                    log.warning("bus.redeliver", queue=q.name, event_id=event.get("id"), error=repr(exc))
                    q.messages.put((event, delivery + 1))
            finally:
                q.busy = False
                q.messages.task_done()

    def wait_idle(self, timeout: float = 10.0) -> bool:
        """Block until every queue is empty and no handler is running (tests and demo loading use it)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if all(q.messages.unfinished_tasks == 0 for q in self.queues.values()):
                return True
            time.sleep(0.01)
        return False

    def run_consumers(self) -> None:
        """Consume in the calling thread's lifetime: start the workers and wait until ``close``."""
        self.start()
        self._stopping.wait()

    def ping(self) -> None:
        return None

    def declare(self) -> None:
        return None

    def close(self) -> None:
        self._stopping.set()
        for thread in self._threads:
            thread.join(timeout=2)
