"""disty worker: background work on its own (``disty serve`` runs the same loop in-process)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from disty.cli._common import console, fail, run

if TYPE_CHECKING:
    from disty.runtime import Runtime


def worker(
    interval: Annotated[
        float | None, typer.Option(help="Seconds between polling rounds (DISTY_POLL_INTERVAL_S).")
    ] = None,
    once: Annotated[bool, typer.Option(help="Run one round and stop.")] = False,
    metrics_port: Annotated[
        int | None,
        typer.Option(
            help="Serve this worker's /metrics on this port (DISTY_WORKER_METRICS_PORT; off "
            "by default), under DISTY_METRICS_TOKEN's rule.",
            min=0,
            max=65535,
        ),
    ] = None,
    metrics_host: Annotated[
        str | None,
        typer.Option(help="Address for --metrics-port (DISTY_WORKER_METRICS_HOST, 127.0.0.1)."),
    ] = None,
) -> None:
    """Process webhook events, refresh open POs and finish interrupted submissions."""
    import asyncio
    import signal

    from disty.jobs import worker as jobs

    if once and metrics_port is not None:
        fail("--metrics-port serves a running worker: leave it out with --once")

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
        port = rt.settings.worker_metrics_port if metrics_port is None else metrics_port
        host = metrics_host or rt.settings.worker_metrics_host
        stop = asyncio.Event()
        beside = []
        if port is not None:
            from disty.web import worker_metrics

            worker_metrics.check(rt)
            sock = worker_metrics.listen(host, port)
            bound = sock.getsockname()
            shown = f"[{bound[0]}]" if ":" in bound[0] else bound[0]
            console.print(f"metrics on http://{shown}:{bound[1]}/metrics", markup=False)

            async def metrics_page() -> None:
                try:
                    await worker_metrics.serve(rt, sock, stop)
                finally:
                    stop.set()  # a worker asked for its metrics stops when they stop

            beside.append(metrics_page())
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        polling = f"polling every {every:g} s" if every > 0 else "polling off"
        console.print(f"worker processing webhook events, {polling}; Ctrl-C stops it", markup=False)
        await asyncio.gather(jobs.run(rt, interval_s=every, stop=stop), *beside)
        return 0

    count = run(work)
    if once:
        console.print(f"refreshed {count} open PO(s)", markup=False)
