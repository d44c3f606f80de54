"""disty demo: disty and stand-in distributors, wired together as a reseller would wire them.

In one process it starts the built-in simulator (Ingram Micro, a demo app whose orders move on
every few seconds, and TD SYNNEX's EC Express XML) and ``disty serve`` (webhook receiver and
worker); connects a ``demo`` tenant (country 1) to both: to Ingram with the simulator's webhook
pointed at disty's Destination URL and its Signature Token saved as the webhook key, to TD
SYNNEX with the simulator's demo account; runs Run Test on each; prices a few parts live at
both; places a PO at each supplier that disty can order from; then prints what to try in
another terminal, and serves until Ctrl-C.

Unless ``DISTY_HOME`` is set, everything lives in a throw-away folder, removed at the end.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shlex
import shutil
import signal
import socket
import sys
import tempfile
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from disty.cli._common import console, fail, guarded
from disty.domain.offers import Offer, OfferStatus
from disty.domain.orders import Address
from disty.errors import DistyError, InvalidInput, NotFound
from disty.suppliers import registry

# The web app, the simulator, the database and the HTTP servers are imported by the functions
# that use them: `disty --help` and `disty demo --help` do not load them (cli/__init__.py).
if TYPE_CHECKING:
    import asyncio

    import uvicorn

    from disty.config import Settings
    from disty.domain.checks import RunTestReport
    from disty.runtime import Runtime
    from disty.simulator import SimulatorConfig

TENANT = "demo"
# Priced at both distributors: manufacturer part numbers both carry (the products of Ingram's
# own API documentation examples, which the simulator pins, and which its TD SYNNEX side
# sells too: C9200L-24P-4G-E is one the demo account may not buy), one Ingram Micro part
# number, and one part no distributor knows.
SHARED_PART = "LS1016A-CISCO"  # Ingram's 123512: the part of the PO placed at each supplier
PARTS = [SHARED_PART, "C9200L-24P-4G-E", "20VE0117MH", "5204303", "4A0036", "NOSUCH-1"]


DISTY_PORT = 8000
SIMULATOR_PORT = 8765


def _port_free(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) != 0


def _any_free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def choose_port(asked: int | None, default: int, option: str) -> int:
    """The port to serve on: the one asked for (refused, naming the option, when it is taken),
    else the default, else, when something else holds the default, any free one (the demo
    prints the addresses it uses)."""
    if asked is not None:
        if not _port_free(asked):
            fail(f"port {asked} is in use: choose another with {option} (or leave it out)")
        return asked
    return default if _port_free(default) else _any_free_port()


def disty_command() -> str:
    """How another terminal runs this same disty: the executable running now, as a path
    (relative to the current folder when that is shorter), since the venv it lives in need not
    be activated there; ``python -m disty`` when it runs as a module."""
    argv0 = sys.argv[0] if sys.argv else ""
    found = (shutil.which(argv0) if os.sep not in argv0 else argv0) if argv0 else None
    if not found or Path(found).suffix == ".py":
        beside = Path(sys.executable).with_name("disty")
        if not beside.exists():
            return f"{shlex.quote(sys.executable)} -m disty"
        found = str(beside)
    path = Path(found).absolute()
    try:
        relative = path.relative_to(Path.cwd())
        shown = str(relative) if len(str(relative)) < len(str(path)) else str(path)
        shown = shown if os.sep in shown else f".{os.sep}{shown}"
    except ValueError:
        shown = str(path)
    return shlex.quote(shown)


def _server(app: object, port: int, *, lifespan: str) -> uvicorn.Server:
    import uvicorn

    config = uvicorn.Config(
        app,  # type: ignore[arg-type]
        host="127.0.0.1",
        port=port,
        access_log=False,
        log_level="warning",
        lifespan=lifespan,  # type: ignore[arg-type]
        proxy_headers=False,  # as 'disty serve': only DISTY_TRUSTED_PROXIES are believed
    )
    server = uvicorn.Server(config)
    # Two servers share this process: Ctrl-C is handled once, by the demo (see _run).
    server.capture_signals = contextlib.nullcontext  # type: ignore[method-assign, assignment]
    return server


async def _started(server: uvicorn.Server, task: asyncio.Task[None], what: str) -> None:
    import asyncio

    for _ in range(500):
        if server.started:
            return
        if task.done():
            break
        await asyncio.sleep(0.02)
    fail(f"{what} could not start")


async def _connect(rt: Runtime, sim: SimulatorConfig, base_url: str, td_url: str) -> None:
    from disty.services import connections, tenants
    from disty.services.connections import ConnectionChanges

    async with rt.sessions() as session:
        try:
            await tenants.get_tenant(session, TENANT)
        except NotFound:
            await tenants.add_tenant(session, TENANT, [1], "Demo Reseller")
    accounts = {
        # The simulator's demo app, its webhook's Signature Token saved as the webhook key.
        "ingram": ConnectionChanges.of(
            base_url=base_url,
            client_id=sim.client_id,
            client_secret=sim.client_secret,
            customer_number=sim.customer_number,
            application_id="DEMO-APP",
            contact_email="buyer@demo.example",
            webhook_key=sim.webhook_secret,
            webhook_label="demo",
        ),
        # The simulator's EC Express demo account (no webhooks: TD SYNNEX has none).
        "tdsynnex": ConnectionChanges.of(
            base_url=td_url,
            customer_number=sim.tdsynnex_customer,
            xml_user=sim.tdsynnex_user,
            xml_password=sim.tdsynnex_password,
        ),
    }
    for supplier, changes in accounts.items():
        async with rt.sessions() as session:
            await connections.set_connection(
                session,
                shortcut=TENANT,
                supplier=supplier,
                country_id=1,
                changes=changes,
                box=rt.box,
                public_url=rt.settings.effective_public_url,
                grace=rt.settings.webhook_key_grace,
                allow_custom_urls=rt.settings.allow_custom_supplier_urls,
            )


DEMO_ADMIN = "admin@demo.example"


async def _demo_admin(rt: Runtime) -> tuple[str, str | None]:
    """A one-use sign-in link's token for the demo tenant's admin, and their password (None:
    the admin existed already, with the password chosen then). The admin's password is not
    one-time: the link should open straight onto the dashboard."""
    from disty.services import users

    async with rt.sessions() as session:
        try:
            _, password = await users.add_user(
                session, email=DEMO_ADMIN, shortcut=TENANT, role="admin", actor="demo",
                one_time=False,
            )  # fmt: skip
        except InvalidInput:
            password = None
    async with rt.sessions() as session:
        token = await users.create_sign_in_link(session, DEMO_ADMIN)
    return token, password


# A few Ingram Micro POs, so the dashboard has something to show (its simulator moves them on
# through the control API): (PO, lines, hold, price drift, stage the
# simulator moves the order to at once). The rest of their lives follows by the simulator's
# clock, each step arriving by webhook.
SEED: list[tuple[str, dict[str, int], bool, bool, str | None]] = [
    ("DEMO-1001", {"123512": 2, "4A0036": 1}, False, False, "invoiced"),
    ("DEMO-1002", {"QQ0202": 5}, False, False, "shipped"),
    ("DEMO-1003", {"6YE881": 1}, True, False, None),
    ("DEMO-1004", {"123512": 10}, False, True, None),
    ("DEMO-1005", {"4A0036": 3}, False, False, None),
]
SHIP_TO = Address("Demo Reseller", "1 Main St", "Springfield", "IL", "62701", "US",
                  contact="Pat Buyer", email="buyer@demo.example")  # fmt: skip


async def _seed_orders(rt: Runtime, control_url: str) -> None:
    import httpx

    from disty.services import ordering
    from disty.services.ordering import Context, LineInput
    from disty.services.pricing import price_and_availability

    ctx = Context(rt.suppliers, actor="demo")
    async with rt.sessions() as session:
        offers = await price_and_availability(
            session, shortcut=TENANT, country_id=1, skus=sorted({s for _, ls, *_ in SEED
                                                                 for s in ls}),
            suppliers=rt.suppliers,
        )  # fmt: skip
    seen = {o.sku: o.price for o in offers if o.supplier == "ingram"}
    async with httpx.AsyncClient(base_url=control_url, timeout=10) as sim:
        for po_number, lines, hold, drift, stage in SEED:
            wanted = []
            for sku, quantity in lines.items():
                price = seen.get(sku)
                if price is not None and drift:
                    price = (price * Decimal("0.9")).quantize(Decimal("0.01"))  # it rose since
                wanted.append(LineInput(sku, quantity, price))
            async with rt.sessions() as session:
                po = await ordering.submit(
                    session, ctx, shortcut=TENANT, country_id=1, supplier="ingram",
                    po_number=po_number, lines=wanted, ship_to=SHIP_TO, hold=hold,
                    notes="placed by disty demo",
                )  # fmt: skip
            if stage and po.supplier_order_numbers:
                for number in po.supplier_order_numbers:
                    answer = await sim.post(f"/orders/{number}/advance", json={"to": stage})
                    answer.raise_for_status()


async def _connected(rt: Runtime) -> list[str]:
    """The demo tenant's suppliers in the United States, in the order disty lists them."""
    from disty.services import connections

    async with rt.sessions() as session:
        found = await connections.list_connections(
            session, shortcut=TENANT, box=rt.box, public_url=rt.settings.effective_public_url,
            country_id=1,
        )  # fmt: skip
    return [c.supplier for c in found]


