"""Purchase orders whose price could not be confirmed: when the worker checks again, how many
checks failed, and why a PO waits for approval.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06 16:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

UTC_DATETIME = sa.DateTime(timezone=True)

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("purchase_orders", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("price_checks", sa.Integer(), nullable=False, server_default="0")
        )
        batch_op.add_column(sa.Column("price_check_at", UTC_DATETIME, nullable=True))
        batch_op.add_column(sa.Column("approval_reason", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("purchase_orders", schema=None) as batch_op:
        batch_op.drop_column("approval_reason")
        batch_op.drop_column("price_check_at")
        batch_op.drop_column("price_checks")
