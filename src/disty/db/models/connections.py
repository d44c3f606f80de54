"""Supplier connections and their webhook keys.

Columns ending in ``_enc`` hold Fernet tokens (see disty.crypto), never plaintext.
"""

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from disty.db.base import Base, UTCDateTime, dialect_kwargs, utcnow

# The modules of the tables this module's foreign keys name: loaded before a flush
# (models.load_referenced), not with this module, so a command that only reads maps no more.
REFERENCES = ("tenants",)


class SupplierConnection(Base):
    __tablename__ = "supplier_connections"
    __table_args__ = (
        UniqueConstraint("tenant_id", "supplier", "country_id"),
        # A connection exists only for a country site its tenant uses.
        ForeignKeyConstraint(
            ["tenant_id", "country_id"],
            ["tenant_countries.tenant_id", "tenant_countries.country_id"],
            ondelete="CASCADE",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"))
    supplier: Mapped[str] = mapped_column(String(32))
    country_id: Mapped[int] = mapped_column(Integer)
    api_type: Mapped[str] = mapped_column(String(8), default="rest")
    # The supplier's declared settings (suppliers/registry.py), by name: plain values in
    # ``settings``, secrets in ``secrets_enc`` as one Fernet token per value (a token each, so
    # key rotation and migrations move them without reading them).
    settings: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    secrets_enc: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    base_url: Mapped[str] = mapped_column(String(500))
    last_test_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_test_result: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    webhook_keys: Mapped[list["WebhookKey"]] = relationship(
        back_populates="connection",
        cascade="all, delete-orphan",
        order_by="WebhookKey.id",
        lazy="selectin",
    )


class WebhookKey(Base):
    """One webhook's signing secret (a "Signature Token" in the distributor's portal).

    A connection holds one current key per label (one per webhook configured in the portal).
    Replacing a key sets ``retired_at`` and ``valid_until`` on the old one, which keeps
    verifying deliveries until then, so nothing is lost while the portal switches over.
    """

    __tablename__ = "webhook_keys"
    __table_args__ = (
        # At most one current key per label; retired keys may share it.
        Index(
            "uq_webhook_keys_current_label",
            "connection_id",
            "label",
            unique=True,
            info=dialect_kwargs(
                sqlite_where=text("retired_at IS NULL"),
                postgresql_where=text("retired_at IS NULL"),
            ),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    connection_id: Mapped[int] = mapped_column(
        ForeignKey("supplier_connections.id", ondelete="CASCADE"), index=True
    )
    label: Mapped[str] = mapped_column(String(64))
    secret_enc: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    valid_until: Mapped[datetime | None] = mapped_column(UTCDateTime)

    connection: Mapped[SupplierConnection] = relationship(back_populates="webhook_keys")
