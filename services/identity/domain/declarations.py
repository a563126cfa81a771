"""Self-declaration (kê khai → nộp phiếu → phê duyệt), seed 002 §1 and §2.2: an officer declares their department
(chosen among the units directly under their unit), position, grade code, title category and salary coefficient —
and, when their unit was merged or dissolved, the unit they now work in — and submits the form. The review is a
BPMN process run by the process service (it starts on the message below, for the declared unit, and its reviewers
are the people who approve that unit's accounts); identity applies a declaration only when the process says it
was approved, and keeps the reason when it was returned."""
from __future__ import annotations

import uuid
from decimal import Decimal

from sqlmodel import Session, col, select

from services.common.auth import Principal
from services.common.db import UnitOfWork
from services.common.errors import Conflict, Invalid, NotFound
from services.common.i18n import msg
from services.common.models import iso, utcnow
from services.common.permissions import SUPER_ADMIN
from services.common.text import sort_key
from services.identity.domain.accounts import APPROVE, approvers_at, publish, record
from services.identity.domain.scope import authority, can, lineage_of, live_unit
from services.identity.domain.withdrawal import withdraw_access
from services.identity.models import (
    Account,
    AccountStatus,
    StaffDeclaration,
    TransferRequest,
    UnitRef,
)
from services.identity.schemas import DeclarationCommand

MESSAGE = "staff_declaration.submitted"   # the message whose start event runs the review (bpmn/)
MESSAGE_SENT = "process.message.sent"     # how any service or integrator starts a process by message
FIELDS = ("department", "position", "grade_code", "title_category", "salary_coefficient")
LABELS = {"unit": "Đơn vị", "department": "Bộ phận", "position": "Chức vụ", "grade_code": "Mã ngạch",
          "title_category": "Hạng chức danh nghề nghiệp", "salary_coefficient": "Hệ số lương"}


def view(session: Session, decl: StaffDeclaration) -> dict:
    units = {u.id: u.name for u in session.exec(select(UnitRef).where(
        col(UnitRef.id).in_([i for i in (decl.unit_id, decl.from_unit_id) if i]))).all()}
    account = session.get(Account, decl.account_id)
    return {"id": decl.id, "account_id": decl.account_id, "full_name": account.full_name if account else None,
            "from_unit_id": decl.from_unit_id, "from_unit_name": units.get(decl.from_unit_id),
            "unit_id": decl.unit_id, "unit_name": units.get(decl.unit_id), "values": dict(decl.values),
            "status": decl.status, "reason": decl.reason, "decided_by": decl.decided_by,
            "created_at": iso(decl.created_at), "decided_at": iso(decl.decided_at) if decl.decided_at else None}


def departments(session: Session, unit_id: str) -> list[UnitRef]:
    """The unit's departments (bộ phận): the units in use directly under it, in Vietnamese order."""
    rows = session.exec(select(UnitRef).where(UnitRef.parent_id == unit_id, UnitRef.status == "active")).all()
    return sorted(rows, key=lambda u: sort_key(u.name))


def reviewers(session: Session, unit_id: str, declarer_id: str) -> list[str]:
    """Who approves the declarations of a unit: the people holding accounts.approve on the nearest level of its
    lineage where someone (other than the declarer, approved and active) holds it — at last the system group."""
    for unit in (*reversed(lineage_of(session, unit_id)), None):
        found = approvers_at(session, unit, excluding=declarer_id, counts=(APPROVE, SUPER_ADMIN))
        if found:
            return sorted(found)
    return []


def _check_unit(session: Session, account: Account, cmd: DeclarationCommand) -> UnitRef:
    if account.needs_redeclare:
        if not cmd.unit_id or cmd.unit_id == account.unit_id:
            raise Invalid(msg("your unit was merged or dissolved: choose the unit you now work in"),
                          code="unit_required", field="unit_id")
        unit = live_unit(session, cmd.unit_id)
        pending = session.exec(select(TransferRequest).where(TransferRequest.account_id == account.id,
                                                             TransferRequest.status == "pending")).first()
        if pending is not None:
            raise Conflict(msg("a {kind} to another unit is already waiting for its admin (request {id})",
                               kind=pending.kind, id=pending.id), code="transfer_pending")
        return unit
    if cmd.unit_id and cmd.unit_id != account.unit_id:
        raise Conflict(msg("only people of a merged or dissolved unit declare a new unit; a move to another unit "
                           "is a transfer your admin asks for"), code="use_transfer")
    unit = session.get(UnitRef, account.unit_id) if account.unit_id else None
    if unit is None:
        raise Conflict(msg("your account has no unit yet; ask your admin"), code="no_unit")
    return unit


