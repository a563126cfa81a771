"""External jobs for workers, and incidents for the admins of a unit, over HTTP."""
from __future__ import annotations

from flask import jsonify
from flask_openapi3 import APIBlueprint, Tag
from pydantic import BaseModel, Field

from services.common.http import BEARER, PROBLEM_RESPONSES, bearer_principal
from services.process.domain import incidents, jobs, messages


class JobPath(BaseModel):
    job_id: str = Field(max_length=32)


class JobsQuery(BaseModel):
    topic: str | None = Field(default=None, max_length=100)
    limit: int = Field(default=50, ge=1, le=500)


class CompleteBody(BaseModel):
    variables: dict = Field(default_factory=dict, description="what the worker produced (process variables)")


class FailureBody(BaseModel):
    error: str = Field(min_length=1, max_length=2000)
    retries: int | None = Field(default=None, ge=0, le=20, description="retries left (default: one fewer)")


class UnitPath(BaseModel):
    unit_id: str = Field(max_length=32)


class IncidentsQuery(BaseModel):
    status: str | None = Field(default="open", pattern="^(open|resolved)$")


class IncidentPath(BaseModel):
    incident_id: str = Field(max_length=32)


class CancelBody(BaseModel):
    reason: str = Field(min_length=1, max_length=2000)


class MessageBody(BaseModel):
    name: str = Field(min_length=1, max_length=200, description="the BPMN message's name")
    correlation_key: str | None = Field(default=None, max_length=200,
                                        description="what the waiting instance's correlate_by variable (or "
                                                    "business key) must equal")
    variables: dict = Field(default_factory=dict, description="arrive in the receiver's data as `message`")
    unit_id: str | None = Field(default=None, max_length=32,
                                description="start the processes this message starts, for this unit")


class SignalBody(BaseModel):
    name: str = Field(min_length=1, max_length=200, description="the BPMN signal's name")
    variables: dict = Field(default_factory=dict)


def blueprint(rt, policy) -> APIBlueprint:
    bp = APIBlueprint("jobs", __name__, url_prefix="/api/process", abp_tags=[Tag(name="jobs and incidents")],
                      abp_responses=PROBLEM_RESPONSES)

    @bp.get("/jobs", summary="Open external jobs I may work (by topic), oldest first", security=[BEARER])
    def open_jobs(query: JobsQuery):
        principal = bearer_principal(rt.verifier)
        with rt.db.session() as session:
            return jsonify({"items": jobs.listed(session, principal, query.topic, query.limit)})

    @bp.post("/jobs/<job_id>/complete", summary="A worker's result: the instance runs on", security=[BEARER])
    def complete(path: JobPath, body: CompleteBody):
        principal = bearer_principal(rt.verifier)
        with rt.db.uow() as uow:
            return jsonify(jobs.complete(uow, policy, principal, path.job_id, body.variables))

    @bp.post("/jobs/<job_id>/failure", summary="A worker could not do it: retried, or an incident",
             security=[BEARER])
    def failure(path: JobPath, body: FailureBody):
        principal = bearer_principal(rt.verifier)
        with rt.db.uow() as uow:
            return jsonify(jobs.fail(uow, principal, path.job_id, body.error, body.retries))

    @bp.post("/messages", summary="Deliver a message (correlated) or start the processes it starts",
             security=[BEARER])
    def message(body: MessageBody):
        principal = bearer_principal(rt.verifier)
        return jsonify(messages.deliver(rt.db, policy, principal, "message", body.name, key=body.correlation_key,
                                        variables=body.variables, unit_id=body.unit_id))

    @bp.post("/signals", summary="Broadcast a signal to every instance waiting for it", security=[BEARER])
    def signal(body: SignalBody):
        principal = bearer_principal(rt.verifier)
        return jsonify(messages.deliver(rt.db, policy, principal, "signal", body.name, variables=body.variables))

    @bp.get("/units/<unit_id>/incidents", summary="A unit's stopped instances (its admins)", security=[BEARER])
    def unit_incidents(path: UnitPath, query: IncidentsQuery):
        principal = bearer_principal(rt.verifier)
        with rt.db.session() as session:
            return jsonify({"items": incidents.of_unit(session, principal, path.unit_id, query.status)})

    @bp.post("/incidents/<incident_id>/retry", summary="Try again after a fix", security=[BEARER])
    def retry(path: IncidentPath):
        principal = bearer_principal(rt.verifier)
        with rt.db.uow() as uow:
            return jsonify(incidents.retry(uow, principal, path.incident_id))

    @bp.post("/incidents/<incident_id>/cancel", summary="Give up: cancel the instance", security=[BEARER])
    def cancel(path: IncidentPath, body: CancelBody):
        principal = bearer_principal(rt.verifier)
        with rt.db.uow() as uow:
            return jsonify(incidents.cancel(uow, policy, principal, path.incident_id, body.reason))

    return bp
