"""Setting up task direction (seed 001, "Cài đặt chỉ đạo điều hành"): who holds which role in a unit, which roles may
assign, receive and follow (a unit without settings of its own inherits its nearest ancestor's), the status groups
(statuses, their category and who may move a task into each) and the tags."""
from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import delete
from sqlmodel import Session, col, select

from services.common import authority
from services.common.auth import Principal
from services.common.db import Database, UnitOfWork
from services.common.errors import Conflict, Forbidden, Invalid, NotFound
from services.common.i18n import Sentences, msg
from services.common.models import utcnow
from services.common.text import fold, nfc, sort_key
from services.process.domain.access import oversees, require_configure, require_sees_unit, unit_or_404
from services.process.domain.instances.context import person_name
from services.process.domain.staffing import check_staff
from services.process.models import (
    DirectionStatus,
    DirectionStatusGroup,
    DirectionTag,
    DirectionTaskTag,
    DirectionUnitRole,
    DirectionUnitSettings,
    PersonRef,
    UnitRef,
)

SIDES = {"assign": ("admin", "leader", "creator", "head"),
         "execute": ("representative", "officer", "leader", "follower", "head")}
TASK_ROLES = ("creator", "assigner", "follower", "doer", "subtask_doer", "coordinator", "participant")
UNIT_ROLES = ("head", "leader", "officer", "follower")
CATEGORIES = ("new", "in_progress", "waiting_approval", "done", "refused", "cancelled")
OPEN = ("new", "in_progress", "waiting_approval", "refused")
ACTIONS = ("create", "forward", "refuse", "complete", "approve", "reject", "reassign", "cancel")
PRIORITIES = ("none", "urgent", "high", "normal", "low")
_COLOR = re.compile(r"^#[0-9a-fA-F]{6}$")


@dataclass(frozen=True)
class Settings:
    unit_id: str
    inherited_from: str | None          # the unit whose row applies (None: the suite's defaults)
    status_group_id: int
    assign_roles: tuple[str, ...]
    receive_roles: tuple[str, ...]
    follow_roles: tuple[str, ...]
    due_soon_days: int

    def view(self) -> dict:
        return {"unit_id": self.unit_id, "inherited_from": self.inherited_from,
                "status_group_id": self.status_group_id, "assign_roles": list(self.assign_roles),
                "receive_roles": list(self.receive_roles), "follow_roles": list(self.follow_roles),
                "due_soon_days": self.due_soon_days}


DEFAULTS = {"assign_roles": ("leader", "head"), "receive_roles": ("representative", "head"),
            "follow_roles": ("admin", "leader", "creator", "head"), "due_soon_days": 3}

# The default group reproduces seed 001's flow: (code, name, category, colour, on_action, task roles, unit roles,
# reason required, attachment required).
DEFAULT_STATUSES = (
    ("new", "Chờ tiếp nhận", "new", "#64748b", "create", ("creator", "assigner"), (), False, False),
    ("in_progress", "Đang xử lý", "in_progress", "#1d4ed8", "forward", ("doer",), ("head", "leader"), False, False),
    ("refused", "Bị từ chối", "refused", "#b45309", "refuse", ("doer",), (), True, False),
    ("waiting_approval", "Chờ duyệt", "waiting_approval", "#7c3aed", "complete", ("doer",), (), False, True),
    ("done", "Hoàn thành", "done", "#15803d", "approve", ("follower",), (), False, False),
    ("rejected", "Không duyệt, làm lại", "in_progress", "#b91c1c", "reject", ("follower",), (), True, False),
    ("reassigned", "Giao lại", "new", "#0e7490", "reassign", ("assigner", "creator"), (), False, False),
    ("cancelled", "Đã hủy", "cancelled", "#334155", "cancel", ("assigner", "creator"), (), True, False),
)
DEFAULT_GROUP = "Nhóm trạng thái mặc định"


