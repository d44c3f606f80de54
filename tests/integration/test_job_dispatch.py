"""PostgreSQL's job queue (jobs/pgqueue.py): one ``dispatch_events`` queues a job for every
event due, however many, each once; not only its first page, which would be found again (its
jobs queued already) tick after tick while the rest of a backlog waited."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from disty.jobs import pgqueue
from disty.runtime import Runtime
from disty.services.webhooks.destinations import Destination
from disty.services.webhooks.writer import InboxWriter
from disty.suppliers.ingram import webhooks as ingram_webhooks
from tests.integration.test_inbox_writer import destination, order_event, rt  # noqa: F401

EVENTS = 7


async def _queued(runtime: Runtime) -> list[int]:
    async with runtime.engine.connect() as conn:
        found = await conn.execute(
            text(
                "SELECT (args->>'pk')::int FROM procrastinate_jobs"
                " WHERE task_name = 'disty.process_event' AND status = 'todo' ORDER BY 1"
            )
        )
        return [row[0] for row in found]


async def test_one_dispatch_queues_every_event_due_once(
    rt: Runtime,  # noqa: F811
    destination: Destination,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    if rt.engine.dialect.name == "sqlite":
        pytest.skip("the job queue is PostgreSQL's; SQLite's inbox is its own queue")
    writer = InboxWriter(rt.settings.resolved_database_url)
    writer.start()
    try:
        for n in range(EVENTS):
            envelopes = ingram_webhooks.envelopes(order_event(f"EVT-J-{n}"))
            await writer.accept(destination, envelopes, {})
    finally:
        await writer.close()
    async with rt.engine.connect() as conn:
        ids = [r[0] for r in await conn.execute(text("SELECT id FROM inbound_events ORDER BY id"))]
    assert len(ids) == EVENTS
    # Pages of three: seven events are three pages.
    monkeypatch.setattr(pgqueue, "DISPATCH_BATCH", 3)
    app = pgqueue.open_app(rt.settings.resolved_database_url)
    pgqueue.add_tasks(app, rt, poll_interval_s=0)
    dispatch = app.tasks["disty.dispatch_events"]
    async with app.open_async():
        assert await dispatch() == EVENTS
        assert await _queued(rt) == ids
        assert await dispatch() == 0  # queued already: never twice
    assert await _queued(rt) == ids
