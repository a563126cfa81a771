"""The editor list of a node (Phân quyền thành viên): accounts allowed to edit its subtree."""
from __future__ import annotations

from sqlmodel import Session, col, select

from services.common.auth import Principal
from services.common.db import UnitOfWork
from services.common.errors import NotFound
from services.common.i18n import msg
from services.common.models import iso
from services.orgunits import events
from services.orgunits.domain.access import lineage, unit_for_edit
from services.orgunits.domain.tree import get_unit
from services.orgunits.models import UnitEditor


def list_editors(session: Session, unit_id: str) -> list[dict]:
    """Direct grants on the unit and those inherited from its ancestors (``inherited_from``)."""
    unit = get_unit(session, unit_id)
    rows = session.exec(select(UnitEditor).where(col(UnitEditor.unit_id).in_(lineage(unit)))).all()
    return [{"account_id": r.account_id, "granted_by": r.granted_by, "granted_at": iso(r.granted_at),
             "inherited_from": None if r.unit_id == unit.id else r.unit_id} for r in rows]


def _publish(uow: UnitOfWork, unit_id: str) -> None:
    direct = uow.session.exec(select(UnitEditor.account_id).where(UnitEditor.unit_id == unit_id)).all()
    uow.emit(events.EDITORS_CHANGED, unit_id, {"unit_id": unit_id, "editor_account_ids": sorted(direct)})


def grant_editor(uow: UnitOfWork, principal: Principal, unit_id: str, account_id: str) -> None:
    session = uow.session
    unit = unit_for_edit(session, principal, unit_id)
    if session.get(UnitEditor, (unit.id, account_id)) is None:
        session.add(UnitEditor(unit_id=unit.id, account_id=account_id, granted_by=principal.account_id))
        session.flush()
        _publish(uow, unit.id)
        uow.commit()


def revoke_editor(uow: UnitOfWork, principal: Principal, unit_id: str, account_id: str) -> None:
    session = uow.session
    unit = unit_for_edit(session, principal, unit_id)
    grant = session.get(UnitEditor, (unit.id, account_id))
    if grant is None:
        raise NotFound(msg("{account_id} is not a direct editor of “{name}”", account_id=account_id, name=unit.name))
    session.delete(grant)
    session.flush()
    _publish(uow, unit.id)
    uow.commit()
