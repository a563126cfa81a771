"""Composition root of the process service (so far: BPMN deployment and the catalogue)."""
from __future__ import annotations

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
from services.process.domain import definitions

SERVICE = "process"
BPMN_DIR = Path(__file__).resolve().parents[2] / "bpmn"
log = get_logger(__name__)


class ProcessSettings(ServiceSettings):
    bpmn_dir: Path = BPMN_DIR      # every .bpmn here is deployed at start-up (same content: no new version)


def create_app(settings: ProcessSettings | None = None, *, bus: Bus | None = None) -> Flask:
    settings = settings or settings_for(SERVICE, ProcessSettings)
    runtime = build_runtime(settings, bus=bus)
    events.subscribe(runtime)
    app = create_service_app(
        runtime, title="Process (Quy trình)", blueprints=blueprints(runtime),
        description="BPMN processes: deployment with validation, versions and the catalogue; per-unit staffing "
                    "of each step.")
    deploy_directory(runtime, settings.bpmn_dir)
    return app


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