# ------------------------------------------------------------------------------------------------ status groups
def ensure_defaults(db: Database) -> int:
    """The province's default status group, created once (at start-up)."""
    with db.uow() as uow:
        found = uow.session.exec(select(DirectionStatusGroup).where(col(DirectionStatusGroup.unit_id).is_(None))
                                 .order_by(DirectionStatusGroup.id)).first()
        if found is not None:
            return found.id
        group = DirectionStatusGroup(name=DEFAULT_GROUP)
        uow.session.add(group)
        uow.session.flush()
        _copy_statuses(uow.session, group.id, None)
        uow.commit()
        return group.id


def default_group_id(session: Session) -> int:
    found = session.exec(select(DirectionStatusGroup.id).where(col(DirectionStatusGroup.unit_id).is_(None))
                         .order_by(DirectionStatusGroup.id)).first()
    if found is None:
        raise Conflict(msg("the default status group is missing; restart the process service to create it"))
    return found


def _copy_statuses(session: Session, group_id: int, source: int | None) -> None:
    if source is None:
        for position, (code, name, category, color, action, roles, unit_roles, reason, attachment) in enumerate(
                DEFAULT_STATUSES):
            session.add(DirectionStatus(group_id=group_id, code=code, name=name, category=category, color=color,
                                        position=position, on_action=action, task_roles=list(roles),
                                        unit_roles=list(unit_roles), reason_required=reason,
                                        attachment_required=attachment))
        return
    for row in statuses(session, source):
        session.add(DirectionStatus(**{**row.model_dump(exclude={"id"}), "group_id": group_id}))


def statuses(session: Session, group_id: int) -> list[DirectionStatus]:
    return list(session.exec(select(DirectionStatus).where(DirectionStatus.group_id == group_id)
                             .order_by(DirectionStatus.position, DirectionStatus.id)).all())


def status_for(session: Session, group_id: int, action: str) -> DirectionStatus:
    found = session.exec(select(DirectionStatus).where(DirectionStatus.group_id == group_id,
                                                       DirectionStatus.on_action == action)).first()
    if found is None:
        raise Conflict(msg("the task's status group has no status that “{action}” moves a task into; an admin adds "
                           "one", action=action), code="status_missing")
    return found


def status_view(row: DirectionStatus) -> dict:
    return {"code": row.code, "name": row.name, "category": row.category, "color": row.color,
            "on_action": row.on_action, "task_roles": list(row.task_roles), "unit_roles": list(row.unit_roles),
            "reason_required": row.reason_required, "attachment_required": row.attachment_required}


def group_view(session: Session, group: DirectionStatusGroup) -> dict:
    return {"id": group.id, "name": group.name, "unit_id": group.unit_id, "default": group.unit_id is None,
            "statuses": [status_view(s) for s in statuses(session, group.id)]}


def groups(session: Session) -> list[dict]:
    rows = session.exec(select(DirectionStatusGroup).order_by(DirectionStatusGroup.id)).all()
    return [group_view(session, g) for g in rows]


def group_or_404(session: Session, group_id: int) -> DirectionStatusGroup:
    found = session.get(DirectionStatusGroup, group_id)
    if found is None:
        raise NotFound(msg("no status group {group_id}", group_id=group_id))
    return found


def _require_group_admin(session: Session, principal: Principal, group: DirectionStatusGroup) -> None:
    if group.unit_id is not None:
        require_configure(session, principal, group.unit_id)
    elif not principal.holds_everywhere("process.configure"):
        raise Forbidden(msg("the default status group is the province's; only an admin of the whole province "
                            "changes it (create a group for your unit instead)"), code="permission_missing",
                        permission="process.configure")


def create_group(uow: UnitOfWork, principal: Principal, unit_id: str, name: str, copy_from: int | None) -> dict:
    session = uow.session
    unit = require_configure(session, principal, unit_id)
    name = nfc(name).strip()
    if not name:
        raise Invalid(msg("the group needs a name"), code="name_required")
    source = group_or_404(session, copy_from).id if copy_from is not None else None
    group = DirectionStatusGroup(name=name[:200], unit_id=unit.id)
    session.add(group)
    session.flush()
    _copy_statuses(session, group.id, source if source is not None else default_group_id(session))
    uow.emit("direction.status_group.changed", str(group.id), {"group": group_view(session, group),
                                                                "actor": principal.account_id})
    uow.commit()
    return group_view(session, group)