async def _try_it(rt: Runtime) -> tuple[list[tuple[str, RunTestReport]], list[Offer]]:
    """Run Test on every connected supplier, then one price list across all of them."""
    from disty.services.pricing import price_and_availability
    from disty.services.run_test import run_test

    reports = []
    for supplier in await _connected(rt):
        async with rt.sessions() as session:
            report = await run_test(
                session, shortcut=TENANT, supplier=supplier, country_id=1,
                suppliers=rt.suppliers,
            )  # fmt: skip
        reports.append((supplier, report))
    async with rt.sessions() as session:
        offers = await price_and_availability(
            session, shortcut=TENANT, country_id=1, skus=PARTS, suppliers=rt.suppliers,
        )  # fmt: skip
    return reports, offers


async def _order_at_each(rt: Runtime, offers: list[Offer]) -> list[str]:
    """One PO at every connected supplier that disty can order from, through the ordering
    service as any PO: SHARED_PART by the supplier's own SKU, at the price it just offered.
    A supplier that takes no orders, or refuses the PO, is said so with the ordering
    service's reason, and the demo goes on."""
    from disty.services import ordering
    from disty.services.ordering import Context, LineInput

    ctx = Context(rt.suppliers, actor="demo")
    said = []
    for number, supplier in enumerate(await _connected(rt), start=2001):
        name = registry.get(supplier).name
        offer = next(
            (o for o in offers if o.supplier == supplier and o.sku == SHARED_PART
             and o.status is OfferStatus.OK and o.supplier_sku and o.price is not None),
            None,
        )  # fmt: skip
        if offer is None or offer.supplier_sku is None:
            said.append(f"{name}: no PO placed: it offered no price for {SHARED_PART}")
            continue
        po_number = f"DEMO-{number}"
        try:
            async with rt.sessions() as session:
                po = await ordering.submit(
                    session, ctx, shortcut=TENANT, country_id=1, supplier=supplier,
                    po_number=po_number, lines=[LineInput(offer.supplier_sku, 1, offer.price)],
                    ship_to=SHIP_TO, notes="placed by disty demo",
                )  # fmt: skip
        except DistyError as exc:
            said.append(f"{name}: PO {po_number} not placed: {exc}")
            continue
        orders = ", ".join(po.supplier_order_numbers) or "its number follows"
        said.append(f"{name}: PO {po_number} {po.status} (order {orders})")
    return said


