"""The unit tree: create, read, edit, move, delete, (de)activate, children, subtree, ancestors, search.

Every unit stores its materialised ``path`` (``/rootid/…/id/``) so subtree and ancestor queries are one
indexed lookup, and a move rewrites the moved subtree's paths in one UPDATE."""
from __future__ import annotations

import uuid

from sqlalchemy import case, func, literal, update
from sqlmodel import Session, col, select

from services.common.auth import Principal
from services.common.db import UnitOfWork
from services.common.errors import Conflict, Forbidden, Invalid, NotFound
from services.common.i18n import msg
from services.common.models import iso, utcnow
from services.common.text import fold, sort_key
from services.orgunits import events
from services.orgunits.domain.access import lineage, require_edit, unit_for_edit
from services.orgunits.models import (
    BankAccount,
    Member,
    PartyDetails,
    ResidenceCell,
    SignatureImage,
    Unit,
    UnitCreate,
    UnitEditor,
    UnitKind,
    UnitStatus,
    UnitUpdate,
)

LIVE = (UnitStatus.active, UnitStatus.inactive)


def get_unit(session: Session, unit_id: str) -> Unit:
    unit = session.get(Unit, unit_id) if unit_id else None
    if unit is None:
        raise NotFound(msg("no unit with id {unit_id!r}", unit_id=unit_id))
    return unit


def snapshot(unit: Unit) -> dict:
    """The unit as events and API responses show it."""
    return {
        "id": unit.id, "code": unit.code, "name": unit.name, "kind": str(unit.kind),
        "parent_id": unit.parent_id, "depth": unit.depth, "position": unit.position,
        "status": str(unit.status), "merged_into_id": unit.merged_into_id,
        "email": unit.email, "phone": unit.phone, "address": unit.address, "website": unit.website,
        "tax_code": unit.tax_code, "description": unit.description,
        "planned_headcount": unit.planned_headcount, "ancestor_ids": lineage(unit)[:-1],
        "version": unit.version, "updated_at": iso(unit.updated_at),
    }


def _refresh_derived(unit: Unit) -> None:
    unit.search_text = f"{fold(unit.name)} {fold(unit.code)}"
    unit.sort_name = sort_key(unit.name)


def ensure_code_free(session: Session, code: str, except_id: str | None = None) -> None:
    holder = session.exec(select(Unit).where(Unit.code == code)).first()
    if holder is not None and holder.id != except_id:
        raise Conflict(msg("the code {code!r} is already used by “{name}”", code=code, name=holder.name),
                       conflicting_id=holder.id)


def new_unit(session: Session, data: UnitCreate, parent: Unit | None, actor: str | None,
             position: int | None = None) -> Unit:
    """Build (not yet add) a unit at ``position`` among its siblings, by default the last."""
    unit_id = uuid.uuid4().hex
    unit = Unit(**data.model_dump(exclude={"parent_id"}), id=unit_id,
                parent_id=parent.id if parent else None,
                path=f"{parent.path if parent else '/'}{unit_id}/",
                depth=parent.depth + 1 if parent else 0,
                position=next_position(session, parent) if position is None else position, updated_by=actor)
    _refresh_derived(unit)
    return unit


def next_position(session: Session, parent: Unit | None) -> int:
    last = session.exec(select(func.max(Unit.position)).where(
        Unit.parent_id == parent.id if parent else Unit.parent_id.is_(None))).one()
    return 0 if last is None else last + 1


# Seed 003 §4: the party organisations' ladder, from the provincial committee down to the party cell. A party
# organisation sits below a higher rung than its own, never below its own rung or a lower one.
PARTY_LADDER = (UnitKind.party_provincial, UnitKind.party_upper, UnitKind.party_grassroots, UnitKind.party_partial,
                UnitKind.party_cell)


def _rung(kind) -> int | None:
    return PARTY_LADDER.index(kind) if kind in PARTY_LADDER else None


def check_party_kind(session: Session, kind, parent: Unit | None, unit: Unit | None = None) -> None:
    """A party organisation's kind must be lower on the ladder than the nearest party organisation above it and
    higher than every one below it (a cell four levels down cannot become the provincial committee)."""
    rung = _rung(kind)
    if rung is None:
        return
    above = parent
    while above is not None and _rung(above.kind) is None:
        above = session.get(Unit, above.parent_id) if above.parent_id else None
    if above is not None and _rung(above.kind) >= rung:
        raise Invalid(msg("a {kind} cannot sit below “{name}”: a party organisation ranks lower than the one above it",
                          kind=kind, name=above.name), code="party_kind")
    if unit is not None:
        below = session.exec(select(Unit).where(col(Unit.path).startswith(unit.path), Unit.id != unit.id,
                                                col(Unit.kind).in_([k.value for k in PARTY_LADDER]))
                             .order_by(Unit.depth)).first()
        if below is not None and _rung(below.kind) <= rung:
            raise Invalid(msg("“{name}” cannot become a {kind}: “{below}” below it would no longer rank lower",
                              name=unit.name, kind=kind, below=below.name), code="party_kind")


