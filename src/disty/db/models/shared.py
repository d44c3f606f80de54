"""State that every replica and worker of one deployment shares on PostgreSQL: the
distributors' OAuth tokens (one per app, not one per process) and the calls counted against
the distributors' rate limits (the limit holds for the whole platform). On SQLite (one
process) the in-memory implementations serve and these tables stay empty."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Float, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from disty.db.base import Base, UTCDateTime


class SharedToken(Base):
    """One OAuth token per distributor app, encrypted at rest like every secret."""

    __tablename__ = "shared_tokens"

    key: Mapped[str] = mapped_column(String(300), primary_key=True)
    token_enc: Mapped[str] = mapped_column(Text)
    expires_at: Mapped[float] = mapped_column(Float)  # epoch seconds, as Token holds it
    lifetime_s: Mapped[float] = mapped_column(Float)


class RateLimitCall(Base):
    """One call sent under a rate-limit key, kept for one period (a sliding window)."""

    __tablename__ = "rate_limit_calls"
    __table_args__ = (Index("ix_rate_limit_calls_key_at", "key", "at"),)

    id: Mapped[int] = mapped_column(
        # SQLite numbers rows only in an INTEGER primary key.
        BigInteger().with_variant(Integer, "sqlite"),
        primary_key=True,
    )
    key: Mapped[str] = mapped_column(String(300))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
