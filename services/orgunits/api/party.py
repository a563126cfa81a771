"""A member's residence party cell and party organisations' seal and signature images over HTTP (seed 003)."""
from __future__ import annotations

from flask import Response, jsonify
from flask_openapi3 import APIBlueprint, FileStorage, Tag
from pydantic import BaseModel, Field

from services.common.http import BEARER, PROBLEM_RESPONSES, bearer_principal, uploaded_file
from services.common.runtime import ServiceRuntime
from services.orgunits.api.schemas import UnitPath
from services.orgunits.domain import party
from services.orgunits.events import SignatureImageView


class LadderStep(BaseModel):
    id: str
    name: str
    kind: str


class ResidenceView(BaseModel):
    unit_id: str | None = Field(description="the chosen organisation (null: not declared yet)")
    ladder: list[LadderStep] = Field(description="the party organisations from the provincial committee down to it")
    updated_at: str | None


class ResidenceCommand(BaseModel):
    unit_id: str = Field(min_length=1, max_length=32)


class Resident(BaseModel):
    account_id: str
    full_name: str | None
    unit_id: str
    unit_name: str


class ResidentList(BaseModel):
    items: list[Resident]


class ImageList(BaseModel):
    items: list[SignatureImageView]


class ImagePath(UnitPath):
    image_id: str = Field(max_length=32)


class ImageUpload(BaseModel):
    file: FileStorage
    kind: str = Field(max_length=20, description="seal | signature")
    name: str = Field(default="", max_length=300, description="tên con dấu / tên chữ ký")
    signer_id: str | None = Field(default=None, max_length=64, description="signature: whose (default: yours)")


def blueprint(rt: ServiceRuntime) -> APIBlueprint:
    bp = APIBlueprint("party", __name__, url_prefix="/api/orgunits", abp_tags=[Tag(name="party")],
                      abp_responses=PROBLEM_RESPONSES)

    @bp.get("/me/residence-cell", summary="My residence party cell (chi bộ sinh hoạt nơi cư trú)",
            security=[BEARER], responses={200: ResidenceView})
    def my_residence():
        who = bearer_principal(rt.verifier)
        with rt.db.session() as session:
            return jsonify(party.residence(session, who))

    @bp.put("/me/residence-cell", summary="Name my residence party cell", security=[BEARER],
            responses={200: ResidenceView})
    def set_my_residence(body: ResidenceCommand):
        who = bearer_principal(rt.verifier)
        with rt.db.uow() as uow:
            return jsonify(party.set_residence(uow, who, body.unit_id))

    @bp.get("/units/<unit_id>/residents", summary="Members taking part here (or below) where they live",
            security=[BEARER], responses={200: ResidentList})
    def residents(path: UnitPath):
        who = bearer_principal(rt.verifier)
        with rt.db.session() as session:
            return jsonify({"items": party.residents(session, who, path.unit_id)})

    @bp.get("/units/<unit_id>/signature-images", summary="A party organisation's seal and signature images",
            security=[BEARER], responses={200: ImageList})
    def images(path: UnitPath):
        who = bearer_principal(rt.verifier)
        with rt.db.session() as session:
            return jsonify({"items": [party.image_view(r) for r in party.images(session, who, path.unit_id)]})

    @bp.post("/units/<unit_id>/signature-images", summary="Upload a seal (editors) or a signature image (PNG/JPEG)",
             security=[BEARER], responses={201: SignatureImageView})
    def upload(path: UnitPath, form: ImageUpload):
        who = bearer_principal(rt.verifier)
        file = uploaded_file(form.file)
        data = file.read(party.MAX_IMAGE + 1)
        with rt.db.uow() as uow:
            row = party.upload(uow, who, path.unit_id, kind=form.kind, name=form.name, signer_id=form.signer_id,
                               data=data)
            return jsonify(party.image_view(row)), 201

    @bp.get("/units/<unit_id>/signature-images/<image_id>", summary="The image itself", security=[BEARER])
    def image(path: ImagePath):
        who = bearer_principal(rt.verifier)
        with rt.db.session() as session:
            row = party.image(session, who, path.unit_id, path.image_id)
            return Response(row.data, mimetype=row.content_type, headers={
                "Content-Disposition": "inline", "Content-Security-Policy": "sandbox",
                "X-Content-Type-Options": "nosniff", "Cache-Control": "private, no-store"})

    @bp.delete("/units/<unit_id>/signature-images/<image_id>", summary="Remove an image", security=[BEARER],
               responses={204: None})
    def remove(path: ImagePath):
        who = bearer_principal(rt.verifier)
        with rt.db.uow() as uow:
            party.remove(uow, who, path.unit_id, path.image_id)
        return "", 204

    return bp
