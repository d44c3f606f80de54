"""Price and availability across both distributors at once, against a slow simulator.

Run from the checkout: ``python -m bench.pna_suppliers [--latency-ms 200] [--parts 1000]``

Starts ``disty simulator --latency-ms 200`` as a subprocess, takes ``--parts`` manufacturer
part numbers from Ingram's simulated catalog (TD SYNNEX carries most of them) and measures, in
one run, with warm tokens:
- one 50-line call to each distributor (median of 3): the floor one round trip costs;
- each distributor alone for every part, and both at once as ``disty pna`` asks them;
- the ratios: round trips each distributor cost (wall / one call), and both at once over the
  slower alone (the physical limit is 1.0: asking both costs no more than the slower one).
Figures are from one run on one machine; compare ratios, not absolutes.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time

import httpx
from bench.pna import CLIENT_ID, CLIENT_SECRET, CUSTOMER, reset_limits, serve

from disty.domain.connections import ApiType
from disty.domain.offers import Offer, OfferStatus
from disty.suppliers.base import Supplier
from disty.suppliers.hub import SupplierHub
from disty.suppliers.ingram.rest.adapter import IngramSupplier
from disty.suppliers.ingram.rest.client import IngramClient, IngramConfig
from disty.suppliers.registry import ConnectionSettings
from disty.suppliers.tdsynnex.registration import xml_adapter

TD_CUSTOMER, TD_USER, TD_PASSWORD = "1150897", "buyer@disty.example", "disty-demo-xml"


async def vendor_parts(ingram: IngramSupplier, n: int) -> list[str]:
    found: list[str] = []
    page = 1
    while len(found) < n:
        result = await ingram.search_catalog(page=page, page_size=100)
        found += [i.vendor_part_number for i in result.items if i.vendor_part_number]
        page += 1
    return found[:n]


async def timed(supplier: Supplier, parts: list[str]) -> tuple[float, list[Offer]]:
    started = time.perf_counter()
    offers = await supplier.price_and_availability(parts)
    return time.perf_counter() - started, offers


async def run(root: str, n: int) -> None:
    hub = SupplierHub(http=httpx.AsyncClient(timeout=60))
    ingram = IngramSupplier(
        IngramClient(
            IngramConfig(root + "/ingram", CLIENT_ID, CLIENT_SECRET, CUSTOMER, "US"),
            **hub.client_parts(),
        )
    )
    td = xml_adapter(
        ConnectionSettings(
            "tdsynnex", ApiType.XML, root + "/tdsynnex/us", 1, "US",
            {"customer_number": TD_CUSTOMER, "xml_user": TD_USER, "xml_password": TD_PASSWORD},
        ),
        hub,
        None,  # type: ignore[arg-type]  # the XML adapter reads no operator setting
    )  # fmt: skip
    try:
        parts = await vendor_parts(ingram, n)
        reset_limits(root)
        floors = {}
        for name, supplier in (("Ingram Micro", ingram), ("TD SYNNEX", td)):
            singles = []
            for _ in range(3):
                singles.append((await timed(supplier, parts[:50]))[0])
                reset_limits(root)
            floors[name] = statistics.median(singles)
        alone = {}
        priced = {}
        for name, supplier in (("Ingram Micro", ingram), ("TD SYNNEX", td)):
            alone[name], offers = await timed(supplier, parts)
            priced[name] = sum(o.status is OfferStatus.OK for o in offers)
            reset_limits(root)
        started = time.perf_counter()
        await asyncio.gather(ingram.price_and_availability(parts), td.price_and_availability(parts))
        both = time.perf_counter() - started
    finally:
        await hub.aclose()
    print(f"{len(parts)} manufacturer part numbers, {-(-len(parts) // 50)} calls per distributor")
    for name in alone:
        print(
            f"{name}: one 50-line call {floors[name]:.3f} s; all alone {alone[name]:.3f} s "
            f"({priced[name]} priced) = {alone[name] / floors[name]:.2f} round trips"
        )
    slower = max(alone.values())
    print(f"both at once: {both:.3f} s = {both / slower:.2f}x the slower alone (limit 1.0)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--latency-ms", type=int, default=200)
    parser.add_argument("--parts", type=int, default=1000)
    args = parser.parse_args()
    with serve(args.latency_ms) as root:
        asyncio.run(run(root, args.parts))


if __name__ == "__main__":
    main()
