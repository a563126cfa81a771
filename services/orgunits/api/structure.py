"""Reorganising the tree over HTTP: import/export, merge, dissolve, the re-declare lists, editor grants."""
from __future__ import annotations

from flask import Response, jsonify
from flask_openapi3 import APIBlueprint, Tag

from services.common.http import BEARER, PROBLEM_RESPONSES, bearer_principal
from services.common.runtime import ServiceRuntime
from services.orgunits.api.people import member_out
from services.orgunits.api.schemas import (
    DissolveBody,
    EditorBody,
    EditorList,
    EditorPath,
    ExportQuery,
    ImportResult,
    MemberList,
    MergeBody,
    ReorganisedList,
    UnitPath,
)
from services.orgunits.domain import editors, reorg, transfer, tree
from services.orgunits.domain.access import require_view_people
from services.orgunits.events import UnitSnapshot


def blueprint(rt: ServiceRuntime) -> APIBlueprint:
    bp = APIBlueprint("structure", __name__, url_prefix="/api/orgunits", abp_tags=[Tag(name="structure")],
                      abp_responses=PROBLEM_RESPONSES)

    def principal():
        return bearer_principal(rt.verifier)

    @bp.post("/units/import", summary="Import a whole tree (nested JSON or CSV); all or nothing",
             security=[BEARER], responses={201: ImportResult})
    def import_tree(body: transfer.ImportRequest):
        who = principal()
        with rt.db.uow() as uow:
            return jsonify(transfer.import_tree(uow, who, body)), 201

    @bp.get("/units/<unit_id>/export", summary="Export a subtree as nested JSON or CSV")
    def export_tree(path: UnitPath, query: ExportQuery):
        with rt.db.session() as session:
            if query.format == "csv":
                text = transfer.export_csv(session, path.unit_id)
                return Response("\ufeff" + text, mimetype="text/csv", headers={
                    "Content-Disposition": f'attachment; filename="units-{path.unit_id}.csv"'})
            return jsonify(transfer.export_tree(session, path.unit_id))

    @bp.post("/units/<unit_id>/merge", summary="Merge a unit into another (sáp nhập)", security=[BEARER],
             responses={200: UnitSnapshot})
    def merge(path: UnitPath, body: MergeBody):
        who = principal()
        with rt.db.uow() as uow:
            return jsonify(tree.snapshot(reorg.merge_unit(uow, who, path.unit_id, body.target_id)))

    @bp.post("/units/<unit_id>/dissolve", summary="Dissolve a unit (giải thể)", security=[BEARER],
             responses={200: UnitSnapshot})
    def dissolve(path: UnitPath, body: DissolveBody):
        who = principal()
        with rt.db.uow() as uow:
            return jsonify(tree.snapshot(reorg.dissolve_unit(uow, who, path.unit_id, body.reason)))

    @bp.get("/units/<unit_id>/redeclare", summary="People of a merged/dissolved unit still to re-declare",
            security=[BEARER], responses={200: MemberList})
    def redeclare(path: UnitPath):
        who = principal()
        with rt.db.session() as session:
            require_view_people(session, who, tree.get_unit(session, path.unit_id))
            people = reorg.redeclare_list(session, path.unit_id)
            return jsonify({"total": len(people), "limit": len(people), "offset": 0,
                            "items": [member_out(m) for m in people]})

    @bp.get("/reorganisations", summary="Merged/dissolved units that still have people to re-declare",
            security=[BEARER], responses={200: ReorganisedList})
    def reorganisations():
        principal()
        with rt.db.session() as session:
            return jsonify({"items": [{"unit": tree.snapshot(u), "still_to_redeclare": n}
                                      for u, n in reorg.pending_redeclarations(session)]})

    @bp.get("/units/<unit_id>/editors", summary="Who may edit this subtree (own and inherited grants)",
            security=[BEARER], responses={200: EditorList})
    def list_editors(path: UnitPath):
        who = principal()
        with rt.db.session() as session:
            require_view_people(session, who, tree.get_unit(session, path.unit_id))
            return jsonify({"items": editors.list_editors(session, path.unit_id)})

    @bp.post("/units/<unit_id>/editors", summary="Let an account edit this subtree", security=[BEARER],
             responses={200: EditorList})
    def grant_editor(path: UnitPath, body: EditorBody):
        who = principal()
        with rt.db.uow() as uow:
            editors.grant_editor(uow, who, path.unit_id, body.account_id)
            return jsonify({"items": editors.list_editors(uow.session, path.unit_id)})

    @bp.delete("/units/<unit_id>/editors/<account_id>", summary="Withdraw an editor grant",
               security=[BEARER], responses={204: None})
    def revoke_editor(path: EditorPath):
        who = principal()
        with rt.db.uow() as uow:
            editors.revoke_editor(uow, who, path.unit_id, path.account_id)
        return "", 204

    return bp
