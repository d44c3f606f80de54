"""TD SYNNEX connected as a reseller's admin does it, over real HTTP against the simulator's
EC Express XML, on SQLite and PostgreSQL: settings set and shown (the password masked), Run
Test passing and failing with its fix, and live price and availability beside Ingram's, one
supplier failing never hiding the other's answer."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from disty.runtime import Runtime
from disty.services import tenants, tokens
from disty.simulator.config import (
    DEMO_TDSYNNEX_CUSTOMER,
    DEMO_TDSYNNEX_PASSWORD,
    DEMO_TDSYNNEX_USER,
)
from disty.simulator.ingram.catalog import Catalog
from disty.simulator.tdsynnex.catalog import TdCatalog, TdProduct
from disty.suppliers import registry
from tests.conftest import Cli
from tests.fixtures.disty import ServedDisty
from tests.fixtures.simulator import TEST_CONFIG, RunningSimulator

WRONG_PASSWORD = "not-the-password-7731"
SRC = Path(__file__).resolve().parents[2] / "src" / "disty"
# Where TD SYNNEX may be named: its package, the registry's one line, the distributor's side
# of the wire (the simulator and the command that serves it), and the demo's script, which
# connects the simulator's accounts.
MAY_NAME_IT = (
    "suppliers/tdsynnex/", "suppliers/__init__.py", "simulator/", "cli/simulator.py",
    "cli/demo.py",
)  # fmt: skip


def td_url(simulator: RunningSimulator) -> str:
    return simulator.root_url + "/tdsynnex/us"


def connect_tdsynnex(cli: Cli, simulator: RunningSimulator, password: str) -> None:
    saved = cli(
        "supplier", "set", "tdsynnex", "--tenant", "smbi", "--country", "1",
        "--customer-number", DEMO_TDSYNNEX_CUSTOMER, "--xml-user", DEMO_TDSYNNEX_USER,
        "--xml-password", "-", "--base-url", td_url(simulator),
        input=password + "\n",
    )  # fmt: skip
    assert saved.exit_code == 0, saved.output
    assert password not in saved.output


def connect_ingram(cli: Cli, simulator: RunningSimulator) -> None:
    saved = cli(
        "supplier", "set", "ingram", "--tenant", "smbi", "--country", "1",
        "--client-id", simulator.client_id, "--client-secret", "-",
        "--customer-number", simulator.customer_number, "--base-url", simulator.base_url,
        input=simulator.client_secret + "\n",
    )  # fmt: skip
    assert saved.exit_code == 0, saved.output


def both_carry() -> TdProduct:
    """A product Ingram and TD SYNNEX both sell, active and orderable at both, and listed once
    at TD SYNNEX (so its offer has one row to take)."""
    td = TdCatalog(TEST_CONFIG.products, TEST_CONFIG.seed)
    ingram = Catalog(TEST_CONFIG.products, TEST_CONFIG.seed)
    for i in range(TEST_CONFIG.products):
        product = td.product(i)
        if (
            product is not None
            and product.authorized
            and not product.discontinued
            and not td.has_twin(i)
            and not ingram.product(i).discontinued
        ):
            return product
    raise AssertionError("no product both carry")  # pragma: no cover


def twin() -> tuple[TdProduct, TdProduct]:
    td = TdCatalog(TEST_CONFIG.products, TEST_CONFIG.seed)
    for i in range(TEST_CONFIG.products):
        product, second = td.product(i), td.twin(i)
        if product and second and product.authorized and not product.discontinued:
            return product, second
    raise AssertionError("no product listed twice")  # pragma: no cover


def pna(cli: Cli, *skus: str) -> dict[tuple[str, str], dict[str, Any]]:
    priced = cli("pna", "--tenant", "smbi", "--country", "1", "--json", *skus)
    assert priced.exit_code == 0, priced.output
    return {(o["supplier"], o["sku"]): o for o in json.loads(priced.stdout)}


def test_nothing_in_the_middle_of_disty_names_it() -> None:
    named = [
        path.relative_to(SRC).as_posix()
        for path in SRC.rglob("*")
        if path.is_file()
        and "__pycache__" not in path.parts
        and "tdsynnex" in path.read_bytes().decode("utf-8", "replace").lower()
    ]
    assert [p for p in named if not p.startswith(MAY_NAME_IT)] == []
    packages_py = (SRC / "suppliers" / "__init__.py").read_text()
    assert packages_py.count("tdsynnex") == 1  # its line in PACKAGES


def test_it_is_registered_with_its_declared_settings() -> None:
    td = registry.get("tdsynnex")
    assert td.name == "TD SYNNEX"
    assert td.countries == (1, 29)
    assert [(s.name, s.secret) for s in td.settings] == [
        ("customer_number", False),
        ("xml_user", False),
        ("xml_password", True),
        ("rest_client_id", False),
        ("rest_client_secret", True),
        ("ship_from_warehouse", False),
        ("ship_method", False),
        ("ship_notice_folder", False),
    ]
    assert all(url.startswith("https://") for url in td.endpoints)
    assert td.webhooks is None
    assert "portal login" in td.setting("xml_user").help


def test_set_show_and_run_test(cli: Cli, simulator: RunningSimulator) -> None:
    assert cli("tenant", "add", "smbi", "--country", "1").exit_code == 0
    connect_tdsynnex(cli, simulator, DEMO_TDSYNNEX_PASSWORD)
    shown = cli("supplier", "show", "tdsynnex", "--tenant", "smbi", "--json")
    assert shown.exit_code == 0, shown.output
    [view] = json.loads(shown.stdout)
    assert view["supplier_name"] == "TD SYNNEX"
    assert view["api_type"] == "xml"
    assert view["customer_number"] == DEMO_TDSYNNEX_CUSTOMER
    assert view["xml_user"] == DEMO_TDSYNNEX_USER
    assert view["xml_password"] == "••••" + DEMO_TDSYNNEX_PASSWORD[-4:]
    assert DEMO_TDSYNNEX_PASSWORD not in shown.output
    assert "client_id" not in view  # Ingram's settings are Ingram's

    tested = cli("supplier", "test", "tdsynnex", "--tenant", "smbi", "--country", "1", "--json")
    assert tested.exit_code == 0, tested.output
    report = json.loads(tested.stdout)
    # Its own checks, and no webhook checks: TD SYNNEX has no webhooks.
    assert [(c["name"], c["status"]) for c in report["checks"]] == [
        ("credentials", "pass"),
        ("ordering_ip", "pass"),
        ("price_availability", "pass"),
        ("order_status", "pass"),
        ("invoices", "pass"),
        ("freight", "pass"),
        ("rest_token", "skip"),  # no Partner REST client saved: optional
    ]
    assert DEMO_TDSYNNEX_PASSWORD not in tested.output


def test_run_test_fails_on_a_wrong_password_with_its_fix(
    cli: Cli, simulator: RunningSimulator
) -> None:
    assert cli("tenant", "add", "smbi", "--country", "1").exit_code == 0
    connect_tdsynnex(cli, simulator, WRONG_PASSWORD)
    tested = cli("supplier", "test", "tdsynnex", "--tenant", "smbi", "--country", "1", "--json")
    assert tested.exit_code == 1, tested.output
    first, second, *rest = json.loads(tested.stdout)["checks"]
    assert {c["status"] for c in rest} == {"skip"}
    assert (first["name"], first["status"]) == ("credentials", "fail")
    assert "Client.LoginFailed" in first["detail"]
    assert first["fix"] == registry.get("tdsynnex").credentials_fix
    assert "EC Express XML user" in first["fix"]
    assert second["status"] == "skip"
    assert WRONG_PASSWORD not in tested.output
    assert WRONG_PASSWORD not in tested.stderr


def test_run_test_says_what_is_missing_before_calling_it(
    cli: Cli, simulator: RunningSimulator
) -> None:
    assert cli("tenant", "add", "smbi", "--country", "1").exit_code == 0
    saved = cli(
        "supplier", "set", "tdsynnex", "--tenant", "smbi", "--country", "1",
        "--customer-number", DEMO_TDSYNNEX_CUSTOMER, "--base-url", td_url(simulator),
    )  # fmt: skip
    assert saved.exit_code == 0, saved.output
    tested = cli("supplier", "test", "tdsynnex", "--tenant", "smbi", "--country", "1", "--json")
    assert tested.exit_code == 1
    first, second, *rest = json.loads(tested.stdout)["checks"]
    assert {c["status"] for c in rest} == {"skip"}
    assert first["status"] == "fail"
    assert "(--xml-user)" in first["detail"]
    assert "(--xml-password)" in first["detail"]
    assert second["status"] == "skip"


def test_pna_offers_from_both_suppliers(cli: Cli, simulator: RunningSimulator) -> None:
    assert cli("tenant", "add", "smbi", "--country", "1").exit_code == 0
    connect_ingram(cli, simulator)
    connect_tdsynnex(cli, simulator, DEMO_TDSYNNEX_PASSWORD)
    product = both_carry()
    offers = pna(cli, product.mfg_pn, product.sku, "NO-SUCH-PART-1")

    ingram = offers[("ingram", product.mfg_pn)]
    td = offers[("tdsynnex", product.mfg_pn)]
    assert ingram["status"] == "ok", ingram
    assert ingram["vendor_part_number"] == product.mfg_pn
    assert td["status"] == "ok", td
    assert td["supplier_sku"] == product.sku
    assert td["vendor_part_number"] == product.mfg_pn
    assert td["description"] == product.description
    assert td["price"] == product.price("US")
    assert td["currency"] == "USD"
    stock = {warehouse.number: qty for warehouse, qty, _ in product.stock("US")}
    assert {w["id"]: w["available"] for w in td["warehouses"]} == stock
    assert td["available"] == sum(stock.values())
    # By its own SKU too; and an unknown part is unknown, not an error.
    assert offers[("tdsynnex", product.sku)]["supplier_sku"] == product.sku
    assert offers[("tdsynnex", product.sku)]["price"] == product.price("US")
    assert offers[("tdsynnex", "NO-SUCH-PART-1")]["status"] == "unknown"


def test_an_mfgpn_sold_under_two_skus_takes_the_first(
    cli: Cli, simulator: RunningSimulator
) -> None:
    assert cli("tenant", "add", "smbi", "--country", "1").exit_code == 0
    connect_tdsynnex(cli, simulator, DEMO_TDSYNNEX_PASSWORD)
    first, second = twin()
    offer = pna(cli, first.mfg_pn)[("tdsynnex", first.mfg_pn)]
    assert offer["supplier_sku"] == first.sku != second.sku
    assert offer["price"] == first.price("US")


@pytest.mark.parametrize("failing", ["tdsynnex", "ingram"])
def test_one_supplier_failing_never_hides_the_other(
    cli: Cli, simulator: RunningSimulator, failing: str
) -> None:
    assert cli("tenant", "add", "smbi", "--country", "1").exit_code == 0
    connect_ingram(cli, simulator)
    connect_tdsynnex(
        cli, simulator, WRONG_PASSWORD if failing == "tdsynnex" else DEMO_TDSYNNEX_PASSWORD
    )
    if failing == "ingram":
        broken = cli("supplier", "set", "ingram", "--tenant", "smbi", "--country", "1",
                     "--client-secret", "-", input="wrong-secret-0000\n")  # fmt: skip
        assert broken.exit_code == 0, broken.output
    product = both_carry()
    priced = cli("pna", "--tenant", "smbi", "--country", "1", "--json", product.mfg_pn)
    assert priced.exit_code == 0, priced.output
    assert WRONG_PASSWORD not in priced.output
    offers = {o["supplier"]: o for o in json.loads(priced.stdout)}
    other = "ingram" if failing == "tdsynnex" else "tdsynnex"
    assert offers[failing]["status"] == "error"
    assert offers[failing]["error"]
    assert offers[other]["status"] == "ok"
    assert offers[other]["price"]


async def test_api_lists_its_settings_and_prices_through_it(
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
        listed = (await api.get("/suppliers")).json()
        changed = await api.put(
            "/connections/tdsynnex/1",
            json={
                "customer_number": DEMO_TDSYNNEX_CUSTOMER,
                "xml_user": DEMO_TDSYNNEX_USER,
                "xml_password": DEMO_TDSYNNEX_PASSWORD,
                "base_url": td_url(simulator),
            },
        )
        shown = await api.get("/connections/tdsynnex/1")
        priced = await api.post("/prices", json={"country_id": 1, "skus": [product.mfg_pn]})
    td = next(s for s in listed if s["key"] == "tdsynnex")
    assert {s["name"] for s in td["settings"] if s["secret"]} == {
        "xml_password",
        "rest_client_secret",
    }
    assert td["webhooks"] is False
    assert td["usable_api_types"] == ["xml"]
    assert changed.status_code == 200, changed.text
    assert shown.json()["xml_password"] == "••••" + DEMO_TDSYNNEX_PASSWORD[-4:]
    assert DEMO_TDSYNNEX_PASSWORD not in shown.text
    assert shown.json()["webhook_url"] is None  # no webhooks
    assert priced.status_code == 200, priced.text
    [offer] = [o for o in priced.json() if o["supplier"] == "tdsynnex"]
    assert offer["price"] == product.price("US")


@pytest.mark.parametrize(
    ("rule", "said"),
    [
        ({"kind": "error"}, "Server.DatabaseIssue"),
        ({"kind": "error", "status": 502}, "unavailable (502)"),
    ],
    ids=["xml-error", "http-502"],
)
def test_td_synnex_down_is_an_error_beside_ingrams_offer(
    cli: Cli, simulator: RunningSimulator, rule: dict[str, object], said: str
) -> None:
    assert cli("tenant", "add", "smbi", "--country", "1").exit_code == 0
    connect_ingram(cli, simulator)
    connect_tdsynnex(cli, simulator, DEMO_TDSYNNEX_PASSWORD)
    httpx.post(
        simulator.control_url + "/faults",
        json={"distributor": "tdsynnex", "endpoint": "/SynnexXML/PriceAvailability", **rule},
    ).raise_for_status()
    product = both_carry()
    offers = pna(cli, product.mfg_pn)
    td = offers[("tdsynnex", product.mfg_pn)]
    assert td["status"] == "error"
    assert said in td["error"]
    assert "try again" in td["error"]
    assert offers[("ingram", product.mfg_pn)]["status"] == "ok"
