"""No request waits past a deadline, attacked with a 429 storm from the simulator (fault
injection: every catalog search answers 429 with Retry-After 60).

Before, one catalog call honoured each Retry-After in turn and waited three minutes. Now a call
fails as soon as a wait would pass its deadline (DISTY_SUPPLIER_DEADLINE_S for the CLI and the
worker; DISTY_WEB_SUPPLIER_DEADLINE_S, seconds, for a whole web request), with the
distributor's error saying when to try again: the API answers 429 with Retry-After and the
console says the distributor is limiting. Time is simulated (the hub's sleep and clock move the
simulator's clock), so the waits are counted, never timed.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import httpx
import pytest

from disty.config import Settings
from disty.suppliers.errors import RateLimited
from disty.suppliers.http import RetryPolicy
from disty.suppliers.hub import SupplierHub
from disty.web import create_app
from tests.conftest import Cli
from tests.fixtures.console import signed_in
from tests.fixtures.disty import ServedDisty, ThreadedServer
from tests.fixtures.ingram import SimulatedTime, control, harness, supplier
from tests.fixtures.simulator import RunningSimulator
from tests.fixtures.tenants import tenant_with_token

SEARCH = "get-reseller-v6-productsearch"
# Production's retry policy (4 attempts, Retry-After honoured up to 60 s), quick backoffs.
POLICY = RetryPolicy(attempts=4, base_delay_s=0.001, max_delay_s=0.01)


@pytest.fixture
def storm(simulator: RunningSimulator) -> None:
    """Every catalog search answers 429 with the window's Retry-After (60 s)."""
    control(simulator, "POST", "/faults", json={"kind": "error", "endpoint": SEARCH, "status": 429})


async def test_a_call_in_a_429_storm_fails_at_its_deadline_saying_when_to_retry(
    simulator: RunningSimulator, storm: None
) -> None:
    async with harness(simulator, policy=POLICY) as h:
        with pytest.raises(RateLimited) as raised:
            await supplier(h, simulator).search_catalog("laptop")
    assert sum(h.time.waits) <= POLICY.deadline_s, h.time.waits
    assert raised.value.retry_after is not None
    assert raised.value.retry_after >= 1
    assert "try again in" in str(raised.value)


@pytest.fixture
def token(settings: Settings, simulator: RunningSimulator) -> str:
    return asyncio.run(tenant_with_token(settings, simulator, "read"))


@pytest.fixture
def time(simulator: RunningSimulator) -> SimulatedTime:
    return SimulatedTime(simulator)


@pytest.fixture
def served(
    settings: Settings, token: str, time: SimulatedTime, storm: None
) -> Iterator[ServedDisty]:
    """disty served with production's retry policy on simulated time."""
    app = create_app(
        settings,
        hub=lambda: SupplierHub(policy=POLICY, sleep=time.sleep, clock=time.clock),
        run_worker=False,
    )
    server = ThreadedServer(app)
    port = server.start()
    try:
        yield ServedDisty(f"http://127.0.0.1:{port}")
    finally:
        server.stop()


def test_the_api_answers_429_with_retry_after_instead_of_waiting(
    settings: Settings, served: ServedDisty, token: str, time: SimulatedTime
) -> None:
    with httpx.Client(
        base_url=served.url + "/api/v1", headers={"Authorization": f"Bearer {token}"}, timeout=30
    ) as api:
        answer = api.get("/catalog", params={"country_id": 1, "keyword": "laptop"})
    assert answer.status_code == 429, answer.text
    assert int(answer.headers["Retry-After"]) >= 1
    assert "try again in" in answer.json()["detail"]
    assert sum(time.waits) <= settings.web_supplier_deadline_s, time.waits


def test_the_console_says_the_distributor_is_limiting_within_seconds(
    settings: Settings, served: ServedDisty, time: SimulatedTime, cli: Cli
) -> None:
    with signed_in(served, cli, "buyer@smbi.example", role="buyer") as browser:
        page = browser.get("/t/smbi/products", params={"q": "laptop", "country": "1"})
    assert page.status_code == 429
    assert "rate limit" in page.text
    assert "try again in" in page.text
    assert sum(time.waits) <= settings.web_supplier_deadline_s, time.waits
