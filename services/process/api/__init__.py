"""HTTP API of the process service."""
from __future__ import annotations

from flask_openapi3 import APIBlueprint

from services.process.api import callbacks, definitions, direction, instances, jobs, staffing


def blueprints(runtime, policy) -> list[APIBlueprint]:
    return [definitions.blueprint(runtime, policy), staffing.blueprint(runtime), instances.blueprint(runtime, policy),
            jobs.blueprint(runtime, policy), direction.blueprint(runtime, policy), callbacks.blueprint(runtime, policy)]
