"""A unit admin's staffing of processes over HTTP: the unit's catalogue, one step at a time, confirm, reset."""
from __future__ import annotations

from flask import jsonify
from flask_openapi3 import APIBlueprint, Tag
from pydantic import BaseModel, Field

from services.common.http import BEARER, PROBLEM_RESPONSES, bearer_principal
from services.process.domain import staffing, unit_roles


class UnitPath(BaseModel):
    unit_id: str = Field(max_length=64)


class StaffingPath(UnitPath):
    key: str = Field(max_length=200)


class SlaBody(BaseModel):
    total_days: float = Field(gt=0, le=365, description="the whole process time in working days")


class RolePath(UnitPath):
    role: str = Field(max_length=40)


class RoleBody(BaseModel):
    accounts: list[str] = Field(max_length=200, description="account ids (active people of the unit or its "
                                                            "subtree); [] clears the role")


class PinBody(BaseModel):
    version: int | None = Field(default=None, ge=1, le=2**31 - 1,
                                description="the version new instances start on (null: the latest)")


class StepPath(StaffingPath):
    lane_id: str = Field(max_length=200)


def blueprint(rt) -> APIBlueprint:
    bp = APIBlueprint("staffing", __name__, url_prefix="/api/process", abp_tags=[Tag(name="staffing")],
                      abp_responses=PROBLEM_RESPONSES)

    def command(fn, path, *args):
        principal = bearer_principal(rt.verifier)
        with rt.db.uow() as uow:
            return jsonify(fn(uow, principal, path.key, path.unit_id, *args))

    @bp.get("/units/<unit_id>/processes", summary="The catalogue for a unit: not configured / complete",
            security=[BEARER])
    def unit_catalogue(path: UnitPath):
        principal = bearer_principal(rt.verifier)
        with rt.db.session() as session:
            return jsonify({"items": staffing.unit_catalogue(session, principal, path.unit_id)})

    @bp.get("/units/<unit_id>/processes/<key>/staffing", summary="A unit's staffing (the BPMN defaults until set)",
            security=[BEARER])
    def read(path: StaffingPath):
        principal = bearer_principal(rt.verifier)
        with rt.db.session() as session:
            return jsonify(staffing.current(session, principal, path.key, path.unit_id))

    @bp.patch("/units/<unit_id>/processes/<key>/staffing/steps/<lane_id>", summary="Change one step",
              security=[BEARER])
    def update_step(path: StepPath, body: staffing.StepUpdate):
        principal = bearer_principal(rt.verifier)
        with rt.db.uow() as uow:
            return jsonify(staffing.update_step(uow, principal, path.key, path.unit_id, path.lane_id, body))

    @bp.put("/units/<unit_id>/processes/<key>/staffing/sla", summary="The whole process time (working days)",
            security=[BEARER])
    def sla(path: StaffingPath, body: SlaBody):
        return command(staffing.set_total_days, path, body.total_days)

    @bp.post("/units/<unit_id>/processes/<key>/staffing/confirm", summary="Confirm complete: instances may start",
             security=[BEARER])
    def confirm(path: StaffingPath):
        return command(staffing.confirm, path)

    @bp.put("/units/<unit_id>/processes/<key>/staffing/version",
            summary="Pin the version the unit's new instances start on (null: the latest)", security=[BEARER])
    def pin(path: StaffingPath, body: PinBody):
        return command(staffing.pin_version, path, body.version)

    @bp.delete("/units/<unit_id>/processes/<key>/staffing/draft",
               summary="Discard the edits of a confirmed set-up (it keeps serving as confirmed)", security=[BEARER])
    def discard(path: StaffingPath):
        return command(staffing.discard_draft, path)

    @bp.post("/units/<unit_id>/processes/<key>/staffing/reset", summary="Restore the BPMN defaults", security=[BEARER])
    def reset(path: StaffingPath):
        return command(staffing.reset, path)

    @bp.get("/units/<unit_id>/processes/<key>/staffing/audit", summary="Every change, who and when", security=[BEARER])
    def audit(path: StaffingPath):
        principal = bearer_principal(rt.verifier)
        with rt.db.session() as session:
            return jsonify({"items": staffing.audit(session, principal, path.key, path.unit_id)})

    @bp.get("/units/<unit_id>/roles", summary="Who holds each unit role (clerk, leader…) for processes",
            security=[BEARER])
    def roles(path: UnitPath):
        principal = bearer_principal(rt.verifier)
        with rt.db.session() as session:
            return jsonify({"unit_id": path.unit_id, "roles": unit_roles.roles_of(session, principal, path.unit_id)})

    @bp.put("/units/<unit_id>/roles/<role>", summary="Name the holders of a unit role (unit admins)",
            security=[BEARER])
    def set_role(path: RolePath, body: RoleBody):
        principal = bearer_principal(rt.verifier)
        with rt.db.uow() as uow:
            return jsonify(unit_roles.set_holders(uow, principal, path.unit_id, path.role, body.accounts))

    return bp
