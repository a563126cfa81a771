"""what running instances wait to be told from outside (messages, signals); DMN decision tables beside processes

Revision ID: 0007
Revises: 0006
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0007'
down_revision: str | None = '0006'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'process_wait',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('instance_id', sa.String(length=32), nullable=False),
        sa.Column('kind', sa.String(length=10), nullable=False),
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.Column('element_id', sa.String(length=200), nullable=False),
        sa.Column('correlate_by', sa.String(length=64), nullable=True),
        sa.Column('correlation', sa.String(length=200), nullable=True),
        sa.PrimaryKeyConstraint('id'))
    op.create_index('ix_process_wait_instance_id', 'process_wait', ['instance_id'])
    op.create_index('ix_process_wait_name', 'process_wait', ['kind', 'name'])
    with op.batch_alter_table('process_definition', schema=None) as batch_op:
        batch_op.add_column(sa.Column('kind', sa.String(length=20), nullable=False, server_default='process'))


def downgrade() -> None:
    with op.batch_alter_table('process_definition', schema=None) as batch_op:
        batch_op.drop_column('kind')
    op.drop_table('process_wait')
