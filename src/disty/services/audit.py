"""The audit log: every change that matters, with its actor and time.

``record`` adds the entry to the caller's session, so it is committed with the change itself
(or not at all). An entry made while a request runs keeps that request's id in its details
(``request_id``, disty/logs.py): the operator goes from the entry to the request's log lines,
and work done later on the entry's behalf (a PO sent by a worker) logs under it too.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from disty import logs
from disty.db.base import utcnow
from disty.db.models import AuditEntry

REQUEST_ID = "request_id"  # the details' key of the request an entry was made in


def record(
    session: AsyncSession,
    *,
    tenant_id: int,
    actor: str,
    action: str,
    target: str,
    details: dict[str, Any] | None = None,
) -> None:
    details = dict(details or {})
    if (rid := logs.REQUEST_ID.get()) is not None:
        details.setdefault(REQUEST_ID, rid)
    session.add(
        AuditEntry(
            tenant_id=tenant_id,
            actor=actor,
            action=action,
            target=target,
            details=details,
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
