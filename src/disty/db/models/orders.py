"""Purchase orders, their lines, shipments, serial numbers, invoices and timeline.

A PO in status ``submitting`` is the outbox: it is committed before anything is sent, and
``submit_attempts`` counts sends that may have reached the supplier, so recovery knows it must
search the supplier for the PO number before sending again.
"""

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from disty.db.base import MONEY, Base, UTCDateTime, dialect_kwargs, utcnow

# The modules of the tables this module's foreign keys name: loaded before a flush
# (models.load_referenced), not with this module, so a command that only reads maps no more.
REFERENCES = ("connections", "requisitions", "tenants")

# Search is by prefix (services/keyset.py): PostgreSQL answers it from an index in byte order,
# whatever the database's collation; SQLite's indexes are in byte order already.
BYTEWISE = "varchar_pattern_ops"


class PurchaseOrder(Base):
    __tablename__ = "purchase_orders"
    __table_args__ = (
        UniqueConstraint("tenant_id", "supplier", "po_number"),
        # The lists' keyset pages (newest first, by status), the dashboard's last changed, and
        # the search by PO number.
        Index("ix_purchase_orders_tenant_created", "tenant_id", "created_at", "id"),
        Index(
            "ix_purchase_orders_tenant_status_created", "tenant_id", "status", "created_at", "id"
        ),
        Index("ix_purchase_orders_tenant_updated", "tenant_id", "updated_at", "id"),
        Index(
            "ix_purchase_orders_tenant_po_number", "tenant_id", "po_number",
            info=dialect_kwargs(postgresql_ops={"po_number": BYTEWISE}),
        ),
    )  # fmt: skip

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"))
    connection_id: Mapped[int] = mapped_column(
        ForeignKey("supplier_connections.id", ondelete="CASCADE"), index=True
    )
    supplier: Mapped[str] = mapped_column(String(32))
    country_id: Mapped[int] = mapped_column(Integer)
    po_number: Mapped[str] = mapped_column(String(18))
    status: Mapped[str] = mapped_column(String(20), index=True)
    hold_for_review: Mapped[bool] = mapped_column(Boolean, default=False)
    ship_to: Mapped[dict[str, Any]] = mapped_column(JSON)
    end_user: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    notes: Mapped[str | None] = mapped_column(Text)
    supplier_order_numbers: Mapped[list[str]] = mapped_column(JSON, default=list)
    # The supplier's order API chosen for this PO ("" for a supplier with one). An order
    # accepted with only a confirmation number has its order number follow by webhook or by
    # searching for the PO number.
    api_version: Mapped[str] = mapped_column(String(4), default="v6", server_default="v6")
    quote_number: Mapped[str | None] = mapped_column(String(40))
    confirmation_number: Mapped[str | None] = mapped_column(String(64))
    failure_reason: Mapped[str | None] = mapped_column(Text)
    approved_by: Mapped[str | None] = mapped_column(String(200))
    # Who drafted the PO when it was not a person: "assistant:<token name>#<id>" for an AI
    # assistant over MCP (the console says so, and a person approves it). None: a person or
    # a client of the API.
    origin: Mapped[str | None] = mapped_column(String(200))
    submit_attempts: Mapped[int] = mapped_column(Integer, default=0)
    # A price that cannot be confirmed is never sent: while the distributor's price check
    # fails, the PO stays ``draft`` and the worker checks again at ``price_check_at``
    # (``price_checks`` failed so far); after the last one it waits for approval.
    price_checks: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    price_check_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Why a PO is ``awaiting_approval``: a price rose, or it could not be confirmed.
    approval_reason: Mapped[str | None] = mapped_column(Text)
    # A submitter holds the PO until then, so two workers never send it at once.
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    refreshed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # When the worker next asks the supplier about this PO (None: at its next round). Set from
    # the supplier's polling schedule after each refresh (domain/polling.py).
    next_check_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    # The requisition this PO was placed for (a sourced list bought across suppliers), if any.
    requisition_id: Mapped[int | None] = mapped_column(
        ForeignKey("requisitions.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    lines: Mapped[list["POLine"]] = relationship(
        back_populates="po", cascade="all, delete-orphan", order_by="POLine.line_number",
        lazy="selectin",
    )  # fmt: skip
    shipments: Mapped[list["POShipment"]] = relationship(
        cascade="all, delete-orphan", order_by="POShipment.id", lazy="selectin"
    )
    invoices: Mapped[list["POInvoice"]] = relationship(
        cascade="all, delete-orphan", order_by="POInvoice.id", lazy="selectin"
    )
    timeline: Mapped[list["POEvent"]] = relationship(
        cascade="all, delete-orphan", order_by="POEvent.id", lazy="selectin"
    )


class POLine(Base):
    __tablename__ = "po_lines"
    __table_args__ = (
        UniqueConstraint("po_id", "line_number"),
        # The PO list's search by SKU and by supplier order number.
        Index("ix_po_lines_sku", "sku", info=dialect_kwargs(postgresql_ops={"sku": BYTEWISE})),
        Index(
            "ix_po_lines_supplier_order_number", "supplier_order_number",
            info=dialect_kwargs(postgresql_ops={"supplier_order_number": BYTEWISE}),
        ),
    )  # fmt: skip

    id: Mapped[int] = mapped_column(primary_key=True)
    po_id: Mapped[int] = mapped_column(ForeignKey("purchase_orders.id", ondelete="CASCADE"))
    line_number: Mapped[int] = mapped_column(Integer)  # sent as customerLineNumber "001"
    sku: Mapped[str] = mapped_column(String(40))
    quantity: Mapped[int] = mapped_column(Integer)
    expected_price: Mapped[Decimal | None] = mapped_column(MONEY)
    current_price: Mapped[Decimal | None] = mapped_column(MONEY)
    special_bid: Mapped[str | None] = mapped_column(String(40))
    shipped_quantity: Mapped[int] = mapped_column(Integer, default=0)
    backordered_quantity: Mapped[int] = mapped_column(Integer, default=0)
    rejected_reason: Mapped[str | None] = mapped_column(Text)
    supplier_order_number: Mapped[str | None] = mapped_column(String(40))
    supplier_line_number: Mapped[str | None] = mapped_column(String(20))
    serial_numbers: Mapped[list[str]] = mapped_column(JSON, default=list)
    # What the supplier says of a line it accepted but has not simply booked: back-ordered,
    # held for its own price review. Replaced by each answer that says something of the line.
    supplier_note: Mapped[str | None] = mapped_column(Text)

    po: Mapped[PurchaseOrder] = relationship(back_populates="lines")

    @property
    def removed(self) -> bool:
        """Removed from the order while it was on hold: kept, with nothing ordered (a line is
        otherwise never saved with quantity 0)."""
        return self.quantity == 0


class POShipment(Base):
    __tablename__ = "po_shipments"
    __table_args__ = (UniqueConstraint("po_id", "tracking_number", "sku"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    po_id: Mapped[int] = mapped_column(ForeignKey("purchase_orders.id", ondelete="CASCADE"))
    sku: Mapped[str] = mapped_column(String(40))
    carrier: Mapped[str | None] = mapped_column(String(100))
    tracking_number: Mapped[str] = mapped_column(String(100))
    tracking_url: Mapped[str | None] = mapped_column(String(500))
    shipped_on: Mapped[str | None] = mapped_column(String(40))
    quantity: Mapped[int] = mapped_column(Integer, default=0)


class POInvoice(Base):
    __tablename__ = "po_invoices"
    __table_args__ = (
        UniqueConstraint("po_id", "invoice_number"),
        # The invoice list's search by invoice number.
        Index(
            "ix_po_invoices_invoice_number", "invoice_number",
            info=dialect_kwargs(postgresql_ops={"invoice_number": BYTEWISE}),
        ),
    )  # fmt: skip

    id: Mapped[int] = mapped_column(primary_key=True)
    po_id: Mapped[int] = mapped_column(ForeignKey("purchase_orders.id", ondelete="CASCADE"))
    invoice_number: Mapped[str] = mapped_column(String(60))
    supplier_order_number: Mapped[str | None] = mapped_column(String(40))


class POEvent(Base):
    """One change in a PO's life: what changed, from where (submit, poll, webhook, person), who."""

    __tablename__ = "po_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    po_id: Mapped[int] = mapped_column(
        ForeignKey("purchase_orders.id", ondelete="CASCADE"), index=True
    )
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    source: Mapped[str] = mapped_column(String(20))
    actor: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(20))
    message: Mapped[str] = mapped_column(Text)
