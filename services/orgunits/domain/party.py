"""What party organisations keep besides bank accounts (seed 003): a member's residence party cell (chi bộ sinh
hoạt nơi cư trú, §1), chosen by the member among the organisations below a provincial committee; and the images of
an organisation's seal (con dấu) and of its signers' signatures (chữ ký), §5 — PNG or JPEG only, known by their
bytes whatever their name, shown on the organisation's page."""
from __future__ import annotations

import uuid

import puremagic
from sqlmodel import Session, col, select

from services.common.auth import Principal
from services.common.db import UnitOfWork
from services.common.errors import Forbidden, Invalid, NotFound
from services.common.i18n import msg
from services.common.models import iso, utcnow
from services.common.text import nfc, sort_key
from services.orgunits import events
from services.orgunits.domain.access import can_edit, require_view_people
from services.orgunits.domain.tree import get_unit
from services.orgunits.models import (
    PARTY_KINDS,
    Member,
    ResidenceCell,
    SignatureImage,
    Unit,
    UnitKind,
)

# A residence cell is one of these (a provincial committee is where one is chosen from, never the cell itself).
RESIDENCE_KINDS = (UnitKind.party_upper, UnitKind.party_grassroots, UnitKind.party_partial, UnitKind.party_cell)
# Organisations with a seal of their own: from the grassroots level up (seed 003 §5).
SEAL_KINDS = (UnitKind.party_provincial, UnitKind.party_upper, UnitKind.party_grassroots)
IMAGE_TYPES = {"png": "image/png", "jpg": "image/jpeg", "jpeg": "image/jpeg"}
MAX_IMAGE = 1024 * 1024


def _ladder(session: Session, unit: Unit) -> list[dict]:
    """The party organisations from the top down to the unit (what the member sees: Tỉnh ủy › … › Chi bộ)."""
    ids = [part for part in unit.path.split("/") if part]
    rows = {u.id: u for u in session.exec(select(Unit).where(col(Unit.id).in_(ids))).all()}
    return [{"id": rows[i].id, "name": rows[i].name, "kind": rows[i].kind} for i in ids
            if i in rows and rows[i].kind in PARTY_KINDS]


def residence_view(session: Session, row: ResidenceCell | None) -> dict:
    if row is None:
        return {"unit_id": None, "ladder": [], "updated_at": None}
    unit = session.get(Unit, row.unit_id)
    return {"unit_id": row.unit_id, "ladder": _ladder(session, unit) if unit else [], "updated_at": iso(row.updated_at)}


def residence(session: Session, principal: Principal) -> dict:
    return residence_view(session, session.get(ResidenceCell, principal.account_id))


def set_residence(uow: UnitOfWork, principal: Principal, unit_id: str) -> dict:
    """The member names the organisation where they take part where they live."""
    session = uow.session
    unit = session.get(Unit, unit_id)
    if unit is None or unit.kind not in RESIDENCE_KINDS or unit.status != "active":
        raise Invalid(msg("choose a party organisation in use below a provincial committee (a chi bộ, a đảng bộ "
                          "cơ sở or bộ phận)"), code="not_a_residence_cell", field="unit_id")
    row = session.get(ResidenceCell, principal.account_id) or ResidenceCell(account_id=principal.account_id,
                                                                           unit_id=unit.id)
    row.unit_id, row.updated_at = unit.id, utcnow()
    session.add(row)
    session.flush()
    view = residence_view(session, row)
    uow.emit(events.RESIDENCE_CELL_CHANGED, principal.account_id, {"account_id": principal.account_id,
                                                                   "unit_id": unit.id})
    uow.commit()
    return view


def residents(session: Session, principal: Principal, unit_id: str) -> list[dict]:
    """The members who take part in this organisation (or one below it) where they live, for its people's readers."""
    unit = get_unit(session, unit_id)
    require_view_people(session, principal, unit)
    rows = session.exec(select(ResidenceCell, Unit).join(Unit, col(Unit.id) == ResidenceCell.unit_id).where(
        col(Unit.path).startswith(unit.path))).all()
    names = {m.account_id: m.full_name for m in session.exec(select(Member).where(
        col(Member.account_id).in_([r.account_id for r, _u in rows]))).all()} if rows else {}
    found = [{"account_id": r.account_id, "full_name": names.get(r.account_id), "unit_id": u.id, "unit_name": u.name}
             for r, u in rows]
    return sorted(found, key=lambda p: (sort_key((p["full_name"] or "").rsplit(" ", 1)[-1]),
                                        sort_key(p["full_name"] or "")))


def image_view(row: SignatureImage) -> dict:
    return {"id": row.id, "unit_id": row.unit_id, "kind": row.kind, "name": row.name, "signer_id": row.signer_id,
            "content_type": row.content_type, "size": row.size, "uploaded_by": row.uploaded_by,
            "uploaded_at": iso(row.uploaded_at)}


