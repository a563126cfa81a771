"""a version's content may repeat an older version's: re-uploading an older file makes it current again

Revision ID: 0004
Revises: 0003
"""
from collections.abc import Sequence

from alembic import op

revision: str = '0004'
down_revision: str | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_NAMES = {"uq": "%(table_name)s_%(column_0_N_name)s_key"}  # what PostgreSQL named the unnamed constraints


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.drop_constraint("process_definition_key_content_hash_key", "process_definition", type_="unique")
        return
    with op.batch_alter_table("process_definition", naming_convention=_NAMES) as batch_op:
        batch_op.drop_constraint("process_definition_key_content_hash_key", type_="unique")


def downgrade() -> None:
    with op.batch_alter_table("process_definition") as batch_op:
        batch_op.create_unique_constraint("process_definition_key_content_hash_key", ["key", "content_hash"])
