"""cell types, residence cells, seal and signature images

Revision ID: 0005
Revises: 0004
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '0005'
down_revision: str | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('residence_cell',
    sa.Column('account_id', sa.String(length=64), nullable=False),
    sa.Column('unit_id', sa.String(length=32), nullable=False),
    sa.Column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], ),
    sa.PrimaryKeyConstraint('account_id')
    )
    with op.batch_alter_table('residence_cell', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_residence_cell_unit_id'), ['unit_id'], unique=False)

    op.create_table('signature_image',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('unit_id', sa.String(length=32), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('signer_id', sa.String(length=64), nullable=True),
    sa.Column('content_type', sa.String(length=50), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.Column('uploaded_by', sa.String(length=64), nullable=True),
    sa.Column('uploaded_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('signature_image', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_signature_image_unit_id'), ['unit_id'], unique=False)

    with op.batch_alter_table('party_details', schema=None) as batch_op:
        batch_op.add_column(sa.Column('cell_type', sa.String(length=20), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('party_details', schema=None) as batch_op:
        batch_op.drop_column('cell_type')

    with op.batch_alter_table('signature_image', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_signature_image_unit_id'))

    op.drop_table('signature_image')
    with op.batch_alter_table('residence_cell', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_residence_cell_unit_id'))

    op.drop_table('residence_cell')
