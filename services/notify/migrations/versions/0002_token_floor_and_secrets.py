"""token floors; secrets kept apart from bodies; rules and templates per unit subtree

Revision ID: 0002
Revises: 0001
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

from services.common.migration_ops import create_token_floor, drop_token_floor

revision: str = '0002'
down_revision: str | None = '0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _stamp() -> list[sa.Column]:
    return [sa.Column('updated_by', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
            sa.Column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False)]


def upgrade() -> None:
    create_token_floor()
    with op.batch_alter_table('delivery', schema=None) as batch_op:
        batch_op.add_column(sa.Column('secret_value', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True))
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.add_column(sa.Column('unit_id', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True))
        batch_op.create_index('ix_person_unit_id', ['unit_id'], unique=False)
    op.create_table(
        'notify_unit',
        sa.Column('id', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column('path', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
        sa.Column('as_of', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.PrimaryKeyConstraint('id'))
    op.create_index('ix_notify_unit_path', 'notify_unit', ['path'], unique=False)
    op.create_table(
        'rule_override',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('unit_id', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column('event_type', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column('role', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column('channel', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column('enabled', sa.Boolean(), nullable=False), *_stamp(),
        sa.PrimaryKeyConstraint('id'), sa.UniqueConstraint('unit_id', 'event_type', 'role', 'channel'))
    op.create_table(
        'template_override',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('unit_id', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column('event_type', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column('channel', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column('subject', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column('body', sa.Text(), nullable=False),
        *_stamp(),
        sa.PrimaryKeyConstraint('id'), sa.UniqueConstraint('unit_id', 'event_type', 'channel'))


def downgrade() -> None:
    op.drop_table('template_override')
    op.drop_table('rule_override')
    op.drop_index('ix_notify_unit_path', table_name='notify_unit')
    op.drop_table('notify_unit')
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.drop_index('ix_person_unit_id')
        batch_op.drop_column('unit_id')
    with op.batch_alter_table('delivery', schema=None) as batch_op:
        batch_op.drop_column('secret_value')
    drop_token_floor()
