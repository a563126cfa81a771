"""Deploying BPMN over HTTP: upload (validated first), the catalogue, versions, the XML of any version."""
from __future__ import annotations

from flask import Response, jsonify
from flask_openapi3 import APIBlueprint, FileStorage, Tag
from pydantic import BaseModel, Field

from services.common import i18n
from services.common.http import BEARER, PROBLEM_RESPONSES, bearer_principal, uploaded_file
from services.process import conventions
from services.process.domain import definitions, migration


class Upload(BaseModel):
    file: FileStorage
    unit_id: str | None = Field(default=None, max_length=32,
                                description="the unit subtree that owns a new process (empty: the province)")


class DefinitionOut(BaseModel):
    key: str
    version: int
    name: str
    abbreviation: str | None
    group: str | None
    steps: int
    filename: str | None
    content_hash: str
    deployed_at: str
    deployed_by: str | None
    owner_unit_id: str | None = None
    kind: str = "process"


class DefinitionList(BaseModel):
    items: list[DefinitionOut]


class KeyPath(BaseModel):
    key: str = Field(max_length=200)


class VersionPath(KeyPath):
    version: int = Field(ge=1, le=2**31 - 1)


class MigrationBody(BaseModel):
    from_version: int = Field(ge=1, le=2**31 - 1)
    to_version: int = Field(ge=1, le=2**31 - 1)
    dry_run: bool = Field(default=True, description="only say which instances can move and why the others cannot")
    instance_ids: list[str] | None = Field(default=None, max_length=5000,
                                           description="only these instances (default: every running one)")


def blueprint(rt, policy) -> APIBlueprint:
    bp = APIBlueprint("definitions", __name__, url_prefix="/api/process", abp_tags=[Tag(name="definitions")],
                      abp_responses=PROBLEM_RESPONSES)

    @bp.post("/definitions", summary="Deploy a .bpmn file or a .dmn decision table (every problem at once)",
             security=[BEARER], responses={201: DefinitionList})
    def deploy(form: Upload):
        principal = bearer_principal(rt.verifier)
        with rt.db.uow() as uow:
            file = uploaded_file(form.file)
            rows = definitions.deploy(uow, file.read(), file.filename, principal.account_id,
                                      principal=principal, unit_id=form.unit_id or None)
            return jsonify({"items": [definitions.view(r) for r in rows]}), 201

    @bp.get("/definitions", summary="The catalogue: the latest version of every process",
            responses={200: DefinitionList})
    def catalogue():
        with rt.db.session() as session:
            return jsonify({"items": [definitions.view(r) for r in definitions.catalogue(session)]})

    @bp.get("/conventions", summary="The JSON Schema of the suite's BPMN properties, per element kind (what a "
            "modeler's properties panel offers)")
    def conventions_schema():
        language = i18n.requested()
        response = jsonify(i18n.described(conventions.json_schema(), language))
        response.headers["Content-Language"] = language
        response.vary.add("Accept-Language")
        return response

    @bp.get("/decisions", summary="The decision tables (DMN) business rule tasks may use",
            responses={200: DefinitionList})
    def decisions():
        with rt.db.session() as session:
            return jsonify({"items": [definitions.view(r) for r in definitions.catalogue(session, "decision")]})

    @bp.get("/definitions/<key>/versions", summary="Every version of a process", responses={200: DefinitionList})
    def versions(path: KeyPath):
        with rt.db.session() as session:
            return jsonify({"items": [definitions.view(r) for r in definitions.versions(session, path.key, None)]})

    @bp.get("/definitions/<key>/versions/<int:version>/xml", summary="Download the BPMN of a version")
    def xml(path: VersionPath):
        with rt.db.session() as session:
            row = definitions.version(session, path.key, path.version)
            return Response(row.xml, mimetype="application/xml", headers={
                "Content-Disposition": f'attachment; filename="{row.key}-v{row.version}.bpmn"'})

    @bp.post("/definitions/<key>/migrations", summary="Move running instances to another version (dry run first)",
             security=[BEARER])
    def migrate(path: KeyPath, body: MigrationBody):
        principal = bearer_principal(rt.verifier)
        return jsonify(migration.migrate(rt.db, policy, principal, path.key, body.from_version, body.to_version,
                                         dry_run=body.dry_run, instance_ids=body.instance_ids))

    return bp
