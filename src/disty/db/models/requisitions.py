"""Requisitions: one sourced list of parts bought as one PO per supplier.

The requisition's number is the PO prefix the buyer gave; its POs are numbered from it and
the supplier (services/requisitions.py), so placing it again finds what was placed. What was
confirmed is kept (``choices``), so a second run with other lines under the same number is
refused before anything is placed.
"""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from disty.db.base import Base, UTCDateTime, utcnow

# The modules of the tables this module's foreign keys name: loaded before a flush
# (models.load_referenced), not with this module, so a command that only reads maps no more.
REFERENCES = ("tenants",)


class Requisition(Base):
    __tablename__ = "requisitions"
    __table_args__ = (UniqueConstraint("tenant_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"))
    number: Mapped[str] = mapped_column(String(18))
    country_id: Mapped[int] = mapped_column(Integer)
    # The confirmed lines (line number, part, supplier, SKU, quantity, unit price) and the
    # ship-to, as JSON: what a repeat must match.
    choices: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    ship_to: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
