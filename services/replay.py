"""deploy/replay: publish past events again, from the services' outboxes, into one integrator's queue.

    deploy/replay --queue integrator.acme.events --since 2026-11-24T08:00:00Z
                  [--until 2026-11-24T09:00:00Z] [--subject ID] [--types 'process.#' …] [--service process …]

Each service keeps what it published in its outbox for ``<SERVICE>_OUTBOX_RETENTION_DAYS`` (30 by default). The
events of the range are sent in the order they were published (each service's in its own order, services merged
by time), as the very same CloudEvents with their original ids, so a consumer's deduplication drops what it
already has. They go through the default exchange straight into the named queue (the operator's broker user,
``EGOV_OPERATOR_BUS_URL``, may do nothing else); no other queue sees them. ``--types`` takes the queue's binding
patterns (``*`` one word, ``#`` any), so the queue only gets the kinds it asked for. The queue must exist."""
from __future__ import annotations

import argparse
import heapq
import os
import sys
from collections.abc import Iterator
from datetime import UTC, datetime

from kombu import Connection
from sqlmodel import select

from services.common import envelope
from services.common.bus import topic_matches
from services.common.db import Database
from services.common.models import OutboxMessage
from services.common.settings import settings_for
from services.common.worker import SERVICES


def _moment(value: str) -> datetime:
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"{value!r} is not an ISO 8601 time (2026-11-24T08:00:00Z)") from exc
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def published(service: str, since: datetime, until: datetime | None, subject: str | None) -> Iterator[tuple]:
    """(time, service, outbox id, event) of one service's published events in the range, in publishing order."""
    db = Database(settings_for(service).resolved_database_url, service)
    try:
        with db.session() as session:
            query = (select(OutboxMessage).where(OutboxMessage.sent_at.is_not(None),
                                                 OutboxMessage.created_at >= since)
                     .order_by(OutboxMessage.id))
            if until is not None:
                query = query.where(OutboxMessage.created_at < until)
            if subject:
                query = query.where(OutboxMessage.subject == subject)
            for row in session.exec(query).yield_per(500):
                created = row.created_at if row.created_at.tzinfo else row.created_at.replace(tzinfo=UTC)
                yield created, service, row.id, row.event()
    finally:
        db.dispose()


def replay(bus_url: str, queue: str, events: Iterator[dict]) -> int:
    returned: list[str] = []
    sent = 0
    with Connection(bus_url, transport_options={"confirm_publish": True}, connect_timeout=5) as conn:
        channel = conn.channel()
        channel.events["basic_return"].add(lambda exc, *_rest: returned.append(str(exc)))
        producer = conn.Producer(channel=channel)
        for event in events:
            producer.publish(envelope.encode(event), exchange="", routing_key=queue, mandatory=True,
                             delivery_mode=2, content_type=envelope.CONTENT_TYPE, content_encoding="utf-8",
                             message_id=event["id"], correlation_id=event.get("correlationid"), type=event["type"],
                             headers={"ce_subject": event["subject"], "egov_replayed": True}, retry=False)
            if returned:
                raise SystemExit(f"replay: the broker has no queue {queue!r} in this vhost ({returned[0]}); "
                                 "create it (and bind it) first")
            sent += 1
            if sent % 1000 == 0:
                print(f"  {sent} events sent …", flush=True)
    return sent


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="deploy/replay", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--queue", required=True, help="the integrator's queue (it must exist)")
    parser.add_argument("--since", required=True, type=_moment, help="from this time (ISO 8601)")
    parser.add_argument("--until", type=_moment, help="up to this time, not included (default: now)")
    parser.add_argument("--subject", help="only the events of this subject (a report, an instance, a task…)")
    parser.add_argument("--types", nargs="+", default=["#"], help="binding patterns the events' types must match")
    parser.add_argument("--service", nargs="+", choices=SERVICES, default=list(SERVICES),
                        help="whose outboxes (default: every service)")
    args = parser.parse_args(argv)
    bus_url = os.environ.get("EGOV_OPERATOR_BUS_URL")
    if not bus_url:
        parser.error("EGOV_OPERATOR_BUS_URL is not set (deploy/replay reads it from deploy/.env)")
    merged = heapq.merge(*(published(s, args.since, args.until, args.subject) for s in args.service),
                         key=lambda item: item[0])
    wanted = (event for *_key, event in merged if any(topic_matches(p, event["type"]) for p in args.types))
    sent = replay(bus_url, args.queue, wanted)
    print(f"replayed {sent} events into {args.queue}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
