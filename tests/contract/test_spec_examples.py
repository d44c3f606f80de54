"""Every key path of the spec's response examples, answered to the spec's request examples.

The spec's success schemas require no field at all, so schema validation alone would pass an
empty object; this is the real bar. Request examples are the spec's own (P&A's five named
bodies, parameter examples elsewhere), replayed verbatim against the simulator.

Spec errata (where one example contradicts both the schema and the other examples), each
checked at the place the schema puts it:
- P&A 207 example nests ``pricing`` inside ``availability``; the schema and the 200 example
  put it at the row's top level.
Not simulated, so their examples are skipped: subscription (cloud) products, i.e. search's
``SubscriptionSuccessResponse``/``SubscriptionWithGroupInfoSuccessResponse`` and details'
``SuccessResponseCloudProduct``.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.contract.spec import key_paths, load_spec, operation
from tests.fixtures.simulator import RunningSimulator

ERRATA = {"[].availability.pricing": "[].pricing"}
PNA_PATH = "/resellers/v6/catalog/priceandavailability"


def _corrected(paths: set[str]) -> set[str]:
    out = set()
    for path in paths:
        for wrong, right in ERRATA.items():
            if path == wrong or path.startswith(wrong + "."):
                path = right + path[len(wrong) :]
        out.add(path)
    return out


def _headers(sim: RunningSimulator) -> dict[str, str]:
    r = httpx.get(
        sim.base_url + "/oauth/oauth20/token",
        params={
            "grant_type": "client_credentials",
            "client_id": sim.client_id,
            "client_secret": sim.client_secret,
        },
    )
    return {
        "Authorization": f"Bearer {r.json()['access_token']}",
        "IM-CustomerNumber": sim.customer_number,
        "IM-CountryCode": "US",
        "IM-CorrelationID": "fbac82ba-cf0a-4bcf-fc03-0c5084",
    }


def _assert_carries(answer: Any, example: Any) -> None:
    missing = _corrected(key_paths(example)) - key_paths(answer)
    assert not missing, f"answer lacks the spec example's key paths: {sorted(missing)}"


def test_token(simulator: RunningSimulator) -> None:
    spec = load_spec()
    schema = spec["components"]["schemas"]["AccesstokenResponse"]
    r = httpx.get(
        simulator.base_url + "/oauth/oauth20/token",
        params={
            "grant_type": "client_credentials",
            "client_id": simulator.client_id,
            "client_secret": simulator.client_secret,
        },
    )
    assert r.status_code == 200
    # No example for the token: its schema's properties are the bar.
    assert set(schema["properties"]) <= set(r.json())


def test_search(simulator: RunningSimulator) -> None:
    spec = load_spec()
    op = operation(spec, "get", "/resellers/v6/catalog")
    example = op["responses"]["200"]["content"]["application/json"]["examples"][
        "TSProductSuccessResponse"
    ]["value"]
    category = next(p for p in op["parameters"] if p["name"] == "category")["schema"]["example"]
    r = httpx.get(
        simulator.base_url + "/resellers/v6/catalog",
        headers=_headers(simulator),
        params={
            "category": category,
            "pageNumber": example["pageNumber"],
            "pageSize": example["pageSize"],
        },
    )
    assert r.status_code == 200
    _assert_carries(r.json(), example)


@pytest.mark.parametrize(
    ("path", "params", "example_name"),
    [
        ("/resellers/v6/catalog/details/{ingramPartNumber}", {}, "200"),
        (
            "/resellers/v6/catalog/details",
            {"vendorPartNumber": "20VE0117MH"},
            "SuccessResponseTsProduct",
        ),
    ],
)
def test_details(
    simulator: RunningSimulator, path: str, params: dict[str, str], example_name: str
) -> None:
    spec = load_spec()
    op = operation(spec, "get", path)
    example = op["responses"]["200"]["content"]["application/json"]["examples"][example_name][
        "value"
    ]
    url = path
    for p in op["parameters"]:
        if p["in"] == "path":
            url = url.replace("{" + p["name"] + "}", p["schema"]["example"])
    r = httpx.get(simulator.base_url + url, headers=_headers(simulator), params=params)
    assert r.status_code == 200
    _assert_carries(r.json(), example)
    assert r.json()["vendorPartNumber"] == example["vendorPartNumber"]


def test_price_and_availability(simulator: RunningSimulator) -> None:
    spec = load_spec()
    op = operation(spec, "post", PNA_PATH)
    requests = op["requestBody"]["content"]["application/json"]["examples"]
    responses = {
        code: op["responses"][code]["content"]["application/json"]["examples"]
        for code in ("200", "207")
    }
    h = _headers(simulator)
    assert len(requests) == 5
    for name, request in requests.items():
        # A request example with a namesake response example is answered by it; the others
        # by the one 200 example.
        code, example = next(
            ((c, ex[name]["value"]) for c, ex in responses.items() if name in ex),
            ("200", responses["200"]["SampleResponse"]["value"]),
        )
        r = httpx.post(
            simulator.base_url + PNA_PATH,
            headers=h,
            json=request["value"],
            params={"includeAvailability": "true", "includePricing": "true"},
        )
        assert str(r.status_code) == code, name
        _assert_carries(r.json(), example)


def test_values_agree_across_endpoints(simulator: RunningSimulator) -> None:
    h = _headers(simulator)
    base = simulator.base_url
    for ipn in ("QQ0202", simulator.state.catalog.product(3210).ingram_part_number):
        row = httpx.get(base + "/resellers/v6/catalog", headers=h, params={"keyword": ipn}).json()[
            "catalog"
        ][0]
        details = httpx.get(base + f"/resellers/v6/catalog/details/{ipn}", headers=h).json()
        pnas = [
            httpx.post(
                base + PNA_PATH,
                headers=h,
                json={"products": [ident]},
                params={"includeAvailability": "true", "includePricing": "true"},
            ).json()[0]
            for ident in (
                {"ingramPartNumber": ipn},
                {"vendorPartNumber": details["vendorPartNumber"]},
                {"upc": details["upc"]},
            )
        ]
        for pna in pnas:
            assert pna["ingramPartNumber"] == row["ingramPartNumber"] == ipn
            assert pna["vendorPartNumber"] == row["vendorPartNumber"] == details["vendorPartNumber"]
            assert pna["upc"] == row["upcCode"] == details["upc"]
            assert pna["description"] == row["description"] == details["description"]
            assert pna["vendorName"] == row["vendorName"] == details["vendorName"]
            assert pna["pricing"] == pnas[0]["pricing"]
            assert pna["availability"] == pnas[0]["availability"]
        if details["vendorName"] == "Cisco":
            # Cisco's global list price is the retail price P&A quotes in USD.
            assert (
                float(details["ciscoFields"]["globalListPrice"])
                == pnas[0]["pricing"]["retailPrice"]
            )
