"""disty worker: background work on its own (``disty serve`` runs the same loop in-process)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from disty.cli._common import console, run

if TYPE_CHECKING:
    from disty.runtime import Runtime


def worker(
    interval: Annotated[
        float | None, typer.Option(help="Seconds between polling rounds (DISTY_POLL_INTERVAL_S).")
    ] = None,
    once: Annotated[bool, typer.Option(help="Run one round and stop.")] = False,
) -> None:
    """Process webhook events, refresh open POs and finish interrupted submissions."""
    import asyncio
    import signal

    from disty.jobs import worker as jobs

    async def work(rt: Runtime) -> int:
        every = rt.settings.poll_interval_s if interval is None else interval
        if once:
            events = await jobs.drain_events(rt)
            if events:
                console.print(f"processed {events} webhook event(s)", markup=False)
            notices = await jobs.ship_notice_round(rt)
            if notices:
                console.print(f"read {notices} ship-notice file(s)", markup=False)
            return await jobs.poll_round(rt, poll_interval_s=every, due_only=False)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        polling = f"polling every {every:g} s" if every > 0 else "polling off"
        console.print(f"worker processing webhook events, {polling}; Ctrl-C stops it", markup=False)
        await jobs.run(rt, interval_s=every, stop=stop)
        return 0

    count = run(work)
    if once:
        console.print(f"refreshed {count} open PO(s)", markup=False)
