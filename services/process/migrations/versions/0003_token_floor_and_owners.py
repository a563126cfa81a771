"""token floors (access tokens withdrawn by identity before they expire); owners of process keys

Revision ID: 0003
Revises: 0002
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from services.common.migration_ops import create_token_floor, drop_token_floor

revision: str = '0003'
down_revision: str | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    create_token_floor()
    with op.batch_alter_table('process_definition', schema=None) as batch_op:
        batch_op.add_column(sa.Column('owner_unit_id', sa.String(length=32), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('process_definition', schema=None) as batch_op:
        batch_op.drop_column('owner_unit_id')
    drop_token_floor()
