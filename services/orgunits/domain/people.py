"""Headcount per unit and per department, with the list of people behind each number (read model)."""
from __future__ import annotations

from sqlmodel import Session, col, func, select

from services.common.text import sort_key
from services.orgunits.domain.tree import get_unit
from services.orgunits.models import Member, Unit

COUNTED = "approved"


def _scope(session: Session, unit_id: str, include_subtree: bool):
    unit = get_unit(session, unit_id)
    if not include_subtree:
        return unit, [unit.id]
    ids = session.exec(select(Unit.id).where(col(Unit.path).startswith(unit.path))).all()
    return unit, list(ids)


def headcount(session: Session, unit_id: str, include_subtree: bool = False) -> dict:
    unit, ids = _scope(session, unit_id, include_subtree)
    by_department: dict[str, int] = {}
    total = 0
    for start in range(0, len(ids), 500):
        rows = session.exec(
            select(Member.department, func.count()).where(col(Member.unit_id).in_(ids[start:start + 500]),
                                                          Member.status == COUNTED)
            .group_by(Member.department)).all()
        for department, count in rows:
            by_department[department or ""] = by_department.get(department or "", 0) + count
            total += count
    planned = unit.planned_headcount if not include_subtree else None
    return {
        "unit_id": unit.id, "include_subtree": include_subtree, "total": total, "planned": planned,
        "surplus": max(total - planned, 0) if planned is not None else None,
        "shortfall": max(planned - total, 0) if planned is not None else None,
        "by_department": [{"department": d or None, "count": c}
                          for d, c in sorted(by_department.items(), key=lambda kv: sort_key(kv[0]))],
    }


def members(session: Session, unit_id: str, *, department: str | None = None, include_subtree: bool = False,
            limit: int = 100, offset: int = 0) -> tuple[list[Member], int]:
    """The people counted in the headcount (optionally one department), sorted by given name."""
    _unit, ids = _scope(session, unit_id, include_subtree)
    found: list[Member] = []
    for start in range(0, len(ids), 500):
        query = select(Member).where(col(Member.unit_id).in_(ids[start:start + 500]), Member.status == COUNTED)
        if department is not None:
            query = query.where(Member.department == (department or None))
        found.extend(session.exec(query).all())
    found.sort(key=lambda m: (sort_key(m.full_name.rsplit(" ", 1)[-1]), sort_key(m.full_name)))
    return found[offset:offset + limit], len(found)
