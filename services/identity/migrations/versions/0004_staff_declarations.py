"""self-declarations (phiếu kê khai) and the account's grade code, title category and salary coefficient

Revision ID: 0004
Revises: 0003
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '0004'
down_revision: str | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('staff_declaration',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('account_id', sa.String(length=32), nullable=False),
    sa.Column('from_unit_id', sa.String(length=32), nullable=True),
    sa.Column('unit_id', sa.String(length=32), nullable=False),
    sa.Column('values', sa.JSON(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('reason', sa.String(length=1000), nullable=True),
    sa.Column('decided_by', sa.String(length=64), nullable=True),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('decided_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['account_id'], ['account.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('staff_declaration', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_staff_declaration_account_id'), ['account_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_staff_declaration_unit_id'), ['unit_id'], unique=False)

    with op.batch_alter_table('account', schema=None) as batch_op:
        batch_op.add_column(sa.Column('grade_code', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('title_category', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('salary_coefficient', sa.String(length=6), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('account', schema=None) as batch_op:
        batch_op.drop_column('salary_coefficient')
        batch_op.drop_column('title_category')
        batch_op.drop_column('grade_code')

    with op.batch_alter_table('staff_declaration', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_staff_declaration_unit_id'))
        batch_op.drop_index(batch_op.f('ix_staff_declaration_account_id'))

    op.drop_table('staff_declaration')
