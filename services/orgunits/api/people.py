"""Headcount, the people behind it, and party organisations' bank accounts over HTTP."""
from __future__ import annotations

from flask import jsonify
from flask_openapi3 import APIBlueprint, Tag

from services.common.http import BEARER, PROBLEM_RESPONSES, bearer_principal
from services.common.runtime import ServiceRuntime
from services.orgunits.api.schemas import (
    BankAccountList,
    BankAccountPath,
    Headcount,
    HeadcountQuery,
    MemberList,
    MembersQuery,
    UnitPath,
)
from services.orgunits.domain import bank, people
from services.orgunits.domain.access import require_view_people
from services.orgunits.domain.tree import get_unit
from services.orgunits.events import BankAccountSnapshot, PartyDetails
from services.orgunits.models import Member


def member_out(member: Member) -> dict:
    return {"account_id": member.account_id, "full_name": member.full_name, "unit_id": member.unit_id,
            "department": member.department, "position": member.position, "status": member.status}


def blueprint(rt: ServiceRuntime) -> APIBlueprint:
    bp = APIBlueprint("people", __name__, url_prefix="/api/orgunits", abp_tags=[Tag(name="people")],
                      abp_responses=PROBLEM_RESPONSES)

    def viewing(session, unit_id: str) -> None:
        require_view_people(session, bearer_principal(rt.verifier), get_unit(session, unit_id))

    @bp.get("/units/<unit_id>/headcount", summary="Headcount (biên chế) per unit and per department",
            security=[BEARER], responses={200: Headcount})
    def headcount(path: UnitPath, query: HeadcountQuery):
        with rt.db.session() as session:
            viewing(session, path.unit_id)
            return jsonify(people.headcount(session, path.unit_id, query.subtree))

    @bp.get("/units/<unit_id>/members", summary="The people behind a headcount figure",
            security=[BEARER], responses={200: MemberList})
    def members(path: UnitPath, query: MembersQuery):
        with rt.db.session() as session:
            viewing(session, path.unit_id)
            items, total = people.members(session, path.unit_id, department=query.department,
                                          include_subtree=query.subtree, limit=query.limit,
                                          offset=query.offset)
            return jsonify({"total": total, "limit": query.limit, "offset": query.offset,
                            "items": [member_out(m) for m in items]})

    @bp.get("/units/<unit_id>/bank-accounts", summary="A party organisation's bank accounts",
            security=[BEARER], responses={200: BankAccountList})
    def list_accounts(path: UnitPath):
        with rt.db.session() as session:
            viewing(session, path.unit_id)
            return jsonify({"items": [bank.account_snapshot(a) for a in bank.list_accounts(session, path.unit_id)]})

    @bp.post("/units/<unit_id>/bank-accounts", summary="Register an account held by the organisation",
             security=[BEARER], responses={201: BankAccountSnapshot})
    def add_account(path: UnitPath, body: bank.BankAccountCreate):
        who = bearer_principal(rt.verifier)
        with rt.db.uow() as uow:
            return jsonify(bank.account_snapshot(bank.add_account(uow, who, path.unit_id, body))), 201

    @bp.post("/units/<unit_id>/bank-accounts/<int:account_id>/use", summary="Make this the account in use",
             security=[BEARER], responses={200: BankAccountSnapshot})
    def use_account(path: BankAccountPath):
        who = bearer_principal(rt.verifier)
        with rt.db.uow() as uow:
            return jsonify(bank.account_snapshot(bank.use_account(uow, who, path.unit_id, path.account_id)))

    @bp.delete("/units/<unit_id>/bank-accounts/<int:account_id>", summary="Remove an account",
               security=[BEARER], responses={204: None})
    def remove_account(path: BankAccountPath):
        who = bearer_principal(rt.verifier)
        with rt.db.uow() as uow:
            bank.remove_account(uow, who, path.unit_id, path.account_id)
        return "", 204

    @bp.get("/units/<unit_id>/party-details", summary="A party organisation's fee allocation and address",
            security=[BEARER], responses={200: PartyDetails})
    def party_details(path: UnitPath):
        with rt.db.session() as session:
            viewing(session, path.unit_id)
            return jsonify(bank.details(session, path.unit_id))

    @bp.put("/units/<unit_id>/party-details", summary="Set a party organisation's fee allocation and address",
            security=[BEARER], responses={200: PartyDetails})
    def save_party_details(path: UnitPath, body: bank.PartyDetailsUpdate):
        who = bearer_principal(rt.verifier)
        with rt.db.uow() as uow:
            return jsonify(bank.save_details(uow, who, path.unit_id, body))

    @bp.get("/units/<unit_id>/party-without-account", summary="Party organisations of the subtree with no bank "
                                                             "account in use (seed 003 §2.2.3)", security=[BEARER])
    def without_account(path: UnitPath):
        with rt.db.session() as session:
            viewing(session, path.unit_id)
            return jsonify({"items": bank.without_account(session, path.unit_id)})

    return bp
