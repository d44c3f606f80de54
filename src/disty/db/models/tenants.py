"""Tenants (reseller accounts) and the country sites each one uses."""

from datetime import datetime
from decimal import Decimal

from sqlalchemy import JSON, ForeignKey, Integer, Numeric, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from disty.db.base import Base, UTCDateTime, utcnow


class Tenant(Base):
    __tablename__ = "tenants"

    id: Mapped[int] = mapped_column(primary_key=True)
    shortcut: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    # Suppliers' keys, most preferred first: sourcing's tie-break when a request names none.
    supplier_preference: Mapped[list[str]] = mapped_column(
        JSON, default=list, server_default=text("'[]'")
    )
    # What an AI assistant (MCP) with an ``order`` token may submit without a person: at most
    # this value per PO and in total per UTC day. None (the default): assistants only draft.
    assistant_po_limit: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    assistant_day_limit: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    countries: Mapped[list["TenantCountry"]] = relationship(
        back_populates="tenant",
        cascade="all, delete-orphan",
        order_by="TenantCountry.country_id",
        lazy="selectin",
    )

    @property
    def country_ids(self) -> list[int]:
        return [country.country_id for country in self.countries]


class TenantCountry(Base):
    """A country site (1 = US, 29 = CA) the tenant is served in."""

    __tablename__ = "tenant_countries"

    tenant_id: Mapped[int] = mapped_column(
        ForeignKey("tenants.id", ondelete="CASCADE"), primary_key=True
    )
    country_id: Mapped[int] = mapped_column(Integer, primary_key=True)

    tenant: Mapped[Tenant] = relationship(back_populates="countries")
