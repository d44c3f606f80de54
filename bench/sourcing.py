"""Sourcing a 500-line list across both distributors, against a slow simulator.

Run from the checkout: ``python -m bench.sourcing [--latency-ms 200] [--lines 500]``

Starts ``disty simulator --latency-ms 200`` as a subprocess and a throw-away disty (SQLite in a
temporary folder) with one tenant connected to both distributors, then measures in one run:
- one 50-line price call to each distributor (median of 3): what one round trip costs;
- each distributor alone for every line (``disty pna``'s path, that supplier only);
- the whole sourcing answer (both asked at once, a second round where a part was resolved to
  another MPN, the choice per line);
- the ratios the issue sets: round trips each distributor cost inside sourcing (requests it
  received / the calls one pass needs, and wall time / one call), and sourcing's time over the
  slower distributor alone (target at most 1.3x).
Figures are from one run on one machine; compare ratios, not absolutes.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from pathlib import Path

import httpx
from bench.pna import CLIENT_ID, CLIENT_SECRET, CUSTOMER, reset_limits, serve
from bench.pna_suppliers import vendor_parts
from pydantic import SecretStr

from disty.config import Settings
from disty.crypto import generate_key
from disty.domain.sourcing import SourcingRequest, WantedLine
from disty.runtime import Runtime, open_runtime
from disty.services import connections, pricing, sourcing, tenants
from disty.services.connections import ConnectionChanges
from disty.simulator.config import SimulatorConfig
from disty.suppliers.hub import SupplierHub
from disty.suppliers.ingram.rest.adapter import IngramSupplier
from disty.suppliers.ingram.rest.client import IngramClient, IngramConfig

TENANT = "bench"
SUPPLIERS = ("ingram", "tdsynnex")


async def connect(rt: Runtime, root: str) -> None:
    sim = SimulatorConfig()
    async with rt.sessions() as session:
        await tenants.add_tenant(session, TENANT, [1])
    accounts = {
        "ingram": ConnectionChanges.of(
            base_url=root + "/ingram", client_id=sim.client_id, client_secret=sim.client_secret,
            customer_number=sim.customer_number, application_id="BENCH",
            contact_email="bench@disty.example",
        ),
        "tdsynnex": ConnectionChanges.of(
            base_url=root + "/tdsynnex/us", customer_number=sim.tdsynnex_customer,
            xml_user=sim.tdsynnex_user, xml_password=sim.tdsynnex_password,
        ),
    }  # fmt: skip
    for supplier, changes in accounts.items():
        async with rt.sessions() as session:
            await connections.set_connection(
                session, shortcut=TENANT, supplier=supplier, country_id=1, changes=changes,
                box=rt.box, public_url=rt.settings.effective_public_url,
                grace=rt.settings.webhook_key_grace, allow_custom_urls=True,
            )  # fmt: skip


async def parts(root: str, n: int) -> list[str]:
    """Manufacturer part numbers from Ingram's simulated catalog (TD SYNNEX carries most)."""
    hub = SupplierHub()
    ingram = IngramSupplier(
        IngramClient(
            IngramConfig(root + "/ingram", CLIENT_ID, CLIENT_SECRET, CUSTOMER, "US"),
            **hub.client_parts(),
        )
    )
    try:
        return await vendor_parts(ingram, n)
    finally:
        await hub.aclose()


async def requests_seen(root: str) -> dict[str, int]:
    async with httpx.AsyncClient(base_url=root) as client:
        ingram = (await client.get("/_control/counts")).json()
        td = (await client.get("/_control/counts", params={"distributor": "tdsynnex"})).json()
    return {
        "ingram": sum(v for k, v in ingram.items() if "price" in k.lower()),
        "tdsynnex": sum(v for k, v in td.items() if "Price" in k),
    }


async def clear_counts(root: str) -> None:
    async with httpx.AsyncClient(base_url=root) as client:
        (await client.delete("/_control/counts")).raise_for_status()


async def run(root: str, n: int, home: Path, latency: float) -> None:
    settings = Settings(
        home=home, secret_keys=SecretStr(generate_key()), allow_custom_supplier_urls=True,
        public_url="https://bench.disty.example",
    )  # fmt: skip
    async with open_runtime(settings) as rt:
        await connect(rt, root)
        wanted = await parts(root, n)
        lines = tuple(WantedLine(i, part, 1 + i % 3) for i, part in enumerate(wanted, start=1))

        async def alone(supplier: str, skus: list[str]) -> float:
            reset_limits(root)
            started = time.perf_counter()
            async with rt.sessions() as session:
                await pricing.price_and_availability(
                    session, shortcut=TENANT, country_id=1, skus=skus, suppliers=rt.suppliers,
                    only=[supplier],
                )  # fmt: skip
            return time.perf_counter() - started

        floor = {s: statistics.median([await alone(s, wanted[:50]) for _ in range(3)])
                 for s in SUPPLIERS}  # fmt: skip
        single = {s: await alone(s, wanted) for s in SUPPLIERS}
        reset_limits(root)
        await clear_counts(root)
        started = time.perf_counter()
        async with rt.sessions() as session:
            result = await sourcing.source(
                session, shortcut=TENANT, country_id=1,
                request=SourcingRequest(lines), suppliers=rt.suppliers,
            )  # fmt: skip
        whole = time.perf_counter() - started
        seen = await requests_seen(root)
    calls = -(-n // 50)
    chosen = sum(1 for line in result.lines if line.allocations)
    print(f"{n} lines (manufacturer part numbers), {calls} calls of 50 per distributor per pass")
    for s in SUPPLIERS:
        print(
            f"{s}: one 50-line call {floor[s]:.3f} s; all lines alone {single[s]:.3f} s "
            f"= {single[s] / floor[s]:.2f} calls' time; during sourcing it received "
            f"{seen[s]} price requests = {seen[s] / calls:.2f} passes"
        )
    slower = max(single.values())
    print(f"sourcing, both at once: {whole:.3f} s, {chosen} of {n} lines chosen")
    if latency:
        print(
            f"round trips: sourcing took {whole / latency:.1f} x the {latency * 1000:.0f} ms "
            f"latency (the longest chain of calls one after another; target <= 3 per supplier)"
        )
    print(f"sourcing / slower distributor alone: {whole / slower:.2f}x (target <= 1.3)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--latency-ms", type=int, default=200)
    parser.add_argument("--lines", type=int, default=500)
    args = parser.parse_args()
    with serve(args.latency_ms) as root, tempfile.TemporaryDirectory() as home:
        asyncio.run(run(root, args.lines, Path(home), args.latency_ms / 1000))


if __name__ == "__main__":
    main()
