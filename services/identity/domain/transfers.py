"""Moving people between units: transfer (Chuyển đơn vị) accepted by the receiving unit's admin,
re-declaration after a merge or dissolution, and concurrent appointments (kiêm nhiệm)."""
from __future__ import annotations

from sqlmodel import Session, select

from services.common.auth import Principal
from services.common.db import UnitOfWork
from services.common.errors import Conflict, NotFound
from services.common.i18n import msg
from services.common.models import iso, utcnow
from services.identity.domain.accounts import publish, record
from services.identity.domain.scope import authority, can, get_account_for, live_unit, require
from services.identity.domain.withdrawal import withdraw_access
from services.identity.models import Account, AccountStatus, Appointment, TransferRequest


def request_view(req: TransferRequest) -> dict:
    return {"id": req.id, "account_id": req.account_id, "from_unit_id": req.from_unit_id,
            "to_unit_id": req.to_unit_id, "kind": req.kind, "status": req.status,
            "requested_by": req.requested_by, "decided_by": req.decided_by, "created_at": iso(req.created_at),
            "decided_at": iso(req.decided_at) if req.decided_at else None}


def _open_request(session: Session, account: Account, to_unit_id: str, kind: str, by: str) -> TransferRequest:
    live_unit(session, to_unit_id)
    if account.unit_id == to_unit_id:
        raise Conflict(msg("the account is already in that unit"))
    pending = session.exec(select(TransferRequest).where(TransferRequest.account_id == account.id,
                                                         TransferRequest.status == "pending")).first()
    if pending is not None:
        raise Conflict(msg("a {kind} to another unit is already waiting for its admin (request {id})",
                           kind=pending.kind, id=pending.id))
    req = TransferRequest(account_id=account.id, from_unit_id=account.unit_id, to_unit_id=to_unit_id, kind=kind,
                          requested_by=by)
    session.add(req)
    session.flush()
    return req


def request_transfer(uow: UnitOfWork, principal: Principal, account_id: str, to_unit_id: str) -> TransferRequest:
    """The person stays where they are until the receiving unit's admin accepts."""
    session = uow.session
    account = get_account_for(session, principal, account_id, "accounts.transfer")
    if account.status != AccountStatus.approved:
        raise Conflict(msg("only an approved account can be transferred; this one is {status}", status=account.status))
    req = _open_request(session, account, to_unit_id, "transfer", principal.account_id)
    record(session, account, "transfer_requested", principal.account_id, {"unit_id": (account.unit_id, to_unit_id)})
    uow.emit("identity.transfer.requested", account.id, {"request": request_view(req)})
    uow.commit()
    return req


def redeclare(uow: UnitOfWork, principal: Principal, unit_id: str) -> TransferRequest:
    """Someone whose unit was merged or dissolved picks the unit they now work in."""
    session = uow.session
    account = session.get(Account, principal.account_id)
    if account is None or not account.needs_redeclare:
        raise Conflict(msg("your unit was not merged or dissolved; ask your admin for a transfer instead"))
    req = _open_request(session, account, unit_id, "redeclare", principal.account_id)
    uow.emit("identity.transfer.requested", account.id, {"request": request_view(req)})
    uow.commit()
    return req


def _pending_for(session: Session, principal: Principal, request_id: int) -> TransferRequest:
    req = session.get(TransferRequest, request_id)
    who = authority(session, principal)
    if req is None or not (can(session, who, "accounts.approve", req.to_unit_id)
                           or can(session, who, "accounts.transfer", req.from_unit_id)):
        raise NotFound(msg("no transfer request {request_id}", request_id=request_id))
    if req.status != "pending":
        raise Conflict(msg("the request is already {status}", status=req.status))
    return req


def decide(uow: UnitOfWork, principal: Principal, request_id: int, accept: bool) -> TransferRequest:
    session = uow.session
    req = _pending_for(session, principal, request_id)
    require(session, authority(session, principal), "accounts.approve", req.to_unit_id)
    account = session.get(Account, req.account_id)
    req.status, req.decided_by, req.decided_at = ("accepted" if accept else "rejected"), principal.account_id, utcnow()
    if accept:
        old = account.unit_id
        account.unit_id, account.needs_redeclare = req.to_unit_id, False
        record(session, account, "transferred", principal.account_id, {"unit_id": (old, req.to_unit_id)})
        withdraw_access(uow, account.id, "unit_changed")
        publish(uow, "transferred", account, from_unit_id=old, kind=req.kind)
    else:
        record(session, account, "transfer_rejected", principal.account_id)
    uow.commit()
    return req


def list_requests(session: Session, principal: Principal, status: str | None = "pending") -> list[TransferRequest]:
    who = authority(session, principal)
    query = select(TransferRequest).order_by(TransferRequest.id)
    if status:
        query = query.where(TransferRequest.status == status)
    return [r for r in session.exec(query).all()
            if can(session, who, "accounts.approve", r.to_unit_id) or can(session, who, "accounts.transfer",
                                                                           r.from_unit_id)
            or r.account_id == principal.account_id]


def set_appointment(uow: UnitOfWork, principal: Principal, account_id: str, unit_id: str,
                    position: str | None, appointed: bool) -> Account:
    session = uow.session
    account = get_account_for(session, principal, account_id, "accounts.edit")
    require(session, authority(session, principal), "accounts.edit", unit_id)
    row = session.get(Appointment, (account.id, unit_id))
    if appointed:
        live_unit(session, unit_id)
        if unit_id == account.unit_id:
            raise Conflict(msg("that is the account's primary unit"))
        if row is None:
            session.add(Appointment(account_id=account.id, unit_id=unit_id, position=position))
        else:
            row.position = position
        record(session, account, "appointed", principal.account_id, {"appointment": (None, f"{unit_id} {position}")})
    else:
        if row is None:
            raise NotFound(msg("no such concurrent appointment"))
        session.delete(row)
        record(session, account, "appointment_ended", principal.account_id, {"appointment": (unit_id, None)})
    withdraw_access(uow, account.id, "unit_changed")
    publish(uow, "updated", account, changed=["appointments"])
    uow.commit()
    return account


def mark_redeclare(uow: UnitOfWork, unit_id: str) -> int:
    """orgunits merged or dissolved ``unit_id``: its people must pick their new unit."""
    session = uow.session
    people = session.exec(select(Account).where(Account.unit_id == unit_id, Account.needs_redeclare == False,  # noqa: E712
                                                Account.status != AccountStatus.archived)).all()
    for account in people:
        account.needs_redeclare = True
        record(session, account, "to_redeclare", "orgunits", {"needs_redeclare": (False, True)})
        publish(uow, "updated", account, changed=["needs_redeclare"])
    return len(people)
