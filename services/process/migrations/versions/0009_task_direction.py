"""task direction (chỉ đạo điều hành): assignments, the sub-task tree, participants, handovers, history, files,
tags, status groups and unit set-up

Revision ID: 0009
Revises: 0008
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '0009'
down_revision: str | None = '0008'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('direction_assignment',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('number', sa.String(length=100), nullable=True),
    sa.Column('doc_date', sa.Date(), nullable=True),
    sa.Column('signer', sa.String(length=300), nullable=True),
    sa.Column('issuing_unit', sa.String(length=300), nullable=True),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('assigning_unit_id', sa.String(length=32), nullable=False),
    sa.Column('assigner_id', sa.String(length=64), nullable=False),
    sa.Column('created_by', sa.String(length=64), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('deleted_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('direction_assignment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_direction_assignment_assigning_unit_id'), ['assigning_unit_id'],
                              unique=False)

    op.create_table('direction_coordinator',
    sa.Column('task_id', sa.String(length=32), nullable=False),
    sa.Column('unit_id', sa.String(length=32), nullable=False),
    sa.PrimaryKeyConstraint('task_id', 'unit_id')
    )
    with op.batch_alter_table('direction_coordinator', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_direction_coordinator_unit_id'), ['unit_id'], unique=False)

    op.create_table('direction_file',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('assignment_id', sa.String(length=32), nullable=False),
    sa.Column('task_id', sa.String(length=32), nullable=True),
    sa.Column('purpose', sa.String(length=20), nullable=False),
    sa.Column('filename', sa.String(length=300), nullable=False),
    sa.Column('content_type', sa.String(length=200), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('content', sa.LargeBinary(), nullable=False),
    sa.Column('uploaded_by', sa.String(length=64), nullable=True),
    sa.Column('uploaded_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('direction_file', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_direction_file_assignment_id'), ['assignment_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_direction_file_task_id'), ['task_id'], unique=False)

    op.create_table('direction_handover',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('task_id', sa.String(length=32), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('from_account', sa.String(length=64), nullable=True),
    sa.Column('to_accounts', sa.JSON(), nullable=False),
    sa.Column('note', sa.String(length=2000), nullable=True),
    sa.Column('at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('direction_handover', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_direction_handover_task_id'), ['task_id'], unique=False)

    op.create_table('direction_history',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('task_id', sa.String(length=32), nullable=False),
    sa.Column('action', sa.String(length=40), nullable=False),
    sa.Column('actor', sa.String(length=64), nullable=True),
    sa.Column('actor_name', sa.String(length=300), nullable=True),
    sa.Column('text', sa.Text(), nullable=True),
    sa.Column('percent', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=40), nullable=True),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.Column('at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('direction_history', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_direction_history_task_id'), ['task_id'], unique=False)

    op.create_table('direction_participant',
    sa.Column('task_id', sa.String(length=32), nullable=False),
    sa.Column('account_id', sa.String(length=64), nullable=False),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.PrimaryKeyConstraint('task_id', 'account_id', 'role')
    )
    with op.batch_alter_table('direction_participant', schema=None) as batch_op:
        batch_op.create_index('ix_direction_participant_account', ['account_id', 'role'], unique=False)

    op.create_table('direction_status',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('group_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('category', sa.String(length=20), nullable=False),
    sa.Column('color', sa.String(length=7), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('on_action', sa.String(length=20), nullable=False),
    sa.Column('task_roles', sa.JSON(), nullable=False),
    sa.Column('unit_roles', sa.JSON(), nullable=False),
    sa.Column('reason_required', sa.Boolean(), nullable=False),
    sa.Column('attachment_required', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('group_id', 'code'),
    sa.UniqueConstraint('group_id', 'on_action')
    )
    with op.batch_alter_table('direction_status', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_direction_status_group_id'), ['group_id'], unique=False)

    op.create_table('direction_status_group',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('unit_id', sa.String(length=32), nullable=True),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('direction_tag',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('color', sa.String(length=7), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('unit_id', 'name')
    )
    with op.batch_alter_table('direction_tag', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_direction_tag_unit_id'), ['unit_id'], unique=False)

    op.create_table('direction_task',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('assignment_id', sa.String(length=32), nullable=False),
    sa.Column('parent_id', sa.String(length=32), nullable=True),
    sa.Column('root_id', sa.String(length=32), nullable=False),
    sa.Column('path', sa.Text(), nullable=False),
    sa.Column('depth', sa.Integer(), nullable=False),
    sa.Column('instance_id', sa.String(length=32), nullable=True),
    sa.Column('name', sa.String(length=500), nullable=False),
    sa.Column('search', sa.String(length=1200), nullable=False),
    sa.Column('assigning_unit_id', sa.String(length=32), nullable=False),
    sa.Column('executing_unit_id', sa.String(length=32), nullable=False),
    sa.Column('assigner_id', sa.String(length=64), nullable=False),
    sa.Column('created_by', sa.String(length=64), nullable=False),
    sa.Column('priority', sa.String(length=10), nullable=False),
    sa.Column('deadline', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('status_group_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=40), nullable=False),
    sa.Column('category', sa.String(length=20), nullable=False),
    sa.Column('handlers', sa.JSON(), nullable=False),
    sa.Column('progress', sa.Integer(), nullable=False),
    sa.Column('leaves', sa.Integer(), nullable=False),
    sa.Column('leaf_progress', sa.Float(), nullable=False),
    sa.Column('progress_locked', sa.Boolean(), nullable=False),
    sa.Column('acted', sa.Boolean(), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('completed_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('done_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('overdue_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('deleted_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('direction_task', schema=None) as batch_op:
        batch_op.create_index('ix_direction_task_assigning', ['assigning_unit_id', 'created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_direction_task_assignment_id'), ['assignment_id'], unique=False)
        batch_op.create_index('ix_direction_task_executing', ['executing_unit_id', 'category', 'deadline'],
                              unique=False)
        batch_op.create_index(batch_op.f('ix_direction_task_instance_id'), ['instance_id'], unique=False)
        batch_op.create_index('ix_direction_task_open', ['category', 'deadline'], unique=False)
        batch_op.create_index(batch_op.f('ix_direction_task_parent_id'), ['parent_id'], unique=False)
        batch_op.create_index('ix_direction_task_root', ['root_id', 'depth'], unique=False)

    op.create_table('direction_task_tag',
    sa.Column('task_id', sa.String(length=32), nullable=False),
    sa.Column('tag_id', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('task_id', 'tag_id')
    )
    with op.batch_alter_table('direction_task_tag', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_direction_task_tag_tag_id'), ['tag_id'], unique=False)

    op.create_table('direction_unit_role',
    sa.Column('unit_id', sa.String(length=32), nullable=False),
    sa.Column('side', sa.String(length=10), nullable=False),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.Column('account_id', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('unit_id', 'side', 'role', 'account_id')
    )
    with op.batch_alter_table('direction_unit_role', schema=None) as batch_op:
        batch_op.create_index('ix_direction_unit_role_account', ['account_id'], unique=False)

    op.create_table('direction_unit_settings',
    sa.Column('unit_id', sa.String(length=32), nullable=False),
    sa.Column('status_group_id', sa.Integer(), nullable=True),
    sa.Column('assign_roles', sa.JSON(), nullable=False),
    sa.Column('receive_roles', sa.JSON(), nullable=False),
    sa.Column('follow_roles', sa.JSON(), nullable=False),
    sa.Column('due_soon_days', sa.Integer(), nullable=False),
    sa.Column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('updated_by', sa.String(length=64), nullable=True),
    sa.PrimaryKeyConstraint('unit_id')
    )


def downgrade() -> None:
    op.drop_table('direction_unit_settings')
    with op.batch_alter_table('direction_unit_role', schema=None) as batch_op:
        batch_op.drop_index('ix_direction_unit_role_account')

    op.drop_table('direction_unit_role')
    with op.batch_alter_table('direction_task_tag', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_direction_task_tag_tag_id'))

    op.drop_table('direction_task_tag')
    with op.batch_alter_table('direction_task', schema=None) as batch_op:
        batch_op.drop_index('ix_direction_task_root')
        batch_op.drop_index(batch_op.f('ix_direction_task_parent_id'))
        batch_op.drop_index('ix_direction_task_open')
        batch_op.drop_index(batch_op.f('ix_direction_task_instance_id'))
        batch_op.drop_index('ix_direction_task_executing')
        batch_op.drop_index(batch_op.f('ix_direction_task_assignment_id'))
        batch_op.drop_index('ix_direction_task_assigning')

    op.drop_table('direction_task')
    with op.batch_alter_table('direction_tag', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_direction_tag_unit_id'))

    op.drop_table('direction_tag')
    op.drop_table('direction_status_group')
    with op.batch_alter_table('direction_status', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_direction_status_group_id'))

    op.drop_table('direction_status')
    with op.batch_alter_table('direction_participant', schema=None) as batch_op:
        batch_op.drop_index('ix_direction_participant_account')

    op.drop_table('direction_participant')
    with op.batch_alter_table('direction_history', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_direction_history_task_id'))

    op.drop_table('direction_history')
    with op.batch_alter_table('direction_handover', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_direction_handover_task_id'))

    op.drop_table('direction_handover')
    with op.batch_alter_table('direction_file', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_direction_file_task_id'))
        batch_op.drop_index(batch_op.f('ix_direction_file_assignment_id'))

    op.drop_table('direction_file')
    with op.batch_alter_table('direction_coordinator', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_direction_coordinator_unit_id'))

    op.drop_table('direction_coordinator')
    with op.batch_alter_table('direction_assignment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_direction_assignment_assigning_unit_id'))

    op.drop_table('direction_assignment')
