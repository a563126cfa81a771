"""Events identity publishes (names + payload models, in docs/events.md) and the handlers of the
orgunits events it consumes: the units read model, and re-declaration after merges/dissolutions."""
from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field, ValidationError

from services.common.db import UnitOfWork
from services.common.envelope import MalformedEvent
from services.common.eventmodel import Day, Moment, per_type
from services.common.outbox import idempotent
from services.common.readmodel import current_row, move_subtree, unit_path
from services.identity.domain import declarations
from services.identity.domain.transfers import mark_redeclare
from services.identity.models import UnitRef

ACCOUNT_KINDS = ("registered", "added", "activated", "approved", "rejected", "updated", "transferred", "locked",
                 "unlocked", "archived", "converted", "deleted")
CONSUMER_QUEUE = "identity.units"
CONSUMES = ["orgunits.unit.*"]


class Appointment(BaseModel):
    unit_id: str
    position: str | None


class AccountSnapshot(BaseModel):
    """The full account after the change — never a password or a token."""

    id: str
    username: str
    full_name: str
    date_of_birth: Day | None
    citizen_id: str | None
    phone: str | None
    email: str | None
    unit_id: str | None
    department: str | None
    position: str | None
    staff_category: str | None
    grade_code: str | None = Field(default=None, description="mã ngạch / mã chức danh nghề nghiệp")
    title_category: str | None = Field(default=None, description="hạng chức danh nghề nghiệp: I | II | III | IV")
    salary_coefficient: str | None = Field(default=None, description="hệ số lương, two decimals (\"2.34\")")
    roles: list[str]
    note: str | None
    is_head: bool
    manager_id: str | None
    status: str = Field(description="pending | inactive | approved | rejected | locked | archived")
    archive_group: str | None
    needs_redeclare: bool = Field(description="the unit was merged or dissolved; the person must re-declare")
    appointments: list[Appointment] = Field(description="concurrent appointments (kiêm nhiệm)")
    version: int
    updated_at: Moment
    updated_by: str | None


class AccountChanged(BaseModel):
    schema_version: int = 1
    account: AccountSnapshot
    changed: list[str] | None = Field(default=None, description="updated: the fields that changed")
    reason: str | None = Field(default=None, description="rejected: why")
    from_unit_id: str | None = Field(default=None, description="transferred: the unit left")
    kind: str | None = Field(default=None, description="transferred: transfer | redeclare")
    old_account_id: str | None = Field(default=None, description="converted: the account given up")
    new_account_id: str | None = Field(default=None, description="converted: the account that took over "
                                       "roles, groups and admin grants — move its tasks and meetings too")
    moved: dict | None = None


class Grant(BaseModel):
    id: int
    account_id: str
    unit_id: str
    permissions: list[str]
    granted_by: str | None
    granted_at: Moment


class AdminChanged(BaseModel):
    schema_version: int = 1
    grant: Grant


class TransferRequested(BaseModel):
    """A transfer or re-declaration waits for the receiving unit's admin."""

    schema_version: int = 1
    request: dict


class PasswordResetRequested(BaseModel):
    """For the notify service only: deliver the token by e-mail/SMS, never into a log. The token is sealed with
    the key identity and notify share; to anyone else it is noise."""

    schema_version: int = 2
    account_id: str
    full_name: str
    email: str | None
    phone: str | None
    sealed_token: str = Field(description="Fernet-sealed single-use token (IDENTITY_/NOTIFY_SEALING_KEY)")
    expires_at: Moment


class TokensRevoked(BaseModel):
    """Every access token of the account below ``version`` is withdrawn (services keep the floor)."""

    schema_version: int = 1
    account_id: str
    version: int = Field(description="the lowest token generation (claim `ver`) still accepted")
    reason: str = Field(description="locked | archived | deleted | converted | grants_changed | unit_changed | "
                                    "password_changed | one_time_password_issued | refresh_token_reused")


class UnitSignInRule(BaseModel):
    unit_id: str
    password_allowed: bool = Field(description="false: the unit's people sign in with the e-ID only")
    inherited_from: str | None = Field(description="the ancestor whose setting applies (null: the unit's own or "
                                                   "the default)")


class UnitSignInChanged(BaseModel):
    """A unit's admin switched password sign-in off (e-ID only) or on for the unit and the units below it."""

    schema_version: int = 1
    sign_in: UnitSignInRule
    actor: str


class Declaration(BaseModel):
    id: str
    account_id: str
    full_name: str | None
    from_unit_id: str | None
    from_unit_name: str | None
    unit_id: str = Field(description="the unit declared (the new one after a merge or dissolution)")
    unit_name: str | None
    values: dict = Field(description="department, department_id, position, grade_code, title_category, "
                                     "salary_coefficient, and `changed`: the fields that differ from the record")
    status: str = Field(description="submitted | approved | returned")
    reason: str | None = Field(description="returned: why")
    decided_by: str | None
    created_at: Moment
    decided_at: Moment | None


class DeclarationChanged(BaseModel):
    """An officer's self-declaration (phiếu kê khai) was submitted, approved (the account changed with it) or
    returned with a reason."""

    schema_version: int = 1
    declaration: Declaration


class DeclarationOutcome(BaseModel):
    """What identity reads from the review process's end events (bpmn/staff_declaration.bpmn)."""

    declaration_id: str = Field(min_length=1, max_length=32)
    decided_by: str | None = None
    reason: str | None = None


