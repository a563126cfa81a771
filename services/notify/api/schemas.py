"""Path, query and response shapes of the notify API."""
from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from services.common.http import Page

ChannelName = Literal["in_app", "email", "sms"]


class NotificationOut(BaseModel):
    id: int
    event_type: str
    title: str
    body: str
    subject_id: str | None
    created_at: str
    read_at: str | None


class NotificationList(Page):
    items: list[NotificationOut]
    unread: int


class InboxQuery(BaseModel):
    unread: bool = False
    limit: int = Field(default=50, ge=1, le=200)
    offset: int = Field(default=0, ge=0, le=10_000_000)


class NotificationPath(BaseModel):
    notification_id: int = Field(ge=1, le=2**31 - 1)


class StreamQuery(BaseModel):
    access_token: str | None = Field(default=None, max_length=4000, description="EventSource cannot send headers")
    seconds: int = Field(default=300, ge=1, le=3600, description="how long to stream before the client reconnects")


class RuleOut(BaseModel):
    event_type: str
    label: str | None = None
    role: str
    channel: ChannelName
    enabled: bool
    source: str = Field(default="province", description="the unit whose override applies, or province / default")


class RuleList(BaseModel):
    items: list[RuleOut]


class RuleQuery(BaseModel):
    event_type: str | None = Field(default=None, max_length=120)
    unit_id: str | None = Field(default=None, max_length=32, description="the rules in force for this unit's people")


class RuleBody(BaseModel):
    event_type: str = Field(max_length=120)
    role: str = Field(max_length=40)
    channel: ChannelName
    enabled: bool
    unit_id: str | None = Field(default=None, max_length=32,
                                description="override for this unit's subtree (empty: the province's rule)")


class TemplatePath(BaseModel):
    event_type: str = Field(max_length=120)
    channel: ChannelName


class TemplateBody(BaseModel):
    subject: str = Field(default="", max_length=500)
    body: str = Field(min_length=1, max_length=20_000)
    unit_id: str | None = Field(default=None, max_length=32,
                                description="this unit subtree's own template (empty: the province's)")


class TemplateQuery(BaseModel):
    unit_id: str | None = Field(default=None, max_length=32, description="the template in force for this unit")


class PreviewBody(BaseModel):
    event_type: str = Field(max_length=120)
    channel: ChannelName
    subject: str | None = Field(default=None, max_length=500)
    body: str | None = Field(default=None, max_length=20_000)


class DeliveryOut(BaseModel):
    id: int
    event_id: str
    event_type: str
    account_id: str
    channel: str
    address: str | None
    subject: str
    status: str
    attempts: int
    last_error: str | None
    next_attempt_at: str
    sent_at: str | None


class DeliveryList(Page):
    items: list[DeliveryOut]


class DeliveryQuery(BaseModel):
    status: Literal["queued", "sent", "failed", "parked"] | None = None
    limit: int = Field(default=50, ge=1, le=500)
    offset: int = Field(default=0, ge=0, le=10_000_000)


class DeliveryPath(BaseModel):
    delivery_id: int = Field(ge=1, le=2**31 - 1)
