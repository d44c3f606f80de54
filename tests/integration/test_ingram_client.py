"""disty's Ingram client against the simulator over real HTTP: tokens, errors, retries, P&A."""

from __future__ import annotations

import asyncio

import pytest

from disty.domain.offers import OfferStatus
from disty.suppliers.errors import (
    AppNotApproved,
    AuthenticationFailed,
    BadCustomerNumber,
    RequestRejected,
    Unavailable,
)
from disty.suppliers.http import RetryPolicy
from disty.suppliers.ingram.rest.client import correlation_id
from tests.fixtures.ingram import (
    control,
    counts,
    harness,
    new_app,
    part_numbers,
    supplier,
)
from tests.fixtures.simulator import RunningSimulator

TOKEN = "get-accesstoken"
PNA = "post-priceandavailability"
SEARCH = "get-reseller-v6-productsearch"


def test_correlation_ids_fit_ingrams_limit() -> None:
    ids = {correlation_id() for _ in range(1000)}
    assert len(ids) == 1000
    assert all(len(i) <= 32 for i in ids)


async def test_two_hundred_concurrent_calls_fetch_one_token(simulator: RunningSimulator) -> None:
    control(simulator, "PUT", "/limits", json={"get_per_minute": 1000})
    async with harness(simulator) as h:
        ingram = supplier(h, simulator, get_per_minute=1000)
        pages = await asyncio.gather(*(ingram.search_catalog(page_size=1) for _ in range(200)))
    assert all(page.total > 0 for page in pages)
    assert counts(simulator)[TOKEN] == 1
    assert counts(simulator)[SEARCH] == 200


async def test_an_expired_token_is_refreshed_once(simulator: RunningSimulator) -> None:
    client_id, secret = new_app(simulator, token_ttl_s=600)
    async with harness(simulator) as h:
        ingram = supplier(h, simulator, client_id=client_id, client_secret=secret)
        await ingram.search_catalog(page_size=1)
        # The simulator's clock runs past the token's life; disty's cache still holds it.
        control(simulator, "POST", "/clock/advance", json={"seconds": 700})
        await ingram.search_catalog(page_size=1)
    assert counts(simulator)[TOKEN] == 2
    assert h.wire.count(401) == 1  # one refused call, then the refreshed token worked


async def test_revoked_credentials_give_one_refresh_then_a_clear_error(
    simulator: RunningSimulator,
) -> None:
    client_id, secret = new_app(simulator)
    async with harness(simulator) as h:
        ingram = supplier(h, simulator, client_id=client_id, client_secret=secret)
        await ingram.search_catalog(page_size=1)
        control(simulator, "PATCH", f"/apps/{client_id}", json={"client_secret": "rotated-away"})
        control(simulator, "POST", f"/apps/{client_id}/revoke-tokens")
        with pytest.raises(AuthenticationFailed, match="Check the client id and client secret"):
            await ingram.search_catalog(page_size=1)
    assert counts(simulator)[TOKEN] == 2  # the first token, and exactly one refresh attempt
    assert secret not in str(h.wire.statuses)


@pytest.mark.parametrize("state", ["in_review", "v7_only", "revoked"])
async def test_unapproved_apps_get_app_not_approved(
    simulator: RunningSimulator, state: str
) -> None:
    client_id, secret = new_app(simulator, state=state)
    async with harness(simulator) as h:
        ingram = supplier(h, simulator, client_id=client_id, client_secret=secret)
        with pytest.raises(AppNotApproved, match="In Review") as error:
            await ingram.search_catalog(page_size=1)
    assert error.value.status == 401
    assert "no apiproduct match" in (error.value.supplier_message or "").lower()


async def test_wrong_customer_number_and_country(simulator: RunningSimulator) -> None:
    async with harness(simulator) as h:
        with pytest.raises(BadCustomerNumber, match="customer number"):
            await supplier(h, simulator, customer_number="99-999999").search_catalog()
        client_id, secret = new_app(simulator, countries=["US"])
        other = supplier(h, simulator, client_id=client_id, client_secret=secret, country="CA")
        with pytest.raises(BadCustomerNumber):
            await other.search_catalog()


async def test_maintenance_is_retried_then_reported(simulator: RunningSimulator) -> None:
    control(simulator, "PUT", "/maintenance", json={"on": True})
    async with harness(simulator) as h:
        with pytest.raises(Unavailable, match="maintenance window"):
            await supplier(h, simulator).search_catalog()
    assert h.wire.count(500) == 4  # safe calls: four attempts, then the error


async def test_unreachable_base_url(simulator: RunningSimulator) -> None:
    async with harness(simulator) as h:
        ingram = supplier(h, simulator, base_url="http://127.0.0.1:9/ingram")
        with pytest.raises(Unavailable, match=r"cannot reach Ingram Micro at http://127.0.0.1:9"):
            await ingram.search_catalog()


async def test_invoice_calls_need_the_application_id(simulator: RunningSimulator) -> None:
    async with harness(simulator) as h:
        ingram = supplier(h, simulator, application_id=None)
        with pytest.raises(RequestRejected, match="--application-id"):
            await ingram.client.search_invoices()


