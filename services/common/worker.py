"""Process entry points for the production path (one process each, see deploy/Procfile):

    python -m services.common.worker SERVICE migrate   # bring the database schema up to date (Alembic)
    python -m services.common.worker SERVICE declare   # declare the exchanges and the service's queues
    python -m services.common.worker SERVICE relay     # publish the outbox, with confirms, until stopped
    python -m services.common.worker SERVICE consume   # run the service's consumers, until stopped
    python -m services.common.worker notify dispatch   # send due e-mail/SMS deliveries, until stopped
"""
from __future__ import annotations

import argparse
import importlib
import signal
import sys
import threading

from services.common.db import migrate
from services.common.logging import configure_logging, get_logger
from services.common.settings import settings_for

SERVICES = ("identity", "orgunits", "process", "notify")
log = get_logger("worker")


def _app(service: str):
    return importlib.import_module(f"services.{service}.app").create_app()


def _extra_workers(service: str) -> dict:
    """Service-specific long-running commands (e.g. notify's ``dispatch``), from its app module's WORKERS."""
    return getattr(importlib.import_module(f"services.{service}.app"), "WORKERS", {})


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m services.common.worker", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("service", choices=SERVICES)
    parser.add_argument("command", help="migrate | declare | relay | consume | a service's own (notify: dispatch)")
    args = parser.parse_args(argv)
    settings = settings_for(args.service)
    configure_logging(settings.log_format, settings.log_level)
    if args.command == "migrate":
        migrate(args.service, settings.resolved_database_url)
        log.info("worker.migrated", service=args.service)
        return 0
    extra = _extra_workers(args.service)
    if args.command not in ("declare", "relay", "consume", *extra):
        parser.error(f"unknown command {args.command!r} for {args.service}")
    app = _app(args.service)
    runtime = app.extensions["egov"]
    if args.command == "declare":
        runtime.bus.declare()
        log.info("worker.declared", service=args.service)
        return 0
    stop = threading.Event()

    def on_signal(_signum, _frame):
        stop.set()
        runtime.db.outbox_signal.set()
        if args.command == "consume":
            threading.Thread(target=runtime.bus.close, daemon=True).start()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    log.info("worker.started", service=args.service, command=args.command)
    if args.command == "relay":
        runtime.relay.run(stop)
    elif args.command == "consume":
        runtime.bus.run_consumers()
    else:
        extra[args.command](app, stop)
    log.info("worker.stopped", service=args.service, command=args.command)
    return 0


if __name__ == "__main__":
    sys.exit(main())
