"""Schema steps for the tables every service shares (services/common/models.py), called from each service's
own Alembic revisions so the shared tables evolve the same way everywhere."""
from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op


def create_token_floor() -> None:
    op.create_table(
        "token_floor",
        sa.Column("account_id", sa.String(length=64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("account_id"),
    )


def drop_token_floor() -> None:
    op.drop_table("token_floor")
