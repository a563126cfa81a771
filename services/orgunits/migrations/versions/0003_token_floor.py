"""token floors: access tokens withdrawn by identity before they expire

Revision ID: 0003
Revises: 0002
"""
from collections.abc import Sequence

from services.common.migration_ops import create_token_floor, drop_token_floor

revision: str = '0003'
down_revision: str | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    create_token_floor()


def downgrade() -> None:
    drop_token_floor()
