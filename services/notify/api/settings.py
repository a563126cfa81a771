"""What admins configure over HTTP: rules, templates (with preview), the delivery log and replays."""
from __future__ import annotations

from flask import jsonify
from flask_openapi3 import APIBlueprint, Tag

from services.common.http import BEARER, PROBLEM_RESPONSES, bearer_principal
from services.common.models import iso
from services.notify.api.schemas import (
    DeliveryList,
    DeliveryOut,
    DeliveryPath,
    DeliveryQuery,
    PreviewBody,
    RuleBody,
    RuleList,
    RuleOut,
    RuleQuery,
    TemplateBody,
    TemplatePath,
    TemplateQuery,
)
from services.notify.domain import dispatch, rules
from services.notify.domain.catalogue import KINDS


def delivery_out(row) -> dict:
    return {"id": row.id, "event_id": row.event_id, "event_type": row.event_type, "account_id": row.account_id,
            "channel": row.channel, "address": row.address, "subject": row.subject, "status": str(row.status),
            "attempts": row.attempts, "last_error": row.last_error, "next_attempt_at": iso(row.next_attempt_at),
            "sent_at": iso(row.sent_at) if row.sent_at else None}


def blueprint(parts) -> APIBlueprint:
    rt = parts.runtime
    bp = APIBlueprint("settings", __name__, url_prefix="/api/notify", abp_tags=[Tag(name="configuration")],
                      abp_responses=PROBLEM_RESPONSES)

    def who():
        return bearer_principal(rt.verifier)

    @bp.get("/catalogue", summary="Event types notify can announce, with their recipient roles and channels")
    def catalogue():
        return jsonify({"items": [{"event_type": k.event_type, "label": k.label, "roles": list(k.roles),
                                   "channels": list(k.templates), "example": k.example} for k in KINDS.values()]})

    @bp.get("/rules", summary="Which event × role × channel is on", security=[BEARER], responses={200: RuleList})
    def list_rules(query: RuleQuery):
        who()
        with rt.db.session() as session:
            return jsonify({"items": rules.rules(session, query.event_type, query.unit_id)})

    @bp.put("/rules", summary="Switch one event × role × channel on or off", security=[BEARER],
            responses={200: RuleOut})
    def set_rule(body: RuleBody):
        principal = who()
        with rt.db.uow() as uow:
            return jsonify(rules.set_rule(uow, principal, body.event_type, body.role, body.channel, body.enabled,
                                          body.unit_id or None))

    @bp.get("/templates/<event_type>/<channel>", summary="The template in force (saved or default)",
            security=[BEARER])
    def read_template(path: TemplatePath, query: TemplateQuery):
        who()
        with rt.db.session() as session:
            subject, body = rules.template(session, path.event_type, path.channel,
                                           rules.lineage_of(session, query.unit_id))
            return jsonify({"event_type": path.event_type, "channel": path.channel, "subject": subject, "body": body})

    @bp.put("/templates/<event_type>/<channel>", summary="Save a template (refused if it cannot render)",
            security=[BEARER])
    def save_template(path: TemplatePath, body: TemplateBody):
        principal = who()
        with rt.db.uow() as uow:
            return jsonify(rules.save_template(uow, principal, path.event_type, path.channel, body.subject,
                                               body.body, body.unit_id or None))

    @bp.post("/templates/preview", summary="Render a template with the event type's example", security=[BEARER])
    def preview(body: PreviewBody):
        who()
        with rt.db.session() as session:
            return jsonify(rules.preview(session, body.event_type, body.channel, body.subject, body.body))

    @bp.get("/deliveries", summary="The delivery log (e-mail, SMS): queued, sent, failed, parked",
            security=[BEARER], responses={200: DeliveryList})
    def list_deliveries(query: DeliveryQuery):
        principal = who()
        with rt.db.session() as session:
            rows, total = dispatch.deliveries(session, principal, query.status, query.limit, query.offset)
            return jsonify({"total": total, "limit": query.limit, "offset": query.offset,
                            "items": [delivery_out(r) for r in rows]})

    @bp.post("/deliveries/<int:delivery_id>/replay", summary="Send a parked delivery again", security=[BEARER],
             responses={200: DeliveryOut})
    def replay(path: DeliveryPath):
        principal = who()
        with rt.db.uow() as uow:
            row = dispatch.replay(uow, principal, path.delivery_id)
            parts.wake.set()
            return jsonify(delivery_out(row))

    return bp
