"""Supplier call metrics are labelled at the shared HTTP seam (suppliers/http.py) by supplier
and endpoint, an endpoint being the path with every id cut out: bounded, and free of order
numbers, SKUs, query strings and secrets."""

from __future__ import annotations

import httpx
import pytest
from prometheus_client import generate_latest

from disty import metrics
from disty.suppliers.errors import RateLimited, SupplierError
from disty.suppliers.http import RetryPolicy, send


@pytest.mark.parametrize(
    ("path", "label"),
    [
        ("/resellers/v6/orders/20-RD123-11", "/resellers/v6/orders/:id"),
        ("/resellers/v6/catalog/details/ABCDEFGH", "/resellers/v6/catalog/details/:id"),
        ("/oauth/oauth20/token?client_secret=s3cr3t", "/oauth/oauth20/token"),
        (
            "/resellers/v6/catalog/priceandavailability",
            "/resellers/v6/catalog/priceandavailability",
        ),
        ("/x/" + "a" * 41, "/x/:id"),
        ("/orders/20rd123", "/orders/:id"),  # letters after digits: an id
    ],
)
def test_an_endpoint_label_holds_no_id(path: str, label: str) -> None:
    assert metrics.endpoint_label("label-test", path) == label


def test_endpoint_labels_are_bounded_per_supplier() -> None:
    labels = {metrics.endpoint_label("bounded-test", f"/{word}") for word in _words(500)}
    assert len(labels) == metrics.MAX_ENDPOINTS + 1  # the first 50, then "other"
    assert "other" in labels


def _words(n: int) -> list[str]:
    letters = "abcdefghijklmnopqrstuvwxyz"
    return [letters[i % 26] + letters[(i // 26) % 26] + letters[i // 676] for i in range(n)]


async def test_the_seam_counts_each_attempt_by_supplier_endpoint_and_outcome() -> None:
    answers = iter([httpx.Response(429, headers={"Retry-After": "0"}), httpx.Response(200)])
    transport = httpx.MockTransport(lambda request: next(answers))

    def classify(response: httpx.Response) -> SupplierError:
        return RateLimited("slow down", retry_after=0.0)

    before = metrics.REGISTRY.get_sample_value(
        "disty_supplier_responses_total",
        {"supplier": "seam", "endpoint": "/resellers/v6/orders/:id", "outcome": "429"},
    )
    async with httpx.AsyncClient(transport=transport) as client:

        async def build() -> httpx.Request:
            return client.build_request(
                "GET", "https://distributor.example/resellers/v6/orders/20-SECRET9?key=k3y"
            )

        answer = await send(
            client, build, safe=True, policy=RetryPolicy(base_delay_s=0), classify=classify,
            describe="a distributor", supplier="seam",
        )  # fmt: skip
    assert answer.status_code == 200
    labels = {"supplier": "seam", "endpoint": "/resellers/v6/orders/:id"}
    assert (before or 0) + 1 == metrics.REGISTRY.get_sample_value(
        "disty_supplier_responses_total", {**labels, "outcome": "429"}
    )
    assert metrics.REGISTRY.get_sample_value(
        "disty_supplier_responses_total", {**labels, "outcome": "2xx"}
    )
    assert metrics.REGISTRY.get_sample_value("disty_supplier_request_seconds_count", labels)
    text = generate_latest(metrics.REGISTRY).decode()
    assert "20-SECRET9" not in text
    assert "k3y" not in text
