"""HTTP API of the org-units service: parse → call one domain function → serialise."""
from __future__ import annotations

from flask_openapi3 import APIBlueprint

from services.common.runtime import ServiceRuntime
from services.orgunits.api import party, people, structure, units


def blueprints(runtime: ServiceRuntime) -> list[APIBlueprint]:
    return [units.blueprint(runtime), structure.blueprint(runtime), people.blueprint(runtime), party.blueprint(runtime)]
