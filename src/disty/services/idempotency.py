"""Idempotency keys as stored: one row per tenant and key, claimed before the work starts and
holding its answer once done (the API's ``Idempotency-Key``; web/api/idempotency.py says how
requests use them). Each step commits on its own, so other requests see it at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import ColumnElement, delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from disty.db.base import utcnow
from disty.db.models import IdempotencyKey


@dataclass(frozen=True)
class Claimed:
    """A key as the request that claimed it left it; no status while it is in progress."""

    request_sha256: str
    status_code: int | None
    response: Any


def _this(tenant_id: int, key: str) -> tuple[ColumnElement[bool], ColumnElement[bool]]:
    return IdempotencyKey.tenant_id == tenant_id, IdempotencyKey.key == key


async def claim(
    session: AsyncSession, tenant_id: int, key: str, *, method: str, path: str, fingerprint: str
) -> bool:
    """Claim the key for this request; False when another request holds it (the key is unique
    per tenant, so of requests racing for it exactly one wins)."""
    session.add(
        IdempotencyKey(
            tenant_id=tenant_id, key=key, method=method, path=path,
            request_sha256=fingerprint, created_at=utcnow(),
        )
    )  # fmt: skip
    try:
        await session.commit()
    except IntegrityError:
        await session.rollback()
        return False
    return True


async def find(session: AsyncSession, tenant_id: int, key: str) -> Claimed | None:
    row = await session.scalar(select(IdempotencyKey).where(*_this(tenant_id, key)))
    if row is None:
        return None
    return Claimed(row.request_sha256, row.status_code, row.response)


async def complete(session: AsyncSession, tenant_id: int, key: str, status: int, body: Any) -> None:
    """Store the answer that retries get back."""
    row = await session.scalar(select(IdempotencyKey).where(*_this(tenant_id, key)))
    if row is not None:
        row.status_code, row.response, row.completed_at = status, body, utcnow()
        await session.commit()


async def free(session: AsyncSession, tenant_id: int, key: str) -> None:
    """Drop the key: the work failed, so the client may try again."""
    await session.execute(delete(IdempotencyKey).where(*_this(tenant_id, key)))
    await session.commit()


async def take_over(session: AsyncSession, tenant_id: int, key: str, *, lease_s: float) -> bool:
    """Take an in-progress key older than the lease over (one retry wins: the update moves
    ``created_at`` past the lease for the others)."""
    now = utcnow()
    abandoned = now - timedelta(seconds=lease_s)
    taken = await session.execute(
        update(IdempotencyKey)
        .where(
            *_this(tenant_id, key),
            IdempotencyKey.status_code.is_(None),
            IdempotencyKey.created_at < abandoned,
        )
        .values(created_at=now)
        .execution_options(synchronize_session=False)
    )
    await session.commit()
    return bool(getattr(taken, "rowcount", 0))
