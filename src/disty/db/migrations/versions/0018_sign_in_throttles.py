"""Failed sign-ins (and unknown API tokens) counted by every replica together: used on
PostgreSQL only (services/shared_state.py); made on both databases for one schema.

Revision ID: 0018
Revises: 0017
Create Date: 2027-01-12 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "sign_in_throttles",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("blocked_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_failure", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_sign_in_throttles")),
    )
    op.create_index("ix_sign_in_throttles_last_failure", "sign_in_throttles", ["last_failure"])


def downgrade() -> None:
    op.drop_index("ix_sign_in_throttles_last_failure", table_name="sign_in_throttles")
    op.drop_table("sign_in_throttles")
