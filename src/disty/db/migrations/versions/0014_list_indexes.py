"""Indexes for the console's lists at scale: keyset pages of POs and webhook events by
(tenant, sort key, id), with and without a status, and the searches by prefix (PO number,
SKU, supplier order number, invoice number, event id), and a connection's last delivery (the
dashboard's webhook health read 1M events without it). The events' tenant-only index is
replaced by (tenant, received, id), which answers everything it did.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-12 10:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# PostgreSQL: byte-order indexes for prefix search in any collation (services/keyset.py).
BYTEWISE = "varchar_pattern_ops"

INDEXES: list[tuple[str, str, list[str], dict[str, str]]] = [
    ("ix_purchase_orders_tenant_created", "purchase_orders", ["tenant_id", "created_at", "id"], {}),
    (
        "ix_purchase_orders_tenant_status_created",
        "purchase_orders",
        ["tenant_id", "status", "created_at", "id"],
        {},
    ),
    ("ix_purchase_orders_tenant_updated", "purchase_orders", ["tenant_id", "updated_at", "id"], {}),
    (
        "ix_purchase_orders_tenant_po_number",
        "purchase_orders",
        ["tenant_id", "po_number"],
        {"po_number": BYTEWISE},
    ),
    ("ix_po_lines_sku", "po_lines", ["sku"], {"sku": BYTEWISE}),
    (
        "ix_po_lines_supplier_order_number",
        "po_lines",
        ["supplier_order_number"],
        {"supplier_order_number": BYTEWISE},
    ),
    (
        "ix_po_invoices_invoice_number",
        "po_invoices",
        ["invoice_number"],
        {"invoice_number": BYTEWISE},
    ),
    (
        "ix_inbound_events_connection_received",
        "inbound_events",
        ["connection_id", "received_at"],
        {},
    ),
    ("ix_inbound_events_tenant_received", "inbound_events", ["tenant_id", "received_at", "id"], {}),
    (
        "ix_inbound_events_tenant_status_received",
        "inbound_events",
        ["tenant_id", "status", "received_at", "id"],
        {},
    ),
    (
        "ix_inbound_events_tenant_event_id",
        "inbound_events",
        ["tenant_id", "event_id"],
        {"event_id": BYTEWISE},
    ),
]


def upgrade() -> None:
    for name, table, columns, ops in INDEXES:
        op.create_index(name, table, columns, postgresql_ops=ops)
    op.drop_index("ix_inbound_events_tenant_id", table_name="inbound_events")


def downgrade() -> None:
    op.create_index("ix_inbound_events_tenant_id", "inbound_events", ["tenant_id"])
    for name, table, _, _ in reversed(INDEXES):
        op.drop_index(name, table_name=table)
