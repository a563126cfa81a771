"""Import and export a whole tree: the nested JSON shape of the shared data ({name, code, children}) and
CSV (one row per unit with its parent's code). An import is all or nothing: every problem is reported
and nothing is written unless there are none."""
from __future__ import annotations

import csv
import io
import re
from typing import Any

from pydantic import BaseModel, Field, ValidationError, field_validator
from sqlmodel import Session, col, select

from services.common.auth import Principal
from services.common.db import UnitOfWork
from services.common.errors import Forbidden, Invalid
from services.common.i18n import msg
from services.common.text import nfc
from services.orgunits import events
from services.orgunits.domain.access import require_edit
from services.orgunits.domain.tree import get_unit, live_parent, new_unit, snapshot, subtree
from services.orgunits.models import Unit, UnitCreate, UnitKind

MAX_UNITS = 200_000
CSV_COLUMNS = ["code", "parent_code", "name", "kind", "status", "email", "phone", "address", "website",
               "tax_code", "description", "planned_headcount"]
OPTIONAL = CSV_COLUMNS[5:]


class ImportNode(BaseModel):
    """One unit of an imported tree; only name and code are required."""

    name: str
    code: str
    kind: UnitKind | None = None
    email: str | None = None
    phone: str | None = None
    address: str | None = None
    website: str | None = None
    tax_code: str | None = None
    description: str | None = None
    planned_headcount: int | None = None
    children: list[ImportNode] = Field(default_factory=list)

    @field_validator("name", "code", mode="after")
    @classmethod
    def _nfc(cls, value: str) -> str:
        return nfc(value)


class ImportRequest(BaseModel):
    """Either ``tree`` (nested JSON, one root or several) or ``csv`` (text with a header row)."""

    parent_id: str | None = Field(default=None, description="import under this unit; empty = new root(s)")
    tree: ImportNode | list[ImportNode] | None = None
    csv: str | None = Field(default=None, description="columns: " + ", ".join(CSV_COLUMNS))


_KIND_RULES = [
    (re.compile(r"^[IVXLC]+\.\s"), UnitKind.group),
    (re.compile(r"^(tỉnh|bộ)\b", re.I), UnitKind.province),
    (re.compile(r"^đảng bộ tỉnh\b", re.I), UnitKind.party_provincial),
    (re.compile(r"^chi bộ\b", re.I), UnitKind.party_cell),
    (re.compile(r"^đảng bộ\b", re.I), UnitKind.party_upper),
    (re.compile(r"^(ubnd |ủy ban nhân dân )?(huyện|thị xã|thành phố)\b", re.I), UnitKind.district),
    (re.compile(r"^(ubnd |ủy ban nhân dân )?(xã|phường|thị trấn)\b", re.I), UnitKind.commune),
    (re.compile(r"^(sở|ban|văn phòng|thanh tra tỉnh)\b", re.I), UnitKind.department),
]


def infer_kind(name: str) -> UnitKind:
    """A kind for imported rows that carry none, from the name's usual Vietnamese prefix."""
    for pattern, kind in _KIND_RULES:
        if pattern.search(name):
            return kind
    return UnitKind.office


def import_tree(uow: UnitOfWork, principal: Principal, request: ImportRequest) -> dict[str, Any]:
    session = uow.session
    roots = _roots_of(request)
    parent = None
    if request.parent_id:
        parent = live_parent(session, request.parent_id)
        require_edit(session, principal, parent)
    elif not principal.is_super_admin:
        raise Forbidden(msg("only a super admin may import a new root; pass parent_id to import under a unit"))
    _check(session, roots)
    created: list[Unit] = []
    for root in roots:
        _insert(session, root, parent, principal.account_id, created)
    for unit in created:
        uow.emit(events.UNIT_CREATED, unit.id, {"unit": snapshot(unit)})
    uow.commit()
    return {"created": len(created), "root_ids": [u.id for u in created if u.parent_id == request.parent_id]}


def _roots_of(request: ImportRequest) -> list[ImportNode]:
    if (request.tree is None) == (request.csv is None):
        raise Invalid(msg("send exactly one of “tree” (JSON) or “csv”"))
    if request.csv is not None:
        return parse_csv(request.csv)
    return request.tree if isinstance(request.tree, list) else [request.tree]


def _walk(roots: list[ImportNode]):
    stack = [(root, root.name) for root in reversed(roots)]
    while stack:
        node, trail = stack.pop()
        yield node, trail
        stack.extend((child, f"{trail} › {child.name}") for child in reversed(node.children))