def live_parent(session: Session, parent_id: str) -> Unit:
    try:
        parent = get_unit(session, parent_id)
    except NotFound as exc:
        raise Invalid(msg("the parent unit {parent_id!r} does not exist", parent_id=parent_id)) from exc
    if parent.status not in LIVE:
        raise Conflict(msg("“{name}” is {status}; it cannot receive units", name=parent.name, status=parent.status))
    return parent


def create_unit(uow: UnitOfWork, principal: Principal, data: UnitCreate) -> Unit:
    session = uow.session
    parent = None
    if data.parent_id:
        parent = live_parent(session, data.parent_id)
        require_edit(session, principal, parent)
    elif not principal.is_super_admin:
        raise Forbidden(msg("only a super admin may create a new root unit"))
    ensure_code_free(session, data.code)
    check_party_kind(session, data.kind, parent)
    unit = new_unit(session, data, parent, principal.account_id)
    session.add(unit)
    uow.emit(events.UNIT_CREATED, unit.id, {"unit": snapshot(unit)})
    uow.commit()
    return unit


def update_unit(uow: UnitOfWork, principal: Principal, unit_id: str, changes: UnitUpdate) -> Unit:
    session = uow.session
    unit = unit_for_edit(session, principal, unit_id)
    fields = changes.model_dump(exclude_unset=True)
    for required in ("code", "name", "kind"):
        if required in fields and fields[required] is None:
            raise Invalid(msg("{required} cannot be emptied", required=required))
    if "code" in fields:
        ensure_code_free(session, fields["code"], except_id=unit.id)
    if fields.get("kind") and fields["kind"] != unit.kind:
        check_party_kind(session, fields["kind"], session.get(Unit, unit.parent_id) if unit.parent_id else None,
                         unit)
    before = snapshot(unit)
    for name, value in fields.items():
        setattr(unit, name, value)
    _touch(unit, principal)
    after = snapshot(unit)
    changed = sorted(k for k in fields if before.get(k) != after.get(k))
    if changed:
        uow.emit(events.UNIT_UPDATED, unit.id, {"unit": after, "changed": changed})
        uow.commit()
    return unit


def _touch(unit: Unit, principal: Principal | None) -> None:
    _refresh_derived(unit)
    unit.version += 1
    unit.updated_at = utcnow()
    unit.updated_by = principal.account_id if principal else None


def move_unit(uow: UnitOfWork, principal: Principal, unit_id: str, new_parent_id: str | None) -> Unit:
    session = uow.session
    unit = unit_for_edit(session, principal, unit_id)
    if new_parent_id is None:
        if not principal.is_super_admin:
            raise Forbidden(msg("only a super admin may make a unit a root"))
        parent = None
    else:
        parent = live_parent(session, new_parent_id)
        if parent.path.startswith(unit.path):
            raise Invalid(msg("cannot move “{name}” under “{name2}”: that is the unit itself or one of its "
                              "descendants, which would make a cycle", name=unit.name, name2=parent.name))
        require_edit(session, principal, parent)
    if unit.parent_id == new_parent_id:
        return unit
    check_party_kind(session, unit.kind, parent)
    old_parent_id = unit.parent_id
    reparent(session, unit, parent)
    _touch(unit, principal)
    uow.emit(events.UNIT_MOVED, unit.id, {"unit": snapshot(unit), "old_parent_id": old_parent_id,
                                          "new_parent_id": new_parent_id})
    uow.commit()
    return unit


def reparent(session: Session, unit: Unit, parent: Unit | None) -> None:
    """Put ``unit`` last under ``parent`` and rewrite the paths and depths of its whole subtree."""
    session.flush()
    old_path, old_depth = unit.path, unit.depth
    new_path = f"{parent.path if parent else '/'}{unit.id}/"
    delta = (parent.depth + 1 if parent else 0) - old_depth
    position = next_position(session, parent)
    session.execute(
        update(Unit).where(col(Unit.path).startswith(old_path))
        .values(path=literal(new_path) + func.substr(Unit.path, len(old_path) + 1), depth=Unit.depth + delta)
        .execution_options(synchronize_session=False)
    )
    session.expire_all()
    unit = session.get(Unit, unit.id)
    unit.parent_id = parent.id if parent else None
    unit.position = position