SUBJECTS = {  # type → (the subject as a template over data, what it is)
    **{f"identity.account.{kind}": ("{account.id}", "the account") for kind in ACCOUNT_KINDS},
    "identity.admin.granted": ("{grant.account_id}", "the account the grant is for"),
    "identity.admin.revoked": ("{grant.account_id}", "the account the grant was for"),
    "identity.transfer.requested": ("{request.account_id}", "the account to move"),
    "identity.password_reset.requested": ("{account_id}", "the account"),
    "identity.tokens.revoked": ("{account_id}", "the account whose tokens are withdrawn"),
    "identity.unit_sign_in.changed": ("{sign_in.unit_id}", "the unit"),
    **{f"identity.declaration.{kind}": ("{declaration.account_id}", "the declaring account")
       for kind in ("submitted", "approved", "returned")},
}
ACCOUNT_FILLS = {"rejected": {"always": {"reason": str}}, "updated": {"always": {"changed": list[str]}},
                 "transferred": {"always": {"kind": str}, "may": ["from_unit_id"]},
                 "converted": {"always": {"old_account_id": str, "new_account_id": str, "moved": dict}}}
PUBLISHED: dict[str, type[BaseModel]] = {
    **{f"identity.account.{kind}": per_type(AccountChanged, f"identity.account.{kind}", **ACCOUNT_FILLS.get(kind, {}))
       for kind in ACCOUNT_KINDS},
    "identity.admin.granted": AdminChanged, "identity.admin.revoked": AdminChanged,
    "identity.transfer.requested": TransferRequested,
    "identity.password_reset.requested": PasswordResetRequested,
    "identity.tokens.revoked": TokensRevoked,
    "identity.unit_sign_in.changed": UnitSignInChanged,
    **{f"identity.declaration.{kind}": DeclarationChanged for kind in ("submitted", "approved", "returned")},
}
# Events of another service's contract identity publishes: a submitted declaration starts its review by message.
SENDS = {declarations.MESSAGE_SENT: f"with name `{declarations.MESSAGE}`, the declaration's id as correlation key "
                                    "and the declared unit: starts the review process of a self-declaration"}
DECLARATION_QUEUE = "identity.declarations"
DECLARATION_OUTCOMES = ["process.staff_declaration.approved", "process.staff_declaration.returned"]
DESCRIPTIONS = {
    **{f"identity.account.{kind}": f"An account was {kind}; its full snapshot follows." for kind in ACCOUNT_KINDS},
    "identity.account.added": "An admin added a person found by citizen ID in the national e-ID directory; the "
                              "account is `inactive` (Chưa kích hoạt) until an admin activates it.",
    "identity.account.activated": "An added account was activated (Kích hoạt): the person may sign in.",
    "identity.account.converted": "An old account was converted into a new one: roles, groups and admin grants "
                                  "moved; other services move tasks and meetings from `old_account_id` to "
                                  "`new_account_id`.",
    "identity.admin.granted": "An admin grant (account, unit, permissions) was given.",
    "identity.admin.revoked": "An admin grant was taken back.",
    "identity.unit_sign_in.changed": "A unit's people now sign in with the e-ID only, or again with a password too.",
    "identity.transfer.requested": "A transfer or re-declaration waits for the receiving unit's admin.",
    "identity.password_reset.requested": "Someone asked to reset a forgotten password: notify delivers the "
                                         "single-use token (valid 30 minutes) by e-mail or SMS.",
    "identity.declaration.submitted": "An officer submitted a self-declaration (phiếu kê khai); its review runs in "
                                      "the process service.",
    "identity.declaration.approved": "A self-declaration was approved: the account changed with it (an "
                                     "`identity.account.updated` or `.transferred` follows).",
    "identity.declaration.returned": "A self-declaration was returned to the officer with a reason.",
    "identity.tokens.revoked": "The account's access tokens issued so far are withdrawn (locked, archived, deleted, "
                               "converted, grants or units changed, password changed, a refresh token replayed); "
                               "every service refuses tokens whose `ver` is below `version`.",
}


class _Unit(BaseModel):
    id: str
    code: str
    name: str
    parent_id: str | None
    status: str
    ancestor_ids: list[str]


def apply_unit_event(uow: UnitOfWork, event: dict[str, Any]) -> None:
    """Keep unit_ref equal to orgunits' tree; a move rewrites the paths of the whole moved subtree."""
    try:
        unit = _Unit.model_validate(event["data"]["unit"])
    except (KeyError, ValidationError) as exc:
        raise MalformedEvent(f"{event['type']}: no unit snapshot: {exc}") from exc
    session = uow.session
    row = current_row(session, UnitRef, unit.id, event, deleted=event["type"] == "orgunits.unit.deleted")
    if row is None:
        return
    move_subtree(session, UnitRef, row, unit_path(unit.model_dump()))
    row.code, row.name, row.parent_id, row.status = unit.code, unit.name, unit.parent_id, unit.status
    if event["type"] in ("orgunits.unit.merged", "orgunits.unit.dissolved"):
        session.flush()
        mark_redeclare(uow, unit.id)


def apply_declaration_outcome(uow: UnitOfWork, event: dict[str, Any]) -> None:
    """The review of a declaration ended: apply what was approved, keep why it was returned."""
    try:
        outcome = DeclarationOutcome.model_validate(event["data"])
    except (KeyError, ValidationError) as exc:
        raise MalformedEvent(f"{event['type']}: {exc}") from exc
    declarations.decide(uow, outcome.declaration_id, event["type"].endswith(".approved"), outcome.decided_by,
                        outcome.reason)


def subscribe(runtime) -> None:
    runtime.subscribe(CONSUMER_QUEUE, CONSUMES, idempotent(runtime.db, CONSUMER_QUEUE, apply_unit_event))
    runtime.subscribe(DECLARATION_QUEUE, DECLARATION_OUTCOMES,
                      idempotent(runtime.db, DECLARATION_QUEUE, apply_declaration_outcome))
