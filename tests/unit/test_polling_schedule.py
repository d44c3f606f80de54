"""The polling schedule (domain/polling.py): soon after sending, doubling while nothing
changes, hourly at least while open, the poll interval for suppliers with webhooks, nothing for
POs waiting for a person or final."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from disty.domain.po_status import FINAL, POStatus
from disty.domain.polling import (
    FIRST_CHECK,
    LONGEST_WAIT,
    PollingSchedule,
    after_failure,
    followed,
    next_check,
)

NOW = datetime(2026, 1, 1, 12, tzinfo=UTC)
DEFAULT = PollingSchedule.every(300)


def wait(previous: timedelta | None, *, changed: bool = False, webhooks: bool = False) -> timedelta:
    at = next_check(DEFAULT, POStatus.SUBMITTED, now=NOW, webhooks=webhooks, changed=changed,
                    previous=previous)  # fmt: skip
    assert at is not None
    return at - NOW


def test_without_webhooks_first_soon_then_doubling_to_hourly() -> None:
    assert timedelta(minutes=2) == FIRST_CHECK
    assert timedelta(hours=1) == LONGEST_WAIT
    waits = []
    previous = None
    for _ in range(8):
        previous = wait(previous)
        waits.append(int(previous.total_seconds() // 60))
    assert waits == [2, 4, 8, 16, 32, 60, 60, 60]


def test_a_change_starts_the_backoff_over() -> None:
    assert wait(timedelta(hours=1), changed=True) == FIRST_CHECK
    assert wait(timedelta(minutes=16), changed=True) == FIRST_CHECK


def test_with_webhooks_every_poll_interval_whatever_happens() -> None:
    assert wait(None, webhooks=True) == timedelta(seconds=300)
    assert wait(timedelta(hours=1), webhooks=True) == timedelta(seconds=300)
    assert wait(timedelta(minutes=2), changed=True, webhooks=True) == timedelta(seconds=300)


@pytest.mark.parametrize("status", [POStatus.DRAFT, POStatus.AWAITING_APPROVAL, *sorted(FINAL)])
def test_no_check_while_waiting_for_a_person_or_final(status: POStatus) -> None:
    assert not followed(status)
    for webhooks in (False, True):
        assert next_check(DEFAULT, status, now=NOW, webhooks=webhooks, changed=True,
                          previous=None) is None  # fmt: skip
        assert after_failure(DEFAULT, status, now=NOW, webhooks=webhooks, last_checked=None) is None


def test_open_statuses_are_followed() -> None:
    open_ = [s for s in POStatus if followed(s)]
    assert open_ == [POStatus.SUBMITTING, POStatus.SUBMITTED, POStatus.ON_HOLD,
                     POStatus.PARTLY_SHIPPED, POStatus.SHIPPED, POStatus.BACKORDERED]  # fmt: skip


def test_a_short_poll_interval_shortens_the_first_check_and_zero_is_off() -> None:
    quick = PollingSchedule.every(30)
    assert quick.first_check == timedelta(seconds=30)
    assert quick.longest_wait == LONGEST_WAIT
    off = PollingSchedule.every(0)
    assert off.poll_interval is None
    assert off.first_check == FIRST_CHECK
    # Polling off: a supplier with webhooks has no next check (webhooks alone).
    assert next_check(off, POStatus.SUBMITTED, now=NOW, webhooks=True, changed=False,
                      previous=None) is None  # fmt: skip


def test_after_a_failure_wait_as_long_as_the_last_good_check_is_old() -> None:
    def after(last: datetime | None, webhooks: bool = False) -> timedelta:
        at = after_failure(DEFAULT, POStatus.SUBMITTED, now=NOW, webhooks=webhooks,
                           last_checked=last)  # fmt: skip
        assert at is not None
        return at - NOW

    assert after(None) == FIRST_CHECK
    assert after(NOW - timedelta(seconds=10)) == FIRST_CHECK
    assert after(NOW - timedelta(minutes=20)) == timedelta(minutes=20)
    assert after(NOW - timedelta(days=2)) == LONGEST_WAIT
    assert after(NOW - timedelta(days=2), webhooks=True) == timedelta(seconds=300)


def test_polling_off_still_retries_a_send_not_known_to_have_landed() -> None:
    # No webhook tells of an order the supplier may not have: the outbox asks again anyway.
    off = PollingSchedule.every(0)
    assert after_failure(off, POStatus.SUBMITTED, now=NOW, webhooks=True, last_checked=None) is None
    at = after_failure(off, POStatus.SUBMITTING, now=NOW, webhooks=True, last_checked=None)
    assert at == NOW + FIRST_CHECK
