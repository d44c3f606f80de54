"""Sourcing across Ingram Micro and TD SYNNEX, both simulated over real HTTP, on SQLite and
PostgreSQL: each line's choice by stock, price, preference and split, with its reason; a part
named by one distributor's SKU found at the other by its MPN; one supplier failing or in
maintenance never hiding the other; one PO per supplier placed once, even when the run is
killed and repeated; the CLI and the API."""

from __future__ import annotations

import asyncio
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest

from disty.cli._common import console
from disty.config import Settings
from disty.runtime import Runtime
from disty.services import tenants, tokens
from disty.simulator.config import DEMO_TDSYNNEX_PASSWORD
from disty.simulator.ingram.catalog import Catalog
from disty.simulator.tdsynnex.catalog import TdCatalog, TdProduct
from tests.conftest import Cli
from tests.fixtures.disty import ServedDisty
from tests.fixtures.killing import cli_env, kill_once_received
from tests.fixtures.simulator import TEST_CONFIG, RunningSimulator
from tests.integration.test_pna_both import both_connected, td_down

TD = TdCatalog(TEST_CONFIG.products, TEST_CONFIG.seed)
INGRAM = Catalog(TEST_CONFIG.products, TEST_CONFIG.seed)
SHIP_TO = "Acme Dental|100 Main St|Fremont|CA|94539|US"


def both_sell(start: int = 0) -> tuple[TdProduct, str]:
    """A product both sell, active and in stock at both: (TD SYNNEX's, Ingram's part number)."""
    for i in range(start, TEST_CONFIG.products):
        td, ingram = TD.product(i), INGRAM.product(i)
        if (
            td is not None and td.authorized and not td.discontinued and not TD.has_twin(i)
            and not ingram.discontinued and not ingram.direct_ship and not ingram.digital
            and not ingram.backordered
            and sum(q for w, q, _ in td.stock("US") if w.number != "98") > 0
            and sum(s.available for s in ingram.stock("US")) > 0
        ):  # fmt: skip
            return td, ingram.ingram_part_number
    raise AssertionError("no product both sell in stock")  # pragma: no cover


def control(simulator: RunningSimulator, method: str, path: str, **kwargs: Any) -> Any:
    response = httpx.request(method, simulator.control_url + path, **kwargs)
    response.raise_for_status()
    return response.json() if response.content else None


def source(cli: Cli, *args: str) -> dict[str, Any]:
    done = cli("source", "--tenant", "smbi", "--country", "1", "--json", *args)
    assert done.exit_code == 0, done.output
    data: dict[str, Any] = json.loads(done.stdout)
    return data