def update_status(uow: UnitOfWork, principal: Principal, group_id: int, code: str, changes: dict) -> dict:
    session = uow.session
    group = group_or_404(session, group_id)
    _require_group_admin(session, principal, group)
    row = session.exec(select(DirectionStatus).where(DirectionStatus.group_id == group.id,
                                                     DirectionStatus.code == code)).first()
    if row is None:
        raise NotFound(msg("no status {code!r} in this group", code=code))
    problems = []
    if "category" in changes and changes["category"] not in CATEGORIES:
        problems.append(msg("a category is one of {items}", items=", ".join(CATEGORIES)))
    if "color" in changes and not _COLOR.match(changes["color"] or ""):
        problems.append(msg("a colour is written #RRGGBB"))
    bad = [r for r in changes.get("task_roles") or () if r not in TASK_ROLES]
    if bad:
        problems.append(msg("{roles} are not task roles (they are: {items})", roles=", ".join(bad),
                            items=", ".join(TASK_ROLES)))
    bad = [r for r in changes.get("unit_roles") or () if r not in UNIT_ROLES]
    if bad:
        problems.append(msg("{roles} are not unit roles (they are: {items})", roles=", ".join(bad),
                            items=", ".join(UNIT_ROLES)))
    if "name" in changes and not nfc(changes["name"] or "").strip():
        problems.append(msg("the status needs a name"))
    if problems:
        raise Invalid(msg("{problems}", problems=Sentences(problems)), problems=problems)
    for key, value in changes.items():
        setattr(row, key, nfc(value).strip() if key == "name" else value)
    uow.emit("direction.status_group.changed", str(group.id), {"group": group_view(session, group),
                                                                "actor": principal.account_id})
    uow.commit()
    return status_view(row)


# ---------------------------------------------------------------------------------------------------- settings
def lineage(session: Session, unit: UnitRef) -> list[str]:
    """The unit and its ancestors, nearest first."""
    return list(reversed(authority.lineage(unit.path))) or [unit.id]


def settings_of(session: Session, unit: UnitRef) -> Settings:
    ids = lineage(session, unit)
    rows = {r.unit_id: r for r in session.exec(select(DirectionUnitSettings).where(
        col(DirectionUnitSettings.unit_id).in_(ids))).all()}
    row = next((rows[i] for i in ids if i in rows), None)
    if row is None:
        return Settings(unit.id, None, default_group_id(session), DEFAULTS["assign_roles"], DEFAULTS["receive_roles"],
                        DEFAULTS["follow_roles"], DEFAULTS["due_soon_days"])
    return Settings(unit.id, None if row.unit_id == unit.id else row.unit_id,
                    row.status_group_id or default_group_id(session), tuple(row.assign_roles),
                    tuple(row.receive_roles), tuple(row.follow_roles), row.due_soon_days)


