"""service tasks as external jobs; incidents

Revision ID: 0006
Revises: 0005
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '0006'
down_revision: str | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'process_job',
        sa.Column('id', sa.String(length=32), nullable=False),
        sa.Column('instance_id', sa.String(length=32), nullable=False),
        sa.Column('engine_id', sa.String(length=36), nullable=False),
        sa.Column('element_id', sa.String(length=200), nullable=False),
        sa.Column('name', sa.String(length=300), nullable=False),
        sa.Column('topic', sa.String(length=100), nullable=False),
        sa.Column('unit_id', sa.String(length=32), nullable=False),
        sa.Column('status', sa.String(length=20), nullable=False),
        sa.Column('retries_left', sa.Integer(), nullable=False),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('last_error', sa.String(length=2000), nullable=True),
        sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column('ended_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column('worker', sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint('id'))
    op.create_index('ix_process_job_instance_id', 'process_job', ['instance_id'])
    op.create_index('ix_process_job_open', 'process_job', ['status', 'topic'])
    op.create_table(
        'process_incident',
        sa.Column('id', sa.String(length=32), nullable=False),
        sa.Column('instance_id', sa.String(length=32), nullable=False),
        sa.Column('unit_id', sa.String(length=32), nullable=False),
        sa.Column('process_key', sa.String(length=200), nullable=False),
        sa.Column('element_id', sa.String(length=200), nullable=True),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('job_id', sa.String(length=32), nullable=True),
        sa.Column('error', sa.String(length=2000), nullable=False),
        sa.Column('status', sa.String(length=20), nullable=False),
        sa.Column('opened_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column('resolved_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column('resolved_by', sa.String(length=64), nullable=True),
        sa.Column('resolution', sa.String(length=20), nullable=True),
        sa.PrimaryKeyConstraint('id'))
    op.create_index('ix_process_incident_instance_id', 'process_incident', ['instance_id'])
    op.create_index('ix_process_incident_unit_open', 'process_incident', ['unit_id', 'status'])


def downgrade() -> None:
    op.drop_table('process_incident')
    op.drop_table('process_job')
