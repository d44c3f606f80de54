"""The last price and availability a supplier answered for a product, per connection: what the
product pages show at once (with its age) before anyone asks the supplier live again."""

from datetime import datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from disty.db.base import MONEY, Base, UTCDateTime

# The modules of the tables this module's foreign keys name: loaded before a flush
# (models.load_referenced), not with this module, so a command that only reads maps no more.
REFERENCES = ("connections",)


class LastOffer(Base):
    """One product's last answered offer at one connection; replaced by each newer answer."""

    __tablename__ = "last_offers"
    __table_args__ = (UniqueConstraint("connection_id", "sku"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    connection_id: Mapped[int] = mapped_column(
        ForeignKey("supplier_connections.id", ondelete="CASCADE")
    )
    sku: Mapped[str] = mapped_column(String(64))  # the supplier's part number, upper case
    price: Mapped[Decimal | None] = mapped_column(MONEY)
    currency: Mapped[str | None] = mapped_column(String(3))
    available: Mapped[int | None] = mapped_column(Integer)
    fetched_at: Mapped[datetime] = mapped_column(UTCDateTime)
