"""The body of every service's Alembic env.py: migrate only the tables that service owns."""
from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine, pool
from sqlmodel import SQLModel

from services.common.models import COMMON_TABLES


def run_migrations(owned_tables: tuple[str, ...]) -> None:
    tables = set(owned_tables) | set(COMMON_TABLES)

    def include_name(name, type_, _parent_names) -> bool:
        return name in tables if type_ == "table" else True

    url = context.config.get_main_option("sqlalchemy.url")
    options = {"target_metadata": SQLModel.metadata, "include_name": include_name,
               "render_as_batch": url.startswith("sqlite"), "compare_type": True}
    if context.is_offline_mode():
        context.configure(url=url, literal_binds=True, **options)
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = create_engine(url, poolclass=pool.NullPool)
    with engine.connect() as connection:
        context.configure(connection=connection, **options)
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()