def submit(uow: UnitOfWork, principal: Principal, cmd: DeclarationCommand) -> StaffDeclaration:
    """Check everything, then store the declaration and ask the process service to start its review — in one
    transaction, so a declaration is never stored without its review, nor reviewed without being stored."""
    session = uow.session
    account = session.get(Account, principal.account_id)
    if account is None or account.status != AccountStatus.approved:
        raise Conflict(msg("only an approved account declares"), code="not_approved")
    waiting = session.exec(select(StaffDeclaration).where(StaffDeclaration.account_id == account.id,
                                                          StaffDeclaration.status == "submitted")).first()
    if waiting is not None:
        raise Conflict(msg("your declaration of {date} is still waiting for its review",
                           date=waiting.created_at.strftime("%d/%m/%Y")), code="declaration_open",
                       declaration_id=waiting.id)
    unit = _check_unit(session, account, cmd)
    parts = departments(session, unit.id)
    department = None
    if cmd.department_id:
        department = next((d for d in parts if d.id == cmd.department_id), None)
        if department is None:
            raise Invalid(msg("choose the department among those of “{unit}”", unit=unit.name),
                          code="not_a_department", field="department_id")
    elif parts:
        raise Invalid(msg("choose the department among those of “{unit}”", unit=unit.name),
                      code="department_required", field="department_id")
    values = {"department": department.name if department else None, "department_id": cmd.department_id,
              "position": cmd.position, "grade_code": cmd.grade_code,
              "title_category": str(cmd.title_category) if cmd.title_category else None,
              "salary_coefficient": _coefficient(cmd.salary_coefficient)}
    changed = [name for name in FIELDS if values[name] != getattr(account, name)]
    if unit.id != account.unit_id:
        changed.insert(0, "unit")
    if not changed:
        raise Invalid(msg("nothing differs from your record; change something before submitting"),
                      code="nothing_changed")
    people = reviewers(session, unit.id, account.id)
    if not people:
        raise Conflict(msg("nobody approves the accounts of “{unit}” yet; ask the Sở Nội vụ to name an approver",
                           unit=unit.name), code="no_approver")
    decl = StaffDeclaration(id=uuid.uuid4().hex, account_id=account.id, from_unit_id=account.unit_id,
                            unit_id=unit.id, values={**values, "changed": changed})
    session.add(decl)
    session.flush()
    uow.emit("identity.declaration.submitted", account.id, {"declaration": view(session, decl)})
    uow.emit(MESSAGE_SENT, decl.id, {
        "schema_version": 1, "kind": "message", "name": MESSAGE, "correlation_key": decl.id, "unit_id": unit.id,
        "variables": {"declaration_id": decl.id, "account_id": account.id, "reviewers": people,
                      "title": f"Kê khai của {account.full_name}",
                      "summary": _summary(session, account, unit, values, changed)}})
    uow.commit()
    return decl


def _coefficient(value: Decimal | None) -> str | None:
    return f"{value:.2f}" if value is not None else None


def _summary(session: Session, account: Account, unit: UnitRef, values: dict, changed: list[str]) -> list[dict]:
    """What the reviewer reads on the task: each declared field, its value now and the declared one."""
    def said(name: str, value):      # a coefficient as Vietnamese write it (4,40)
        return value.replace(".", ",") if name == "salary_coefficient" and value else value

    old_unit = session.get(UnitRef, account.unit_id) if account.unit_id else None
    rows = [{"label": LABELS["unit"], "before": old_unit.name if old_unit else None, "after": unit.name,
             "changed": "unit" in changed}]
    rows += [{"label": LABELS[name], "before": said(name, getattr(account, name)), "after": said(name, values[name]),
              "changed": name in changed} for name in FIELDS]
    return rows


def decide(uow: UnitOfWork, declaration_id: str, approved: bool, decided_by: str | None,
           reason: str | None) -> StaffDeclaration | None:
    """The review ended (from the process service's event): apply what was approved, or keep why it was returned.
    A declaration already decided stays as it is (events arrive at least once)."""
    session = uow.session
    decl = session.get(StaffDeclaration, declaration_id)
    if decl is None or decl.status != "submitted":
        return None
    account = session.get(Account, decl.account_id)
    decl.status, decl.decided_by, decl.decided_at = ("approved" if approved else "returned"), decided_by, utcnow()
    decl.reason = None if approved else (reason or "")[:1000]
    if not approved:
        record(session, account, "declaration_returned", decided_by, {"reason": (None, decl.reason)})
        uow.emit("identity.declaration.returned", account.id, {"declaration": view(session, decl)})
        return decl
    changes = {name: (getattr(account, name), decl.values.get(name)) for name in FIELDS
               if getattr(account, name) != decl.values.get(name)}
    for name, (_old, new) in changes.items():
        setattr(account, name, new)
    old_unit = account.unit_id
    moved = decl.unit_id != old_unit
    if moved:
        changes["unit_id"] = (old_unit, decl.unit_id)
        account.unit_id, account.needs_redeclare = decl.unit_id, False
    record(session, account, "declaration_approved", decided_by, changes)
    if moved:
        withdraw_access(uow, account.id, "unit_changed")
        publish(uow, "transferred", account, from_unit_id=old_unit, kind="redeclare")
    else:
        publish(uow, "updated", account, changed=sorted(changes))
    uow.emit("identity.declaration.approved", account.id, {"declaration": view(session, decl)})
    return decl


def mine(session: Session, principal: Principal) -> list[StaffDeclaration]:
    return list(session.exec(select(StaffDeclaration).where(StaffDeclaration.account_id == principal.account_id)
                             .order_by(col(StaffDeclaration.created_at).desc())).all())


def for_unit(session: Session, principal: Principal, unit_id: str, status: str | None) -> list[StaffDeclaration]:
    """The declarations of a unit, for whoever approves its accounts (404 for anyone else)."""
    unit = session.get(UnitRef, unit_id)
    if unit is None or not can(session, authority(session, principal), APPROVE, unit_id):
        raise NotFound(msg("no unit {unit_id!r}", unit_id=unit_id))
    query = select(StaffDeclaration).where(StaffDeclaration.unit_id == unit_id)
    if status:
        query = query.where(StaffDeclaration.status == status)
    return list(session.exec(query.order_by(col(StaffDeclaration.created_at).desc())).all())
