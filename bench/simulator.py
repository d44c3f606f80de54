"""Benchmark the simulator alone, so later benchmarks know it is not their bottleneck.

Run: ``python bench/simulator.py [--seconds S] [--concurrency C]``

Starts ``disty simulator`` as subprocesses (a 5,000-product and a 1,000,000-product catalog),
then prints
- requests per second for price and availability with 50 SKUs, and for catalog search
  (keyword plus filters, 25 a page), against the 5,000-product simulator and the million one;
- orders placed per second (v6 create, 2 lines) on an empty simulator and again once
  thousands of orders exist: the ratio shows what the order book's linear scans (due steps,
  duplicate order numbers) cost as it grows;
- the resident memory of each after the same warm-up, and their ratio: the million-product
  catalog is computed, not stored, so the ratio stays near 1 (its one extra per-product
  structure is the 1-byte template index behind keyword search).
Figures are from one run on one machine; compare ratios, not absolutes.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx

PNA_QUERY = {"includeAvailability": "true", "includePricing": "true"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@contextlib.contextmanager
def serve(products: int) -> Iterator[tuple[str, int]]:
    port = free_port()
    disty = Path(sys.executable).with_name("disty")
    proc = subprocess.Popen(  # noqa: S603 - our own CLI, fixed arguments
        [
            str(disty),
            "simulator",
            "--port",
            str(port),
            "--products",
            str(products),
            "--pna-per-minute",
            "100000000",
        ],
        stdout=subprocess.DEVNULL,
    )
    root = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            with contextlib.suppress(httpx.TransportError):
                if httpx.get(root + "/").status_code == 200:
                    break
            time.sleep(0.05)
        httpx.put(root + "/_control/limits", json={"get_per_minute": 100_000_000})
        yield root, proc.pid
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def auth_headers(root: str) -> dict[str, str]:
    r = httpx.get(
        root + "/ingram/oauth/oauth20/token",
        params={
            "grant_type": "client_credentials",
            "client_id": "disty-demo-client",
            "client_secret": "disty-demo-secret",
        },
    )
    return {
        "Authorization": f"Bearer {r.json()['access_token']}",
        "IM-CustomerNumber": "20-222222",
        "IM-CountryCode": "US",
        "IM-CorrelationID": "bench",
    }


async def rate(root: str, make: str, seconds: float, concurrency: int, skus: list[str]) -> float:
    headers = auth_headers(root)
    done = 0
    stop = time.perf_counter() + seconds
    keywords = ["notebook", "monitor", "ssd", "switch", "cable", "ups"]

    async def worker(n: int) -> None:
        nonlocal done
        async with httpx.AsyncClient(base_url=root, headers=headers) as client:
            i = n
            while time.perf_counter() < stop:
                if make == "orders":
                    r = await client.post(
                        "/ingram/resellers/v6/orders",
                        json={
                            "customerOrderNumber": f"B{stop:.0f}-{n}-{i}",
                            "lines": [
                                {
                                    "customerLineNumber": "1",
                                    "ingramPartNumber": skus[i % 1000],
                                    "quantity": 1,
                                },
                                {
                                    "customerLineNumber": "2",
                                    "ingramPartNumber": skus[(i + 7) % 1000],
                                    "quantity": 2,
                                },
                            ],
                        },
                    )
                    assert r.status_code in (201, 207), r.text[:200]
                    done += 1
                    i += concurrency
                    continue
                if make == "pna":
                    batch = [{"ingramPartNumber": s} for s in skus[(i * 50) % 1000 :][:50]]
                    r = await client.post(
                        "/ingram/resellers/v6/catalog/priceandavailability",
                        params=PNA_QUERY,
                        json={"products": batch},
                    )
                else:
                    r = await client.get(
                        "/ingram/resellers/v6/catalog",
                        params={"keyword": keywords[i % len(keywords)], "pageNumber": 1 + i % 20},
                    )
                assert r.status_code in (200, 207), r.text[:200]
                done += 1
                i += concurrency

    start = time.perf_counter()
    await asyncio.gather(*(worker(n) for n in range(concurrency)))
    return done / (time.perf_counter() - start)


def sample_skus(root: str) -> list[str]:
    h = auth_headers(root)
    skus: list[str] = []
    page = 1
    while len(skus) < 1050:
        r = httpx.get(
            root + "/ingram/resellers/v6/catalog",
            headers=h,
            params={"pageSize": 100, "pageNumber": page},
        )
        skus += [row["ingramPartNumber"] for row in r.json()["catalog"]]
        page += 1
    return skus


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--concurrency", type=int, default=8)
    args = parser.parse_args()
    print(
        f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs, "
        f"{args.concurrency} concurrent clients, {args.seconds:.0f} s a figure"
    )
    rss: dict[int, float] = {}
    for products in (5_000, 1_000_000):
        with serve(products) as (root, pid):
            skus = sample_skus(root)
            pna = asyncio.run(rate(root, "pna", args.seconds, args.concurrency, skus))
            search = asyncio.run(rate(root, "search", args.seconds, args.concurrency, skus))
            rss[products] = rss_mb(pid)
            if products == 5_000:
                first = asyncio.run(rate(root, "orders", args.seconds, args.concurrency, skus))
                placed = len(httpx.get(root + "/_control/orders").json())
                later = asyncio.run(rate(root, "orders", args.seconds, args.concurrency, skus))
                print(
                    f"orders placed: {first:6.0f}/s on an empty book, {later:6.0f}/s with "
                    f"{placed:,} orders ({later / first:.2f}x)"
                )
            print(
                f"{products:>9,} products: P&A (50 SKUs) {pna:7.0f} req/s "
                f"({pna * 50:8.0f} SKUs/s), search {search:7.0f} req/s, "
                f"RSS {rss[products]:6.1f} MB"
            )
    print(f"RSS 1,000,000 / 5,000 products: {rss[1_000_000] / rss[5_000]:.2f}x")


if __name__ == "__main__":
    main()
