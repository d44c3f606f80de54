"""Background work on PostgreSQL: procrastinate's job queue, for any number of web replicas
(``disty serve --no-worker``) and workers (``disty worker``) over one database.

The same rounds as the in-process worker (jobs/worker.py), cut into jobs:

- ``process_events``: a batch of webhook events. It claims up to ``EVENT_BATCH`` events due
  (``claim``: each held by its lease, renewed while the job runs, so no other job, ``disty
  worker --once`` or replay touches it meanwhile), processes them ``EVENT_AT_ONCE`` at a time,
  and, when the batch was full, queues its successor for what is left. The inbox row stays
  the record (its status, tries, backoff, dead letter); the job only says "take some events
  now". Why batches and not one job per event: a job costs procrastinate an insert, a fetch
  and a finish (with their notifications), plus a claim and a lease renewer of its own:
  with one job per event a backlog of thousands (a burst of stock deltas) went at 50-100
  events a second, and py-spy on that drain (bench/receiver.py --profile) had 44% of the
  worker's samples in dispatch_events queueing jobs, one insert each.
- ``dispatch_events``: when events are due (new, a retry come due, one whose worker died and
  whose lease ran out), queues a ``process_events`` in each of up to ``EVENT_JOBS`` slots
  (``events:<n>``, its queueing lock) where none is queued or running: that many chains of
  batches at once platform-wide, however many workers, which leaves the workers' other slots
  to POs. Not a job lock: procrastinate fetches a job held back by its lock only at the next
  notification or poll (5 s), and each successor in a chain would wait that long. A
  replica's receiver defers one ``dispatch_events`` per burst (``Notifier``) and the
  worker's schedule runs it every few seconds as the safety net.
- ``poll_due``: defers a ``refresh_po`` for every PO due a check; ``resume_sends`` (the outbox
  sweep, every few seconds whatever the poll interval) for every PO left ``submitting`` whose
  sender died (its lease run out) or whose unanswered send is due again. ``refresh_po`` sends
  a PO left ``submitting`` (search first, never twice) or asks about a placed one; its lock
  and queueing lock are the PO's, so one worker at a time polls a PO, however many workers
  run.
- ``price_checks``, ``ship_notices``, ``prune``: the worker's other rounds, each run by one
  worker per tick (procrastinate's periodic tasks defer each tick once).
- ``retry_stalled``: a worker killed mid-job (kill -9, a lost machine) stops beating; its
  jobs are tried again, so their locks never stay held by the dead.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from procrastinate import App, PsycopgConnector
from procrastinate.exceptions import AlreadyEnqueued, ConnectorException
from procrastinate.jobs import Status

from disty.db.engine import libpq_conninfo
from disty.jobs import worker as rounds
from disty.jobs.queue import Burst
from disty.services import ordering
from disty.services.webhooks import processing

if TYPE_CHECKING:
    from disty.runtime import Runtime

log = logging.getLogger(__name__)

# The event lease, the heartbeat, when a silent worker is taken for dead and the shutdown
# grace are settings (DISTY_JOB_*, config.py): a test shortens them to see a kill -9 mended in
# seconds. A job cut short by a dead worker is retried by ``retry_stalled``; an event whose
# lease a dead job left is dispatched again by ``dispatch_events`` once the lease has run out.
CONCURRENCY = 4
# Events one ``process_events`` claims; processed this many at a time; chains of such jobs at
# once, platform-wide (each job holds a slot of the worker that runs it: of CONCURRENCY, the
# rest stay free for POs). With these, disty serve's worker drained 300-390 events a second
# on a 2-core machine (bench/receiver.py); larger figures were not tried.
EVENT_BATCH = 100
EVENT_AT_ONCE = 4
EVENT_JOBS = 2
# The safety net's cadence (the receiver wakes the workers at once): at most this, and at
# most one event lease, so an event a dead worker held is taken up soon after its lease ends.
DISPATCH_EVERY_S = 5
POLL_EVERY_S = int(rounds.POLL_TICK_S)
PRICE_EVERY_S = int(rounds.PRICE_CHECK_EVERY_S)
NOTICES_EVERY_S = int(rounds.SHIP_NOTICES_EVERY_S)


def open_app(database_url: str, *, pool_size: int = 4) -> App:
    """An app that defers jobs (and, with ``add_tasks``, runs them)."""
    connector = PsycopgConnector(
        conninfo=libpq_conninfo(database_url), min_size=1, max_size=pool_size
    )
    return App(connector=connector)


def _every(seconds: int) -> str:
    """A cron with seconds (procrastinate's sixth column), every ``seconds`` (1-59)."""
    return f"* * * * * */{max(1, min(59, seconds))}"


async def _defer_once(app: App, task: str, lock: str | None = None, **kwargs: Any) -> bool:
    """Defer ``task`` unless one with the same queueing lock is queued already."""
    try:
        await app.configure_task(name=task, lock=lock, queueing_lock=lock or task).defer_async(
            **kwargs
        )
    except AlreadyEnqueued:
        return False
    return True


def _slot(slot: int) -> str:
    return f"events:{slot}"


async def _defer_events(app: App, slot: int) -> bool:
    """Queue a ``process_events`` in ``slot`` (0 to EVENT_JOBS - 1) unless one waits there
    (its queueing lock; no job lock, the module's docstring says why)."""
    try:
        await app.configure_task(
            name="disty.process_events", queueing_lock=_slot(slot)
        ).defer_async(slot=slot)
    except AlreadyEnqueued:
        return False
    return True


async def defer_dispatch(app: App) -> None:
    await _defer_once(app, "disty.dispatch_events")


def _making_way(burst: Burst | None) -> contextlib.AbstractAsyncContextManager[None]:
    """``burst.turn()`` in a worker inside disty serve; nothing to wait for in one of its own."""
    return burst.turn() if burst is not None else contextlib.nullcontext()


def add_tasks(app: App, rt: Runtime, *, poll_interval_s: float, burst: Burst | None = None) -> None:
    """The jobs, bound to the runtime they work in. ``burst``: the deliveries of the server
    this worker runs in (``disty serve`` without ``--no-worker``), which its events make way
    for; None in a worker of its own."""

    settings = rt.settings
    lease = timedelta(seconds=settings.job_event_lease_s)
    dispatch_every = min(DISPATCH_EVERY_S, int(settings.job_event_lease_s))
    # Half the silence that makes a worker dead: its jobs are retried soon after.
    stalled_every = min(5, int(settings.job_stalled_after_s / 2))

    @app.task(name="disty.process_event")
    async def process_event(pk: int) -> int:
        """A job an earlier disty queued, one per event, still waiting after an upgrade: its
        event is due, so a batch takes it up (dispatch_events); this one only ends, where an
        unknown task would fail and log an error for each."""
        return 0

    @app.task(name="disty.process_events")
    async def process_events(slot: int) -> int:
        async with _making_way(burst):
            taken = await processing.claim(rt.sessions, limit=EVENT_BATCH, lease=lease)
        if not taken:  # another job took them, or they were processed meanwhile
            return 0
        await rounds.process_claimed(
            rt, taken, lease, at_once=EVENT_AT_ONCE, turn=lambda: _making_way(burst)
        )
        if len(taken) == EVENT_BATCH:
            # More may be due: the next batch is a job of its own, not a loop in this one,
            # so the queue's other jobs take turns with a backlog and a stopping worker has
            # one batch to finish, not the backlog.
            await _defer_events(app, slot)
        return len(taken)

    @app.periodic(cron=_every(dispatch_every), periodic_id="dispatch")
    @app.task(name="disty.dispatch_events", queueing_lock="disty.dispatch_events")
    async def dispatch_events(timestamp: int | None = None) -> int:
        # As many jobs as the events due fill batches, up to EVENT_JOBS, in the slots with
        # none running (its chain goes on) and none queued (its queueing lock). Queueing is
        # work too: in disty serve it waits for the burst.
        async with _making_way(burst):
            due = await processing.due(rt.sessions, limit=EVENT_BATCH * EVENT_JOBS)
            wanted = -(-len(due) // EVENT_BATCH)  # batches, rounded up
            if not wanted:
                return 0
            running = await app.job_manager.list_jobs_async(
                task="disty.process_events", status=Status.DOING.value
            )
            busy = {job.queueing_lock for job in running}
            free = [slot for slot in range(EVENT_JOBS) if _slot(slot) not in busy]
            return sum([await _defer_events(app, slot) for slot in free[:wanted]])

    @app.periodic(cron=_every(min(POLL_EVERY_S, int(poll_interval_s) or POLL_EVERY_S)))
    @app.task(name="disty.poll_due", queueing_lock="disty.poll_due")
    async def poll_due(timestamp: int) -> int:
        if poll_interval_s <= 0:
            return 0  # polling off: webhooks alone keep POs current
        ctx = rounds.context(rt, "worker", poll_interval_s)
        async with rt.sessions() as session:
            ids = await ordering.due_ids(session, ctx)
        deferred = 0
        for pk in ids:
            deferred += await _defer_once(app, "disty.refresh_po", f"po:{pk}", pk=pk)
        return deferred

    @app.periodic(cron=_every(int(rounds.OUTBOX_EVERY_S)))
    @app.task(name="disty.resume_sends", queueing_lock="disty.resume_sends")
    async def resume_sends(timestamp: int) -> int:
        # Whatever the poll interval (off included): a PO left ``submitting`` by a replica or
        # worker that died is taken up once its lease has run out (searched for first).
        async with rt.sessions() as session:
            ids = await ordering.resumable_ids(session, limit=rounds.OUTBOX_ROUND_LIMIT)
        deferred = 0
        for pk in ids:
            deferred += await _defer_once(app, "disty.refresh_po", f"po:{pk}", pk=pk)
        return deferred

    @app.task(name="disty.refresh_po")
    async def refresh_po(pk: int) -> None:
        ctx = rounds.context(rt, "worker", poll_interval_s)
        async with rt.sessions() as session:
            await ordering.refresh_one(session, ctx, pk)

    @app.periodic(cron=_every(PRICE_EVERY_S))
    @app.task(name="disty.price_checks", queueing_lock="disty.price_checks")
    async def price_checks(timestamp: int) -> int:
        return await rounds.price_round(rt)

    @app.periodic(cron=_every(NOTICES_EVERY_S))
    @app.task(name="disty.ship_notices", queueing_lock="disty.ship_notices")
    async def ship_notices(timestamp: int) -> int:
        return await rounds.ship_notice_round(rt)

    @app.periodic(cron="0 * * * *")
    @app.task(name="disty.prune", queueing_lock="disty.prune")
    async def prune(timestamp: int) -> int:
        return await rounds.prune_round(rt)

    @app.periodic(cron=_every(stalled_every))
    @app.task(name="disty.retry_stalled", queueing_lock="disty.retry_stalled")
    async def retry_stalled(timestamp: int) -> int:
        stalled = list(
            await app.job_manager.get_stalled_jobs(
                seconds_since_heartbeat=settings.job_stalled_after_s
            )
        )
        for job in stalled:
            try:
                await app.job_manager.retry_job(job)
            except ConnectorException:
                # The same job is queued again already (its queueing lock): this one ends.
                await app.job_manager.finish_job(job, status=Status.FAILED, delete_job=False)
            log.warning("job %s (%s) of a dead worker tried again", job.id, job.task_name)
        return len(stalled)


class Notifier:
    """The receiver's ``notify`` on PostgreSQL: defers a dispatch, off the delivery's path (its
    200 never waits for the queue), one at a time however many deliveries come meanwhile: a
    burst is one job. A failure loses nothing: the workers dispatch every few seconds.

    At most one deferral every ``every_s``: under a stream of deliveries each batch the writer
    commits would otherwise defer one, and almost every one is refused (the dispatch already
    queued holds the queueing lock, and procrastinate finds that out by a failed insert): a
    fifth of the receiver's time went on it (py-spy, bench/receiver.py). An event stored meanwhile
    waits at most ``every_s`` longer to be dispatched; the one deferral after the pause takes
    it."""

    def __init__(self, database_url: str, every_s: float = 0.1) -> None:
        self.app = open_app(database_url, pool_size=1)
        self.every_s = every_s
        self._wanted = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    async def open(self) -> None:
        await self.app.open_async()
        self._task = asyncio.create_task(self._dispatcher())

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        await self.app.close_async()

    def notify(self) -> None:
        self._wanted.set()

    async def _dispatcher(self) -> None:
        while True:
            await self._wanted.wait()
            self._wanted.clear()
            try:
                await defer_dispatch(self.app)
            except Exception as exc:  # the database briefly away, say
                log.warning("could not wake the workers: %s", exc)
            await asyncio.sleep(self.every_s)


async def work(
    rt: Runtime,
    stop: asyncio.Event,
    *,
    poll_interval_s: float | None = None,
    burst: Burst | None = None,
) -> None:
    """Run jobs until ``stop`` is set (``disty worker``, or beside ``disty serve``: then
    ``burst`` is its deliveries)."""
    every = rt.settings.poll_interval_s if poll_interval_s is None else poll_interval_s
    app = open_app(rt.settings.resolved_database_url, pool_size=CONCURRENCY + 2)
    add_tasks(app, rt, poll_interval_s=every, burst=burst)
    async with app.open_async():
        running = asyncio.create_task(
            app.run_worker_async(
                name=f"{socket.gethostname()}:{os.getpid()}",
                concurrency=CONCURRENCY,
                install_signal_handlers=False,
                update_heartbeat_interval=rt.settings.job_heartbeat_s,
                stalled_worker_timeout=rt.settings.job_stalled_after_s,
                shutdown_graceful_timeout=rt.settings.job_shutdown_grace_s,
                delete_jobs="successful",
            )
        )
        stopping = asyncio.create_task(stop.wait())
        await asyncio.wait([running, stopping], return_when=asyncio.FIRST_COMPLETED)
        stopping.cancel()
        running.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await running