async def test_pna_thousand_skus_with_unknowns_complete_and_in_order(
    simulator: RunningSimulator,
) -> None:
    known = part_numbers(simulator, 983)
    unknown = [f"NOSUCH-{n:04d}" for n in range(10)] + [f"ZZ{n:04d}" for n in range(7)]
    skus = known[:500] + unknown + known[500:]
    assert len(skus) == 1000
    async with harness(simulator) as h:
        done: list[int] = []
        offers = await supplier(h, simulator).price_and_availability(skus, progress=done.append)
    assert [o.sku for o in offers] == skus
    by_status = {s: [o.sku for o in offers if o.status is s] for s in OfferStatus}
    assert sorted(by_status[OfferStatus.UNKNOWN]) == sorted(unknown)
    assert by_status[OfferStatus.ERROR] == []
    ok = [o for o in offers if o.status is OfferStatus.OK]
    assert all(o.supplier_sku == o.sku and o.price is not None and o.currency == "USD" for o in ok)
    assert sum(done) >= 1000
    assert h.wire.count(429) == 0


async def test_pna_asks_by_vendor_part_number_and_keeps_duplicates(
    simulator: RunningSimulator,
) -> None:
    product = simulator.state.catalog.product(7)
    skus = [product.vendor_part_number, product.ingram_part_number, product.ingram_part_number]
    async with harness(simulator) as h:
        offers = await supplier(h, simulator).price_and_availability(skus)
    assert [o.sku for o in offers] == skus
    assert {o.supplier_sku for o in offers} == {product.ingram_part_number}
    assert len({(o.price, o.available) for o in offers}) == 1


async def test_pna_survives_injected_429_and_500(simulator: RunningSimulator) -> None:
    for status in (429, 500):
        control(simulator, "POST", "/faults",
                json={"kind": "error", "endpoint": PNA, "status": status, "rate": 0.2})  # fmt: skip
    skus = part_numbers(simulator, 1000)
    # Ten attempts: a batch then fails only if ten draws in a row hit (36% each): ~4e-5.
    policy = RetryPolicy(
        attempts=10, base_delay_s=0.001, max_delay_s=0.01, max_wait_s=120, deadline_s=3600
    )
    async with harness(simulator, policy=policy) as h:
        offers = await supplier(h, simulator).price_and_availability(skus)
    assert [o.sku for o in offers] == skus
    assert all(o.status is OfferStatus.OK for o in offers)
    assert h.wire.count(429) > 0
    assert h.wire.count(500) > 0
    # Each 429 was honoured: disty waited as long as Retry-After said (the simulator's 60 s).
    assert any(wait >= 59 for wait in h.time.waits)


async def test_a_timeout_marks_only_that_batchs_rows(simulator: RunningSimulator) -> None:
    control(simulator, "POST", "/faults",
            json={"kind": "timeout", "endpoint": PNA, "times": 1, "timeout_s": 5})  # fmt: skip
    skus = part_numbers(simulator, 200)
    async with harness(simulator, policy=RetryPolicy(attempts=1), timeout_s=0.5) as h:
        offers = await supplier(h, simulator).price_and_availability(skus)
    failed = [i for i, o in enumerate(offers) if o.status is OfferStatus.ERROR]
    assert len(failed) == 50
    assert failed == list(range(failed[0], failed[0] + 50))  # one whole batch
    assert failed[0] % 50 == 0
    assert all("did not answer in time" in (offers[i].error or "") for i in failed)
    assert all(o.status is OfferStatus.OK for i, o in enumerate(offers) if i not in failed)


async def test_a_dropped_connection_is_retried(simulator: RunningSimulator) -> None:
    control(simulator, "POST", "/faults", json={"kind": "drop", "endpoint": PNA, "times": 2})
    skus = part_numbers(simulator, 120)
    async with harness(simulator) as h:
        offers = await supplier(h, simulator).price_and_availability(skus)
    assert all(o.status is OfferStatus.OK for o in offers)
    assert counts(simulator)[PNA] == 5  # three batches, two of the sends dropped


async def test_the_limiter_waits_instead_of_drawing_429(simulator: RunningSimulator) -> None:
    control(simulator, "PUT", "/limits", json={"pna_per_minute": 20})
    skus = part_numbers(simulator, 1050)  # 21 calls: one more than a minute allows
    async with harness(simulator) as h:
        offers = await supplier(h, simulator, pna_per_minute=20).price_and_availability(skus)
    assert all(o.status is OfferStatus.OK for o in offers)
    assert h.wire.count(429) == 0
    assert counts(simulator)[PNA] == 21
    assert max(h.time.waits, default=0) > 0  # the 21st call waited for the window


async def test_never_retries_order_creation(simulator: RunningSimulator) -> None:
    async with harness(simulator) as h:
        ingram = supplier(h, simulator)
        await ingram.client.token()  # before the fault below, which would hit it too
        control(
            simulator, "POST", "/faults", json={"kind": "error", "endpoint": "*", "status": 500}
        )
        with pytest.raises(Unavailable):
            await ingram.client.create_order({"customerOrderNumber": "PO-1"})
    assert sum(1 for path, _ in h.wire.statuses if path.endswith("/v6/orders")) == 1
