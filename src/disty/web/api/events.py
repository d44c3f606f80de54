"""/api/v1/events and /api/v1/audit: webhook events (list, replay) and the audit log."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query

from disty.services import audit
from disty.services.webhooks import event_list, event_lookup, processing
from disty.services.webhooks.event_lookup import EventFilter
from disty.web.api.deps import Admin, CountryId, Orderer, Reader, Rt, Session, context
from disty.web.api.pagination import CursorPaging, Page, Paging, page

router = APIRouter(tags=["events and audit"])


@router.get("/events", summary="Accepted webhook events, newest first")
async def list_(
    caller: Reader,
    session: Session,
    paging: CursorPaging,
    status: Annotated[str | None, Query(description="received, processed, failed or dead")] = None,
    country_id: Annotated[CountryId | None, Query()] = None,
    q: Annotated[str | None, Query(max_length=128, description="The start of an event id.")] = None,
) -> Page[dict[str, Any]]:
    found = await event_list.events(
        session, EventFilter(caller.shortcut, country_id, status, limit=paging.limit, q=q),
        after=paging.cursor, offset=paging.offset,
    )  # fmt: skip
    return page([event_lookup.to_json(e) for e in found.rows], paging, found.next)


@router.post("/events/{event_id}/replay", summary="Process an event once more, now")
async def replay(
    caller: Orderer,
    rt: Rt,
    session: Session,
    event_id: Annotated[str, Path(max_length=128)],
    country_id: Annotated[CountryId | None, Query()] = None,
) -> dict[str, Any]:
    found = await event_lookup.find_event(
        session, shortcut=caller.shortcut, event_id=event_id, country_id=country_id
    )
    done = await processing.replay(rt.sessions, context(rt, caller), found.id)
    return event_lookup.to_json(done)


@router.get("/audit", summary="The audit log, newest first")
async def audit_log(caller: Admin, session: Session, paging: Paging) -> Page[dict[str, Any]]:
    rows = await audit.entries(
        session, caller.tenant_id, limit=paging.limit + 1, offset=paging.offset
    )
    return page(
        [
            {
                "at": r.at.isoformat(), "actor": r.actor, "action": r.action,
                "target": r.target, "details": r.details,
            }
            for r in rows
        ],
        paging,
    )  # fmt: skip
