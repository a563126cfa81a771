"""Callback URLs over HTTP: an integrator registers where the results of its unit's processes are POSTed (signed,
retried), follows the deliveries and sends a parked one again."""
from __future__ import annotations

from flask import jsonify
from flask_openapi3 import APIBlueprint, Tag
from pydantic import BaseModel, Field

from services.common.http import BEARER, PROBLEM_RESPONSES, bearer_principal
from services.process.domain import callbacks
from services.process.events import PUBLISHED


class CallbackBody(BaseModel):
    url: str = Field(min_length=8, max_length=1000, description="where each event is POSTed (https in production)")
    unit_id: str = Field(min_length=1, max_length=32, description="events about instances of this unit's subtree")
    event_types: list[str] = Field(min_length=1, max_length=50, description="types of the catalogue "
                                   "(docs/events.md), e.g. the outcome events of a process's end events")


class CallbackView(BaseModel):
    id: str
    url: str
    unit_id: str
    event_types: list[str]
    active: bool
    created_by: str | None
    created_at: str
    secret: str | None = Field(default=None, description="at registration only: verify X-Egov-Signature with it")


class CallbackList(BaseModel):
    items: list[CallbackView]


class DeliveryView(BaseModel):
    id: int
    event_id: str
    event_type: str
    state: str = Field(description="pending | delivered | parked")
    attempts: int
    next_at: str | None
    delivered_at: str | None
    last_status: int | None
    last_error: str | None


class DeliveryList(BaseModel):
    items: list[DeliveryView]


class CallbackPath(BaseModel):
    callback_id: str = Field(max_length=32)


class DeliveryPath(CallbackPath):
    delivery_id: int = Field(ge=1, le=2**62)


def blueprint(rt, policy) -> APIBlueprint:
    bp = APIBlueprint("callbacks", __name__, url_prefix="/api/process", abp_tags=[Tag(name="callbacks")],
                      abp_responses=PROBLEM_RESPONSES)

    @bp.post("/callbacks", summary="Register a callback URL for some event types of a unit's subtree",
             security=[BEARER], responses={201: CallbackView})
    def register(body: CallbackBody):
        who = bearer_principal(rt.verifier)
        with rt.db.uow() as uow:
            cb = callbacks.register(uow, who, url=body.url, unit_id=body.unit_id, event_types=body.event_types,
                                    known=set(PUBLISHED), allow_http=policy.callback_http)
            return jsonify(callbacks.view(cb, secret=True)), 201

    @bp.get("/callbacks", summary="The callbacks of the units you integrate or administer", security=[BEARER],
            responses={200: CallbackList})
    def listing():
        who = bearer_principal(rt.verifier)
        with rt.db.session() as session:
            return jsonify({"items": [callbacks.view(cb) for cb in callbacks.listed(session, who)]})

    @bp.delete("/callbacks/<callback_id>", summary="Stop a callback (what is still owed is parked)",
               security=[BEARER], responses={204: None})
    def remove(path: CallbackPath):
        who = bearer_principal(rt.verifier)
        with rt.db.uow() as uow:
            callbacks.remove(uow, who, path.callback_id)
        return "", 204

    @bp.get("/callbacks/<callback_id>/deliveries", summary="The newest deliveries of a callback",
            security=[BEARER], responses={200: DeliveryList})
    def deliveries(path: CallbackPath):
        who = bearer_principal(rt.verifier)
        with rt.db.session() as session:
            rows = callbacks.deliveries(session, who, path.callback_id)
            return jsonify({"items": [callbacks.delivery_view(r) for r in rows]})

    @bp.post("/callbacks/<callback_id>/deliveries/<int:delivery_id>/resend", summary="Owe a parked delivery again",
             security=[BEARER], responses={200: DeliveryView})
    def resend(path: DeliveryPath):
        who = bearer_principal(rt.verifier)
        with rt.db.uow() as uow:
            return jsonify(callbacks.delivery_view(callbacks.resend(uow, who, path.callback_id, path.delivery_id)))

    return bp
