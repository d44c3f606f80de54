"""The webhook inbox (events, conflicting redeliveries, rejected-delivery counts), stock levels
from stock events, and v7 fields on purchase orders.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28 10:13:12.833201
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

UTC_DATETIME = sa.DateTime(timezone=True)


revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "conflicting_deliveries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("connection_id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.String(length=128), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("body_sha256", sa.String(length=64), nullable=False),
        sa.Column("headers", sa.JSON(), nullable=False),
        sa.Column("received_at", UTC_DATETIME, nullable=False),
        sa.ForeignKeyConstraint(
            ["connection_id"],
            ["supplier_connections.id"],
            name=op.f("fk_conflicting_deliveries_connection_id_supplier_connections"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_conflicting_deliveries")),
    )
    with op.batch_alter_table("conflicting_deliveries", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_conflicting_deliveries_connection_id"), ["connection_id"], unique=False
        )

    op.create_table(
        "inbound_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("connection_id", sa.Integer(), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("supplier", sa.String(length=32), nullable=False),
        sa.Column("country_id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.String(length=128), nullable=False),
        sa.Column("event_type", sa.String(length=64), nullable=False),
        sa.Column("topic", sa.String(length=64), nullable=True),
        sa.Column("event_time", UTC_DATETIME, nullable=True),
        sa.Column("received_at", UTC_DATETIME, nullable=False),
        sa.Column("body", sa.Text(), nullable=True),
        sa.Column("body_sha256", sa.String(length=64), nullable=False),
        sa.Column("headers", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", UTC_DATETIME, nullable=True),
        sa.Column("lease_until", UTC_DATETIME, nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("outcome", sa.Text(), nullable=True),
        sa.Column("unmatched", sa.Boolean(), nullable=False),
        sa.Column("processed_at", UTC_DATETIME, nullable=True),
        sa.Column("pruned_at", UTC_DATETIME, nullable=True),
        sa.ForeignKeyConstraint(
            ["connection_id"],
            ["supplier_connections.id"],
            name=op.f("fk_inbound_events_connection_id_supplier_connections"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_inbound_events_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inbound_events")),
        sa.UniqueConstraint(
            "connection_id", "event_id", name=op.f("uq_inbound_events_connection_id_event_id")
        ),
    )
    with op.batch_alter_table("inbound_events", schema=None) as batch_op:
        batch_op.create_index("ix_inbound_events_due", ["status", "next_attempt_at"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_inbound_events_tenant_id"), ["tenant_id"], unique=False
        )

    op.create_table(
        "rejected_deliveries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("connection_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=32), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("first_at", UTC_DATETIME, nullable=False),
        sa.Column("last_at", UTC_DATETIME, nullable=False),
        sa.ForeignKeyConstraint(
            ["connection_id"],
            ["supplier_connections.id"],
            name=op.f("fk_rejected_deliveries_connection_id_supplier_connections"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rejected_deliveries")),
        sa.UniqueConstraint(
            "connection_id", "reason", name=op.f("uq_rejected_deliveries_connection_id_reason")
        ),
    )
    op.create_table(
        "stock_levels",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("connection_id", sa.Integer(), nullable=False),
        sa.Column("sku", sa.String(length=64), nullable=False),
        sa.Column("total_available", sa.Integer(), nullable=False),
        sa.Column("backorder", sa.Boolean(), nullable=False),
        sa.Column("source", sa.String(length=32), nullable=False),
        sa.Column("event_id", sa.String(length=128), nullable=False),
        sa.Column("event_time", UTC_DATETIME, nullable=False),
        sa.ForeignKeyConstraint(
            ["connection_id"],
            ["supplier_connections.id"],
            name=op.f("fk_stock_levels_connection_id_supplier_connections"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stock_levels")),
        sa.UniqueConstraint("connection_id", "sku", name=op.f("uq_stock_levels_connection_id_sku")),
    )
    with op.batch_alter_table("purchase_orders", schema=None) as batch_op:
        # Existing POs were all placed through v6.
        batch_op.add_column(
            sa.Column("api_version", sa.String(length=4), nullable=False, server_default="v6")
        )
        batch_op.add_column(sa.Column("quote_number", sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column("confirmation_number", sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("purchase_orders", schema=None) as batch_op:
        batch_op.drop_column("confirmation_number")
        batch_op.drop_column("quote_number")
        batch_op.drop_column("api_version")

    op.drop_table("stock_levels")
    op.drop_table("rejected_deliveries")
    with op.batch_alter_table("inbound_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_inbound_events_tenant_id"))
        batch_op.drop_index("ix_inbound_events_due")

    op.drop_table("inbound_events")
    with op.batch_alter_table("conflicting_deliveries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_conflicting_deliveries_connection_id"))

    op.drop_table("conflicting_deliveries")