def _print(reports: list[tuple[str, RunTestReport]], offers: list[Offer]) -> None:
    from rich.table import Table
    from rich.text import Text

    for supplier, report in reports:
        title = f"Run Test · demo · {registry.get(supplier).name} · United States"
        table = Table("check", "status", "detail", title=title)
        for check in report.checks:
            table.add_row(Text(check.name), Text(check.status.value), Text(check.detail))
        console.print(table)
    prices = Table(
        "part", "supplier", "its sku", "price", "available", "status",
        title="Live prices at both distributors",
    )  # fmt: skip
    for offer in offers:
        prices.add_row(
            Text(offer.sku),
            Text(registry.get(offer.supplier).name),
            Text(offer.supplier_sku or ""),
            Text("" if offer.price is None else f"{offer.price:.2f} {offer.currency}"),
            Text("" if offer.available is None else str(offer.available)),
            Text(_status(offer)),
        )
    console.print(prices)


def _status(offer: Offer) -> str:
    """A known part without a price says why (not authorized, discontinued)."""
    if offer.status is OfferStatus.OK and offer.price is None and offer.message:
        return offer.message
    return offer.status.value


def _instructions(settings: Settings, throwaway: bool) -> str:
    from disty.db.engine import describe

    env = [f"export DISTY_HOME={shlex.quote(str(settings.resolved_home))}"]
    if settings.database_url:
        env.append(f"export DISTY_DATABASE_URL={shlex.quote(describe(settings.database_url))}")
    env.append(f"export DISTY_PUBLIC_URL={shlex.quote(str(settings.public_url))}")
    env.append("export DISTY_ALLOW_CUSTOM_SUPPLIER_URLS=1")  # the simulator is plain http
    # The command as this terminal ran it: in a new one, the venv is not activated.
    disty = disty_command()
    steps = [
        f"{disty} pna --tenant demo --country 1 {SHARED_PART} 5204303 123512",
        f"{disty} source --tenant demo --country 1 --line {SHARED_PART}=3 --line 5204303=2",
        f"{disty} order submit --tenant demo --country 1 --supplier ingram --po DEMO-1 "
        "--line 123512=2 --ship-to 'Demo Reseller|1 Main St|Springfield|IL|62701|US'",
        f"{disty} order show DEMO-1 --tenant demo",
        f"{disty} events list --tenant demo",
    ]
    gone = " (a throw-away folder, removed when the demo stops)" if throwaway else ""
    return (
        f"\nTry it in another terminal, with this environment{gone}:\n\n"
        + "\n".join(f"  {line}" for line in [*env, "", *steps])
        + "\n\nOrders placed now ship and invoice within a minute; webhooks bring each step.\n"
        "Ctrl-C stops the demo.\n"
    )


