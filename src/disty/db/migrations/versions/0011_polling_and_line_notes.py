"""Following orders without webhooks: when disty asks the supplier about a PO next, and what
the supplier said about each accepted line (back-ordered, waiting for its own price review).

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06 21:05:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

UTC_DATETIME = sa.DateTime(timezone=True)

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("purchase_orders", schema=None) as batch_op:
        batch_op.add_column(sa.Column("next_check_at", UTC_DATETIME, nullable=True))
        batch_op.create_index("ix_purchase_orders_next_check_at", ["next_check_at"])
    with op.batch_alter_table("po_lines", schema=None) as batch_op:
        batch_op.add_column(sa.Column("supplier_note", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("po_lines", schema=None) as batch_op:
        batch_op.drop_column("supplier_note")
    with op.batch_alter_table("purchase_orders", schema=None) as batch_op:
        batch_op.drop_index("ix_purchase_orders_next_check_at")
        batch_op.drop_column("next_check_at")
