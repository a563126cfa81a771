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
    """The people on record against the approved figure (biên chế). Over the subtree the figure is the unit's own
    when it has one (a Sở's biên chế covers its phòng), else the sum of the nearest figures below; each unit of
    the subtree is reconciled on its own line too, so an admin sees where the surplus and the shortfall are."""
    unit, ids = _scope(session, unit_id, include_subtree)
    by_department: dict[str, int] = {}
    per_unit: dict[str, int] = {}
    total = 0
    for start in range(0, len(ids), 500):
        rows = session.exec(
            select(Member.unit_id, Member.department, func.count()).where(
                col(Member.unit_id).in_(ids[start:start + 500]), Member.status == COUNTED)
            .group_by(Member.unit_id, Member.department)).all()
        for member_unit, department, count in rows:
            by_department[department or ""] = by_department.get(department or "", 0) + count
            per_unit[member_unit] = per_unit.get(member_unit, 0) + count
            total += count
    units = [unit]
    if include_subtree:
        units = list(session.exec(select(Unit).where(col(Unit.id).in_(ids)).order_by(Unit.depth, Unit.sort_name)))
    planned = unit.planned_headcount if not include_subtree else _planned_over(unit, units)
    # a department (bộ phận) is a unit directly under this one: its approved figure, where it has one, is
    # reconciled with the people who declared it as their department
    figures = {child.name: child.planned_headcount for child in session.exec(
        select(Unit).where(Unit.parent_id == unit.id)).all()}
    return {
        "unit_id": unit.id, "include_subtree": include_subtree, "total": total, "planned": planned,
        **_gap(total, planned),
        "by_department": [{"department": d or None, "count": c, "planned": figures.get(d),
                           **_gap(c, figures.get(d))}
                          for d, c in sorted(by_department.items(), key=lambda kv: sort_key(kv[0]))],
        "units": [{"unit_id": u.id, "name": u.name, "depth": u.depth - unit.depth, "planned": u.planned_headcount,
                   "people": per_unit.get(u.id, 0), **_gap(per_unit.get(u.id, 0), u.planned_headcount)}
                  for u in units] if include_subtree else [],
    }


def _gap(people: int, planned: int | None) -> dict:
    """Surplus: people on record beyond the figure (who left, to archive or delete); shortfall: places to fill
    (new hires, transfers in)."""
    return {"surplus": max(people - planned, 0) if planned is not None else None,
            "shortfall": max(planned - people, 0) if planned is not None else None}


def _planned_over(top: Unit, units: list[Unit]) -> int | None:
    """The approved figure of a subtree: the top unit's, else the sum of the nearest figures below it."""
    if top.planned_headcount is not None:
        return top.planned_headcount
    covered: list[str] = []
    figure = None
    for unit in units:       # nearest levels first: a figure below a counted one is already inside it
        if unit.planned_headcount is None or any(unit.path.startswith(path) for path in covered):
            continue
        covered.append(unit.path)
        figure = (figure or 0) + unit.planned_headcount
    return figure


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
