"""Requisitions: a sourced list bought as one PO per supplier, and each PO's requisition.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-08 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

UTC_DATETIME = sa.DateTime(timezone=True)

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "requisitions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=18), nullable=False),
        sa.Column("country_id", sa.Integer(), nullable=False),
        sa.Column("choices", sa.JSON(), nullable=False),
        sa.Column("ship_to", sa.JSON(), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("created_at", UTC_DATETIME, nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_requisitions_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_requisitions")),
        sa.UniqueConstraint("tenant_id", "number", name=op.f("uq_requisitions_tenant_id_number")),
    )
    with op.batch_alter_table("purchase_orders", schema=None) as batch_op:
        batch_op.add_column(sa.Column("requisition_id", sa.Integer(), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_purchase_orders_requisition_id"), ["requisition_id"], unique=False
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_purchase_orders_requisition_id_requisitions"), "requisitions",
            ["requisition_id"], ["id"], ondelete="SET NULL",
        )  # fmt: skip


def downgrade() -> None:
    with op.batch_alter_table("purchase_orders", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_purchase_orders_requisition_id_requisitions"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_purchase_orders_requisition_id"))
        batch_op.drop_column("requisition_id")
    op.drop_table("requisitions")
