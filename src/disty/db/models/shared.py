"""State that every process of one deployment shares: the distributors' OAuth tokens (one per
app, not one per process: ``disty serve`` and each CLI command on SQLite, every replica and
worker on PostgreSQL; services/token_cache.py) and, on PostgreSQL, the calls counted against
the distributors' rate limits (the limit holds for the whole platform) and the sign-in
throttles' failures. On SQLite those two keep counting in memory and their tables stay
empty."""

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


class SignInThrottle(Base):
    """Failed attempts counted for one throttle key (an account, a client address, a client's
    unknown API tokens) by every replica together (services/shared_state.py). The key is a
    SHA-256 of the throttle's own key, so no e-mail address or device id is stored."""

    __tablename__ = "sign_in_throttles"
    __table_args__ = (Index("ix_sign_in_throttles_last_failure", "last_failure"),)

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer)
    blocked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_failure: Mapped[datetime] = mapped_column(UTCDateTime)
