"""disty demo: the journey so far, end to end, against the built-in Ingram Micro simulator.

It starts the simulator in this process, connects a ``demo`` tenant to it (as an admin would
with ``disty supplier set``), runs Run Test, prices a few parts live, prints it all and stops.
The connection stays saved: ``disty simulator`` on the same port brings its distributor back.
"""

from __future__ import annotations

import socket
import threading
from typing import Annotated

import typer
import uvicorn
from rich.table import Table
from rich.text import Text

from disty.cli._common import console, fail, run
from disty.domain.checks import RunTestReport
from disty.domain.offers import Offer
from disty.errors import NotFound
from disty.runtime import Runtime
from disty.services import connections, tenants
from disty.services.connections import ConnectionChanges
from disty.services.pricing import price_and_availability
from disty.services.run_test import run_test
from disty.simulator import INGRAM_PREFIX, SimulatorConfig, create_app

TENANT = "demo"
# Parts the simulator always carries (the examples of Ingram's own API documentation), one
# vendor part number, and one part no distributor knows.
PARTS = ["123512", "QQ0202", "4A0036", "6YE881", "5204303", "NOSUCH-1"]


class _Simulator:
    def __init__(self, config: SimulatorConfig, port: int) -> None:
        self.server = uvicorn.Server(
            uvicorn.Config(
                create_app(config),
                host="127.0.0.1",
                port=port,
                access_log=False,
                log_level="warning",
                lifespan="off",
            )
        )
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> _Simulator:
        self.thread.start()
        ready = threading.Event()
        while not self.server.started and self.thread.is_alive():
            ready.wait(0.02)
        if not self.server.started:
            fail("the simulator could not start")
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


def _port_free(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) != 0


def demo(
    port: Annotated[int, typer.Option(help="Port for the built-in simulator.")] = 8765,
) -> None:
    """Connect a demo tenant to the built-in Ingram Micro simulator, Run Test, price parts."""
    if not _port_free(port):
        fail(f"port {port} is in use (is 'disty simulator' running?): choose --port")
    config = SimulatorConfig()
    base_url = f"http://127.0.0.1:{port}{INGRAM_PREFIX}"

    async def work(rt: Runtime) -> tuple[RunTestReport, list[Offer]]:
        async with rt.sessions() as session:
            try:
                await tenants.get_tenant(session, TENANT)
            except NotFound:
                await tenants.add_tenant(session, TENANT, [1], "Demo Reseller")
        async with rt.sessions() as session:
            await connections.set_connection(
                session,
                shortcut=TENANT,
                supplier="ingram",
                country_id=1,
                changes=ConnectionChanges(
                    base_url=base_url,
                    client_id=config.client_id,
                    client_secret=config.client_secret,
                    customer_number=config.customer_number,
                    application_id="DEMO-APP",
                    contact_email="buyer@demo.example",
                ),
                box=rt.box,
                public_url=rt.settings.effective_public_url,
                grace=rt.settings.webhook_key_grace,
            )
        async with rt.sessions() as session:
            report = await run_test(
                session, shortcut=TENANT, supplier="ingram", country_id=1, box=rt.box,
                hub=rt.suppliers, settings=rt.settings,
            )  # fmt: skip
        async with rt.sessions() as session:
            offers = await price_and_availability(
                session, shortcut=TENANT, country_id=1, skus=PARTS, box=rt.box,
                hub=rt.suppliers, settings=rt.settings,
            )  # fmt: skip
        return report, offers

    console.print(f"Ingram Micro simulator at {base_url}", markup=False)
    with _Simulator(config, port):
        report, offers = run(work)

    table = Table("check", "status", "detail", title="Run Test · demo · United States")
    for check in report.checks:
        table.add_row(Text(check.name), Text(check.status.value), Text(check.detail))
    console.print(table)
    prices = Table("sku", "description", "price", "available", "status", title="Live prices")
    for offer in offers:
        prices.add_row(
            Text(offer.sku),
            Text((offer.description or "")[:38]),
            Text("" if offer.price is None else f"{offer.price:.2f} {offer.currency}"),
            Text("" if offer.available is None else str(offer.available)),
            Text(offer.status.value),
        )
    console.print(prices)
    console.print(
        "Next: 'disty supplier show --tenant demo', or run 'disty simulator' and then "
        "'disty pna --tenant demo --country 1 123512 QQ0202'.",
        markup=False,
    )
