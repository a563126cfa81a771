"""Composition root of the org-units service: settings → database, bus, consumers, HTTP API."""
from __future__ import annotations

import json
from pathlib import Path

from flask import Flask
from sqlmodel import func, select

from services.common.bus import Bus
from services.common.http import create_service_app
from services.common.logging import get_logger
from services.common.runtime import ServiceRuntime, build_runtime
from services.common.settings import ServiceSettings, settings_for
from services.orgunits import events
from services.orgunits.api import blueprints
from services.orgunits.models import Unit

SERVICE = "orgunits"
DEMO_TREE = Path(__file__).parent / "demo_data" / "binh_thuan_units.json"
log = get_logger(__name__)


def create_app(settings: ServiceSettings | None = None, *, bus: Bus | None = None) -> Flask:
    """The WSGI app; its runtime (db, bus, relay, consumers) is at ``app.extensions["egov"]``."""
    runtime = build_runtime(settings or settings_for(SERVICE), bus=bus)
    events.subscribe(runtime)
    return create_service_app(
        runtime, title="Org units (Đơn vị)", blueprints=blueprints(runtime),
        description="The unit tree of a province: units, moves, merges and dissolutions, headcount, "
                    "bank accounts of party organisations, and who may edit each subtree.")


def load_demo_data(runtime: ServiceRuntime) -> int:
    """Import the Bình Thuận tree once (an empty database only); returns the number of units created."""
    from services.common.auth import Principal
    from services.orgunits.domain.transfer import ImportRequest, import_tree

    with runtime.db.uow() as uow:
        if uow.session.exec(select(func.count()).select_from(Unit)).one():
            return 0
        system = Principal.system("system:demo-loader")
        request = ImportRequest(tree=json.loads(DEMO_TREE.read_text(encoding="utf-8")))
        result = import_tree(uow, system, request)
    log.info("orgunits.demo_loaded", units=result["created"])
    return result["created"]


def wsgi() -> Flask:
    """Entry point for gunicorn: ``gunicorn 'services.orgunits.app:wsgi()'``."""
    return create_app()
