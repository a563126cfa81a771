"""token floors, refresh-token families, attempt budgets with a window

Revision ID: 0002
Revises: 0001
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from services.common.migration_ops import create_token_floor, drop_token_floor

revision: str = '0002'
down_revision: str | None = '0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    create_token_floor()
    with op.batch_alter_table('refresh_token', schema=None) as batch_op:
        batch_op.add_column(sa.Column('family', sa.String(length=32), nullable=True))
        batch_op.create_index('ix_refresh_token_family', ['family'], unique=False)
    with op.batch_alter_table('login_throttle', schema=None) as batch_op:
        batch_op.alter_column('blocked_until', new_column_name='window_ends_at')


def downgrade() -> None:
    with op.batch_alter_table('login_throttle', schema=None) as batch_op:
        batch_op.alter_column('window_ends_at', new_column_name='blocked_until')
    with op.batch_alter_table('refresh_token', schema=None) as batch_op:
        batch_op.drop_index('ix_refresh_token_family')
        batch_op.drop_column('family')
    drop_token_floor()
