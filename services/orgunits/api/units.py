"""The unit tree over HTTP: list/search, read, create, edit, move, delete, (de)activate, tree queries."""
from __future__ import annotations

from flask import jsonify
from flask_openapi3 import APIBlueprint, Tag

from services.common.http import BEARER, PROBLEM_RESPONSES, bearer_principal
from services.common.runtime import ServiceRuntime
from services.orgunits.api.schemas import (
    MoveBody,
    SubtreeQuery,
    UnitItems,
    UnitList,
    UnitPath,
    UnitQuery,
)
from services.orgunits.domain import tree
from services.orgunits.events import UnitSnapshot
from services.orgunits.models import UnitCreate, UnitUpdate


def blueprint(rt: ServiceRuntime) -> APIBlueprint:
    bp = APIBlueprint("units", __name__, url_prefix="/api/orgunits", abp_tags=[Tag(name="units")],
                      abp_responses=PROBLEM_RESPONSES)

    def principal():
        return bearer_principal(rt.verifier)

    def one(unit, status: int = 200):
        return jsonify(tree.snapshot(unit)), status

    def many(units):
        return jsonify({"items": [tree.snapshot(u) for u in units]})

    @bp.get("/units", summary="List the top level or a unit's children, or search by name/code",
            responses={200: UnitList})
    def list_units(query: UnitQuery):
        with rt.db.session() as session:
            if query.parent and not query.q:
                parent = None if query.parent == "root" else query.parent
                found = tree.children(session, parent)
                items, total = found[query.offset:query.offset + query.limit], len(found)
            else:
                items, total = tree.search(session, query.q, kind=query.kind, status=query.status,
                                           within=query.within or (None if query.parent in (None, "root")
                                                                   else query.parent),
                                           limit=query.limit, offset=query.offset)
            return jsonify({"total": total, "limit": query.limit, "offset": query.offset,
                            "items": [tree.snapshot(u) for u in items]})

    @bp.post("/units", summary="Create a unit (a child of parent_id)", security=[BEARER],
             responses={201: UnitSnapshot})
    def create_unit(body: UnitCreate):
        who = principal()
        with rt.db.uow() as uow:
            return one(tree.create_unit(uow, who, body), 201)

    @bp.get("/units/<unit_id>", summary="Read a unit", responses={200: UnitSnapshot})
    def read_unit(path: UnitPath):
        with rt.db.session() as session:
            return one(tree.get_unit(session, path.unit_id))

    @bp.patch("/units/<unit_id>", summary="Edit a unit's fields", security=[BEARER],
              responses={200: UnitSnapshot})
    def edit_unit(path: UnitPath, body: UnitUpdate):
        who = principal()
        with rt.db.uow() as uow:
            return one(tree.update_unit(uow, who, path.unit_id, body))

    @bp.delete("/units/<unit_id>", summary="Delete a unit that has no children and no members",
               security=[BEARER], responses={204: None})
    def delete_unit(path: UnitPath):
        who = principal()
        with rt.db.uow() as uow:
            tree.delete_unit(uow, who, path.unit_id)
        return "", 204

    @bp.post("/units/<unit_id>/move", summary="Move a unit (and its subtree) under another parent",
             security=[BEARER], responses={200: UnitSnapshot})
    def move_unit(path: UnitPath, body: MoveBody):
        who = principal()
        with rt.db.uow() as uow:
            return one(tree.move_unit(uow, who, path.unit_id, body.parent_id))

    @bp.post("/units/<unit_id>/activate", summary="Put a unit back in use", security=[BEARER],
             responses={200: UnitSnapshot})
    def activate(path: UnitPath):
        who = principal()
        with rt.db.uow() as uow:
            return one(tree.set_active(uow, who, path.unit_id, True))

    @bp.post("/units/<unit_id>/deactivate", summary="Stop using a unit (Ngừng sử dụng)", security=[BEARER],
             responses={200: UnitSnapshot})
    def deactivate(path: UnitPath):
        who = principal()
        with rt.db.uow() as uow:
            return one(tree.set_active(uow, who, path.unit_id, False))

    @bp.get("/units/<unit_id>/children", summary="A unit's direct children, in order",
            responses={200: UnitItems})
    def children(path: UnitPath):
        with rt.db.session() as session:
            return many(tree.children(session, path.unit_id))

    @bp.get("/units/<unit_id>/subtree", summary="The unit and everything below it, depth first",
            responses={200: UnitItems})
    def subtree(path: UnitPath, query: SubtreeQuery):
        with rt.db.session() as session:
            return many(tree.subtree(session, path.unit_id, query.max_depth))

    @bp.get("/units/<unit_id>/ancestors", summary="From the root down to the unit's parent (breadcrumb)",
            responses={200: UnitItems})
    def ancestors(path: UnitPath):
        with rt.db.session() as session:
            return many(tree.ancestors(session, path.unit_id))

    return bp
