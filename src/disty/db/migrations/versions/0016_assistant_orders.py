"""AI assistants (MCP): who drafted a PO, and what a tenant lets assistants submit alone.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-20 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("purchase_orders") as batch:
        batch.add_column(sa.Column("origin", sa.String(length=200), nullable=True))
    with op.batch_alter_table("tenants") as batch:
        batch.add_column(sa.Column("assistant_po_limit", sa.Numeric(14, 2), nullable=True))
        batch.add_column(sa.Column("assistant_day_limit", sa.Numeric(14, 2), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("tenants") as batch:
        batch.drop_column("assistant_day_limit")
        batch.drop_column("assistant_po_limit")
    with op.batch_alter_table("purchase_orders") as batch:
        batch.drop_column("origin")