def save_settings(uow: UnitOfWork, principal: Principal, unit_id: str, changes: dict) -> dict:
    session = uow.session
    unit = require_configure(session, principal, unit_id)
    current = settings_of(session, unit)
    problems = []
    for key, side in (("assign_roles", "assign"), ("follow_roles", "assign"), ("receive_roles", "execute")):
        bad = [r for r in changes.get(key) or () if r not in SIDES[side]]
        if bad:
            problems.append(msg("{roles} cannot be {key} (the {side} side's roles are: {items})", roles=", ".join(bad),
                                key=key, side=side, items=", ".join(SIDES[side])))
        if key in changes and not changes[key]:
            problems.append(msg("{key} needs at least one role", key=key))
    if changes.get("status_group_id") is not None:
        group = session.get(DirectionStatusGroup, changes["status_group_id"])
        if group is None or (group.unit_id is not None and group.unit_id not in lineage(session, unit)):
            problems.append(msg("status group {value} is not the default nor one of this unit or its parents",
                                value=changes["status_group_id"]))
    if problems:
        raise Invalid(msg("{problems}", problems=Sentences(problems)), problems=problems)
    row = session.get(DirectionUnitSettings, unit.id) or DirectionUnitSettings(unit_id=unit.id)
    row.status_group_id = changes.get("status_group_id", current.status_group_id)
    for key in ("assign_roles", "receive_roles", "follow_roles"):
        setattr(row, key, list(dict.fromkeys(changes.get(key) or getattr(current, key))))
    row.due_soon_days = changes.get("due_soon_days") or current.due_soon_days
    row.updated_at, row.updated_by = utcnow(), principal.account_id
    session.add(row)
    session.flush()
    result = settings_of(session, unit).view()
    uow.emit("direction.unit_setup.changed", unit.id, {"unit_id": unit.id, "settings": result, "roles": None,
                                                        "actor": principal.account_id})
    uow.commit()
    return result


# -------------------------------------------------------------------------------------------------- unit roles
def holders(session: Session, unit_id: str, side: str, roles) -> list[str]:
    return list(session.exec(select(DirectionUnitRole.account_id).where(
        DirectionUnitRole.unit_id == unit_id, DirectionUnitRole.side == side,
        col(DirectionUnitRole.role).in_(list(roles))).distinct()).all())


def roles_held(session: Session, account_id: str, unit_id: str, side: str) -> set[str]:
    return set(session.exec(select(DirectionUnitRole.role).where(
        DirectionUnitRole.unit_id == unit_id, DirectionUnitRole.side == side,
        DirectionUnitRole.account_id == account_id)).all())


def setup_view(session: Session, principal: Principal, unit_id: str) -> dict:
    unit = require_sees_unit(session, principal, unit_id)
    roles: dict[str, dict[str, list[dict]]] = {side: {role: [] for role in names} for side, names in SIDES.items()}
    for row in session.exec(select(DirectionUnitRole).where(DirectionUnitRole.unit_id == unit.id)).all():
        roles[row.side].setdefault(row.role, []).append({"id": row.account_id,
                                                         "name": person_name(session, row.account_id)})
    for side in roles.values():
        for people in side.values():
            people.sort(key=lambda p: sort_key(p["name"] or p["id"]))
    return {"unit": {"id": unit.id, "name": unit.name}, "settings": settings_of(session, unit).view(),
            "roles": roles, "may_configure": oversees(principal, unit)}


def set_role(uow: UnitOfWork, principal: Principal, unit_id: str, side: str, role: str, accounts: list[str]) -> dict:
    session = uow.session
    if side not in SIDES:
        raise NotFound(msg("no side {side!r} (assign or execute)", side=side))
    if role not in SIDES[side]:
        raise Invalid(msg("“{role}” is not a role of the {side} side (they are: {items})", role=role, side=side,
                          items=", ".join(SIDES[side])), code="bad_role")
    unit = require_configure(session, principal, unit_id)
    accounts = list(dict.fromkeys(accounts))
    check_staff(session, unit, accounts)
    session.execute(delete(DirectionUnitRole).where(col(DirectionUnitRole.unit_id) == unit.id,
                                                    col(DirectionUnitRole.side) == side,
                                                    col(DirectionUnitRole.role) == role))
    for account_id in accounts:
        session.add(DirectionUnitRole(unit_id=unit.id, side=side, role=role, account_id=account_id))
    uow.emit("direction.unit_setup.changed", unit.id, {"unit_id": unit.id, "settings": None,
                                                        "roles": {side: {role: accounts}},
                                                        "actor": principal.account_id})
    uow.commit()
    return {"unit_id": unit.id, "side": side, "role": role, "accounts": accounts}


