"""When the worker next asks a supplier about a PO: the polling schedule. Pure, no I/O.

A supplier with webhooks tells disty when an order moves; polling it is only the safety net
for a webhook that never came, so its POs are asked about every ``poll interval``
(DISTY_POLL_INTERVAL_S, 300 s by default), as before.

A supplier without webhooks is only ever learned of by asking (or from files it drops, which
the worker reads on their own schedule). Its POs are asked about:

- ``FIRST_CHECK`` (2 minutes) after they are sent, or after a check saw anything change
  (status, shipped quantities, shipments, invoices, order numbers): orders move in bursts
  (accepted, then released to the warehouse, then shipped), so the next step is likeliest soon;
- then, while nothing changes, twice as long each time (4, 8, 16, 32 minutes ...);
- but never less often than every ``LONGEST_WAIT`` (an hour) while the PO is open: a shipment
  is known within the hour, however long the order has been quiet.

Why these numbers: a distributor without webhooks may publish no rate limit at all (its
status call answering in a second or two, its ship-notice files coming in hourly batches, so
asking more often than hourly about a quiet order learns nothing sooner); the strictest one
published allows 60 GET a minute per endpoint. A quiet order costs at most one call an hour,
so 1,000 open POs cost about 17 calls a minute at worst; and the worker takes at most a
bounded number of due POs per round (DISTY_POLL_ROUND_LIMIT, 20, rounds every 10 s), so a
backlog is spread over rounds rather than sent at once.

A PO nobody is following yet or any more has no next check: one waiting for a person (draft,
awaiting approval) and a final one (invoiced, cancelled, voided, failed).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from disty.domain.po_status import FINAL, POStatus

FIRST_CHECK = timedelta(minutes=2)
LONGEST_WAIT = timedelta(hours=1)

# Waiting for a person, not for the supplier.
_WAITING_FOR_A_PERSON = frozenset({POStatus.DRAFT, POStatus.AWAITING_APPROVAL})


@dataclass(frozen=True)
class PollingSchedule:
    """The numbers of the schedule; ``poll_interval`` None: polling is off (webhooks alone)."""

    poll_interval: timedelta | None
    first_check: timedelta = FIRST_CHECK
    longest_wait: timedelta = LONGEST_WAIT

    @classmethod
    def every(cls, poll_interval_s: float) -> PollingSchedule:
        """The schedule for a poll interval in seconds (0: off). An interval shorter than the
        first check (a test, a demo) shortens the first check too: nothing is asked about
        less often than the operator asked for."""
        if poll_interval_s <= 0:
            return cls(None)
        interval = timedelta(seconds=poll_interval_s)
        first = min(FIRST_CHECK, interval)
        return cls(interval, first, max(first, LONGEST_WAIT))


def followed(status: POStatus) -> bool:
    """Whether the supplier is asked about a PO in this status at all."""
    return status not in FINAL and status not in _WAITING_FOR_A_PERSON


def next_check(
    schedule: PollingSchedule,
    status: POStatus,
    *,
    now: datetime,
    webhooks: bool,
    changed: bool,
    previous: timedelta | None,
) -> datetime | None:
    """When to ask next, after a check at ``now``.

    ``changed``: the check saw something new. ``previous``: the wait that led to this check
    (None: this was the first)."""
    if not followed(status):
        return None
    if webhooks:
        return now + schedule.poll_interval if schedule.poll_interval is not None else None
    wait = schedule.first_check if changed or previous is None else previous * 2
    return now + _clamp(wait, schedule)


def after_failure(
    schedule: PollingSchedule,
    status: POStatus,
    *,
    now: datetime,
    webhooks: bool,
    last_checked: datetime | None,
) -> datetime | None:
    """When to ask again after asking failed (the supplier unreachable, an error answer).

    A supplier with webhooks: the next poll interval, as before. Without: as long as it has
    been since the last check that worked (so a supplier down for hours is asked about each
    PO less and less often, never less than hourly); a PO never checked waits the first check.
    """
    if not followed(status):
        return None
    if webhooks and schedule.poll_interval is not None:
        return now + schedule.poll_interval
    if webhooks and status is not POStatus.SUBMITTING:
        return None  # polling off: the webhooks alone keep it current
    # A send not known to have landed is the outbox's, polling or not (no webhook tells of an
    # order the supplier may not have): asked again as a PO without webhooks would be.
    quiet = now - last_checked if last_checked is not None else schedule.first_check
    return now + _clamp(quiet, schedule)


def _clamp(wait: timedelta, schedule: PollingSchedule) -> timedelta:
    return min(max(wait, schedule.first_check), schedule.longest_wait)
