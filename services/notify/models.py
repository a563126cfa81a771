"""Tables owned by the notify service."""
from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Column, Index, String, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from services.common.models import utcnow


class Channel(StrEnum):
    in_app = "in_app"   # Trong ứng dụng / trình duyệt
    email = "email"
    sms = "sms"


class DeliveryStatus(StrEnum):
    queued = "queued"
    sent = "sent"
    failed = "failed"    # will be retried at next_attempt_at
    parked = "parked"    # gave up; an admin may replay it


class Person(SQLModel, table=True):
    """Read model of accounts (identity.account.* events): where to reach whom."""

    __tablename__ = "person"

    account_id: str = Field(primary_key=True, max_length=64)
    full_name: str = Field(default="", max_length=300)
    email: str | None = Field(default=None, max_length=200)
    phone: str | None = Field(default=None, max_length=20)
    status: str = Field(default="approved", max_length=20)
    unit_id: str | None = Field(default=None, max_length=32, index=True)
    as_of: str = Field(default="", max_length=40)


class UnitRef(SQLModel, table=True):
    """Read model of the unit tree (orgunits.unit.* events): whose subtree's rules apply to a person."""

    __tablename__ = "notify_unit"

    id: str = Field(primary_key=True, max_length=32)
    name: str = Field(default="", max_length=300)
    path: str = Field(default="", max_length=2000, index=True)
    as_of: str = Field(default="", max_length=40)


class _RuleFields(SQLModel):
    event_type: str = Field(max_length=120)
    role: str = Field(max_length=40)
    channel: str = Field(max_length=10)
    enabled: bool = True
    updated_by: str | None = Field(default=None, max_length=64)
    updated_at: datetime = Field(default_factory=utcnow)


class Rule(_RuleFields, table=True):
    """Event type × recipient role × channel: on or off (Cấu hình thông báo), for the whole province."""

    __tablename__ = "rule"
    __table_args__ = (UniqueConstraint("event_type", "role", "channel"),)

    id: int | None = Field(default=None, primary_key=True)


class RuleOverride(_RuleFields, table=True):
    """A unit subtree's own choice for one event × role × channel (its admins' override of the province's)."""

    __tablename__ = "rule_override"
    __table_args__ = (UniqueConstraint("unit_id", "event_type", "role", "channel"),)

    id: int | None = Field(default=None, primary_key=True)
    unit_id: str = Field(max_length=32)


class _TemplateFields(SQLModel):
    event_type: str = Field(max_length=120)
    channel: str = Field(max_length=10)
    subject: str = Field(default="", max_length=500)
    body: str = Field(sa_type=Text, nullable=False)
    updated_by: str | None = Field(default=None, max_length=64)
    updated_at: datetime = Field(default_factory=utcnow)


class Template(_TemplateFields, table=True):
    """The message of an event type on a channel (Thiết lập mẫu thông báo), for the whole province; Jinja2,
    sandboxed."""

    __tablename__ = "template"
    __table_args__ = (UniqueConstraint("event_type", "channel"),)

    id: int | None = Field(default=None, primary_key=True)


class TemplateOverride(_TemplateFields, table=True):
    """A unit subtree's own message for an event type on a channel."""

    __tablename__ = "template_override"
    __table_args__ = (UniqueConstraint("unit_id", "event_type", "channel"),)

    id: int | None = Field(default=None, primary_key=True)
    unit_id: str = Field(max_length=32)


class Notification(SQLModel, table=True):
    """An in-app notification in someone's inbox."""

    __tablename__ = "notification"
    __table_args__ = (UniqueConstraint("event_id", "account_id"),
                      Index("ix_notification_inbox", "account_id", "id"))

    id: int | None = Field(default=None, primary_key=True)
    account_id: str = Field(max_length=64)
    event_id: str = Field(max_length=36)
    event_type: str = Field(max_length=120)
    title: str = Field(max_length=500)
    body: str = Field(sa_column=Column(Text, nullable=False))
    subject_id: str | None = Field(default=None, max_length=200)
    created_at: datetime = Field(default_factory=utcnow)
    read_at: datetime | None = None


class Delivery(SQLModel, table=True):
    """One message on one outside channel (e-mail, SMS) and what became of it."""

    __tablename__ = "delivery"
    __table_args__ = (UniqueConstraint("event_id", "account_id", "channel"),
                      Index("ix_delivery_due", "status", "next_attempt_at"))

    id: int | None = Field(default=None, primary_key=True)
    event_id: str = Field(max_length=36)
    event_type: str = Field(max_length=120)
    account_id: str = Field(max_length=64)
    channel: str = Field(max_length=10)
    address: str | None = Field(default=None, max_length=200)
    subject: str = Field(default="", max_length=500)
    body: str = Field(sa_column=Column(Text, nullable=False))
    secret: bool = Field(default=False, description="carries a one-time secret: never logged, wiped once sent")
    secret_value: str | None = Field(default=None, max_length=500,
                                     description="put into the body by the channel at send time; never shown, "
                                                 "wiped once sent or parked")
    status: DeliveryStatus = Field(default=DeliveryStatus.queued, sa_type=String(10))
    attempts: int = 0
    next_attempt_at: datetime = Field(default_factory=utcnow)
    last_error: str | None = Field(default=None, max_length=500)
    created_at: datetime = Field(default_factory=utcnow)
    sent_at: datetime | None = None


NOTIFY_TABLES = ("person", "notify_unit", "rule", "rule_override", "template", "template_override", "notification",
                 "delivery")