def offers_of(line: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {o["supplier"]: o for o in line["offers"]}


def test_the_cheaper_in_stock_offer_is_chosen_with_its_margin(
    cli: Cli, simulator: RunningSimulator
) -> None:
    both_connected(cli, simulator)
    product, _ = both_sell()
    [line] = source(cli, "--line", f"{product.mfg_pn}=1")["lines"]
    offers = offers_of(line)
    assert {k: (o["source"], o["status"]) for k, o in offers.items()} == {
        "ingram": ("live", "ok"),
        "tdsynnex": ("live", "ok"),
    }
    assert offers["tdsynnex"]["price"] == product.price("US")
    assert all(isinstance(o["age_s"], int) and o["age_s"] >= 0 for o in offers.values())
    cheaper = min(offers.values(), key=lambda o: float(o["price"]))
    dearer = max(offers.values(), key=lambda o: float(o["price"]))
    assert cheaper["price"] != dearer["price"]
    [choice] = line["choice"]
    assert (choice["supplier"], choice["supplier_sku"], choice["quantity"]) == (
        cheaper["supplier"], cheaper["supplier_sku"], 1,
    )  # fmt: skip
    assert choice["unit_price"] == cheaper["price"]
    assert line["reason"].endswith(f"% cheaper at {cheaper['supplier_name']}")
    assert line["mpn"] == product.mfg_pn
    assert line["flag"] is None


def test_stock_comes_first_and_a_short_line_splits_or_back_orders(
    cli: Cli, simulator: RunningSimulator
) -> None:
    both_connected(cli, simulator)
    product, _ = both_sell()
    [probe] = source(cli, "--line", f"{product.mfg_pn}=1")["lines"]
    stock = {k: o["available"] for k, o in offers_of(probe).items()}
    names = {k: o["supplier_name"] for k, o in offers_of(probe).items()}
    more, less = sorted(stock, key=lambda k: stock[k], reverse=True)
    assert stock[more] > stock[less] > 0

    # More than one has, fewer than the other: in stock only at the other.
    [line] = source(cli, "--line", f"{product.mfg_pn}={stock[less] + 1}")["lines"]
    assert [c["supplier"] for c in line["choice"]] == [more]
    assert line["reason"] == f"in stock only at {names[more]}"

    # More than either has: split across both (cheapest first), or back-ordered whole.
    wanted = stock[more] + 1
    [split] = source(cli, "--split", "--line", f"{product.mfg_pn}={wanted}")["lines"]
    assert split["flag"] == "split"
    assert sum(c["quantity"] for c in split["choice"]) == wanted
    assert {c["supplier"] for c in split["choice"]} == {"ingram", "tdsynnex"}
    assert not any(c["backorder"] for c in split["choice"])
    assert split["reason"].startswith(f"no supplier has {wanted}: split ")
    [short] = source(cli, "--line", f"{product.mfg_pn}={wanted}")["lines"]
    [choice] = short["choice"]
    assert choice["backorder"] is True
    assert choice["quantity"] == wanted
    assert short["flag"] == "backorder"
    assert short["reason"].startswith(f"back-ordered at {choice['supplier_name']}")


def test_at_the_same_price_the_preferred_supplier_wins(
    cli: Cli, simulator: RunningSimulator
) -> None:
    both_connected(cli, simulator)
    product, ingram_part = both_sell()
    # Ingram's price moved to TD SYNNEX's: only the preference can decide.
    control(simulator, "PUT", f"/prices/{ingram_part}",
            json={"customer_price_usd": product.price("US")})  # fmt: skip
    for prefer, winner, name in (
        ("tdsynnex,ingram", "tdsynnex", "TD SYNNEX"),
        ("ingram", "ingram", "Ingram Micro"),
    ):
        [line] = source(cli, "--prefer", prefer, "--line", f"{product.mfg_pn}=1")["lines"]
        assert [c["supplier"] for c in line["choice"]] == [winner]
        assert line["reason"] == f"same price: {name} preferred"


async def test_the_tenants_stored_preference_decides_equal_prices_and_only_admins_set_it(
    cli: Cli, simulator: RunningSimulator, rt: Runtime, served: ServedDisty
) -> None:
    await asyncio.to_thread(both_connected, cli, simulator)
    product, ingram_part = both_sell()
    control(simulator, "PUT", f"/prices/{ingram_part}",
            json={"customer_price_usd": product.price("US")})  # fmt: skip
    unknown = await asyncio.to_thread(cli, "tenant", "set", "smbi", "--prefer", "acme,ingram")
    assert unknown.exit_code != 0
    assert "unknown supplier 'acme'" in unknown.output
    stored = await asyncio.to_thread(cli, "tenant", "set", "smbi", "--prefer", "tdsynnex,ingram")
    assert stored.exit_code == 0, stored.output
    [line] = (await asyncio.to_thread(source, cli, "--line", f"{product.mfg_pn}=1"))["lines"]
    assert [c["supplier"] for c in line["choice"]] == ["tdsynnex"]
    assert line["reason"] == "same price: TD SYNNEX preferred"

    # Over the API: a read token sees it, only an admin token changes it.
    async with rt.sessions() as session:
        _, reader = await tokens.create_token(
            session, shortcut="smbi", scopes=["read", "order"], name=None, actor="test"
        )
        _, admin = await tokens.create_token(
            session, shortcut="smbi", scopes=["read", "admin"], name=None, actor="test"
        )
    async with httpx.AsyncClient(base_url=served.url + "/api/v1", timeout=30) as api:
        read = {"Authorization": f"Bearer {reader}"}
        shown = await api.get("/tenant", headers=read)
        body = {"supplier_preference": ["ingram"]}
        refused = await api.put("/tenant/supplier-preference", headers=read, json=body)
        bad = await api.put("/tenant/supplier-preference",
                            headers={"Authorization": f"Bearer {admin}"},
                            json={"supplier_preference": ["ingram", "nope"]})  # fmt: skip
        changed = await api.put(
            "/tenant/supplier-preference", headers={"Authorization": f"Bearer {admin}"}, json=body
        )
        sourced = await api.post("/sourcing", headers=read, json={
            "country_id": 1, "lines": [{"part": product.mfg_pn, "quantity": 1}]})  # fmt: skip
    assert shown.json()["supplier_preference"] == ["tdsynnex", "ingram"]
    assert refused.status_code == 403
    assert bad.status_code == 422
    assert changed.status_code == 200, changed.text
    assert changed.json()["supplier_preference"] == ["ingram"]
    [line] = sourced.json()["lines"]
    assert [c["supplier"] for c in line["choice"]] == ["ingram"]
    assert line["reason"] == "same price: Ingram Micro preferred"


def near_ca() -> tuple[TdProduct, str, int]:
    """A product both sell where only TD SYNNEX holds stock in a California warehouse:
    (TD SYNNEX's product, the holder's key, units there)."""
    for i in range(TEST_CONFIG.products):
        td, ingram = TD.product(i), INGRAM.product(i)
        if td is None or not td.authorized or td.discontinued or TD.has_twin(i):
            continue
        if ingram.discontinued or ingram.direct_ship or ingram.digital or ingram.backordered:
            continue
        td_ca = sum(q for w, q, _ in td.stock("US") if w.city.endswith(", CA"))
        ingram_ca = sum(s.available for s in ingram.stock("US")
                        if s.warehouse.location.endswith(", CA"))  # fmt: skip
        ingram_total = sum(s.available for s in ingram.stock("US"))
        if td_ca > 0 and ingram_ca == 0 and ingram_total >= td_ca:
            return td, "tdsynnex", td_ca
    raise AssertionError("no product only TD SYNNEX holds in California")  # pragma: no cover


def test_near_the_ship_to_and_freight_in_the_landed_cost(
    cli: Cli, simulator: RunningSimulator
) -> None:
    both_connected(cli, simulator)
    product, holder, units = near_ca()
    part = f"{product.mfg_pn}={units}"
    # Near the ship-to (Fremont, CA): only TD SYNNEX holds the whole quantity in California.
    [line] = source(cli, "--near-ship-to", "--ship-to", SHIP_TO, "--line", part)["lines"]
    assert [c["supplier"] for c in line["choice"]] == [holder]
    assert line["reason"] == "in stock near CA only at TD SYNNEX"
    # No warehouse in Wyoming: total stock decides, and the reason says so.
    [far] = source(cli, "--near", "wy", "--line", part)["lines"]
    assert far["reason"].endswith("; not near WY")

    # Freight: one estimate per supplier, each offer's landed cost carries its share.
    # (Ingram Micro's freight call names the reseller's contact.)
    contact = cli("supplier", "set", "ingram", "--tenant", "smbi", "--country", "1",
                  "--contact-email", "buyer@example.com")  # fmt: skip
    assert contact.exit_code == 0, contact.output
    data = source(cli, "--freight", "--ship-to", SHIP_TO, "--line", part)
    [line] = data["lines"]
    offers = offers_of(line)
    assert data["freight_unknown"] == {}
    for o in offers.values():
        assert o["freight"] is not None
        assert Decimal(o["freight"]) > 0
        assert Decimal(o["landed"]) == Decimal(o["price"]) + Decimal(o["freight"])
    best = min(offers.values(), key=lambda o: Decimal(o["landed"]))
    [choice] = line["choice"]
    assert choice["supplier"] == best["supplier"]
    assert choice["unit_price"] == best["price"]  # the PO carries the price, not the freight
    assert line["reason"].endswith(
        f"% cheaper landed at {best['supplier_name']} (freight included)"
    )

    # TD SYNNEX's freight failing: its offer is ranked on price alone, and named.
    control(simulator, "POST", "/faults", json={
        "distributor": "tdsynnex", "kind": "error", "endpoint": "/SynnexXML/FreightQuote",
        "status": 500})  # fmt: skip
    data = source(cli, "--freight", "--ship-to", SHIP_TO, "--line", part)
    [line] = data["lines"]
    assert offers_of(line)["tdsynnex"]["freight"] is None
    assert set(data["freight_unknown"]) == {"tdsynnex"}
    assert line["reason"].endswith("; freight unknown at TD SYNNEX")
    refused = cli("source", "--tenant", "smbi", "--country", "1", "--freight", "--line", part)
    assert refused.exit_code == 2


def test_a_part_named_by_one_suppliers_sku_is_found_at_the_other_by_its_mpn(
    cli: Cli, simulator: RunningSimulator
) -> None:
    both_connected(cli, simulator)
    product, ingram_part = both_sell()
    lines = source(cli, "--line", f"{product.sku}=1", "--line", f"{ingram_part}=1")["lines"]
    for line, part in zip(lines, (product.sku, ingram_part), strict=True):
        offers = offers_of(line)
        assert line["part"] == part
        assert {o["status"] for o in offers.values()} == {"ok"}
        assert {o["vendor_part_number"] for o in offers.values()} == {product.mfg_pn}
        assert offers["tdsynnex"]["supplier_sku"] == product.sku
        assert offers["ingram"]["supplier_sku"] == ingram_part
        assert line["flag"] is None


def test_td_synnex_failing_or_in_maintenance_falls_back_to_ingram(
    cli: Cli, simulator: RunningSimulator
) -> None:
    both_connected(cli, simulator)
    product, _ = both_sell()
    for down in ("error", "maintenance"):
        if down == "error":
            td_down(simulator, 500)
        else:
            control(simulator, "DELETE", "/faults")
            control(simulator, "PUT", "/maintenance", json={"on": True, "distributor": "tdsynnex"})
        data = source(cli, "--line", f"{product.mfg_pn}=1")
        [line] = data["lines"]
        assert offers_of(line)["tdsynnex"]["status"] == "error"
        assert [c["supplier"] for c in line["choice"]] == ["ingram"]
        assert line["reason"].startswith(
            "only Ingram Micro offers it; TD SYNNEX could not answer: "
        )
        assert "tdsynnex" in data["failures"]
        assert DEMO_TDSYNNEX_PASSWORD not in json.dumps(data)


def test_the_table_names_each_choice_and_reason(
    cli: Cli, simulator: RunningSimulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(console, "width", 240)  # no cell wraps
    both_connected(cli, simulator)
    product, _ = both_sell()
    shown = cli("source", "--tenant", "smbi", "--country", "1", "--line", f"{product.mfg_pn}=1")
    assert shown.exit_code == 0, shown.output
    assert "cheaper at" in shown.stdout
    assert "TD SYNNEX" in shown.stdout
    assert "Ingram Micro" in shown.stdout


def test_a_file_of_more_than_a_pasted_lists_200_parts_is_sourced(
    cli: Cli, simulator: RunningSimulator, tmp_path: Path
) -> None:
    both_connected(cli, simulator)
    parts = tmp_path / "parts.txt"
    parts.write_text("".join(f"NO-SUCH-{n} 1\n" for n in range(250)), encoding="utf-8")
    data = source(cli, "--file", str(parts))
    assert len(data["lines"]) == 250  # sourcing's own limit is 500
    too_many = tmp_path / "too_many.txt"
    too_many.write_text("".join(f"NO-SUCH-{n} 1\n" for n in range(501)), encoding="utf-8")
    refused = cli("source", "--tenant", "smbi", "--country", "1", "--file", str(too_many))
    assert refused.exit_code != 0
    assert "at most 500" in refused.output


def _placed(simulator: RunningSimulator) -> tuple[list[str], list[str]]:
    """The orders each simulator holds for the requisition's POs (Ingram's P-1, TD's P-2)."""
    ingram = [o["number"] for o in control(simulator, "GET", "/orders")
              if o["customer_order_number"] == "REQ7-1"]  # fmt: skip
    td = sorted({line["order_number"] for o in control(simulator, "GET", "/tdsynnex/orders")
                 if o["po_number"] == "REQ7-2" for line in o["lines"]})  # fmt: skip
    return ingram, td


async def test_one_po_per_supplier_placed_once_when_killed_and_run_again(
    cli: Cli, simulator: RunningSimulator, rt: Runtime, settings: Settings, secret_key: str
) -> None:
    await asyncio.to_thread(both_connected, cli, simulator)
    # Two lines, one bought at each: TD SYNNEX's own product, and one only Ingram sells.
    td_only = next(p for i in TD.only_here() if (p := TD.product(i)) and p.authorized
                   and not p.discontinued and sum(q for _, q, _ in p.stock("US")) > 5)  # fmt: skip
    order = [
        "source", "--tenant", "smbi", "--country", "1", "--line", f"{td_only.mfg_pn}=1",
        "--line", "123512=1", "--order", "--po-prefix", "REQ7", "--ship-to", SHIP_TO,
    ]  # fmt: skip
    # TD SYNNEX places the PO, then holds its answer; the run is killed in between.
    control(simulator, "POST", "/faults", json={
        "distributor": "tdsynnex", "kind": "drop_after", "endpoint": "/SynnexXML/PO",
        "times": 1, "latency_ms": 30_000})  # fmt: skip
    await kill_once_received(order, cli_env(settings, secret_key), lambda: _placed(simulator)[1])
    assert [len(x) for x in _placed(simulator)] == [1, 1]

    # Run again: Ingram's PO is answered as placed; TD SYNNEX's is still being sent (the dead
    # run's lease), so nothing is sent twice.
    again = await asyncio.to_thread(cli, *order, "--json")
    assert again.exit_code == 0, again.output
    pos = {po["po_number"]: po for po in json.loads(again.stdout)["requisition"]["pos"]}
    assert set(pos) == {"REQ7-1", "REQ7-2"}
    assert pos["REQ7-1"]["supplier"] == "ingram"
    assert pos["REQ7-2"]["supplier"] == "tdsynnex"
    assert pos["REQ7-2"]["status"] == "submitting"
    # Once that lease ran out, a run takes the PO up: TD SYNNEX is searched, not sent again.
    from sqlalchemy import update

    from disty.db.models import PurchaseOrder

    async with rt.sessions() as session:
        await session.execute(
            update(PurchaseOrder).where(PurchaseOrder.po_number == "REQ7-2")
            .values(lease_until=None)
        )  # fmt: skip
        await session.commit()
    third = await asyncio.to_thread(cli, *order, "--json")
    assert third.exit_code == 0, third.output
    view = json.loads(third.stdout)["requisition"]
    statuses = {po["po_number"]: po["status"] for po in view["pos"]}
    assert statuses["REQ7-2"] in {"submitted", "accepted"}, statuses
    ingram, td = _placed(simulator)
    assert (len(ingram), len(td)) == (1, 1)
    by_number = {po["po_number"]: po for po in view["pos"]}
    assert by_number["REQ7-1"]["supplier_order_numbers"] == ingram
    assert by_number["REQ7-2"]["supplier_order_numbers"] == td
    shown = await asyncio.to_thread(
        cli, "requisition", "show", "REQ7", "--tenant", "smbi", "--json"
    )
    assert shown.exit_code == 0, shown.output
    assert [po["po_number"] for po in json.loads(shown.stdout)["pos"]] == ["REQ7-1", "REQ7-2"]
    # Other lines under the same number: refused, nothing placed.
    other = await asyncio.to_thread(cli, *order[:-5], "--line", "QQ0202=1", *order[-5:])
    assert other.exit_code == 1
    assert "other lines" in other.output
    assert [len(x) for x in _placed(simulator)] == [1, 1]


async def test_api_sources_and_places_with_the_order_scope(
    rt: Runtime, served: ServedDisty, simulator: RunningSimulator, cli: Cli
) -> None:
    await asyncio.to_thread(both_connected, cli, simulator)
    product, _ = both_sell()
    async with rt.sessions() as session:
        _, reader = await tokens.create_token(
            session, shortcut="smbi", scopes=["read"], name=None, actor="test"
        )
        _, orderer = await tokens.create_token(
            session, shortcut="smbi", scopes=["read", "order"], name=None, actor="test"
        )
    ship_to = {"company": "Acme Dental", "street": "100 Main St", "city": "Fremont",
               "state": "CA", "postcode": "94539", "country": "US"}  # fmt: skip
    async with httpx.AsyncClient(base_url=served.url + "/api/v1", timeout=30) as api:
        read = {"Authorization": f"Bearer {reader}"}
        sourced = await api.post("/sourcing", headers=read, json={
            "country_id": 1, "lines": [{"part": product.mfg_pn, "quantity": 2}],
            "prefer": ["tdsynnex"]})  # fmt: skip
        assert sourced.status_code == 200, sourced.text
        [line] = sourced.json()["lines"]
        [choice] = line["choice"]
        body = {"country_id": 1, "po_prefix": "API9", "ship_to": ship_to, "choices": [
            {"line_number": 1, "part": product.mfg_pn, "supplier": choice["supplier"],
             "supplier_sku": choice["supplier_sku"], "quantity": 2,
             "unit_price": choice["unit_price"]}]}  # fmt: skip
        refused = await api.post("/sourcing/orders", headers=read, json=body)
        assert refused.status_code == 403
        write = {"Authorization": f"Bearer {orderer}"}
        placed = await api.post("/sourcing/orders", headers=write, json=body)
        assert placed.status_code == 200, placed.text
        again = await api.post("/sourcing/orders", headers=write, json=body)
        shown = await api.get("/requisitions/API9", headers=read)
        bad = await api.post("/sourcing", headers=read, json={"country_id": 1, "lines": []})
    assert bad.status_code == 422
    [po] = placed.json()["pos"]
    number = "API9-1" if choice["supplier"] == "ingram" else "API9-2"
    assert po["po_number"] == number
    assert po["status"] in {"submitted", "accepted"}
    assert [p["po_number"] for p in again.json()["pos"]] == [number]
    assert shown.json()["lines"][0]["supplier_sku"] == choice["supplier_sku"]
    async with rt.sessions() as session:
        tenant = await tenants.get_tenant(session, "smbi")
        from sqlalchemy import func, select

        from disty.db.models import PurchaseOrder

        count = await session.scalar(
            select(func.count()).select_from(PurchaseOrder)
            .where(PurchaseOrder.tenant_id == tenant.id)
        )  # fmt: skip
    assert count == 1


async def test_a_failed_live_answer_shows_the_last_stock_events_level_and_age(
    cli: Cli, simulator: RunningSimulator, rt: Runtime
) -> None:
    await asyncio.to_thread(both_connected, cli, simulator)
    from datetime import UTC, datetime, timedelta

    from sqlalchemy import select

    from disty.db.models import StockLevel, SupplierConnection

    event_time = datetime.now(UTC) - timedelta(hours=2)
    async with rt.sessions() as session:
        connection = await session.scalar(
            select(SupplierConnection).where(SupplierConnection.supplier == "ingram")
        )
        assert connection is not None
        session.add(StockLevel(connection_id=connection.id, sku="123512", total_available=77,
                               event_id="ev-1", event_time=event_time))  # fmt: skip
        await session.commit()
    rule = {"kind": "error", "endpoint": "post-priceandavailability", "status": 500}
    control(simulator, "POST", "/faults", json=rule)
    data = await asyncio.to_thread(source, cli, "--line", "123512=3")
    [line] = data["lines"]
    kept = offers_of(line)["ingram"]
    assert (kept["source"], kept["available"], kept["price"]) == ("stock event", 77, None)
    assert kept["age_s"] >= 2 * 3600
    assert datetime.fromisoformat(kept["fetched_at"]) == event_time
    # Shown, never chosen: it has no price.
    assert line["choice"] == []
    assert "Ingram Micro could not answer: " in line["reason"]
