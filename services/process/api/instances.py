"""Instances, the inbox and the actions on tasks over HTTP."""
from __future__ import annotations

from urllib.parse import quote

from flask import Response, jsonify
from flask_openapi3 import APIBlueprint, FileStorage, Tag
from pydantic import BaseModel, Field

from services.common.http import BEARER, PROBLEM_RESPONSES, bearer_principal, uploaded_file
from services.process.domain import access, inbox, instances


class StartBody(BaseModel):
    process_key: str = Field(max_length=200, examples=["quy_trinh_mau"])
    unit_id: str = Field(max_length=32)
    title: str | None = Field(default=None, max_length=500)
    business_key: str | None = Field(default=None, min_length=1, max_length=200,
                                     description="your id for it: the same key again returns the same instance")
    variables: dict = Field(default_factory=dict, description="data the process starts with")


class InstancePath(BaseModel):
    instance_id: str = Field(max_length=32)


class AttachmentPath(InstancePath):
    attachment_id: str = Field(max_length=32)


class KeyQuery(BaseModel):
    process_key: str = Field(max_length=200, description="the process (its BPMN id)")
    business_key: str = Field(min_length=1, max_length=200, description="the key the sender gave it (a report id)")


class UnitPath(BaseModel):
    unit_id: str = Field(max_length=32)


class UnitInstancesQuery(BaseModel):
    state: str | None = Field(default=None, pattern="^(running|completed|cancelled)$")
    page: int = Field(default=1, ge=1, le=100000)
    page_size: int = Field(default=20, ge=1, le=200)


class TaskPath(BaseModel):
    task_id: str = Field(max_length=32)


class InboxQuery(BaseModel):
    scope: str = Field(default="mine", pattern="^(mine|unit)$", description="mine: what I may act on; unit: "
                                                                           "my unit's open tasks")
    unit_id: str | None = Field(default=None, max_length=32, description="scope=unit: which unit (default mine)")
    bucket: str | None = Field(default=None, pattern="^(overdue|due_today|due_soon|in_time)$")
    process_key: str | None = Field(default=None, max_length=200)
    page: int = Field(default=1, ge=1, le=100000)
    page_size: int = Field(default=20, ge=1, le=200)


class CompleteBody(BaseModel):
    action: str | None = Field(default=None, max_length=40, description="an outcome the task's lane declares "
                                                                        "(default: the step's only one)")
    data: dict = Field(default_factory=dict, description="the task's form fields")
    assign_to: list[str] | None = Field(default=None, max_length=50, description="an outcome that chooses the "
                                                                                "next people (chooses_next): who")
    reason: str | None = Field(default=None, max_length=2000, description="why (required by reason_required "
                                                                         "outcomes)")


class ReturnBody(BaseModel):
    reason: str = Field(max_length=2000)


class ExtensionBody(BaseModel):
    days: float = Field(gt=0, le=365, description="working days asked for")
    reason: str = Field(max_length=2000)


class DecisionBody(BaseModel):
    approved: bool
    days: float | None = Field(default=None, gt=0, le=365, description="fewer days than asked (default: all)")
    note: str | None = Field(default=None, max_length=2000)


class DelegateBody(BaseModel):
    to: str = Field(max_length=64, description="account id of another staff member of the step")
    note: str | None = Field(default=None, max_length=2000)


class CancelBody(BaseModel):
    reason: str = Field(max_length=2000)


class CommentBody(BaseModel):
    text: str = Field(min_length=1, max_length=4000)


class Upload(BaseModel):
    file: FileStorage