def demo(
    port: Annotated[
        int | None,
        typer.Option(
            help=f"Port for disty serve [default: {DISTY_PORT}, or a free one if it is taken]",
            show_default=False,
        ),
    ] = None,
    simulator_port: Annotated[
        int | None,
        typer.Option(
            help=f"Port for the simulator [default: {SIMULATOR_PORT}, or a free one if it is "
            "taken]",
            show_default=False,
        ),
    ] = None,
    ship_after_s: Annotated[
        float, typer.Option(help="Seconds between the steps of an order's life.")
    ] = 10.0,
) -> None:
    """Run disty against the built-in Ingram Micro and TD SYNNEX simulator, until Ctrl-C."""
    import asyncio

    from disty.config import load_settings
    from disty.services import connections
    from disty.simulator import INGRAM_PREFIX, SimulatorConfig

    port = choose_port(port, DISTY_PORT, "--port")
    simulator_port = choose_port(simulator_port, SIMULATOR_PORT, "--simulator-port")
    if simulator_port == port:  # two free ports picked apart, the same by chance
        simulator_port = choose_port(None, port + 1, "--simulator-port")
    throwaway = "DISTY_HOME" not in os.environ
    home = Path(tempfile.mkdtemp(prefix="disty-demo-")) if throwaway else None
    disty_url = f"http://127.0.0.1:{port}"
    try:
        # The simulator delivers to this machine, so the Destination URL is the local one.
        # The simulator is on this machine over plain http: the demo is the operator here, and
        # allows that base URL for itself (and says to in the environment it prints).
        update: dict[str, object] = {"public_url": disty_url, "allow_custom_supplier_urls": True}
        if home is not None:
            update["home"] = home
        settings = guarded(load_settings).model_copy(update=update)
        sim = SimulatorConfig(
            ship_after_s=ship_after_s,
            webhook_url=connections.webhook_url(disty_url, "ingram", TENANT, 1),
            webhook_secret=secrets.token_urlsafe(24),
        )
        base_url = f"http://127.0.0.1:{simulator_port}{INGRAM_PREFIX}"
        asyncio.run(_run(settings, sim, base_url, port, simulator_port, throwaway))
    finally:
        if home is not None:
            shutil.rmtree(home, ignore_errors=True)