def delete_unit(uow: UnitOfWork, principal: Principal, unit_id: str) -> None:
    session = uow.session
    unit = unit_for_edit(session, principal, unit_id)
    if unit.parent_id is None and not principal.is_super_admin:
        raise Forbidden(msg("only a super admin may delete a root unit"))
    kids = session.exec(select(func.count()).select_from(Unit).where(Unit.parent_id == unit.id)).one()
    if kids:
        raise Conflict(msg("“{name}” still has {kids} child unit(s); move or delete them first", name=unit.name,
                           kids=kids))
    people = session.exec(select(func.count()).select_from(Member).where(Member.unit_id == unit.id)).one()
    if people:
        raise Conflict(msg("“{name}” still has {people} member(s); transfer them first", name=unit.name, people=people))
    gone = snapshot(unit)
    for table in (BankAccount, UnitEditor, PartyDetails, SignatureImage, ResidenceCell):   # what belongs to it
        for row in session.exec(select(table).where(table.unit_id == unit.id)).all():
            session.delete(row)
    session.delete(unit)
    uow.emit(events.UNIT_DELETED, unit.id, {"unit": gone})
    uow.commit()


def set_active(uow: UnitOfWork, principal: Principal, unit_id: str, active: bool) -> Unit:
    session = uow.session
    unit = unit_for_edit(session, principal, unit_id)
    if unit.status not in LIVE:
        raise Conflict(msg("“{name}” is {status}; it can no longer be (de)activated", name=unit.name,
                           status=unit.status))
    wanted = UnitStatus.active if active else UnitStatus.inactive
    if unit.status != wanted:
        unit.status = wanted
        _touch(unit, principal)
        kind = events.UNIT_ACTIVATED if active else events.UNIT_DEACTIVATED
        uow.emit(kind, unit.id, {"unit": snapshot(unit)})
        uow.commit()
    return unit


def children(session: Session, parent_id: str | None) -> list[Unit]:
    if parent_id is not None:
        get_unit(session, parent_id)
    where = Unit.parent_id == parent_id if parent_id else Unit.parent_id.is_(None)
    return list(session.exec(select(Unit).where(where).order_by(Unit.position, Unit.sort_name)).all())


def subtree(session: Session, unit_id: str, max_depth: int | None = None) -> list[Unit]:
    """The unit and all its descendants, parents before children, siblings in their order."""
    root = get_unit(session, unit_id)
    query = select(Unit).where(col(Unit.path).startswith(root.path))
    if max_depth is not None:
        query = query.where(Unit.depth <= root.depth + max_depth)
    rows = list(session.exec(query).all())
    return order_depth_first(rows, root.id)


def order_depth_first(rows: list[Unit], root_id: str) -> list[Unit]:
    by_parent: dict[str | None, list[Unit]] = {}
    for row in rows:
        by_parent.setdefault(row.parent_id, []).append(row)
    for siblings in by_parent.values():
        siblings.sort(key=lambda u: (u.position, u.sort_name))
    ordered, stack = [], [u for u in rows if u.id == root_id]
    while stack:
        node = stack.pop()
        ordered.append(node)
        stack.extend(reversed(by_parent.get(node.id, [])))
    return ordered


def ancestors(session: Session, unit_id: str) -> list[Unit]:
    """From the root down to the unit's parent (a breadcrumb)."""
    unit = get_unit(session, unit_id)
    ids = lineage(unit)[:-1]
    found = {u.id: u for u in session.exec(select(Unit).where(col(Unit.id).in_(ids))).all()}
    return [found[i] for i in ids if i in found]


def search(session: Session, text: str | None, *, kind: str | None = None, status: str | None = None,
           within: str | None = None, limit: int = 50, offset: int = 0) -> tuple[list[Unit], int]:
    """Search by name or code, with or without diacritics ("so khoa hoc" finds "Sở Khoa học…")."""
    query = select(Unit)
    if text:
        for word in fold(text).split(" "):
            query = query.where(col(Unit.search_text).contains(word, autoescape=True))
    if kind:
        query = query.where(Unit.kind == kind)
    if status:
        query = query.where(Unit.status == status)
    if within:
        query = query.where(col(Unit.path).startswith(get_unit(session, within).path))
    total = session.exec(select(func.count()).select_from(query.subquery())).one()
    ranking = []
    if text:
        # An exact code first, then names that start with the words, then the rest alphabetically.
        folded = fold(text)
        ranking = [case((func.lower(Unit.code) == folded, 0),
                        (col(Unit.search_text).startswith(folded, autoescape=True), 1), else_=2)]
    page = session.exec(query.order_by(*ranking, Unit.sort_name, Unit.code).offset(offset).limit(limit)).all()
    return list(page), total
