from __future__ import annotations

from sqlmodel import func, select

from services.common.models import OutboxMessage
from services.orgunits.models import Unit

SKHCN = "Sở Khoa học và Công nghệ"


def find(client, name: str) -> dict:
    items = client.get("/api/orgunits/units", query_string={"q": name, "limit": 500}).get_json()["items"]
    exact = [u for u in items if u["name"] == name]
    assert len(exact) == 1, f"expected one unit named {name!r}, got {[u['name'] for u in items]}"
    return exact[0]


def counts(app) -> tuple[int, int]:
    """(units, outbox rows) — to prove a refused request changed nothing."""
    with app.extensions["egov"].db.session() as session:
        units = session.exec(select(func.count()).select_from(Unit)).one()
        outbox = session.exec(select(func.count()).select_from(OutboxMessage)).one()
        return units, outbox


def outbox_types(app) -> list[str]:
    with app.extensions["egov"].db.session() as session:
        return list(session.exec(select(OutboxMessage.event_type).order_by(OutboxMessage.id)).all())
