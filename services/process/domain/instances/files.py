"""Files attached to an instance at one of its tasks: the type is what the bytes show, never what the uploader
claimed, and a type a browser would run is served as plain bytes."""
from __future__ import annotations

import hashlib

import puremagic
from sqlmodel import Session

from services.common.auth import Principal
from services.common.db import UnitOfWork
from services.common.errors import Invalid, NotFound
from services.common.i18n import msg
from services.common.text import nfc
from services.process.domain.access import visible_instance
from services.process.domain.instances.acting import acting
from services.process.domain.instances.context import Policy, new_id, person_name
from services.process.domain.instances.views import attachment_view
from services.process.models import Attachment, InstanceHistory

# Types a browser would run or render as a page: served as plain bytes, whatever the file says it is.
_ACTIVE_TYPES = ("text/html", "application/xhtml+xml", "image/svg+xml", "text/xml", "application/xml",
                 "application/javascript", "text/javascript")


def detected_type(content: bytes) -> str:
    """The content type the bytes themselves show (never what the uploader claimed)."""
    try:
        found = puremagic.from_string(content[:8192], mime=True) or ""
    except puremagic.PureError:
        found = ""
    return found if found and found not in _ACTIVE_TYPES else "application/octet-stream"


def attach(uow: UnitOfWork, policy: Policy, principal: Principal, task_id: str, filename: str, content_type: str,
           content: bytes) -> dict:
    session = uow.session
    task, _ctx = acting(uow, policy, principal, task_id)
    if not content:
        raise Invalid(msg("the file is empty"), code="file_empty")
    if len(content) > policy.max_attachment_bytes:
        raise Invalid(msg("the file is larger than {value} MB", value=policy.max_attachment_bytes // 1024 // 1024),
                      code="file_too_large")
    name = nfc(filename or "").replace("/", "_").replace("\\", "_")[:300] or "attachment"
    row = Attachment(id=new_id(), instance_id=task.instance_id, task_id=task.id, filename=name,
                     content_type=detected_type(content), size=len(content),
                     sha256=hashlib.sha256(content).hexdigest(), content=content, uploaded_by=principal.account_id)
    session.add(row)
    session.add(InstanceHistory(instance_id=task.instance_id, task_id=task.id, step=task.step, task_name=task.name,
                                action="attach", actor=principal.account_id,
                                actor_name=person_name(session, principal.account_id),
                                data={"file": name, "size": len(content)}))
    uow.commit()
    return attachment_view(row)


def attachment(session: Session, principal: Principal, instance_id: str, attachment_id: str) -> Attachment:
    visible_instance(session, principal, instance_id)
    row = session.get(Attachment, attachment_id)
    if row is None or row.instance_id != instance_id:
        raise NotFound(msg("no attachment {attachment_id!r}", attachment_id=attachment_id))
    return row
