"""Accounts over HTTP: registration, review, edits, lifecycle, transfers, lists, statistics, history."""
from __future__ import annotations

from flask import jsonify
from flask_openapi3 import APIBlueprint, Tag
from sqlmodel import col, select

from services.common.http import BEARER, PROBLEM_RESPONSES, bearer_principal
from services.common.models import iso
from services.identity.api.schemas import (
    AccountList,
    AccountPath,
    AccountQuery,
    AppointmentPath,
    Approved,
    DeclarationList,
    DeclarationQuery,
    EidLookupAnswer,
    History,
    RequestPath,
    Stats,
    StatsQuery,
    TransferList,
    TransferQuery,
    TransferView,
    UnitDeclarationPath,
)
from services.identity.domain import accounts, conversion, declarations, eid_directory, transfers
from services.identity.events import AccountSnapshot, Declaration
from services.identity.models import Account
from services.identity.schemas import (
    AccountImport,
    AccountUpdate,
    AppointmentCommand,
    Approval,
    ArchiveCommand,
    ConversionCommand,
    DeclarationCommand,
    EidAdd,
    EidLookup,
    RedeclareCommand,
    Registration,
    Rejection,
    TransferCommand,
)


def blueprint(parts) -> APIBlueprint:
    rt = parts.runtime
    bp = APIBlueprint("accounts", __name__, url_prefix="/api/identity", abp_tags=[Tag(name="accounts")],
                      abp_responses=PROBLEM_RESPONSES)

    def who():
        return bearer_principal(rt.verifier)

    def act(fn, *args, status: int = 200):
        """Run one domain command in a unit of work and answer with the account's snapshot."""
        principal = who()
        with rt.db.uow() as uow:
            account = fn(uow, principal, *args)
            return jsonify(accounts.snapshot(uow.session, account)), status

    @bp.post("/register", summary="Register as an officer (public); waits for the unit's admin",
             responses={201: AccountSnapshot})
    def register(body: Registration):
        with rt.db.uow() as uow:
            account = accounts.register(uow, body)
            return jsonify(accounts.snapshot(uow.session, account)), 201

    @bp.get("/accounts", summary="Accounts in the units you administer, with filters", security=[BEARER],
            responses={200: AccountList})
    def list_accounts(query: AccountQuery):
        principal = who()
        with rt.db.session() as session:
            items, total = accounts.list_accounts(
                session, principal, unit_id=query.unit_id, subtree=query.subtree, status=query.status,
                department=query.department, role=query.role, text=query.q, limit=query.limit, offset=query.offset)
            names = accounts.unit_names(session, {a.unit_id for a in items})
            return jsonify({"total": total, "limit": query.limit, "offset": query.offset,
                            "items": [{**accounts.snapshot(session, a), "unit_name": names.get(a.unit_id)}
                                      for a in items]})

    @bp.post("/accounts/import", summary="Bring existing officers over (approved; legacy CMND accepted)",
             security=[BEARER], responses={201: AccountList})
    def import_accounts(body: AccountImport):
        principal = who()
        with rt.db.uow() as uow:
            created = accounts.import_accounts(uow, principal, body.accounts)
            return jsonify({"total": len(created), "limit": len(created), "offset": 0,
                            "items": [accounts.snapshot(uow.session, a) for a in created]}), 201

    @bp.post("/accounts/<account_id>/one-time-password", summary="Issue a new one-time password (shown once)",
             security=[BEARER])
    def new_one_time_password(path: AccountPath):
        principal = who()
        with rt.db.uow() as uow:
            return jsonify({"one_time_password": accounts.issue_one_time_password(uow, principal,
                                                                                  path.account_id)})

    @bp.get("/accounts/stats", summary="Accounts per unit and status (Thống kê tài khoản)", security=[BEARER],
            responses={200: Stats})
    def stats(query: StatsQuery):
        principal = who()
        with rt.db.session() as session:
            return jsonify({"items": accounts.statistics(session, principal, query.unit_id)})

    @bp.get("/accounts/<account_id>", summary="One account", security=[BEARER], responses={200: AccountSnapshot})
    def read(path: AccountPath):
        principal = who()
        with rt.db.session() as session:
            return jsonify(accounts.snapshot(session, accounts.read(session, principal, path.account_id)))

    @bp.patch("/accounts/<account_id>", summary="Edit an account", security=[BEARER],
              responses={200: AccountSnapshot})
    def edit(path: AccountPath, body: AccountUpdate):
        return act(accounts.update, path.account_id, body)

    @bp.post("/accounts/<account_id>/approve", summary="Approve a registration (Duyệt)", security=[BEARER],
             responses={200: Approved})
    def approve(path: AccountPath, body: Approval):
        principal = who()
        with rt.db.uow() as uow:
            account, otp = accounts.approve(uow, principal, path.account_id, body)
            return jsonify({"account": accounts.snapshot(uow.session, account), "one_time_password": otp})

    @bp.post("/accounts/<account_id>/reject", summary="Reject a registration with a reason", security=[BEARER],
             responses={200: AccountSnapshot})
    def reject(path: AccountPath, body: Rejection):
        return act(accounts.reject, path.account_id, body.reason)

    @bp.post("/accounts/<account_id>/lock", summary="Lock an account (Khóa)", security=[BEARER],
             responses={200: AccountSnapshot})
    def lock(path: AccountPath):
        return act(accounts.set_locked, path.account_id, True)

    @bp.post("/accounts/<account_id>/unlock", summary="Unlock an account", security=[BEARER],
             responses={200: AccountSnapshot})
    def unlock(path: AccountPath):
        return act(accounts.set_locked, path.account_id, False)

    @bp.post("/accounts/<account_id>/archive", summary="Move to an archive group instead of deleting",
             security=[BEARER], responses={200: AccountSnapshot})
    def archive(path: AccountPath, body: ArchiveCommand):
        return act(accounts.archive, path.account_id, body.group.value, body.replacement_id)

    @bp.delete("/accounts/<account_id>", summary="Delete an account on request", security=[BEARER],
               responses={204: None})
    def delete(path: AccountPath):
        principal = who()
        with rt.db.uow() as uow:
            accounts.delete(uow, principal, path.account_id)
        return "", 204

    @bp.get("/accounts/<account_id>/history", summary="Who changed what, when (Lịch sử chỉnh sửa)",
            security=[BEARER], responses={200: History})
    def history(path: AccountPath):
        principal = who()
        with rt.db.session() as session:
            rows = accounts.history(session, principal, path.account_id)
            return jsonify({"items": [{"action": r.action, "field": r.field, "old_value": r.old_value,
                                       "new_value": r.new_value, "changed_by": r.changed_by,
                                       "changed_at": iso(r.changed_at)} for r in rows]})

    @bp.post("/accounts/<account_id>/transfer", summary="Send to another unit; its admin must accept",
             security=[BEARER], responses={201: TransferView})
    def transfer(path: AccountPath, body: TransferCommand):
        principal = who()
        with rt.db.uow() as uow:
            req = transfers.request_transfer(uow, principal, path.account_id, body.to_unit_id)
            return jsonify(transfers.request_view(req)), 201

    @bp.post("/accounts/<account_id>/appointments", summary="Add a concurrent appointment (kiêm nhiệm)",
             security=[BEARER], responses={200: AccountSnapshot})
    def appoint(path: AccountPath, body: AppointmentCommand):
        return act(transfers.set_appointment, path.account_id, body.unit_id, body.position, True)

    @bp.delete("/accounts/<account_id>/appointments/<unit_id>", summary="End a concurrent appointment",
               security=[BEARER], responses={200: AccountSnapshot})
    def end_appointment(path: AppointmentPath):
        return act(transfers.set_appointment, path.account_id, path.unit_id, None, False)

    @bp.post("/accounts/<account_id>/convert", summary="Move everything to a new account (confirm=true)",
             security=[BEARER])
    def convert(path: AccountPath, body: ConversionCommand):
        principal = who()
        with rt.db.uow() as uow:
            return jsonify(conversion.convert(uow, principal, path.account_id, body.new_account_id, body.confirm))

    @bp.get("/transfers", summary="Transfers and re-declarations you may decide or follow", security=[BEARER],
            responses={200: TransferList})
    def list_transfers(query: TransferQuery):
        principal = who()
        with rt.db.session() as session:
            rows = transfers.list_requests(session, principal, query.status)
            names = {a.id: a.full_name for a in session.exec(select(Account).where(
                col(Account.id).in_([r.account_id for r in rows]))).all()} if rows else {}
            return jsonify({"items": [{**transfers.request_view(r), "full_name": names.get(r.account_id)}
                                      for r in rows]})

    @bp.post("/transfers/<int:request_id>/accept", summary="Accept a person into your unit", security=[BEARER],
             responses={200: TransferView})
    def accept(path: RequestPath):
        principal = who()
        with rt.db.uow() as uow:
            return jsonify(transfers.request_view(transfers.decide(uow, principal, path.request_id, True)))

    @bp.post("/transfers/<int:request_id>/reject", summary="Refuse a transfer", security=[BEARER],
             responses={200: TransferView})
    def refuse(path: RequestPath):
        principal = who()
        with rt.db.uow() as uow:
            return jsonify(transfers.request_view(transfers.decide(uow, principal, path.request_id, False)))

    @bp.get("/me", summary="My own account", security=[BEARER], responses={200: AccountSnapshot})
    def me():
        principal = who()
        with rt.db.session() as session:
            return jsonify(accounts.snapshot(session, accounts.read(session, principal, principal.account_id)))

    @bp.get("/eid/people", summary="Look a person up by citizen ID in the national e-ID directory (admins)",
            security=[BEARER], responses={200: EidLookupAnswer})
    def eid_look_up(query: EidLookup):
        principal = who()
        with rt.db.session() as session:
            return jsonify(eid_directory.look_up(session, principal, parts.directory, query.citizen_id))

    @bp.post("/accounts/from-eid", summary="Add the person the e-ID directory knows to a unit (Chưa kích hoạt)",
             security=[BEARER], responses={201: AccountSnapshot})
    def add_from_eid(body: EidAdd):
        return act(eid_directory.add, parts.directory, body.citizen_id, body.unit_id, body.department,
                   body.position, status=201)

    @bp.post("/accounts/<account_id>/activate", summary="Activate an added account (Kích hoạt)", security=[BEARER],
             responses={200: AccountSnapshot})
    def activate(path: AccountPath):
        return act(eid_directory.activate, path.account_id)

    @bp.get("/me/declarations", summary="My self-declarations (phiếu kê khai), newest first", security=[BEARER],
            responses={200: DeclarationList})
    def my_declarations():
        principal = who()
        with rt.db.session() as session:
            return jsonify({"items": [declarations.view(session, d) for d in declarations.mine(session, principal)]})

    @bp.post("/me/declarations", summary="Submit a self-declaration; the declared unit's approver reviews it",
             security=[BEARER], responses={201: Declaration})
    def declare(body: DeclarationCommand):
        principal = who()
        with rt.db.uow() as uow:
            decl = declarations.submit(uow, principal, body)
            return jsonify(declarations.view(uow.session, decl)), 201

    @bp.get("/units/<unit_id>/declarations", summary="A unit's self-declarations, for whoever approves its accounts",
            security=[BEARER], responses={200: DeclarationList})
    def unit_declarations(path: UnitDeclarationPath, query: DeclarationQuery):
        principal = who()
        with rt.db.session() as session:
            rows = declarations.for_unit(session, principal, path.unit_id, query.status)
            return jsonify({"items": [declarations.view(session, d) for d in rows]})

    @bp.post("/me/redeclare", summary="After a merge/dissolution: name the unit you now work in",
             security=[BEARER], responses={201: TransferView})
    def redeclare(body: RedeclareCommand):
        principal = who()
        with rt.db.uow() as uow:
            return jsonify(transfers.request_view(transfers.redeclare(uow, principal, body.unit_id))), 201

    return bp
