"""The worker while its database is gone: a traceback the first time, then one line a minute
at most, and a line when it works again (a 15 s outage once wrote hundreds of tracebacks)."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from disty.db import migrate
from disty.db.engine import create_engine, session_factory
from disty.jobs.queue import InboxQueue


def _unreachable(url: str, tmp_path: Path) -> str:
    """The same kind of database where none can be reached."""
    if make_url(url).get_backend_name() == "sqlite":
        return f"sqlite+aiosqlite:///{tmp_path / 'missing' / 'dir' / 'disty.db'}"
    return make_url(url).set(port=1).render_as_string(hide_password=False)  # nothing listens


async def test_an_unreachable_database_is_one_traceback_then_quiet_then_back(
    database_url: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    down = create_engine(_unreachable(database_url, tmp_path))
    up = create_engine(database_url)
    await migrate.upgrade(up)
    queue = InboxQueue(session_factory(down), idle_s=0.02)
    stop = asyncio.Event()

    async def handle(pk: int) -> None:
        raise AssertionError("an empty inbox hands out nothing")

    caplog.set_level(logging.WARNING, logger="disty.jobs.queue")
    running = asyncio.create_task(queue.run(handle, stop))
    try:
        await asyncio.sleep(1.0)  # about 50 rounds, every one failing
        # One line, the first failure's, with its traceback (it says where); not one a round.
        assert len(caplog.records) == 1, [r.getMessage()[:80] for r in caplog.records]
        assert caplog.records[0].exc_info is not None
        assert "reading the inbox failed" in caplog.records[0].getMessage()

        queue.sessions = session_factory(up)  # the database is back
        for _ in range(200):
            if any("works again" in r.getMessage() for r in caplog.records):
                break
            await asyncio.sleep(0.02)
    finally:
        stop.set()
        await asyncio.wait_for(running, timeout=10)
        await down.dispose()
        await up.dispose()
    lines = [r.getMessage() for r in caplog.records if "reading the inbox" in r.getMessage()]
    assert len(lines) == 2, lines
    assert lines[1].startswith("reading the inbox works again after ")
    assert sum(r.exc_info is not None for r in caplog.records) == 1
