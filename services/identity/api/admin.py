"""Delegated administration over HTTP: admin grants, permission groups, the permission catalogue."""
from __future__ import annotations

from flask import jsonify
from flask_openapi3 import APIBlueprint, Tag
from pydantic import BaseModel, Field

from services.common.http import BEARER, PROBLEM_RESPONSES, bearer_principal
from services.common.permissions import CATALOGUE
from services.identity.api.schemas import GrantList, GrantPath, GroupList, GroupMemberPath, GroupPath, GroupView
from services.identity.domain import admin, signin_rules
from services.identity.events import Grant
from services.identity.schemas import GrantCommand, GroupCommand, GroupUpdate, MemberCommand


def blueprint(parts) -> APIBlueprint:
    rt = parts.runtime
    bp = APIBlueprint("admin", __name__, url_prefix="/api/identity", abp_tags=[Tag(name="administration")],
                      abp_responses=PROBLEM_RESPONSES)

    def who():
        return bearer_principal(rt.verifier)

    def group_answer(uow, group, status: int = 200):
        return jsonify(admin.group_view(uow.session, group)), status

    @bp.get("/permissions", summary="The permission catalogue every service checks")
    def permissions():
        return jsonify({"items": [{"name": k, "description": v} for k, v in CATALOGUE.items()]})

    @bp.get("/admin-grants", summary="Admin grants inside your subtrees", security=[BEARER],
            responses={200: GrantList})
    def list_grants():
        principal = who()
        with rt.db.session() as session:
            return jsonify({"items": [admin.grant_view(g) for g in admin.list_grants(session, principal)]})

    @bp.post("/admin-grants", summary="Make an account admin of a unit's subtree", security=[BEARER],
             responses={201: Grant})
    def grant(body: GrantCommand):
        principal = who()
        with rt.db.uow() as uow:
            return jsonify(admin.grant_view(admin.grant_admin(uow, principal, body))), 201

    @bp.delete("/admin-grants/<int:grant_id>", summary="Revoke an admin grant", security=[BEARER],
               responses={204: None})
    def revoke(path: GrantPath):
        principal = who()
        with rt.db.uow() as uow:
            admin.revoke_admin(uow, principal, path.grant_id)
        return "", 204

    @bp.get("/groups", summary="Permission groups you manage", security=[BEARER], responses={200: GroupList})
    def list_groups():
        principal = who()
        with rt.db.session() as session:
            return jsonify({"items": [admin.group_view(session, g) for g in admin.list_groups(session, principal)]})

    @bp.post("/groups", summary="Create a group with a permission set", security=[BEARER],
             responses={201: GroupView})
    def create_group(body: GroupCommand):
        principal = who()
        with rt.db.uow() as uow:
            return group_answer(uow, admin.create_group(uow, principal, body), 201)

    @bp.patch("/groups/<int:group_id>", summary="Rename a group or set its permissions", security=[BEARER],
              responses={200: GroupView})
    def update_group(path: GroupPath, body: GroupUpdate):
        principal = who()
        with rt.db.uow() as uow:
            return group_answer(uow, admin.update_group(uow, principal, path.group_id, body))

    @bp.delete("/groups/<int:group_id>", summary="Delete a group (not the built-in one)", security=[BEARER],
               responses={204: None})
    def delete_group(path: GroupPath):
        principal = who()
        with rt.db.uow() as uow:
            admin.delete_group(uow, principal, path.group_id)
        return "", 204

    @bp.post("/groups/<int:group_id>/members", summary="Add an account to a group", security=[BEARER],
             responses={200: GroupView})
    def add_member(path: GroupPath, body: MemberCommand):
        principal = who()
        with rt.db.uow() as uow:
            return group_answer(uow, admin.set_membership(uow, principal, path.group_id, body.account_id, True))

    @bp.delete("/groups/<int:group_id>/members/<account_id>", summary="Remove an account from a group",
               security=[BEARER], responses={200: GroupView})
    def remove_member(path: GroupMemberPath):
        principal = who()
        with rt.db.uow() as uow:
            return group_answer(uow, admin.set_membership(uow, principal, path.group_id, path.account_id, False))

    @bp.get("/units/<unit_id>/sign-in", summary="How the unit's people sign in: password and e-ID, or e-ID only",
            security=[BEARER])
    def unit_sign_in(path: UnitPath):
        principal = who()
        with rt.db.session() as session:
            return jsonify(signin_rules.read(session, principal, path.unit_id))

    @bp.put("/units/<unit_id>/sign-in", summary="Switch password sign-in off (e-ID only) or on for the unit and "
                                                "the units below it", security=[BEARER])
    def set_unit_sign_in(path: UnitPath, body: SignInRule):
        principal = who()
        with rt.db.uow() as uow:
            return jsonify(signin_rules.save(uow, principal, path.unit_id, body.password_allowed,
                                             eid_available=parts.oidc is not None))

    return bp


class UnitPath(BaseModel):
    unit_id: str = Field(max_length=32)


class SignInRule(BaseModel):
    password_allowed: bool = Field(description="false: the unit's people sign in with the e-ID only")
