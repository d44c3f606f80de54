"""Price and availability for 1,000 SKUs through disty, against a slow simulator.

Run: ``python bench/pna.py [--latency-ms 200] [--skus 1000]``

Starts ``disty simulator --latency-ms 200`` as a subprocess (Ingram's real calls take a few
hundred milliseconds), then, in one run, measures
- disty's wall time for P&A of 1,000 SKUs (a fresh client: the token fetch is included);
- the time of one 50-product call with a warm token;
- their ratio: how many round trips disty paid for 20 calls (target at most 3);
- the 429s disty drew (target 0);
- for comparison, Ingram's official SDK sending the same 20 calls one after another, as a
  simple integration would.
Figures are from one run on one machine; compare ratios, not absolutes.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import statistics
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx

from disty.domain.offers import OfferStatus
from disty.suppliers.hub import SupplierHub
from disty.suppliers.ingram.rest.adapter import IngramSupplier
from disty.suppliers.ingram.rest.client import IngramClient, IngramConfig

CLIENT_ID, CLIENT_SECRET, CUSTOMER = "disty-demo-client", "disty-demo-secret", "20-222222"


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@contextlib.contextmanager
def serve(latency_ms: int) -> Iterator[str]:
    port = free_port()
    disty = Path(sys.executable).with_name("disty")
    proc = subprocess.Popen(  # noqa: S603 - our own CLI, fixed arguments
        [str(disty), "simulator", "--port", str(port), "--latency-ms", str(latency_ms)],
        stdout=subprocess.DEVNULL,
    )
    root = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            with contextlib.suppress(httpx.TransportError):
                if httpx.get(root + "/").status_code == 200:
                    break
            time.sleep(0.05)
        yield root
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def reset_limits(root: str) -> None:
    # Each measurement starts from a fresh minute on the simulator's rate-limit windows.
    httpx.post(root + "/_control/clock/advance", json={"seconds": 61}).raise_for_status()


async def disty_run(root: str, skus: list[str]) -> tuple[float, float, float, int, int]:
    statuses: list[int] = []

    async def record(response: httpx.Response) -> None:
        statuses.append(response.status_code)

    hub = SupplierHub(http=httpx.AsyncClient(timeout=30, event_hooks={"response": [record]}))
    config = IngramConfig(root + "/ingram", CLIENT_ID, CLIENT_SECRET, CUSTOMER, "US")
    ingram = IngramSupplier(IngramClient(config, **hub.client_parts()))
    try:
        started = time.perf_counter()
        offers = await ingram.price_and_availability(skus)
        wall = time.perf_counter() - started
        assert [o.sku for o in offers] == skus
        ok = sum(o.status is OfferStatus.OK for o in offers)
        reset_limits(root)
        started = time.perf_counter()
        await ingram.price_and_availability(skus)
        warm = time.perf_counter() - started
        reset_limits(root)
        singles = []
        for _ in range(3):
            started = time.perf_counter()
            await ingram.client.price_and_availability([{"ingramPartNumber": s} for s in skus[:50]])
            singles.append(time.perf_counter() - started)
        return wall, warm, statistics.median(singles), statuses.count(429), ok
    finally:
        await hub.aclose()


async def part_numbers(root: str, n: int) -> list[str]:
    hub = SupplierHub()
    ingram = IngramSupplier(
        IngramClient(
            IngramConfig(root + "/ingram", CLIENT_ID, CLIENT_SECRET, CUSTOMER, "US"),
            **hub.client_parts(),
        )
    )
    try:
        found: list[str] = []
        page = 1
        while len(found) < n:
            result = await ingram.search_catalog(page=page, page_size=100)
            found += [item.supplier_sku for item in result.items]
            page += 1
        return found[:n]
    finally:
        await hub.aclose()


def sdk_loop(root: str, skus: list[str]) -> float | None:
    try:
        import xi.sdk.resellers as resellers
        from xi.sdk.resellers.api.accesstoken_api import AccesstokenApi
        from xi.sdk.resellers.api.product_catalog_api import ProductCatalogApi
        from xi.sdk.resellers.models.price_and_availability_request import (
            PriceAndAvailabilityRequest,
        )
        from xi.sdk.resellers.models.price_and_availability_request_products_inner import (
            PriceAndAvailabilityRequestProductsInner,
        )
    except ImportError:
        return None
    config = resellers.Configuration(host=root + "/ingram")
    client = resellers.ApiClient(config)
    started = time.perf_counter()
    token = AccesstokenApi(client).get_accesstoken("client_credentials", CLIENT_ID, CLIENT_SECRET)
    config.access_token = token.access_token
    api = ProductCatalogApi(client)
    for i in range(0, len(skus), 50):
        request = PriceAndAvailabilityRequest(
            products=[
                PriceAndAvailabilityRequestProductsInner(ingram_part_number=s)
                for s in skus[i : i + 50]
            ]
        )
        api.post_priceandavailability(
            True, True, im_customer_number=CUSTOMER, im_country_code="US",
            im_correlation_id=uuid.uuid4().hex, price_and_availability_request=request,
        )  # fmt: skip
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--latency-ms", type=int, default=200)
    parser.add_argument("--skus", type=int, default=1000)
    args = parser.parse_args()
    with serve(args.latency_ms) as root:
        skus = asyncio.run(part_numbers(root, args.skus))
        reset_limits(root)
        wall, warm, single, drawn_429, ok = asyncio.run(disty_run(root, skus))
        reset_limits(root)
        sdk = sdk_loop(root, skus)
    calls = -(-len(skus) // 50)
    print(f"simulator latency: {args.latency_ms} ms per call; {len(skus)} SKUs = {calls} calls")
    print(f"disty, {len(skus)} SKUs (token included): {wall:.3f} s  ({ok} priced)")
    print(f"disty, {len(skus)} SKUs again (warm token): {warm:.3f} s")
    print(f"one 50-product call (warm token, median of 3): {single:.3f} s")
    print(f"ratio disty / one call: {wall / single:.2f} round trips with the token fetch, "
          f"{warm / single:.2f} with a warm token (target <= 3)")  # fmt: skip
    print(f"429s drawn by disty: {drawn_429} (target 0)")
    if sdk is not None:
        print(f"official SDK, {calls} calls one after another: {sdk:.3f} s "
              f"({sdk / wall:.1f}x disty's time)")  # fmt: skip


if __name__ == "__main__":
    main()
