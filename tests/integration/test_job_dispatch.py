"""PostgreSQL's job queue (jobs/pgqueue.py): ``dispatch_events`` queues a few batch jobs,
each once, and they process every event due, each once; not only a first page (a batch full
queues the next). Two claims at the same moment take two batches, not one batch and nothing."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from sqlalchemy import select, text

from disty.db.models import InboundEvent
from disty.jobs import pgqueue
from disty.runtime import Runtime
from disty.services.webhooks import processing
from disty.services.webhooks.destinations import Destination
from disty.services.webhooks.writer import InboxWriter
from disty.suppliers.ingram import webhooks as ingram_webhooks
from tests.integration.test_inbox_writer import (  # noqa: F401
    destination,
    inbox_rows,
    order_event,
    rt,
)

EVENTS = 7


async def _store(rt: Runtime, destination: Destination, n: int) -> list[int]:  # noqa: F811
    writer = InboxWriter(rt.settings.resolved_database_url)
    writer.start()
    try:
        for k in range(n):
            envelopes = ingram_webhooks.envelopes(order_event(f"EVT-J-{k}"))
            await writer.accept(destination, envelopes, {})
    finally:
        await writer.close()
    ids = [row.id for row in await inbox_rows(rt)]
    assert len(ids) == n
    return ids


async def _queued(runtime: Runtime) -> list[str]:
    async with runtime.engine.connect() as conn:
        found = await conn.execute(
            text(
                "SELECT queueing_lock FROM procrastinate_jobs"
                " WHERE task_name = 'disty.process_events' AND status = 'todo' ORDER BY 1"
            )
        )
        return [row[0] for row in found]


def _postgres_only(runtime: Runtime) -> None:
    if runtime.engine.dialect.name == "sqlite":
        pytest.skip("the job queue is PostgreSQL's; SQLite's inbox is its own queue")


async def test_dispatch_queues_batch_jobs_that_process_every_event_due_once(
    rt: Runtime,  # noqa: F811
    destination: Destination,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _postgres_only(rt)
    await _store(rt, destination, EVENTS)
    # Batches of three: seven events are three batches, more than the two jobs at a time.
    monkeypatch.setattr(pgqueue, "EVENT_BATCH", 3)
    monkeypatch.setattr(pgqueue, "EVENT_JOBS", 2)
    app = pgqueue.open_app(rt.settings.resolved_database_url)
    pgqueue.add_tasks(app, rt, poll_interval_s=0)
    dispatch = app.tasks["disty.dispatch_events"]
    async with app.open_async():
        assert await dispatch() == 2
        assert await dispatch() == 0  # queued already: never twice
        assert await _queued(rt) == ["events:0", "events:1"]
        # Two jobs at once, as two workers would: each claims a batch, and a full one queues
        # its successor, until a batch is not full; the worker stops when none is left.
        await app.run_worker_async(wait=False, concurrency=2, install_signal_handlers=False)
        assert await _queued(rt) == []
        assert await dispatch() == 0  # nothing due any more
        async with rt.engine.connect() as conn:
            ended = await conn.execute(
                text(
                    "SELECT DISTINCT status FROM procrastinate_jobs"
                    " WHERE task_name = 'disty.process_events'"
                )
            )
            assert ended.scalars().all() == ["succeeded"]  # none failed, an empty batch neither
    rows = await inbox_rows(rt)
    # Each claimed once (a claim counts a try) and processed: no PO-1 here, so kept unmatched.
    assert [(r.status, r.attempts, r.unmatched, r.lease_until) for r in rows] == [
        ("processed", 1, True, None)
    ] * EVENTS


async def test_a_claim_skips_the_events_another_claim_is_taking(
    rt: Runtime,  # noqa: F811
    destination: Destination,  # noqa: F811
) -> None:
    _postgres_only(rt)
    ids = await _store(rt, destination, 6)
    async with rt.sessions() as other:
        # Another worker's claim, caught between reading its batch and taking it.
        await other.execute(
            select(InboundEvent.id).where(InboundEvent.id.in_(ids[:3])).with_for_update()
        )
        # Not waiting for it (it would find them taken), not left with nothing: the rest.
        taken = await asyncio.wait_for(
            processing.claim(rt.sessions, limit=3, lease=timedelta(seconds=30)), timeout=10
        )
        assert taken == ids[3:]
        await other.rollback()


async def test_a_job_an_earlier_disty_queued_per_event_ends_and_its_event_is_processed(
    rt: Runtime,  # noqa: F811
    destination: Destination,  # noqa: F811
) -> None:
    # Before batches, one disty.process_event job per event: such jobs may wait in the queue
    # when the new version starts. They end without an error; the event is processed anyway.
    _postgres_only(rt)
    [pk] = await _store(rt, destination, 1)
    app = pgqueue.open_app(rt.settings.resolved_database_url)
    pgqueue.add_tasks(app, rt, poll_interval_s=0)
    async with app.open_async():
        await app.configure_task(name="disty.process_event", lock=f"event:{pk}").defer_async(pk=pk)
        assert await app.tasks["disty.dispatch_events"]() == 1
        await app.run_worker_async(wait=False, concurrency=2, install_signal_handlers=False)
        async with rt.engine.connect() as conn:
            ended = await conn.execute(
                text(
                    "SELECT task_name, status FROM procrastinate_jobs"
                    " WHERE task_name LIKE 'disty.process_event%'"
                )
            )
            assert {tuple(row) for row in ended} == {
                ("disty.process_event", "succeeded"),
                ("disty.process_events", "succeeded"),
            }
    [row] = await inbox_rows(rt)
    assert (row.status, row.attempts) == ("processed", 1)
