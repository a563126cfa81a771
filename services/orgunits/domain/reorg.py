"""Merge (sáp nhập) and dissolve (giải thể). The source unit stays, marked merged/dissolved, and keeps a
"still to re-declare" list: its members, until identity reports each of them accepted in another unit."""
from __future__ import annotations

from sqlmodel import Session, col, func, select

from services.common.auth import Principal
from services.common.db import UnitOfWork
from services.common.errors import Conflict, Invalid
from services.common.i18n import msg
from services.orgunits import events
from services.orgunits.domain.access import require_edit, unit_for_edit
from services.orgunits.domain.tree import LIVE, _touch, get_unit, live_parent, reparent, snapshot
from services.orgunits.models import Member, Unit, UnitStatus

GONE = ("deleted", "archived")


def _members_of(session: Session, unit_id: str) -> list[Member]:
    return list(session.exec(select(Member).where(Member.unit_id == unit_id,
                                                  col(Member.status).not_in(GONE))).all())


def _source(session: Session, principal: Principal, unit_id: str) -> Unit:
    unit = unit_for_edit(session, principal, unit_id)
    if unit.status not in LIVE:
        raise Conflict(msg("“{name}” is already {status}", name=unit.name, status=unit.status))
    if unit.parent_id is None:
        raise Invalid(msg("“{name}” is a root unit; a root cannot be merged or dissolved", name=unit.name))
    return unit


def merge_unit(uow: UnitOfWork, principal: Principal, source_id: str, target_id: str) -> Unit:
    """Children move under the target; members are listed to re-declare; the source records its target."""
    session = uow.session
    source = _source(session, principal, source_id)
    target = live_parent(session, target_id)
    if target.path.startswith(source.path):
        raise Invalid(msg("cannot merge “{name}” into “{name2}”: the target is the unit itself or inside it",
                          name=source.name, name2=target.name))
    require_edit(session, principal, target)
    moved = list(session.exec(select(Unit).where(Unit.parent_id == source.id)
                              .order_by(Unit.position)).all())
    for child in moved:
        old_parent = child.parent_id
        reparent(session, child, target)
        child = session.get(Unit, child.id)
        _touch(child, principal)
        session.flush()
        uow.emit(events.UNIT_MOVED, child.id, {"unit": snapshot(child), "old_parent_id": old_parent,
                                               "new_parent_id": target.id})
    source = session.get(Unit, source_id)
    source.status = UnitStatus.merged
    source.merged_into_id = target.id
    _touch(source, principal)
    uow.emit(events.UNIT_MERGED, source.id, {
        "unit": snapshot(source), "target": snapshot(session.get(Unit, target.id)),
        "moved_child_ids": [c.id for c in moved],
        "members_to_redeclare": [m.account_id for m in _members_of(session, source.id)],
    })
    uow.commit()
    return source


def dissolve_unit(uow: UnitOfWork, principal: Principal, unit_id: str, reason: str | None) -> Unit:
    session = uow.session
    unit = _source(session, principal, unit_id)
    live_children = session.exec(select(func.count()).select_from(Unit).where(
        Unit.parent_id == unit.id, col(Unit.status).in_(LIVE))).one()
    if live_children:
        raise Conflict(msg("“{name}” still has {live_children} active or inactive child unit(s); move, merge or "
                           "dissolve them first", name=unit.name, live_children=live_children))
    unit.status = UnitStatus.dissolved
    _touch(unit, principal)
    uow.emit(events.UNIT_DISSOLVED, unit.id, {
        "unit": snapshot(unit), "reason": reason,
        "members_to_redeclare": [m.account_id for m in _members_of(session, unit.id)],
    })
    uow.commit()
    return unit


def redeclare_list(session: Session, unit_id: str) -> list[Member]:
    """People of a merged/dissolved unit who have not yet been accepted in another unit."""
    unit = get_unit(session, unit_id)
    if unit.status not in (UnitStatus.merged, UnitStatus.dissolved):
        return []
    return _members_of(session, unit.id)


def pending_redeclarations(session: Session) -> list[tuple[Unit, int]]:
    """The "blank rows": every merged/dissolved unit that still has people to re-declare."""
    rows = session.exec(
        select(Unit, func.count(col(Member.account_id)))
        .join(Member, col(Member.unit_id) == Unit.id)
        .where(col(Unit.status).in_((UnitStatus.merged, UnitStatus.dissolved)),
               col(Member.status).not_in(GONE))
        .group_by(Unit.id).order_by(Unit.sort_name)
    ).all()
    return [(unit, count) for unit, count in rows]
