"""The audit log: every change that matters, with its actor and time.

``record`` adds the entry to the caller's session, so it is committed with the change itself
(or not at all).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from disty.db.base import utcnow
from disty.db.models import AuditEntry


def record(
    session: AsyncSession,
    *,
    tenant_id: int,
    actor: str,
    action: str,
    target: str,
    details: dict[str, Any] | None = None,
) -> None:
    session.add(
        AuditEntry(
            tenant_id=tenant_id,
            actor=actor,
            action=action,
            target=target,
            details=details or {},
            at=utcnow(),
        )
    )


async def entries(
    session: AsyncSession, tenant_id: int, *, limit: int, offset: int
) -> list[AuditEntry]:
    """Newest first."""
    query = (
        select(AuditEntry)
        .where(AuditEntry.tenant_id == tenant_id)
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
        .limit(limit)
        .offset(offset)
    )
    return list(await session.scalars(query))
