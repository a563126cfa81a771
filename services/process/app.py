"""Composition root of the process service: deployment, staffing, instances, the inbox, the scheduler."""
from __future__ import annotations

import threading
from pathlib import Path

from flask import Flask

from services.common.bus import Bus
from services.common.errors import Invalid
from services.common.http import create_service_app
from services.common.logging import get_logger
from services.common.runtime import ServiceRuntime, build_runtime
from services.common.settings import ServiceSettings, settings_for
from services.process import events
from services.process.api import blueprints
from services.process.domain import definitions, instances
from services.process.domain.direction import setup as direction_setup
from services.process.domain.scheduler import Scheduler
from services.process.domain.sla import WorkingCalendar, holidays_from

SERVICE = "process"
BPMN_DIR = Path(__file__).resolve().parents[2] / "bpmn"
log = get_logger(__name__)


class ProcessSettings(ServiceSettings):
    bpmn_dir: Path = BPMN_DIR      # every .bpmn here is deployed at start-up (same content: no new version)
    holidays: str = ""             # extra non-working days (Tết, Hùng Kings' day…): 2027-02-05,2027-02-06,…
    default_total_days: float = 5.0  # a process's time when neither the unit nor the BPMN says (working days)
    scheduler_interval: float = 5.0  # seconds between scheduler rounds (timers, overdue tasks)
    max_attachment_mb: int = 16
    max_request_mb: float = 17.0     # an attachment and its form


def policy_from(settings: ProcessSettings) -> instances.Policy:
    return instances.Policy(calendar=WorkingCalendar(holidays=holidays_from(settings.holidays)),
                            default_total_days=settings.default_total_days,
                            max_attachment_bytes=settings.max_attachment_mb * 1024 * 1024,
                            callback_http=settings.env != "production")


def create_app(settings: ProcessSettings | None = None, *, bus: Bus | None = None) -> Flask:
    settings = settings or settings_for(SERVICE, ProcessSettings)
    policy = policy_from(settings)
    runtime = build_runtime(settings, bus=bus)
    events.subscribe(runtime, policy)
    app = create_service_app(
        runtime, title="Process (Quy trình)", blueprints=blueprints(runtime, policy),
        description="BPMN processes: deployment with validation, versions and the catalogue; per-unit staffing "
                    "of each step; instances, the inbox with deadline buckets and the actions on tasks.")
    scheduler = Scheduler(runtime.db, policy, settings.scheduler_interval)
    app.extensions["process.scheduler"] = scheduler

    def start_scheduler() -> None:
        thread = threading.Thread(target=scheduler.run, args=(runtime._stop,), name="process-scheduler",
                                  daemon=True)
        thread.start()
        runtime._threads.append(thread)

    runtime.extra_background.append(start_scheduler)
    deploy_directory(runtime, settings.bpmn_dir)
    direction_setup.ensure_defaults(runtime.db)
    return app


def run_scheduler(app: Flask, stop: threading.Event) -> None:
    """The worker entry point's ``scheduler`` command: BPMN timers and overdue tasks."""
    app.extensions["process.scheduler"].run(stop)


WORKERS = {"scheduler": run_scheduler}


def deploy_directory(runtime: ServiceRuntime, directory: Path) -> int:
    """Deploy every .bpmn file of ``directory``; a refused file is logged with its problems, not fatal."""
    deployed = 0
    for path in sorted(directory.glob("*.bpmn")):
        try:
            with runtime.db.uow() as uow:
                deployed += len(definitions.deploy(uow, path.read_bytes(), path.name, "system:startup"))
        except Invalid as exc:
            log.error("process.bpmn_refused", file=path.name, detail=exc.detail, problems=exc.extra.get("problems"))
    return deployed


def wsgi() -> Flask:
    return create_app()
