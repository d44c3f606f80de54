"""A flood of refused deliveries logs one line a minute per reason, then says how many it left
out (services/throttle.py ThrottledLog)."""

from __future__ import annotations

import logging

import pytest

from disty.services.throttle import ThrottledLog

LOG = logging.getLogger("disty.test.throttled")


def test_a_flood_logs_one_line_per_key(caplog: pytest.LogCaptureFixture) -> None:
    throttled = ThrottledLog(LOG, every_s=60.0)
    with caplog.at_level(logging.WARNING, logger=LOG.name):
        for _ in range(10_000):
            throttled.warning("1:bad_signature", "refused: %s", "bad_signature")
        throttled.warning("1:no_event_id", "refused: %s", "no_event_id")
    assert [r.getMessage() for r in caplog.records] == [
        "refused: bad_signature",
        "refused: no_event_id",
    ]


def test_the_next_line_says_how_many_were_left_out(caplog: pytest.LogCaptureFixture) -> None:
    throttled = ThrottledLog(LOG, every_s=3600.0)
    with caplog.at_level(logging.WARNING, logger=LOG.name):
        throttled.warning("k", "refused")
        for _ in range(41):
            throttled.warning("k", "refused")
        throttled.every_s = 0.0  # as if the hour had passed
        throttled.warning("k", "refused")
    messages = [r.getMessage() for r in caplog.records]
    assert messages == [
        "refused",
        "refused (41 more like it since the last one not logged)",
    ]
