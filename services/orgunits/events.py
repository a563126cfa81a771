"""Events orgunits publishes (names + payload models, the source of docs/events.md) and the handlers of
the identity events it consumes to keep its read model of members."""
from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field, ValidationError

from services.common.db import UnitOfWork
from services.common.envelope import MalformedEvent
from services.common.eventmodel import Moment, per_type
from services.common.outbox import idempotent
from services.common.readmodel import current_row
from services.common.text import nfc
from services.orgunits.models import Member

UNIT_CREATED = "orgunits.unit.created"
UNIT_UPDATED = "orgunits.unit.updated"
UNIT_MOVED = "orgunits.unit.moved"
UNIT_MERGED = "orgunits.unit.merged"
UNIT_DISSOLVED = "orgunits.unit.dissolved"
UNIT_ACTIVATED = "orgunits.unit.activated"
UNIT_DEACTIVATED = "orgunits.unit.deactivated"
UNIT_DELETED = "orgunits.unit.deleted"
BANK_ACCOUNTS_CHANGED = "orgunits.bank_accounts.changed"
PARTY_DETAILS_CHANGED = "orgunits.party_details.changed"
EDITORS_CHANGED = "orgunits.editors.changed"
RESIDENCE_CELL_CHANGED = "orgunits.residence_cell.changed"
SIGNATURE_IMAGES_CHANGED = "orgunits.signature_images.changed"

CONSUMER_QUEUE = "orgunits.members"
CONSUMES = ["identity.account.*"]


class UnitSnapshot(BaseModel):
    """The full unit as it is after the change."""

    id: str
    code: str
    name: str
    kind: str
    parent_id: str | None
    depth: int
    position: int
    status: str = Field(description="active | inactive | merged | dissolved")
    merged_into_id: str | None
    email: str | None
    phone: str | None
    address: str | None
    website: str | None
    tax_code: str | None
    description: str | None
    planned_headcount: int | None
    ancestor_ids: list[str] = Field(description="ids from the root down to the parent")
    version: int
    updated_at: Moment


class UnitEvent(BaseModel):
    """orgunits.unit.created | updated | activated | deactivated | deleted"""

    schema_version: int = 1
    unit: UnitSnapshot
    changed: list[str] | None = Field(default=None, description="updated only: the fields that changed")


class UnitMoved(BaseModel):
    schema_version: int = 1
    unit: UnitSnapshot
    old_parent_id: str | None
    new_parent_id: str | None


class UnitReorganised(BaseModel):
    """orgunits.unit.merged | dissolved: the source unit, where it went, and who must re-declare."""

    schema_version: int = 1
    unit: UnitSnapshot
    target: UnitSnapshot | None = Field(default=None, description="merged only: the unit merged into")
    moved_child_ids: list[str] = Field(default_factory=list)
    members_to_redeclare: list[str] = Field(description="account ids that must pick a new unit")
    reason: str | None = None


class AccountSnapshot(BaseModel):
    """What identity publishes about an account (full snapshot; more fields may follow)."""

    id: str
    full_name: str
    unit_id: str | None
    department: str | None = None
    position: str | None = None
    status: str = Field(description="pending | approved | rejected | locked | archived | deleted | to_redeclare")


class AccountEvent(BaseModel):
    """identity.account.registered | approved | rejected | updated | transferred | locked | unlocked |
    archived | converted | deleted — consumed here, published by identity."""

    schema_version: int = 1
    account: AccountSnapshot


class BankAccountSnapshot(BaseModel):
    id: int
    bank_name: str
    branch: str | None
    account_number: str
    holder_name: str
    citad_code: str | None = Field(default=None, description="the bank's Citad code (8 digits)")
    in_use: bool


class BankAccountsChanged(BaseModel):
    """The party organisation's accounts after an add, a change of the account in use, or a removal."""

    schema_version: int = 1
    unit_id: str
    accounts: list[BankAccountSnapshot]


class PartyDetails(BaseModel):
    unit_id: str
    fee_allocation: str | None = Field(description="top_down | bottom_up (Loại phân bổ cho cơ quan)")
    province: str | None
    district: str | None
    commune: str | None
    address_detail: str | None
    cell_type: str | None = Field(default=None, description="a chi bộ trực thuộc's type: commune | company | "
                                                            "border_ship | radar | remote | agency")


class PartyDetailsChanged(BaseModel):
    """A party organisation's fee allocation or structured address changed."""

    schema_version: int = 1
    details: PartyDetails


class EditorsChanged(BaseModel):
    """The accounts granted editing of the unit's subtree directly on this unit."""

    schema_version: int = 1
    unit_id: str
    editor_account_ids: list[str]


class ResidenceCellChanged(BaseModel):
    """A party member named the organisation where they take part where they live (chi bộ sinh hoạt nơi cư trú)."""

    schema_version: int = 1
    account_id: str
    unit_id: str = Field(description="a party organisation below a provincial committee")


