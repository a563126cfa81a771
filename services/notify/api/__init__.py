"""HTTP API of the notify service."""
from __future__ import annotations

from flask_openapi3 import APIBlueprint

from services.notify.api import inbox, settings


def blueprints(parts) -> list[APIBlueprint]:
    return [inbox.blueprint(parts), settings.blueprint(parts)]
