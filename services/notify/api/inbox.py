"""The in-app inbox over HTTP: list, unread count, mark read, and a server-sent-events stream."""
from __future__ import annotations

import json
import time

from flask import Response, jsonify, request
from flask_openapi3 import APIBlueprint, Tag
from sqlalchemy import func, update
from sqlmodel import col, select

from services.common.errors import NotFound
from services.common.http import BEARER, PROBLEM_RESPONSES, bearer_principal
from services.common.i18n import msg
from services.common.models import iso, utcnow
from services.notify.api.schemas import InboxQuery, NotificationList, NotificationOut, NotificationPath, StreamQuery
from services.notify.models import Notification

POLL_SECONDS = 0.25
HEARTBEAT_SECONDS = 15


def notification_out(row: Notification) -> dict:
    return {"id": row.id, "event_type": row.event_type, "title": row.title, "body": row.body,
            "subject_id": row.subject_id, "created_at": iso(row.created_at),
            "read_at": iso(row.read_at) if row.read_at else None}


def blueprint(parts) -> APIBlueprint:
    rt = parts.runtime
    bp = APIBlueprint("inbox", __name__, url_prefix="/api/notify", abp_tags=[Tag(name="inbox")],
                      abp_responses=PROBLEM_RESPONSES)

    def unread(session, account_id: str) -> int:
        return session.exec(select(func.count()).select_from(Notification).where(
            Notification.account_id == account_id, col(Notification.read_at).is_(None))).one()

    @bp.get("/notifications", summary="My notifications, newest first", security=[BEARER],
            responses={200: NotificationList})
    def inbox(query: InboxQuery):
        me = bearer_principal(rt.verifier)
        with rt.db.session() as session:
            rows = select(Notification).where(Notification.account_id == me.account_id)
            if query.unread:
                rows = rows.where(col(Notification.read_at).is_(None))
            total = session.exec(select(func.count()).select_from(rows.subquery())).one()
            page = session.exec(rows.order_by(col(Notification.id).desc()).offset(query.offset)
                                .limit(query.limit)).all()
            return jsonify({"total": total, "limit": query.limit, "offset": query.offset,
                            "unread": unread(session, me.account_id), "items": [notification_out(n) for n in page]})

    @bp.get("/notifications/unread-count", summary="How many of my notifications are unread", security=[BEARER])
    def unread_count():
        me = bearer_principal(rt.verifier)
        with rt.db.session() as session:
            return jsonify({"unread": unread(session, me.account_id)})

    @bp.post("/notifications/<int:notification_id>/read", summary="Mark one notification read", security=[BEARER],
             responses={200: NotificationOut})
    def mark_read(path: NotificationPath):
        me = bearer_principal(rt.verifier)
        with rt.db.uow() as uow:
            row = uow.session.get(Notification, path.notification_id)
            if row is None or row.account_id != me.account_id:
                raise NotFound(msg("no notification {notification_id}", notification_id=path.notification_id))
            row.read_at = row.read_at or utcnow()
            uow.commit()
            return jsonify(notification_out(row))

    @bp.post("/notifications/read-all", summary="Mark all my notifications read", security=[BEARER])
    def mark_all_read():
        me = bearer_principal(rt.verifier)
        with rt.db.uow() as uow:
            changed = uow.session.execute(update(Notification).where(
                Notification.account_id == me.account_id, col(Notification.read_at).is_(None))
                .values(read_at=utcnow())).rowcount
            uow.commit()
        return jsonify({"marked": changed})

    @bp.get("/stream", summary="Server-sent events: new notifications as they arrive", security=[BEARER])
    def stream(query: StreamQuery):
        if query.access_token and "Authorization" not in request.headers:
            me = rt.verifier.verify(query.access_token)
        else:
            me = bearer_principal(rt.verifier)
        last = request.headers.get("Last-Event-ID", "")
        with rt.db.session() as session:
            start = int(last) if last.isdigit() else (session.exec(select(func.max(Notification.id)).where(
                Notification.account_id == me.account_id)).one() or 0)
        return Response(_events(rt.db, me.account_id, start, query.seconds), mimetype="text/event-stream",
                        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})

    return bp


def _events(db, account_id: str, last_id: int, seconds: int):
    """Poll the (indexed) inbox: works whether the consumer runs in this process or another."""
    yield "retry: 2000\n\n"
    deadline, beat = time.monotonic() + seconds, time.monotonic()
    while time.monotonic() < deadline:
        with db.session() as session:
            rows = session.exec(select(Notification).where(Notification.account_id == account_id,
                                                           col(Notification.id) > last_id)
                                .order_by(Notification.id)).all()
        for row in rows:
            last_id = row.id
            data = json.dumps(notification_out(row), ensure_ascii=False)
            yield f"id: {row.id}\nevent: notification\ndata: {data}\n\n"
        if time.monotonic() - beat > HEARTBEAT_SECONDS:
            beat = time.monotonic()
            yield ": keep-alive\n\n"
        time.sleep(POLL_SECONDS)
