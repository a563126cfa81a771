"""HTTP API of the identity service: parse → call one domain function → serialise."""
from __future__ import annotations

from flask_openapi3 import APIBlueprint

from services.identity.api import accounts, admin, auth


def blueprints(parts) -> list[APIBlueprint]:
    return [accounts.blueprint(parts), admin.blueprint(parts), auth.blueprint(parts)]