def people_in_role(session: Session, principal: Principal, unit_id: str, purpose: str) -> list[dict]:
    """The people a form may choose: assigners and followers of the unit (as an assigning unit), representatives
    (as an executing unit), ordered by name."""
    unit = unit_or_404(session, unit_id)
    if purpose == "officer":    # whom a task of the unit may be forwarded to: its people, for its people and admins
        require_sees_unit(session, principal, unit.id)
        rows = session.exec(select(PersonRef).where(PersonRef.unit_id == unit.id, PersonRef.status == "approved"))
        return sorted(({"id": p.account_id, "name": p.full_name} for p in rows), key=lambda p: sort_key(p["name"]))
    conf = settings_of(session, unit)
    side, roles = {"assigner": ("assign", conf.assign_roles), "follower": ("assign", conf.follow_roles),
                   "representative": ("execute", conf.receive_roles)}[purpose]
    found = holders(session, unit.id, side, roles)
    rows = session.exec(select(PersonRef).where(col(PersonRef.account_id).in_(found),
                                                PersonRef.status == "approved")).all() if found else []
    return sorted(({"id": p.account_id, "name": p.full_name} for p in rows), key=lambda p: sort_key(p["name"]))


# -------------------------------------------------------------------------------------------------------- tags
def tags(session: Session, unit: UnitRef) -> list[dict]:
    rows = session.exec(select(DirectionTag).where(col(DirectionTag.unit_id).in_(lineage(session, unit)))).all()
    return sorted(({"id": t.id, "name": t.name, "color": t.color, "unit_id": t.unit_id} for t in rows),
                  key=lambda t: sort_key(t["name"]))


def create_tag(uow: UnitOfWork, principal: Principal, unit_id: str, name: str, color: str) -> dict:
    session = uow.session
    unit = require_configure(session, principal, unit_id)
    name = nfc(name or "").strip()
    problems = []
    if not name:
        problems.append(msg("the tag needs a name"))
    if not _COLOR.match(color or ""):
        problems.append(msg("a colour is written #RRGGBB"))
    if name and session.exec(select(DirectionTag.id).where(DirectionTag.unit_id == unit.id,
                                                           DirectionTag.name == name)).first() is not None:
        problems.append(msg("the unit already has a tag “{name}”", name=name))
    if problems:
        raise Invalid(msg("{problems}", problems=Sentences(problems)), problems=problems)
    row = DirectionTag(unit_id=unit.id, name=name[:100], color=color.lower())
    session.add(row)
    uow.commit()
    return {"id": row.id, "name": row.name, "color": row.color, "unit_id": row.unit_id}


def delete_tag(uow: UnitOfWork, principal: Principal, tag_id: int) -> None:
    session = uow.session
    row = session.get(DirectionTag, tag_id)
    if row is None:
        raise NotFound(msg("no tag {tag_id}", tag_id=tag_id))
    require_configure(session, principal, row.unit_id)
    session.execute(delete(DirectionTaskTag).where(col(DirectionTaskTag.tag_id) == row.id))
    session.delete(row)
    uow.commit()


def usable_tags(session: Session, unit: UnitRef, tag_ids: list[int]) -> list[int]:
    allowed = {t["id"] for t in tags(session, unit)}
    stray = [t for t in tag_ids if t not in allowed]
    if stray:
        raise Invalid(msg("tags {items} are not tags of this unit or its parents",
                          items=", ".join(map(str, stray))), code="bad_tag")
    return list(dict.fromkeys(tag_ids))



def units_below(session: Session, unit: UnitRef, q: str | None = None, limit: int = 50) -> list[dict]:
    """Active units under ``unit`` (where its tasks may go), nearest first, matching ``q`` without diacritics."""
    words = fold(q or "").split()
    rows = session.exec(select(UnitRef).where(col(UnitRef.path).startswith(unit.path), UnitRef.id != unit.id,
                                              UnitRef.status == "active").limit(5000)).all()
    found = [u for u in rows if all(w in fold(u.name) for w in words)]
    found.sort(key=lambda u: (u.path.count("/"), sort_key(u.name)))
    return [{"id": u.id, "name": u.name, "depth": u.path.count("/") - unit.path.count("/")} for u in found[:limit]]
