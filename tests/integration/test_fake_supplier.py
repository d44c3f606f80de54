"""The supplier seam is real: a distributor that only the tests know (tests/fixtures/
fake_supplier.py) is connected, tested, priced and ordered from through disty's CLI, API and
services, on SQLite and PostgreSQL, with nothing in ``src/`` naming it."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from disty.config import Settings
from disty.runtime import Runtime
from disty.services import ordering, tenants, tokens
from disty.services.ordering import Context
from tests.conftest import Cli
from tests.fixtures.disty import ServedDisty, serve_disty
from tests.fixtures.fake_supplier import (
    ACCOUNT,
    API_KEY,
    KEY,
    RunningTessera,
    serve_tessera,
    tessera_registered,
)

# The package's own files (src/ also holds pip's build output, which copies the README).
SRC = Path(__file__).resolve().parents[2] / "src" / "disty"


@pytest.fixture
def tessera() -> Iterator[RunningTessera]:
    with tessera_registered(), serve_tessera() as running:
        yield running


def test_no_line_of_src_names_it() -> None:
    named = [
        path
        for path in SRC.rglob("*")
        if path.is_file() and KEY in path.read_bytes().decode("utf-8", "replace").lower()
    ]
    assert named == []


def _connect(cli: Cli, tessera: RunningTessera) -> None:
    added = cli("tenant", "add", "smbi", "--country", "1")
    assert added.exit_code == 0, added.output
    saved = cli(
        "supplier", "set", KEY, "--tenant", "smbi", "--country", "1",
        "--account-number", ACCOUNT, "--api-key", "-", "--base-url", tessera.url,
        input=API_KEY + "\n",
    )  # fmt: skip
    assert saved.exit_code == 0, saved.output
    assert API_KEY not in saved.output


def test_cli_sets_it_up_from_its_declared_settings_and_runs_its_checks(
    cli: Cli, tessera: RunningTessera
) -> None:
    helped = cli("supplier", "set", "--help")
    assert "--account-number" in helped.output
    assert "--api-key" in helped.output
    _connect(cli, tessera)
    shown = cli("supplier", "show", KEY, "--tenant", "smbi", "--json")
    assert shown.exit_code == 0, shown.output
    view = json.loads(shown.stdout)[0]
    assert view["supplier_name"] == "Tessera Supply"
    assert view["account_number"] == ACCOUNT
    assert view["api_key"] == "••••" + API_KEY[-4:]
    assert API_KEY not in shown.output
    assert "client_id" not in view  # Ingram's settings are Ingram's
    # Another supplier's option is refused, naming the settings this one has.
    wrong = cli("supplier", "set", KEY, "--tenant", "smbi", "--country", "1",
                "--client-id", "x")  # fmt: skip
    assert wrong.exit_code == 1
    assert "Tessera Supply has no setting 'client_id'" in wrong.stderr

    tested = cli("supplier", "test", KEY, "--tenant", "smbi", "--country", "1", "--json")
    assert tested.exit_code == 0, tested.output
    report = json.loads(tested.stdout)
    # Its own checks, and no webhook checks: it has no webhooks.
    assert [(c["name"], c["status"]) for c in report["checks"]] == [
        ("credentials", "pass"),
        ("price_availability", "pass"),
    ]


def test_run_test_says_what_is_missing_before_calling_it(cli: Cli, tessera: RunningTessera) -> None:
    assert cli("tenant", "add", "smbi", "--country", "1").exit_code == 0
    saved = cli("supplier", "set", KEY, "--tenant", "smbi", "--country", "1",
                "--base-url", tessera.url)  # fmt: skip
    assert saved.exit_code == 0, saved.output
    tested = cli("supplier", "test", KEY, "--tenant", "smbi", "--country", "1", "--json")
    assert tested.exit_code == 1
    first, second = json.loads(tested.stdout)["checks"]
    assert first["status"] == "fail"
    assert "account number (--account-number), API key (--api-key)" in first["detail"]
    assert first["fix"] == "Copy the account number and API key from Tessera's partner portal."
    assert second["status"] == "skip"
    assert tessera.state.orders == {}


@pytest.fixture
def served(settings: Settings, tessera: RunningTessera) -> Iterator[ServedDisty]:
    with serve_disty(settings) as running:
        yield running


async def test_api_prices_and_a_po_life(
    rt: Runtime, served: ServedDisty, tessera: RunningTessera
) -> None:
    async with rt.sessions() as session:
        await tenants.add_tenant(session, "smbi", [1])
    async with rt.sessions() as session:
        _, token = await tokens.create_token(
            session, shortcut="smbi", scopes=["admin"], name=None, actor="test"
        )
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=served.url + "/api/v1", headers=headers) as api:
        listed = (await api.get("/suppliers")).json()
        changed = await api.put(
            f"/connections/{KEY}/1",
            json={"account_number": ACCOUNT, "api_key": API_KEY, "base_url": tessera.url},
        )
        shown = (await api.get(f"/connections/{KEY}/1")).json()
        priced = await api.post("/prices", json={"country_id": 1, "skus": ["TS-100", "TS-999"]})
        placed = await api.post(
            "/pos",
            json={
                "po_number": "PO-TS-1",
                "country_id": 1,
                "supplier": KEY,
                "lines": [{"sku": "TS-100", "quantity": 2, "expected_price": "12.50"}],
                "ship_to": {"company": "Acme", "street": "1 Main St", "city": "Springfield",
                            "state": "IL", "postcode": "62701", "country": "US"},
            },
        )  # fmt: skip
    tessera_out = next(s for s in listed if s["key"] == KEY)
    assert [(s["name"], s["secret"]) for s in tessera_out["settings"]] == [
        ("account_number", False),
        ("api_key", True),
    ]
    assert tessera_out["webhooks"] is False
    assert changed.status_code == 200, changed.text
    assert shown["api_key"] == "••••" + API_KEY[-4:]
    assert shown["webhook_url"] is None  # no webhooks: followed by polling
    assert priced.status_code == 200, priced.text
    offers = {(o["supplier"], o["sku"]): o for o in priced.json()}
    assert offers[(KEY, "TS-100")]["price"] == "12.50"
    assert offers[(KEY, "TS-999")]["status"] == "unknown"

    assert placed.status_code in (200, 201), placed.text
    assert placed.json()["status"] == "submitted"
    [number] = tessera.state.orders
    assert tessera.state.orders[number]["po"] == "PO-TS-1"
    # Tessera ships it; disty's poll follows it there (it sends no webhooks).
    tessera.ship(number)
    async with rt.sessions() as session:
        po = await ordering.find_po(session, shortcut="smbi", po_number="PO-TS-1")
        await ordering.refresh(session, po, Context(rt.suppliers, "test"))
        assert po.status == "shipped"
        assert po.supplier_order_numbers == [number]
    # The PO number keeps it placed once: the same PO again places nothing more.
    async with httpx.AsyncClient(base_url=served.url + "/api/v1", headers=headers) as api:
        again = await api.post(
            "/pos",
            json={"po_number": "PO-TS-1", "country_id": 1, "supplier": KEY,
                  "lines": [{"sku": "TS-100", "quantity": 2, "expected_price": "12.50"}],
                  "ship_to": {"company": "Acme", "street": "1 Main St", "city": "Springfield",
                              "state": "IL", "postcode": "62701", "country": "US"}},
        )  # fmt: skip
    assert again.status_code in (200, 409), again.text
    assert len(tessera.state.orders) == 1


def test_a_country_it_does_not_serve_is_refused(cli: Cli, tessera: RunningTessera) -> None:
    assert cli("tenant", "add", "acme", "--country", "29").exit_code == 0
    refused = cli("supplier", "set", KEY, "--tenant", "acme", "--country", "29",
                  "--account-number", ACCOUNT)  # fmt: skip
    assert refused.exit_code == 1
    assert "Tessera Supply serves United States only" in refused.stderr
