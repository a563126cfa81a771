"""a confirmed staffing keeps serving while its edits wait in a draft; holders of unit roles; the versions an
instance's call activities run

Revision ID: 0005
Revises: 0004
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0005'
down_revision: str | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('staffing', schema=None) as batch_op:
        batch_op.add_column(sa.Column('draft', sa.JSON(), nullable=True))
    with op.batch_alter_table('process_instance', schema=None) as batch_op:
        batch_op.add_column(sa.Column('called', sa.JSON(), nullable=False, server_default='{}'))
    op.create_table(
        'process_unit_role',
        sa.Column('unit_id', sa.String(length=32), nullable=False),
        sa.Column('role', sa.String(length=40), nullable=False),
        sa.Column('account_id', sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint('unit_id', 'role', 'account_id'))
    op.create_index('ix_process_unit_role_account_id', 'process_unit_role', ['account_id'])


def downgrade() -> None:
    op.drop_index('ix_process_unit_role_account_id', table_name='process_unit_role')
    op.drop_table('process_unit_role')
    with op.batch_alter_table('process_instance', schema=None) as batch_op:
        batch_op.drop_column('called')
    with op.batch_alter_table('staffing', schema=None) as batch_op:
        batch_op.drop_column('draft')