def blueprint(rt, policy: instances.Policy) -> APIBlueprint:
    bp = APIBlueprint("instances", __name__, url_prefix="/api/process", abp_tags=[Tag(name="instances")],
                      abp_responses=PROBLEM_RESPONSES)

    @bp.post("/instances", summary="Start a process for a unit (its staffing must be confirmed)", security=[BEARER])
    def start(body: StartBody):
        principal = bearer_principal(rt.verifier)
        with rt.db.uow() as uow:
            access.may_start(principal, access.unit_or_404(uow.session, body.unit_id))
            inst = instances.start(uow, policy, process_key=body.process_key, unit_id=body.unit_id,
                                   variables=body.variables, business_key=body.business_key, title=body.title,
                                   actor=principal.account_id)
            return jsonify(instances.detail(uow.session, principal, inst.id, policy)), 201

    @bp.get("/instances/by-key", summary="Where an instance stands, by the key its sender gave it (the IOC's report "
                                         "id): state, current steps, result", security=[BEARER])
    def by_key(query: KeyQuery):
        principal = bearer_principal(rt.verifier)
        with rt.db.session() as session:
            return jsonify(instances.by_business_key(session, principal, query.process_key, query.business_key,
                                                     policy))

    @bp.get("/instances/<instance_id>", summary="State, current steps, full history, attachments", security=[BEARER])
    def detail(path: InstancePath):
        principal = bearer_principal(rt.verifier)
        with rt.db.session() as session:
            return jsonify(instances.detail(session, principal, path.instance_id, policy))

    @bp.post("/instances/<instance_id>/cancel", summary="Cancel (who started it, or a unit admin)",
             security=[BEARER])
    def cancel(path: InstancePath, body: CancelBody):
        principal = bearer_principal(rt.verifier)
        with rt.db.uow() as uow:
            return jsonify(instances.cancel(uow, policy, principal, path.instance_id, body.reason))

    @bp.post("/instances/<instance_id>/comments", summary="Comment on an instance (whoever sees it)",
             security=[BEARER])
    def comment(path: InstancePath, body: CommentBody):
        principal = bearer_principal(rt.verifier)
        with rt.db.uow() as uow:
            return jsonify(instances.comment(uow, principal, path.instance_id, body.text)), 201

    @bp.get("/instances/<instance_id>/attachments/<attachment_id>", summary="Download an attachment",
            security=[BEARER])
    def download(path: AttachmentPath):
        principal = bearer_principal(rt.verifier)
        with rt.db.session() as session:
            row = instances.attachment(session, principal, path.instance_id, path.attachment_id)
            return Response(row.content, mimetype=instances.detected_type(row.content), headers={
                "Content-Disposition": f"attachment; filename*=UTF-8''{quote(row.filename, safe='')}",
                "Content-Security-Policy": "sandbox", "Cache-Control": "private, no-store"})

    @bp.get("/units/<unit_id>/instances", summary="A unit's instances, newest first", security=[BEARER])
    def unit_instances(path: UnitPath, query: UnitInstancesQuery):
        principal = bearer_principal(rt.verifier)
        with rt.db.session() as session:
            return jsonify(instances.unit_instances(session, principal, path.unit_id, query.state, query.page,
                                                    query.page_size))

    @bp.get("/inbox", summary="My tasks (or my unit's), with deadline buckets", security=[BEARER])
    def my_inbox(query: InboxQuery):
        principal = bearer_principal(rt.verifier)
        with rt.db.session() as session:
            return jsonify(inbox.inbox(session, principal, policy.calendar, scope=query.scope,
                                       unit_id=query.unit_id, bucket=query.bucket, process_key=query.process_key,
                                       page=query.page, page_size=query.page_size))

    def act(fn, *args, **kwargs):
        principal = bearer_principal(rt.verifier)
        with rt.db.uow() as uow:
            return jsonify(fn(uow, policy, principal, *args, **kwargs))

    @bp.get("/tasks/<task_id>", summary="A task with its form fields and the actions its step allows",
            security=[BEARER])
    def task(path: TaskPath):
        return act(instances.task_page, path.task_id)

    @bp.post("/tasks/<task_id>/complete", summary="Complete with an action and the task's form data",
             security=[BEARER])
    def complete(path: TaskPath, body: CompleteBody):
        return act(instances.complete, path.task_id, action=body.action, data=body.data, assign_to=body.assign_to,
                   reason=body.reason)

    @bp.post("/tasks/<task_id>/return", summary="Return to the previous step (reason required)", security=[BEARER])
    def return_(path: TaskPath, body: ReturnBody):
        return act(instances.return_to_previous, path.task_id, body.reason)

    @bp.post("/tasks/<task_id>/extension", summary="Ask for more time (the approver lane decides)",
             security=[BEARER])
    def extension(path: TaskPath, body: ExtensionBody):
        return act(instances.request_extension, path.task_id, body.days, body.reason)

    @bp.post("/tasks/<task_id>/extension-decision", summary="Grant or refuse an extension", security=[BEARER])
    def decision(path: TaskPath, body: DecisionBody):
        return act(instances.decide_extension, path.task_id, body.approved, body.days, body.note)

    @bp.post("/tasks/<task_id>/delegate", summary="Hand the task to another staff member of its step",
             security=[BEARER])
    def delegate(path: TaskPath, body: DelegateBody):
        return act(instances.delegate, path.task_id, body.to, body.note)

    @bp.post("/tasks/<task_id>/claim", summary="Take a task of my step for myself", security=[BEARER])
    def claim(path: TaskPath):
        return act(instances.claim, path.task_id)

    @bp.post("/tasks/<task_id>/attachments", summary="Attach a file at this task", security=[BEARER])
    def attach(path: TaskPath, form: Upload):
        principal = bearer_principal(rt.verifier)
        with rt.db.uow() as uow:
            file = uploaded_file(form.file)
            content = file.read(policy.max_attachment_bytes + 1)
            return jsonify(instances.attach(uow, policy, principal, path.task_id, file.filename or "",
                                            file.mimetype or "", content)), 201

    return bp
