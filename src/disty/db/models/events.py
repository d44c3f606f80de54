"""The webhook inbox and what it feeds: events, conflicting redeliveries, rejected deliveries
per reason, and availability from stock events.

An ``InboundEvent`` row is committed before the receiver answers 200, so an accepted delivery
is never lost; it is unique per (connection, event id), so a redelivery is never processed
twice. The row is also the job: ``status``, ``attempts``, ``next_attempt_at`` and
``lease_until`` are what the in-process worker (or, later, a shared PostgreSQL queue) claims.
"""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from disty.db.base import Base, UTCDateTime, dialect_kwargs, utcnow

# The modules of the tables this module's foreign keys name: loaded before a flush
# (models.load_referenced), not with this module, so a command that only reads maps no more.
REFERENCES = ("connections", "tenants")


class InboundEvent(Base):
    __tablename__ = "inbound_events"
    __table_args__ = (
        UniqueConstraint("connection_id", "event_id"),
        # The worker's question: which events are due?
        Index("ix_inbound_events_due", "status", "next_attempt_at"),
        # The last verified delivery of a connection (the dashboard's webhook health).
        Index("ix_inbound_events_connection_received", "connection_id", "received_at"),
        # The event list's keyset pages (newest first, by status) and its search by event id.
        Index("ix_inbound_events_tenant_received", "tenant_id", "received_at", "id"),
        Index(
            "ix_inbound_events_tenant_status_received", "tenant_id", "status", "received_at", "id"
        ),
        Index(
            "ix_inbound_events_tenant_event_id", "tenant_id", "event_id",
            info=dialect_kwargs(postgresql_ops={"event_id": "varchar_pattern_ops"}),
        ),
    )  # fmt: skip

    id: Mapped[int] = mapped_column(primary_key=True)
    connection_id: Mapped[int] = mapped_column(
        ForeignKey("supplier_connections.id", ondelete="CASCADE")
    )
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"))
    supplier: Mapped[str] = mapped_column(String(32))
    country_id: Mapped[int] = mapped_column(Integer)
    event_id: Mapped[str] = mapped_column(String(128))
    event_type: Mapped[str] = mapped_column(String(64))
    topic: Mapped[str | None] = mapped_column(String(64))
    event_time: Mapped[datetime | None] = mapped_column(UTCDateTime)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The envelope as received (None once pruned), its SHA-256 to tell a tampered redelivery,
    # and the request headers without the signature.
    body: Mapped[str | None] = mapped_column(Text)
    body_sha256: Mapped[str] = mapped_column(String(64))
    headers: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16), default="received")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    error: Mapped[str | None] = mapped_column(Text)
    # What processing did ("PO 1001 shipped", "no PO for order 20-RD123: kept").
    outcome: Mapped[str | None] = mapped_column(Text)
    unmatched: Mapped[bool] = mapped_column(Boolean, default=False)
    processed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    pruned_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ConflictingDelivery(Base):
    """Redeliveries of a known event id with another body: kept for audit, never applied.

    One row per (connection, event id), however many come: the first conflicting body whole
    (within the receiver's 10 MiB), then only how many came, when the last did and its body's
    SHA-256. A distributor may sign only the event id, not the body, so whoever captured one
    signed delivery can send it again with any body: each such id costs at most one extra
    body, not one a request.
    """

    __tablename__ = "conflicting_deliveries"
    __table_args__ = (UniqueConstraint("connection_id", "event_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    connection_id: Mapped[int] = mapped_column(
        ForeignKey("supplier_connections.id", ondelete="CASCADE"), index=True
    )
    event_id: Mapped[str] = mapped_column(String(128))
    body: Mapped[str] = mapped_column(Text)  # the first conflicting body
    body_sha256: Mapped[str] = mapped_column(String(64))
    headers: Mapped[dict[str, Any]] = mapped_column(JSON)  # the first one's
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)  # the first
    count: Mapped[int] = mapped_column(Integer, default=1)  # conflicting deliveries in all
    last_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_sha256: Mapped[str] = mapped_column(String(64))


class RejectedDeliveries(Base):
    """How many deliveries were refused, per connection and reason; nothing of them is kept."""

    __tablename__ = "rejected_deliveries"
    __table_args__ = (UniqueConstraint("connection_id", "reason"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    connection_id: Mapped[int] = mapped_column(
        ForeignKey("supplier_connections.id", ondelete="CASCADE")
    )
    reason: Mapped[str] = mapped_column(String(32))
    count: Mapped[int] = mapped_column(Integer, default=0)
    first_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class StockLevel(Base):
    """Availability of one SKU as the last stock event said: for display, never for ordering."""

    __tablename__ = "stock_levels"
    __table_args__ = (UniqueConstraint("connection_id", "sku"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    connection_id: Mapped[int] = mapped_column(
        ForeignKey("supplier_connections.id", ondelete="CASCADE")
    )
    sku: Mapped[str] = mapped_column(String(64))
    total_available: Mapped[int] = mapped_column(Integer)
    backorder: Mapped[bool] = mapped_column(Boolean, default=False)
    source: Mapped[str] = mapped_column(String(32), default="stock event")
    event_id: Mapped[str] = mapped_column(String(128))
    event_time: Mapped[datetime] = mapped_column(UTCDateTime)
