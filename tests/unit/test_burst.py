"""Processing makes way for the deliveries of its own process (jobs/queue.py ``Burst``): while
they stream it waits, up to its cap; past the cap it runs one event at a time, each followed
by its pause; with no deliveries beside it, it never waits. The margins are wide (a shared
machine): the figures asserted are ordering and counts, never tight timings."""

from __future__ import annotations

import asyncio
import itertools
import time

from disty.jobs.queue import Burst


async def _stream(burst: Burst, until: asyncio.Event) -> None:
    while not until.is_set():
        burst.notify()
        await asyncio.sleep(0.02)


async def test_no_deliveries_no_wait_and_no_queue() -> None:
    burst = Burst(quiet_s=60.0, max_defer_s=120.0)
    inside = 0
    most = 0

    async def one() -> None:
        nonlocal inside, most
        async with burst.turn():
            inside += 1
            most = max(most, inside)
            await asyncio.sleep(0.05)
            inside -= 1

    # Waiting a quiet period (a minute) would outlast the timeout: no figure is asserted.
    await asyncio.wait_for(asyncio.gather(*(one() for _ in range(4))), timeout=30)
    assert most == 4  # side by side: nothing to make way for


async def test_a_burst_holds_processing_until_it_ends() -> None:
    burst = Burst(quiet_s=0.3, max_defer_s=30.0)
    stop = asyncio.Event()
    stream = asyncio.create_task(_stream(burst, stop))
    await asyncio.sleep(0)
    entered: list[float] = []

    async def one() -> None:
        async with burst.turn():
            entered.append(time.monotonic())

    job = asyncio.create_task(one())
    await asyncio.sleep(1.0)
    assert entered == []  # deliveries still streaming: the event waits, committed
    stopped = time.monotonic()
    stop.set()
    await stream
    await asyncio.wait_for(job, timeout=10)
    assert entered[0] >= stopped  # it ran once the stream had stopped


async def test_a_flood_past_the_cap_is_processed_one_at_a_time_with_pauses() -> None:
    burst = Burst(quiet_s=0.3, max_defer_s=0.5, share=0.5)
    stop = asyncio.Event()
    stream = asyncio.create_task(_stream(burst, stop))
    await asyncio.sleep(0)
    began = time.monotonic()
    spans: list[tuple[float, float]] = []

    async def one() -> None:
        async with burst.turn():
            start = time.monotonic()
            await asyncio.sleep(0.1)
            spans.append((start, time.monotonic()))

    try:
        await asyncio.wait_for(asyncio.gather(*(one() for _ in range(3))), timeout=20)
    finally:
        stop.set()
        await stream
    assert spans[0][0] - began >= 0.5  # not before the cap
    spans.sort()
    for (_, end), (start, _) in itertools.pairwise(spans):
        # One at a time, each followed by a pause as long as itself (share 0.5).
        assert start - end >= 0.09