async def _run(
    settings: Settings,
    sim: SimulatorConfig,
    base_url: str,
    port: int,
    simulator_port: int,
    throwaway: bool,
) -> None:
    import asyncio

    from disty.runtime import open_runtime
    from disty.simulator import TDSYNNEX_PREFIX
    from disty.simulator import create_app as simulator_app
    from disty.web import create_app

    td_url = f"http://127.0.0.1:{simulator_port}{TDSYNNEX_PREFIX}/us"
    # The tenant and its connections exist before disty serves, so the first webhook verifies.
    async with open_runtime(settings) as rt:
        await _connect(rt, sim, base_url, td_url)
        link, password = await _demo_admin(rt)
    simulator = _server(simulator_app(sim), simulator_port, lifespan="off")
    disty = _server(create_app(settings), port, lifespan="on")
    tasks = [asyncio.create_task(simulator.serve()), asyncio.create_task(disty.serve())]
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    try:
        await _started(simulator, tasks[0], "the simulator")
        await _started(disty, tasks[1], "disty serve")
        console.print(f"Ingram Micro simulator at {base_url}", markup=False)
        console.print(f"TD SYNNEX simulator at {td_url}", markup=False)
        console.print(f"disty serving at http://127.0.0.1:{port}", markup=False)
        async with open_runtime(settings) as rt:
            reports, offers = await _try_it(rt)
            placed = await _order_at_each(rt, offers)
            await _seed_orders(rt, f"http://127.0.0.1:{simulator_port}/_control")
        _print(reports, offers)
        console.print("\nA PO at each distributor:", markup=False)
        for line in placed:
            console.print(f"  {line}", markup=False, soft_wrap=True)
        # typer.echo, not rich: a URL and a password must come out whole, never wrapped.
        typer.echo(
            f"\nWeb console: open http://127.0.0.1:{port}/login/link?token={link}\n"
            f"  (signs you in once as {DEMO_ADMIN}, straight onto the dashboard; afterwards "
            f"http://127.0.0.1:{port}/ with "
            + (f"the password {password}" if password else "the password you chose")
            + ")\n"
            "  In the browser: Products > paste a few parts (e.g. 123512 2) > Get prices > "
            "Create PO, then watch its page ship and invoice within a minute, live; or "
            f"Compare > paste {SHARED_PART} 3 > see both distributors' offers and why one "
            "was chosen > Create POs (one per distributor)."
        )
        # Whole lines, never wrapped to the terminal's width: they are pasted as printed.
        typer.echo(_instructions(settings, throwaway))
        await stop.wait()
    finally:
        simulator.should_exit = disty.should_exit = True
        await asyncio.gather(*tasks, return_exceptions=True)
        console.print("demo stopped", markup=False)
