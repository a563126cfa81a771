"""Database plumbing: one engine per service, a unit of work that carries the outbox, Alembic migrations."""
from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import event as sa_event
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlmodel import Session, create_engine

from services.common.envelope import make_event
from services.common.logging import current_correlation_id
from services.common.models import OutboxMessage


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

        @sa_event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record):
            cursor = dbapi_conn.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.close()

        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=10)


class Database:
    """A service's engine plus the signal that wakes its outbox relay after a commit."""

    def __init__(self, url: str, service: str):
        self.url = url
        self.service = service
        self.engine = make_engine(url)
        self.outbox_signal = threading.Event()

    @property
    def is_postgres(self) -> bool:
        return self.engine.dialect.name == "postgresql"

    def session(self) -> Session:
        return Session(self.engine, expire_on_commit=False)

    def uow(self) -> UnitOfWork:
        return UnitOfWork(self)

    def ping(self) -> None:
        with self.engine.connect() as conn:
            conn.execute(text("SELECT 1"))

    def dispose(self) -> None:
        self.engine.dispose()


class UnitOfWork:
    """One transaction: the change and the events it causes are committed together (transactional outbox)."""

    def __init__(self, db: Database):
        self.db = db
        self.session: Session
        self._emitted = 0

    def __enter__(self) -> UnitOfWork:
        self.session = self.db.session()
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.session.rollback()
        self.session.close()

    def emit(self, event_type: str, subject: str, data: dict[str, Any]) -> dict[str, Any]:
        event = make_event(
            event_type,
            source=self.db.service,
            subject=subject,
            data=data,
            correlation_id=current_correlation_id(),
        )
        self.session.add(OutboxMessage.from_event(event))
        self._emitted += 1
        return event

    def commit(self) -> None:
        self.session.commit()
        if self._emitted:
            self._emitted = 0
            self.db.outbox_signal.set()


def alembic_config(service: str, url: str) -> Config:
    migrations = Path(__file__).resolve().parent.parent / service / "migrations"
    cfg = Config()
    cfg.set_main_option("script_location", str(migrations))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    cfg.attributes["service"] = service
    return cfg


def migrate(service: str, url: str, revision: str = "head") -> None:
    """Bring a service's database to ``revision`` with Alembic (the only way tables are created)."""
    command.upgrade(alembic_config(service, url), revision)
