"""Run one outbox relay pass that dies (os._exit) right after the broker confirmed the first message and
before the row is marked sent — the window the crash test needs. Used as a subprocess."""
from __future__ import annotations

import os
import sys

from services.common.bus.amqp import KombuBus
from services.common.db import Database
from services.common.outbox import OutboxRelay


def main(database_url: str, bus_url: str, source: str) -> None:
    relay = OutboxRelay(Database(database_url, source), KombuBus(bus_url), after_publish=lambda _row: os._exit(9))
    relay.publish_pending()
    sys.exit(0)  # only reached when there was nothing to publish


if __name__ == "__main__":
    main(*sys.argv[1:4])