def _check(session: Session, roots: list[ImportNode]) -> None:
    problems, seen = [], {}
    nodes = list(_walk(roots))
    if not nodes:
        raise Invalid(msg("the import is empty"))
    if len(nodes) > MAX_UNITS:
        raise Invalid(msg("the import has {count} units; at most {MAX_UNITS} are accepted at once", count=len(nodes),
                          MAX_UNITS=MAX_UNITS))
    for node, trail in nodes:
        try:
            UnitCreate(code=node.code, name=node.name)
        except ValidationError as exc:
            for err in exc.errors(include_url=False):
                problems.append({"unit": trail, "code": node.code, "message": msg("{loc}: {msg}", loc=err['loc'][0],
                                                                                  msg=err['msg'])})
        if node.code in seen:
            problems.append({"unit": trail, "code": node.code,
                             "message": msg("code repeated in the file (also at {seen})", seen=seen[node.code])})
        seen.setdefault(node.code, trail)
    codes = list(seen)
    for start in range(0, len(codes), 500):
        for unit in session.exec(select(Unit).where(col(Unit.code).in_(codes[start:start + 500]))).all():
            problems.append({"unit": seen[unit.code], "code": unit.code,
                             "message": msg("code already used by the existing unit “{name}”", name=unit.name)})
    if problems:
        raise Invalid(msg("the import was refused with {count} problem(s); nothing was imported", count=len(problems)),
                      problems=problems[:500])


def _insert(session: Session, root: ImportNode, parent: Unit | None, actor: str | None,
            created: list[Unit]) -> None:
    stack = [(root, parent, None)]
    while stack:
        node, under, position = stack.pop()
        fields = node.model_dump(exclude={"children"})
        fields["kind"] = node.kind or infer_kind(node.name)
        unit = new_unit(session, UnitCreate(**fields), under, actor, position=position)
        session.add(unit)
        created.append(unit)
        stack.extend((child, unit, i) for i, child in reversed(list(enumerate(node.children))))
    session.flush()


def parse_csv(text: str) -> list[ImportNode]:
    """Rows → a forest; a row whose parent_code is empty (or not in the file) is a root of the import."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    header = [h.strip() for h in (reader.fieldnames or [])]
    missing = [c for c in ("code", "name") if c not in header]
    if missing:
        raise Invalid(msg("the CSV has no column {items}; expected: {items2}", items=', '.join(missing),
                          items2=', '.join(CSV_COLUMNS)))
    nodes: dict[str, ImportNode] = {}
    parents: list[tuple[ImportNode, str]] = []
    problems = []
    for line, row in enumerate(reader, start=2):
        row = {k.strip(): (v or "").strip() for k, v in row.items() if k}
        try:
            extra = {k: row[k] or None for k in OPTIONAL if k in row}
            node = ImportNode(code=row["code"], name=row["name"], kind=row.get("kind") or None, **extra)
        except ValidationError as exc:
            problems.append({"line": line, "code": row.get("code"), "message": _first_error(exc)})
            continue
        nodes.setdefault(node.code, node)
        parents.append((node, row.get("parent_code", "")))
    if problems:
        raise Invalid(msg("the import was refused with {count} problem(s); nothing was imported", count=len(problems)),
                      problems=problems[:500])
    roots = []
    for node, parent_code in parents:
        if parent_code and parent_code in nodes and parent_code != node.code:
            nodes[parent_code].children.append(node)
        else:
            roots.append(node)
    reachable = {id(n) for n, _ in _walk(roots)}
    loops = [n.code for n, _ in parents if id(n) not in reachable]
    if loops:
        raise Invalid(msg("the import was refused: these rows form a loop of parents and reach no root: {codes}",
                          codes=", ".join(loops[:20])))
    return roots


def _first_error(exc: ValidationError) -> str:
    err = exc.errors(include_url=False)[0]
    return f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}"


def export_tree(session: Session, unit_id: str) -> dict[str, Any]:
    """The subtree in the nested JSON shape of the shared data, with every field."""
    units = subtree(session, get_unit(session, unit_id).id)
    nodes: dict[str, dict[str, Any]] = {}
    for unit in units:
        node = {"name": unit.name, "code": unit.code, "kind": str(unit.kind), "status": str(unit.status)}
        node.update({k: getattr(unit, k) for k in OPTIONAL if getattr(unit, k) is not None})
        node["children"] = []
        nodes[unit.id] = node
        if unit.parent_id in nodes and unit.id != unit_id:
            nodes[unit.parent_id]["children"].append(node)
    return nodes[unit_id]


def export_csv(session: Session, unit_id: str) -> str:
    units = subtree(session, get_unit(session, unit_id).id)
    codes = {u.id: u.code for u in units}
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for unit in units:
        row = {k: getattr(unit, k) for k in CSV_COLUMNS if k not in ("parent_code", "kind", "status")}
        row.update(parent_code=codes.get(unit.parent_id, "") if unit.id != unit_id else "",
                   kind=str(unit.kind), status=str(unit.status))
        writer.writerow({k: "" if v is None else v for k, v in row.items()})
    return out.getvalue()
