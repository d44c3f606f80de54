"""``disty pna`` and the API's /prices with Ingram Micro and TD SYNNEX both connected to the
simulator, over real HTTP: each supplier's offer per part (SKU, manufacturer part, price, stock
per warehouse, age), in the table and in JSON, and one supplier failing beside the other's
answer."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from disty.cli._common import console
from disty.runtime import Runtime
from disty.services import tenants, tokens
from disty.simulator.config import DEMO_TDSYNNEX_PASSWORD
from tests.conftest import Cli
from tests.fixtures.disty import ServedDisty
from tests.fixtures.simulator import RunningSimulator
from tests.integration.test_tdsynnex_connection import both_carry, connect_ingram, connect_tdsynnex

INGRAM_ONLY = "123512"  # an Ingram Micro part number (its documentation's example)


def both_connected(cli: Cli, simulator: RunningSimulator) -> None:
    assert cli("tenant", "add", "smbi", "--country", "1").exit_code == 0
    connect_ingram(cli, simulator)
    connect_tdsynnex(cli, simulator, DEMO_TDSYNNEX_PASSWORD)


def td_down(simulator: RunningSimulator, status: int | None) -> None:
    rule: dict[str, Any] = {"distributor": "tdsynnex", "kind": "error",
                            "endpoint": "/SynnexXML/PriceAvailability"}  # fmt: skip
    if status is not None:
        rule["status"] = status
    httpx.post(simulator.control_url + "/faults", json=rule).raise_for_status()


@pytest.fixture
def wide(monkeypatch: pytest.MonkeyPatch) -> None:
    """A terminal wide enough that no cell of the table wraps."""
    monkeypatch.setattr(console, "width", 240)


def test_json_has_every_suppliers_offer_per_part(cli: Cli, simulator: RunningSimulator) -> None:
    both_connected(cli, simulator)
    product = both_carry()
    priced = cli("pna", "--tenant", "smbi", "--country", "1", "--json", product.mfg_pn, INGRAM_ONLY)
    printed_by = datetime.now(UTC)
    assert priced.exit_code == 0, priced.output
    offers = json.loads(priced.stdout)
    # Part by part, every connected supplier for each part.
    assert [(o["sku"], o["supplier"], o["supplier_name"]) for o in offers] == [
        (product.mfg_pn, "ingram", "Ingram Micro"),
        (product.mfg_pn, "tdsynnex", "TD SYNNEX"),
        (INGRAM_ONLY, "ingram", "Ingram Micro"),
        (INGRAM_ONLY, "tdsynnex", "TD SYNNEX"),
    ]
    ingram, td, ingram_only, td_unknown = offers
    assert td["status"] == ingram["status"] == ingram_only["status"] == "ok"
    assert td_unknown["status"] == "unknown"
    assert td["supplier_sku"] == product.sku
    assert td["vendor_part_number"] == ingram["vendor_part_number"] == product.mfg_pn
    assert td["price"] == product.price("US")
    assert ingram_only["price"] == "5.43"
    # Stock per warehouse, with what is on order there.
    assert [(w["id"], w["location"], w["available"], w["on_order"]) for w in td["warehouses"]] == [
        (w.number, w.city, on_hand, on_order) for w, on_hand, on_order in product.stock("US")
    ]
    assert ingram["warehouses"]
    assert all({"id", "location", "available", "on_order", "backordered"} <= set(w)
               for w in ingram["warehouses"])  # fmt: skip
    # The age is how long before printing each offer was fetched.
    for offer in offers:
        fetched = datetime.fromisoformat(offer["fetched_at"])
        assert isinstance(offer["age_s"], int)
        assert 0 <= offer["age_s"] <= (printed_by - fetched).total_seconds()


def test_the_table_shows_both_suppliers_stock_by_warehouse_and_age(
    cli: Cli, simulator: RunningSimulator, wide: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    both_connected(cli, simulator)
    product = both_carry()
    shown = cli("pna", "--tenant", "smbi", "--country", "1", product.mfg_pn)
    assert shown.exit_code == 0, shown.output
    lines = shown.stdout.splitlines()
    header = next(line for line in lines if "supplier sku" in line)
    for column in ("part", "supplier", "mfr part", "price", "by warehouse", "status", "age"):
        assert column in header
    [ingram] = [line for line in lines if "Ingram Micro" in line]
    [td] = [line for line in lines if "TD SYNNEX" in line]
    assert f"{product.price('US')} USD" in td
    assert product.sku in td
    assert "just now" in td
    assert "just now" in ingram
    assert " USD" in ingram
    # Every warehouse with stock, one a line, the first on the supplier's row.
    stocked = [f"{w.city} ({w.number}): {qty}" for w, qty, _ in product.stock("US") if qty]
    assert stocked
    assert stocked[0] in td
    for entry in stocked[1:]:
        assert any(entry in line for line in lines)

    # At 80 columns: the columns that fit, one line per offer, every price whole.
    monkeypatch.setattr(console, "width", 80)
    narrow = cli("pna", "--tenant", "smbi", "--country", "1", product.mfg_pn, INGRAM_ONLY)
    assert narrow.exit_code == 0, narrow.output
    lines = narrow.stdout.splitlines()
    assert all(len(line) <= 80 for line in lines), narrow.stdout
    assert lines[0].split() == ["part", "supplier", "sku", "price", "available", "status", "age"]
    offers = lines[1:5]
    assert [line.split()[:2] for line in offers] == [
        [product.mfg_pn, "ingram"], [product.mfg_pn, "tdsynnex"],
        [INGRAM_ONLY, "ingram"], [INGRAM_ONLY, "tdsynnex"],
    ]  # fmt: skip
    assert f"{product.price('US')} USD" in offers[1]
    assert "5.43 USD" in offers[2]
    assert "…" not in narrow.stdout
    assert "--json or a wider terminal" in lines[5]


@pytest.mark.parametrize("status", [None, 500], ids=["xml-error", "http-500"])
def test_td_synnex_failing_shows_beside_ingrams_offer_in_the_table(
    cli: Cli, simulator: RunningSimulator, wide: None, status: int | None
) -> None:
    both_connected(cli, simulator)
    td_down(simulator, status)
    product = both_carry()
    shown = cli("pna", "--tenant", "smbi", "--country", "1", product.mfg_pn)
    assert shown.exit_code == 0, shown.output
    [ingram] = [line for line in shown.stdout.splitlines() if "Ingram Micro" in line]
    [td] = [line for line in shown.stdout.splitlines() if "TD SYNNEX" in line]
    assert "error:" in td
    assert "ok" in ingram.split()
    assert " USD" in ingram


async def test_api_prices_name_each_supplier_and_age_and_survive_one_failing(
    rt: Runtime, served: ServedDisty, simulator: RunningSimulator
) -> None:
    async with rt.sessions() as session:
        await tenants.add_tenant(session, "smbi", [1])
    async with rt.sessions() as session:
        _, token = await tokens.create_token(
            session, shortcut="smbi", scopes=["admin"], name=None, actor="test"
        )
    product = both_carry()
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=served.url + "/api/v1", headers=headers) as api:
        for supplier, body in (
            ("ingram", {"client_id": simulator.client_id,
                        "client_secret": simulator.client_secret,
                        "customer_number": simulator.customer_number,
                        "base_url": simulator.base_url}),
            ("tdsynnex", {"customer_number": "1150897", "xml_user": "buyer@disty.example",
                          "xml_password": DEMO_TDSYNNEX_PASSWORD,
                          "base_url": simulator.root_url + "/tdsynnex/us"}),
        ):  # fmt: skip
            saved = await api.put(f"/connections/{supplier}/1", json=body)
            assert saved.status_code == 200, saved.text
        both = await api.post("/prices", json={"country_id": 1, "skus": [product.mfg_pn]})
        td_down(simulator, 500)
        one_down = await api.post("/prices", json={"country_id": 1, "skus": [product.mfg_pn]})
        answered_by = datetime.now(UTC)
    assert both.status_code == 200, both.text
    ingram, td = both.json()
    assert (ingram["supplier_name"], td["supplier_name"]) == ("Ingram Micro", "TD SYNNEX")
    assert td["price"] == product.price("US")
    assert [(w["warehouse_id"], w["available"], w["on_order"]) for w in td["warehouses"]] == [
        (w.number, on_hand, on_order) for w, on_hand, on_order in product.stock("US")
    ]
    for offer in both.json():
        fetched = datetime.fromisoformat(offer["fetched_at"])
        assert 0 <= offer["age_s"] <= (answered_by - fetched).total_seconds()
    assert one_down.status_code == 200, one_down.text
    ingram, td = one_down.json()
    assert (ingram["status"], td["status"]) == ("ok", "error")
    assert td["error"]
    assert ingram["price"]
    assert DEMO_TDSYNNEX_PASSWORD not in one_down.text