def _party(session: Session, unit_id: str) -> Unit:
    unit = get_unit(session, unit_id)
    if unit.kind not in PARTY_KINDS:
        raise NotFound(msg("“{name}” is not a party organisation", name=unit.name))
    return unit


def images(session: Session, principal: Principal, unit_id: str) -> list[SignatureImage]:
    unit = _party(session, unit_id)
    require_view_people(session, principal, unit)
    return list(session.exec(select(SignatureImage).where(SignatureImage.unit_id == unit.id)
                             .order_by(SignatureImage.kind, SignatureImage.uploaded_at)).all())


def image(session: Session, principal: Principal, unit_id: str, image_id: str) -> SignatureImage:
    """One image, for whoever sees the organisation's people — and for the signer, their own signature."""
    unit = _party(session, unit_id)
    row = session.get(SignatureImage, image_id)
    if row is None or row.signer_id != principal.account_id:
        require_view_people(session, principal, unit)
    if row is None or row.unit_id != unit.id:
        raise NotFound(msg("no image {image_id!r} at “{name}”", image_id=image_id, name=unit.name))
    return row


def _may_keep(session: Session, principal: Principal, unit: Unit, kind: str, signer_id: str) -> None:
    """A seal: the organisation's editors. A signature: its editors, or the signer themself where they work."""
    if can_edit(session, principal, unit):
        return
    member = session.get(Member, principal.account_id)
    own = session.get(Unit, member.unit_id) if member is not None and member.unit_id else None
    # the organisation of the signer's agency (drawn under it) or the agency of the organisation: one line
    works_here = own is not None and (unit.path.startswith(own.path) or own.path.startswith(unit.path))
    if kind == "signature" and signer_id == principal.account_id and works_here:
        return
    raise Forbidden(msg("only the editors of “{name}” keep its seal and its signers' signatures; a signer keeps "
                        "their own where they work", name=unit.name), code="permission_missing")


def upload(uow: UnitOfWork, principal: Principal, unit_id: str, *, kind: str, name: str, signer_id: str | None,
           data: bytes) -> SignatureImage:
    session = uow.session
    unit = _party(session, unit_id)
    if kind not in ("seal", "signature"):
        raise Invalid(msg("the image is a seal or a signature"), code="bad_kind", field="kind")
    signer = signer_id or (principal.account_id if kind == "signature" else None)
    _may_keep(session, principal, unit, kind, signer or "")
    name = " ".join(nfc(name or "").split())
    problems = []
    if not 1 <= len(name) <= 200:
        problems.append({"field": "name", "message": msg("give the image a name (up to 200 characters)")})
    if kind == "seal" and unit.kind not in SEAL_KINDS:
        problems.append({"field": "kind", "message": msg("“{name}” has no seal of its own: seals belong to "
                                                         "organisations from the grassroots level up", name=unit.name)})
    if kind == "signature" and session.get(Member, signer) is None:
        problems.append({"field": "signer_id", "message": msg("no person {signer_id!r}", signer_id=signer)})
    content_type = _image_type(data, problems)
    if problems:
        raise Invalid(problems[0]["message"], code="bad_image", problems=problems)
    if kind == "seal":            # one seal per organisation: a new image replaces the old one
        for old in session.exec(select(SignatureImage).where(SignatureImage.unit_id == unit.id,
                                                             SignatureImage.kind == "seal")).all():
            session.delete(old)
    row = SignatureImage(id=uuid.uuid4().hex, unit_id=unit.id, kind=kind, name=name,
                         signer_id=signer if kind == "signature" else None, content_type=content_type,
                         size=len(data), data=data, uploaded_by=principal.account_id)
    session.add(row)
    session.flush()
    uow.emit(events.SIGNATURE_IMAGES_CHANGED, unit.id, {"unit_id": unit.id, "added": image_view(row)})
    uow.commit()
    return row


def _image_type(data: bytes, problems: list) -> str:
    if not data:
        problems.append({"field": "file", "message": msg("the file is empty")})
        return ""
    if len(data) > MAX_IMAGE:
        problems.append({"field": "file", "message": msg("an image is at most 1 MB; this one is {size} KB",
                                                         size=len(data) // 1024)})
        return ""
    try:
        found = puremagic.from_string(data).lstrip(".").lower()
    except puremagic.PureError:
        found = ""
    if found not in IMAGE_TYPES:
        problems.append({"field": "file", "message": msg("the file is not a PNG or JPEG image (whatever its name "
                                                         "says)")})
        return ""
    return IMAGE_TYPES[found]


def remove(uow: UnitOfWork, principal: Principal, unit_id: str, image_id: str) -> None:
    session = uow.session
    row = image(session, principal, unit_id, image_id)
    unit = session.get(Unit, row.unit_id)
    _may_keep(session, principal, unit, row.kind, row.signer_id or "")
    removed = image_view(row)
    session.delete(row)
    uow.emit(events.SIGNATURE_IMAGES_CHANGED, unit.id, {"unit_id": unit.id, "removed": removed})
    uow.commit()
