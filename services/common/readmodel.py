"""Read models fed by another service's snapshot events: one row per key, the newest event wins."""
from __future__ import annotations

from typing import Any, TypeVar

from sqlmodel import Session, SQLModel, select

Row = TypeVar("Row", bound=SQLModel)


def current_row(session: Session, model: type[Row], key: str, event: dict[str, Any], *,
                deleted: bool = False) -> Row | None:
    """The row to overwrite with this event's snapshot, or None when there is nothing to do: the event is
    older than what the row already shows (``as_of``), or it deleted the row. New rows are added."""
    row = session.get(model, key)
    if deleted:
        if row is not None:
            session.delete(row)
        return None
    if row is None:
        row = model(**{_key_name(model): key})
        session.add(row)
    elif row.as_of and row.as_of > event["time"]:
        return None
    row.as_of = event["time"]
    return row


def _key_name(model: type[SQLModel]) -> str:
    (column,) = model.__table__.primary_key.columns
    return column.name


def move_subtree(session: Session, model: type[Row], row: Row, new_path: str) -> None:
    """Give ``row`` its new materialised path (``/root/…/id/``) and carry every row below it along."""
    old_path = row.path
    if old_path and old_path != new_path:
        column = model.__table__.c.path
        for below in session.exec(select(model).where(column.startswith(old_path), column != old_path)).all():
            below.path = new_path + below.path[len(old_path):]
    row.path = new_path


def unit_path(unit: dict[str, Any]) -> str:
    """The materialised path of an orgunits unit snapshot."""
    return "/" + "".join(f"{a}/" for a in [*unit.get("ancestor_ids", []), unit["id"]])
