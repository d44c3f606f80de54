"""Purchase orders, their lines, shipments, invoices and timeline.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28 04:39:10.541502
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

UTC_DATETIME = sa.DateTime(timezone=True)


revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "purchase_orders",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("connection_id", sa.Integer(), nullable=False),
        sa.Column("supplier", sa.String(length=32), nullable=False),
        sa.Column("country_id", sa.Integer(), nullable=False),
        sa.Column("po_number", sa.String(length=18), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("hold_for_review", sa.Boolean(), nullable=False),
        sa.Column("ship_to", sa.JSON(), nullable=False),
        sa.Column("end_user", sa.JSON(), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("supplier_order_numbers", sa.JSON(), nullable=False),
        sa.Column("failure_reason", sa.Text(), nullable=True),
        sa.Column("approved_by", sa.String(length=200), nullable=True),
        sa.Column("submit_attempts", sa.Integer(), nullable=False),
        sa.Column("lease_until", UTC_DATETIME, nullable=True),
        sa.Column("refreshed_at", UTC_DATETIME, nullable=True),
        sa.Column("created_at", UTC_DATETIME, nullable=False),
        sa.Column("updated_at", UTC_DATETIME, nullable=False),
        sa.ForeignKeyConstraint(
            ["connection_id"],
            ["supplier_connections.id"],
            name=op.f("fk_purchase_orders_connection_id_supplier_connections"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_purchase_orders_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_purchase_orders")),
        sa.UniqueConstraint(
            "tenant_id",
            "supplier",
            "po_number",
            name=op.f("uq_purchase_orders_tenant_id_supplier_po_number"),
        ),
    )
    with op.batch_alter_table("purchase_orders", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_purchase_orders_connection_id"), ["connection_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_purchase_orders_status"), ["status"], unique=False)

    op.create_table(
        "po_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("po_id", sa.Integer(), nullable=False),
        sa.Column("at", UTC_DATETIME, nullable=False),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["po_id"],
            ["purchase_orders.id"],
            name=op.f("fk_po_events_po_id_purchase_orders"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_po_events")),
    )
    with op.batch_alter_table("po_events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_po_events_po_id"), ["po_id"], unique=False)

    op.create_table(
        "po_invoices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("po_id", sa.Integer(), nullable=False),
        sa.Column("invoice_number", sa.String(length=60), nullable=False),
        sa.Column("supplier_order_number", sa.String(length=40), nullable=True),
        sa.ForeignKeyConstraint(
            ["po_id"],
            ["purchase_orders.id"],
            name=op.f("fk_po_invoices_po_id_purchase_orders"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_po_invoices")),
        sa.UniqueConstraint(
            "po_id", "invoice_number", name=op.f("uq_po_invoices_po_id_invoice_number")
        ),
    )
    op.create_table(
        "po_lines",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("po_id", sa.Integer(), nullable=False),
        sa.Column("line_number", sa.Integer(), nullable=False),
        sa.Column("sku", sa.String(length=40), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("expected_price", sa.Numeric(precision=14, scale=4), nullable=True),
        sa.Column("current_price", sa.Numeric(precision=14, scale=4), nullable=True),
        sa.Column("special_bid", sa.String(length=40), nullable=True),
        sa.Column("shipped_quantity", sa.Integer(), nullable=False),
        sa.Column("backordered_quantity", sa.Integer(), nullable=False),
        sa.Column("rejected_reason", sa.Text(), nullable=True),
        sa.Column("supplier_order_number", sa.String(length=40), nullable=True),
        sa.Column("supplier_line_number", sa.String(length=20), nullable=True),
        sa.Column("serial_numbers", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["po_id"],
            ["purchase_orders.id"],
            name=op.f("fk_po_lines_po_id_purchase_orders"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_po_lines")),
        sa.UniqueConstraint("po_id", "line_number", name=op.f("uq_po_lines_po_id_line_number")),
    )
    op.create_table(
        "po_shipments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("po_id", sa.Integer(), nullable=False),
        sa.Column("sku", sa.String(length=40), nullable=False),
        sa.Column("carrier", sa.String(length=100), nullable=True),
        sa.Column("tracking_number", sa.String(length=100), nullable=False),
        sa.Column("tracking_url", sa.String(length=500), nullable=True),
        sa.Column("shipped_on", sa.String(length=40), nullable=True),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["po_id"],
            ["purchase_orders.id"],
            name=op.f("fk_po_shipments_po_id_purchase_orders"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_po_shipments")),
        sa.UniqueConstraint(
            "po_id",
            "tracking_number",
            "sku",
            name=op.f("uq_po_shipments_po_id_tracking_number_sku"),
        ),
    )


def downgrade() -> None:
    op.drop_table("po_shipments")
    op.drop_table("po_lines")
    op.drop_table("po_invoices")
    with op.batch_alter_table("po_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_po_events_po_id"))

    op.drop_table("po_events")
    with op.batch_alter_table("purchase_orders", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_purchase_orders_status"))
        batch_op.drop_index(batch_op.f("ix_purchase_orders_connection_id"))

    op.drop_table("purchase_orders")
