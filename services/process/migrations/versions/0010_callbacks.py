"""callback URLs and their deliveries

Revision ID: 0010
Revises: 0009
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '0010'
down_revision: str | None = '0009'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('process_callback',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('url', sa.String(length=1000), nullable=False),
    sa.Column('unit_id', sa.String(length=32), nullable=False),
    sa.Column('event_types', sa.JSON(), nullable=False),
    sa.Column('secret', sa.String(length=100), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_by', sa.String(length=64), nullable=True),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('process_callback', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_process_callback_unit_id'), ['unit_id'], unique=False)

    op.create_table('process_callback_delivery',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('callback_id', sa.String(length=32), nullable=False),
    sa.Column('event_id', sa.String(length=36), nullable=False),
    sa.Column('event_type', sa.String(length=120), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('delivered_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('parked_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('last_status', sa.Integer(), nullable=True),
    sa.Column('last_error', sa.String(length=500), nullable=True),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['callback_id'], ['process_callback.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('callback_id', 'event_id')
    )
    with op.batch_alter_table('process_callback_delivery', schema=None) as batch_op:
        batch_op.create_index('ix_callback_delivery_due', ['next_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_process_callback_delivery_callback_id'), ['callback_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('process_callback_delivery', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_process_callback_delivery_callback_id'))
        batch_op.drop_index('ix_callback_delivery_due')

    op.drop_table('process_callback_delivery')
    with op.batch_alter_table('process_callback', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_process_callback_unit_id'))

    op.drop_table('process_callback')
