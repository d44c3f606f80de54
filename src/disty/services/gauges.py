"""What the database says about the work waiting, read when /metrics is scraped.

These are facts of the shared database, not of one process: every replica answers the same,
true figures (aggregate them with ``max``, not ``sum``), and they stay right however the jobs
run (the in-process worker, ``disty worker`` processes, a procrastinate queue): the inbox and
the outbox (POs being sent) remain the record of what is due.

- ``disty_inbox_events{status}``: events received (never tried), failed (waiting for a retry),
  dead (waiting for a person);
- ``disty_inbox_lag_seconds``: how long the oldest event not yet processed has waited since
  it arrived (0: none waits);
- ``disty_jobs_queued{queue}`` and ``disty_jobs_oldest_age_seconds{queue}``: jobs due now
  and how overdue the oldest is: ``webhook_events`` (inbox events due a try), ``outbox``
  (POs in the outbox: being sent, or to be sent again);
- ``disty_purchase_orders{state}``: POs by state.
"""

from __future__ import annotations

from datetime import datetime

from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from disty.db.base import utcnow
from disty.db.models import InboundEvent, PurchaseOrder
from disty.domain.po_status import POStatus
from disty.services.webhooks.event_lookup import EventStatus

_WAITING = (EventStatus.RECEIVED.value, EventStatus.FAILED.value, EventStatus.DEAD.value)


def _age(now: datetime, since: datetime | None) -> float:
    return max(0.0, (now - since).total_seconds()) if since is not None else 0.0


async def read(session: AsyncSession) -> list[GaugeMetricFamily]:
    now = utcnow()
    events = GaugeMetricFamily(
        "disty_inbox_events", "Webhook events not processed, by status.", labels=["status"]
    )
    counts = dict.fromkeys(_WAITING, 0)
    oldest: datetime | None = None
    rows = await session.execute(
        select(InboundEvent.status, func.count(), func.min(InboundEvent.received_at))
        .where(InboundEvent.status.in_(_WAITING))
        .group_by(InboundEvent.status)
    )
    for status, count, first in rows:
        counts[status] = count
        if status != EventStatus.DEAD.value and first is not None:
            oldest = first if oldest is None else min(oldest, first)
    for status, count in counts.items():
        events.add_metric([status], count)
    lag = GaugeMetricFamily(
        "disty_inbox_lag_seconds",
        "How long the oldest webhook event not yet processed has waited since it arrived.",
        value=_age(now, oldest),
    )

    queued = GaugeMetricFamily("disty_jobs_queued", "Jobs due now, by queue.", labels=["queue"])
    age = GaugeMetricFamily(
        "disty_jobs_oldest_age_seconds",
        "How long the oldest job due now has been due, by queue.",
        labels=["queue"],
    )
    free = or_(InboundEvent.lease_until.is_(None), InboundEvent.lease_until < now)
    due_at = func.coalesce(InboundEvent.next_attempt_at, InboundEvent.received_at)
    count, first = (
        await session.execute(
            select(func.count(), func.min(due_at)).where(
                InboundEvent.status.in_(_WAITING[:2]), due_at <= now, free
            )
        )
    ).one()
    queued.add_metric(["webhook_events"], count)
    age.add_metric(["webhook_events"], _age(now, first))
    count, first = (
        await session.execute(
            select(func.count(), func.min(PurchaseOrder.updated_at)).where(
                PurchaseOrder.status == POStatus.SUBMITTING.value,
                or_(PurchaseOrder.lease_until.is_(None), PurchaseOrder.lease_until < now),
            )
        )
    ).one()
    queued.add_metric(["outbox"], count)
    age.add_metric(["outbox"], _age(now, first))

    pos = GaugeMetricFamily("disty_purchase_orders", "POs by state.", labels=["state"])
    by_state = dict.fromkeys((s.value for s in POStatus), 0)
    for status, n in await session.execute(
        select(PurchaseOrder.status, func.count()).group_by(PurchaseOrder.status)
    ):
        by_state[status] = n
    for state, n in by_state.items():
        pos.add_metric([state], n)
    return [events, lag, queued, age, pos]


class Snapshot(Collector):
    """Families read beforehand (``read`` is async; a collector's ``collect`` is not)."""

    def __init__(self, families: list[GaugeMetricFamily]) -> None:
        self.families = families

    def collect(self) -> list[GaugeMetricFamily]:
        return self.families
