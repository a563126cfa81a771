"""Thông báo: the bell with my unread count, kept live by server-sent events (the portal relays notify's stream
of my notifications, as small pieces of page for htmx to swap in), the list, and marking read."""
from __future__ import annotations

import json

from flask import Blueprint, Response, flash, redirect, render_template, request, session, stream_with_context, url_for
from flask_babel import gettext as _

from services.portal.views import SignInRequired, portal, signed_in

bp = Blueprint("notices", __name__)
STREAM_SECONDS = 55      # then the browser reconnects (with the last id it saw), picking up a refreshed token
PAGE_SIZE = 20


def link_of(notification: dict) -> str | None:
    """Where a notification leads: a task's page for the task events (their subject is the task)."""
    if notification.get("event_type", "").startswith("process.task.") and notification.get("subject_id"):
        return url_for("work.task", task_id=notification["subject_id"])
    return None


@bp.get("/thong-bao")
@signed_in
def inbox():
    unread_only = request.args.get("loc") == "chua-doc"
    page = max(1, min(request.args.get("page", 1, type=int) or 1, 10000))
    found = portal().call("GET", "/api/notify/notifications", params={
        "unread": "true" if unread_only else "false", "limit": PAGE_SIZE, "offset": (page - 1) * PAGE_SIZE})
    pages = max(1, -(-found["total"] // PAGE_SIZE))
    return render_template("notices.html", found=found, page=page, pages=pages, unread_only=unread_only,
                           link_of=link_of)


@bp.post("/thong-bao/<int:notification_id>/da-doc")
@signed_in
def mark_read(notification_id: int):
    row = portal().call("POST", f"/api/notify/notifications/{notification_id}/read")
    if request.headers.get("HX-Request"):
        unread = portal().call("GET", "/api/notify/notifications/unread-count")["unread"]
        return render_template("partials/notice.html", n=row, link_of=link_of, oob_unread=unread)
    target = link_of(row) if request.form.get("open") else None
    return redirect(target or request.referrer or url_for("notices.inbox"))


@bp.post("/thong-bao/da-doc-het")
@signed_in
def mark_all_read():
    marked = portal().call("POST", "/api/notify/notifications/read-all")["marked"]
    flash(_("Đã đánh dấu %(count)s thông báo là đã đọc.", count=marked), "success")
    return redirect(url_for("notices.inbox"))


@bp.get("/thong-bao/luong")
@signed_in
def stream():
    """The live bell: first my unread count, then each new notification (a line for the page's live region)
    and the count again. The token is refreshed before the stream starts, never during it."""
    unread = portal().call("GET", "/api/notify/notifications/unread-count")["unread"]
    token = session.get("access_token")
    if not token:
        raise SignInRequired
    api = portal().api
    status, chunks, close = api.stream("/api/notify/stream", token=token, params={"seconds": STREAM_SECONDS},
                                       last_event_id=request.headers.get("Last-Event-ID"))

    def events():
        try:
            yield "retry: 3000\n\n"
            yield _event("bell", render_template("partials/bell_count.html", unread=unread))
            if status != 200:
                return
            for event_id, kind, data in _parse(chunks):
                if kind != "notification":
                    yield ": keep-alive\n\n"
                    continue
                count = api.call("GET", "/api/notify/notifications/unread-count", token=token)
                yield _event("notification", render_template("partials/toast.html", n=data, link_of=link_of),
                             event_id)
                if count.ok:
                    yield _event("bell", render_template("partials/bell_count.html", unread=count.body["unread"]))
        finally:
            close()

    return Response(stream_with_context(events()), mimetype="text/event-stream",
                    headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})


def _event(kind: str, html: str, event_id: str | None = None) -> str:
    lines = "".join(f"data: {line}\n" for line in html.strip().splitlines() or [""])
    return (f"id: {event_id}\n" if event_id else "") + f"event: {kind}\n{lines}\n"


def _parse(chunks):
    """notify's server-sent events, one (id, event, data as JSON) at a time; comments give (None, None, None)."""
    buffer = ""
    for chunk in chunks:
        buffer += chunk.decode("utf-8", "replace") if isinstance(chunk, bytes) else chunk
        while "\n\n" in buffer:
            block, buffer = buffer.split("\n\n", 1)
            fields: dict[str, str] = {}
            for line in block.splitlines():
                name, _sep, value = line.partition(":")
                if name:
                    fields[name] = fields.get(name, "") + ("\n" if name in fields else "") + value.removeprefix(" ")
            if fields.get("event") == "notification" and fields.get("data"):
                try:
                    yield fields.get("id"), "notification", json.loads(fields["data"])
                except ValueError:
                    continue
            else:
                yield None, None, None
