"""Thiết kế quy trình: the catalogue of processes; a process in the bpmn-js modeler with the properties panel of
the suite's conventions, deployed from the page (every problem the service reports comes back for the page to
mark on its element); its versions with their BPMN to download; moving running instances to another version
(dry run, then go)."""
from __future__ import annotations

import json
import re

from flask import Blueprint, Response, jsonify, render_template, request
from flask_babel import gettext as _

from services.common.text import sort_key
from services.portal.api import ApiError
from services.portal.views import explain, missing, portal, signed_in

bp = Blueprint("design", __name__, url_prefix="/thiet-ke")
KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]{0,199}$")
MAX_BPMN_BYTES = 5 * 1024 * 1024


def _key(key: str) -> str:
    if not KEY.fullmatch(key):
        raise missing("no such process")
    return key


def _versions(key: str) -> list[dict]:
    """Every version of ``key``, newest first."""
    items = portal().call("GET", f"/api/process/definitions/{_key(key)}/versions")["items"]
    return sorted(items, key=lambda v: -v["version"])


@bp.get("")
@signed_in
def catalogue():
    items = portal().call("GET", "/api/process/definitions")["items"]
    items.sort(key=lambda d: (sort_key(d.get("group") or "~"), sort_key(d.get("name") or d["key"])))
    return render_template("design_catalogue.html", items=items)


@bp.get("/<key>")
@signed_in
def modeler(key: str):
    versions = _versions(key)
    if not versions:
        raise missing("no such process")
    schema = portal().call("GET", "/api/process/conventions")
    return render_template("design.html", key=key, latest=versions[0], versions=versions,
                           schema=json.dumps(schema, ensure_ascii=False).replace("</", "<\\/"))


@bp.get("/<key>/phien-ban/<int:version>.bpmn")
@signed_in
def download(key: str, version: int):
    answer = portal().fetch("GET", f"/api/process/definitions/{_key(key)}/versions/{version}/xml")
    return Response(answer.content, mimetype="application/xml", headers={
        "Content-Disposition": f'attachment; filename="{key}-v{version}.bpmn"', "Cache-Control": "private, no-store"})


@bp.post("/trien-khai")
@signed_in
def deploy():
    """The modeler's diagram → the process service; the answer the page needs: a sentence, and the problems
    with their element ids to mark (the service says every problem at once)."""
    xml = request.get_data(cache=False)[:MAX_BPMN_BYTES + 1]
    if not xml.strip():
        return jsonify({"message": _("Sơ đồ trống, chưa có gì để triển khai.")}), 400
    if len(xml) > MAX_BPMN_BYTES:
        return jsonify({"message": _("Sơ đồ quá lớn.")}), 413
    try:
        deployed = portal().call("POST", "/api/process/definitions",
                                 files={"file": ("modeler.bpmn", xml, "application/xml")})
    except ApiError as error:
        problems = [{"element_id": p.get("element_id"), "line": p.get("line"), "message": p.get("message") or ""}
                    for p in (error.problem.get("problems") or [])[:200]]
        message = _("Chưa triển khai: %(n)s lỗi cần sửa (đánh dấu đỏ trên sơ đồ).", n=len(problems)) if problems \
            else explain(error)
        return jsonify({"message": message, "problems": problems}), 422 if problems else error.status
    items = deployed["items"]
    key = items[0]["key"] if items else ""
    versions = _versions(key) if key else []
    return jsonify({"message": _("Đã triển khai %(name)s, phiên bản %(version)s.", name=items[0]["name"] or key,
                                 version=items[0]["version"]) if items else _("Không có gì thay đổi."),
                    "version": items[0]["version"] if items else None,
                    "versions_html": render_template("partials/design_versions.html", key=key, versions=versions)})


@bp.post("/<key>/chuyen-phien-ban")
@signed_in
def migrate(key: str):
    """Move running instances to another version: a dry run first, then the move (what cannot move says why)."""
    from_version = request.form.get("from_version", type=int)
    to_version = request.form.get("to_version", type=int)
    go = request.form.get("go") == "1"
    if not from_version or not to_version:
        return render_template("partials/migration.html", error=_("Hãy chọn phiên bản nguồn và đích.")), 400
    try:
        report = portal().call("POST", f"/api/process/definitions/{_key(key)}/migrations", json={
            "from_version": from_version, "to_version": to_version, "dry_run": not go})
    except ApiError as error:
        return render_template("partials/migration.html", error=explain(error)), 400
    return render_template("partials/migration.html", report=report, key=key)