class SignatureImageView(BaseModel):
    id: str
    unit_id: str
    kind: str = Field(description="seal | signature")
    name: str
    signer_id: str | None = Field(description="signature: the signer's account id")
    content_type: str = Field(description="image/png | image/jpeg")
    size: int
    uploaded_by: str | None
    uploaded_at: Moment


class SignatureImagesChanged(BaseModel):
    """A seal or signature image was added to a party organisation or removed (the image itself is fetched over
    HTTP by whoever may see it; it never travels on the bus)."""

    schema_version: int = 1
    unit_id: str
    added: SignatureImageView | None = None
    removed: SignatureImageView | None = None


PUBLISHED: dict[str, type[BaseModel]] = {
    **{kind: per_type(UnitEvent, kind) for kind in (UNIT_CREATED, UNIT_ACTIVATED, UNIT_DEACTIVATED, UNIT_DELETED)},
    UNIT_UPDATED: per_type(UnitEvent, UNIT_UPDATED, always={"changed": list[str]}), UNIT_MOVED: UnitMoved,
    UNIT_MERGED: per_type(UnitReorganised, UNIT_MERGED, always={"target": UnitSnapshot}, may=["reason"]),
    UNIT_DISSOLVED: per_type(UnitReorganised, UNIT_DISSOLVED, may=["reason"]),
    BANK_ACCOUNTS_CHANGED: BankAccountsChanged, PARTY_DETAILS_CHANGED: PartyDetailsChanged,
    EDITORS_CHANGED: EditorsChanged, RESIDENCE_CELL_CHANGED: ResidenceCellChanged,
    SIGNATURE_IMAGES_CHANGED: SignatureImagesChanged,
}
SUBJECTS = {  # type → (the subject as a template over data, what it is)
    **{kind: ("{unit.id}", "the unit") for kind in (UNIT_CREATED, UNIT_UPDATED, UNIT_MOVED, UNIT_MERGED,
                                                    UNIT_DISSOLVED, UNIT_ACTIVATED, UNIT_DEACTIVATED, UNIT_DELETED)},
    BANK_ACCOUNTS_CHANGED: ("{unit_id}", "the party organisation"),
    PARTY_DETAILS_CHANGED: ("{details.unit_id}", "the party organisation"),
    EDITORS_CHANGED: ("{unit_id}", "the unit"),
    RESIDENCE_CELL_CHANGED: ("{account_id}", "the party member's account"),
    SIGNATURE_IMAGES_CHANGED: ("{unit_id}", "the party organisation"),
}
DESCRIPTIONS = {
    UNIT_CREATED: "A unit was created (one event per unit, also for each unit of an import).",
    UNIT_UPDATED: "A unit's fields changed; `changed` names them.",
    UNIT_MOVED: "A unit and its subtree moved under another parent (descendants' ancestors change too).",
    UNIT_MERGED: "A unit was merged into `target` (sáp nhập): its children moved there (each also gets "
                 "`orgunits.unit.moved`), its people must re-declare.",
    UNIT_DISSOLVED: "A unit was dissolved (giải thể); its people must re-declare.",
    UNIT_ACTIVATED: "A unit is in use again.",
    UNIT_DEACTIVATED: "A unit is no longer in use (Ngừng sử dụng).",
    UNIT_DELETED: "A unit without children or members was deleted; the snapshot is its last state.",
    BANK_ACCOUNTS_CHANGED: "A party organisation's bank accounts changed; the full list follows.",
    PARTY_DETAILS_CHANGED: "A party organisation's fee allocation or structured address changed.",
    EDITORS_CHANGED: "The editor list of a unit (Phân quyền thành viên) changed.",
    RESIDENCE_CELL_CHANGED: "A party member named their residence party cell (chi bộ sinh hoạt nơi cư trú).",
    SIGNATURE_IMAGES_CHANGED: "A seal or signature image of a party organisation was added or removed.",
}


def apply_account_event(uow: UnitOfWork, event: dict[str, Any]) -> None:
    """Keep the members read model equal to identity's accounts (snapshot upsert; stale events skipped)."""
    try:
        account = AccountEvent.model_validate(event["data"]).account
    except ValidationError as exc:
        raise MalformedEvent(f"{event['type']} payload does not match the catalogue: {exc}") from exc
    member = current_row(uow.session, Member, account.id, event, deleted=event["type"] == "identity.account.deleted")
    if member is None:
        return
    member.full_name = nfc(account.full_name)
    member.unit_id = account.unit_id
    member.department = nfc(account.department) if account.department else None
    member.position = account.position
    member.status = account.status


def subscribe(runtime) -> None:
    runtime.subscribe(CONSUMER_QUEUE, CONSUMES, idempotent(runtime.db, CONSUMER_QUEUE, apply_account_event))
