"""Tables every service database has: the outbox (events to publish), the inbox (events processed) and the
token floors (revoked access tokens)."""
from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Column, Index, Text, text
from sqlmodel import Field, SQLModel

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")   # the suite stores and sends UTC; people read and count days in this zone


def utcnow() -> datetime:
    return datetime.now(UTC)


def iso(moment: datetime | None) -> str | None:
    """ISO 8601 in UTC with a Z, as every API response and event shows times (None stays None)."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


class OutboxMessage(SQLModel, table=True):
    """An event written in the same transaction as the change that caused it; the relay publishes it."""

    __tablename__ = "outbox"
    __table_args__ = (
        Index("ix_outbox_unsent", "id", sqlite_where=text("sent_at IS NULL"),
              postgresql_where=text("sent_at IS NULL")),
    )

    id: int | None = Field(default=None, primary_key=True)
    event_id: str = Field(max_length=36, unique=True)
    event_type: str = Field(max_length=120)
    subject: str = Field(max_length=200)
    body: str = Field(sa_column=Column(Text, nullable=False))
    created_at: datetime = Field(default_factory=utcnow)
    sent_at: datetime | None = None
    attempts: int = 0
    last_error: str | None = Field(default=None, max_length=500)

    @classmethod
    def from_event(cls, event: dict[str, Any]) -> OutboxMessage:
        return cls(
            event_id=event["id"],
            event_type=event["type"],
            subject=event["subject"],
            body=json.dumps(event, ensure_ascii=False),
        )

    def event(self) -> dict[str, Any]:
        return json.loads(self.body)


class InboxEntry(SQLModel, table=True):
    """An event a consumer has applied; recorded in the same transaction as its effect."""

    __tablename__ = "inbox"

    consumer: str = Field(primary_key=True, max_length=120)
    event_id: str = Field(primary_key=True, max_length=36)
    event_type: str = Field(max_length=120)
    processed_at: datetime = Field(default_factory=utcnow)


class TokenFloor(SQLModel, table=True):
    """The lowest token generation still accepted for an account (identity's revocations, mirrored)."""

    __tablename__ = "token_floor"

    account_id: str = Field(primary_key=True, max_length=64)
    version: int = 0
    updated_at: datetime = Field(default_factory=utcnow)


COMMON_TABLES = ("outbox", "inbox", "token_floor")
