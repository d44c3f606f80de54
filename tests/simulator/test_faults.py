"""Injected faults over real HTTP: latency, errors, timeouts and dropped connections."""

from __future__ import annotations

from collections import Counter

import httpx
import pytest

from disty.simulator.ingram import ConnectionDropped
from tests.fixtures.simulator import RunningSimulator, SimulatorClient
from tests.simulator.helpers import SEARCH, authed

PATH = SEARCH.removeprefix("/ingram")


def _fault(sim: RunningSimulator, **rule: object) -> None:
    httpx.post(sim.control_url + "/faults", json=rule).raise_for_status()


def _client(sim: RunningSimulator, timeout_s: float = 10) -> httpx.AsyncClient:
    return httpx.AsyncClient(base_url=sim.root_url, timeout=timeout_s)


async def test_injected_500_and_429(simulator: RunningSimulator) -> None:
    async with _client(simulator) as c:
        h = await authed(c)
        _fault(
            simulator, kind="error", status=500, endpoint="get-reseller-v6-productsearch", times=1
        )
        r = await c.get(SEARCH, headers=h)
        assert r.status_code == 500
        assert r.json()["errors"][0]["type"] == "/errors/system-errors"
        assert (await c.get(SEARCH, headers=h)).status_code == 200  # times=1 is spent
        _fault(simulator, kind="error", status=429, times=1)
        r = await c.get(SEARCH, headers=h)
        assert r.status_code == 429
        for name in (
            "X-RateLimit-Limit",
            "X-RateLimit-Remaining",
            "X-RateLimit-Reset",
            "Retry-After",
        ):
            assert name in r.headers


async def test_error_rate_hits_a_share_of_requests(simulator: RunningSimulator) -> None:
    async with _client(simulator) as c:
        h = await authed(c)
        _fault(simulator, kind="error", status=500, rate=0.5)
        await c.put("/_control/limits", json={"get_per_minute": 1000})
        statuses = Counter([(await c.get(SEARCH, headers=h)).status_code for _ in range(40)])
        assert set(statuses) == {200, 500}


async def test_faults_can_target_one_endpoint(simulator: RunningSimulator) -> None:
    async with _client(simulator) as c:
        h = await authed(c)
        _fault(simulator, kind="error", endpoint="post-priceandavailability")
        assert (await c.get(SEARCH, headers=h)).status_code == 200
        r = await c.post(
            "/ingram/resellers/v6/catalog/priceandavailability",
            headers=h,
            params={"includeAvailability": "true", "includePricing": "true"},
            json={"products": [{"ingramPartNumber": "123512"}]},
        )
        assert r.status_code == 500


async def test_latency_still_answers(simulator: RunningSimulator) -> None:
    async with _client(simulator) as c:
        h = await authed(c)
        _fault(simulator, kind="latency", latency_ms=50)
        assert (await c.get(SEARCH, headers=h)).status_code == 200


async def test_timeout_outlasts_the_client(simulator: RunningSimulator) -> None:
    async with _client(simulator, timeout_s=0.3) as c:
        h = await authed(c)
        _fault(simulator, kind="timeout", timeout_s=30)
        with pytest.raises(httpx.ReadTimeout):
            await c.get(SEARCH, headers=h)


async def test_short_timeout_answers_504(simulator: RunningSimulator) -> None:
    async with _client(simulator) as c:
        h = await authed(c)
        _fault(simulator, kind="timeout", timeout_s=0.05)
        r = await c.get(SEARCH, headers=h)
        assert r.status_code == 504
        assert r.json()["fault"]["faultstring"] == "Gateway Timeout"


async def test_dropped_connection_is_a_protocol_error(simulator: RunningSimulator) -> None:
    async with _client(simulator) as c:
        h = await authed(c)
        _fault(simulator, kind="drop", endpoint="post-priceandavailability", times=1)
        with pytest.raises(httpx.RemoteProtocolError):
            await c.post(
                "/ingram/resellers/v6/catalog/priceandavailability",
                headers=h,
                params={"includeAvailability": "true", "includePricing": "true"},
                json={"products": [{"ingramPartNumber": "123512"}]},
            )
        # The server is fine afterwards.
        assert (await c.get(SEARCH, headers=h)).status_code == 200
        counts = (await c.get("/_control/counts")).json()
        assert counts["post-priceandavailability"] == 1


async def test_dropped_connection_in_process(simulator_client: SimulatorClient) -> None:
    h = await authed(simulator_client)
    await simulator_client.post("/_control/faults", json={"kind": "drop"})
    with pytest.raises(ConnectionDropped):
        await simulator_client.get(SEARCH, headers=h)
