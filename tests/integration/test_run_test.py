"""Run Test through the service and the CLI, on both databases, against the simulator."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import pytest

from disty.config import Settings
from disty.domain.checks import CheckStatus, RunTestReport
from disty.runtime import Runtime, open_runtime
from disty.services import connections, tenants
from disty.services.connections import ConnectionChanges
from disty.services.run_test import run_test
from tests.conftest import Cli
from tests.fixtures.ingram import FAST, control, harness, new_app
from tests.fixtures.simulator import RunningSimulator

REQUIRED = ["credentials", "api_access", "customer", "catalog", "price_availability", "orders",
            "invoices"]  # fmt: skip


@pytest.fixture
async def rt(settings: Settings, simulator: RunningSimulator) -> AsyncIterator[Runtime]:
    async with (
        harness(simulator, policy=FAST) as h,
        open_runtime(settings, hub=h.hub) as opened,
    ):
        async with opened.sessions() as session:
            await tenants.add_tenant(session, "smbi", [1])
        yield opened


async def _connect(rt: Runtime, simulator: RunningSimulator, **changes: object) -> None:
    values: dict[str, object] = {
        "client_id": simulator.client_id,
        "client_secret": simulator.client_secret,
        "customer_number": simulator.customer_number,
        "base_url": simulator.base_url,
        "application_id": "APP-TEST",
        "contact_email": "buyer@example.com",
    }
    values.update(changes)
    async with rt.sessions() as session:
        await connections.set_connection(
            session,
            shortcut="smbi",
            supplier="ingram",
            country_id=1,
            changes=ConnectionChanges.of(**values),  # type: ignore[arg-type]
            box=rt.box,
            public_url="https://d.example",
            grace=rt.settings.webhook_key_grace,
            allow_custom_urls=True,
        )


async def _test(rt: Runtime) -> RunTestReport:
    async with rt.sessions() as session:
        return await run_test(
            session, shortcut="smbi", supplier="ingram", country_id=1, suppliers=rt.suppliers,
        )  # fmt: skip


def _status(report: RunTestReport) -> dict[str, str]:
    return {c.name: c.status.value for c in report.checks}


def _failing(report: RunTestReport) -> list[str]:
    return [c.name for c in report.checks if c.status is CheckStatus.FAIL]


async def test_approved_app_passes_every_required_check(
    rt: Runtime, simulator: RunningSimulator
) -> None:
    await _connect(rt, simulator, webhook_key="wk-secret-0001")
    report = await _test(rt)
    assert report.ok, report.checks
    status = _status(report)
    assert [c.name for c in report.checks][: len(REQUIRED)] == REQUIRED
    assert all(status[name] == "pass" for name in REQUIRED)
    assert status["webhook_key"] == "pass"
    # Part 1 of the simulator has no v7 orders yet: optional, so only a warning.
    assert status["quote_to_order"] in ("pass", "warn")
    async with rt.sessions() as session:
        [view] = await connections.list_connections(
            session, shortcut="smbi", box=rt.box, public_url="https://d.example"
        )
    assert view.last_test_at == report.tested_at
    assert view.last_test_result == report.to_json()


@pytest.mark.parametrize("state", ["in_review", "v7_only", "revoked"])
async def test_unapproved_apps_fail_api_access_with_the_portal_fix(
    rt: Runtime, simulator: RunningSimulator, state: str
) -> None:
    client_id, secret = new_app(simulator, state=state)
    await _connect(rt, simulator, client_id=client_id, client_secret=secret)
    report = await _test(rt)
    assert not report.ok
    assert _failing(report) == ["api_access"]
    check = next(c for c in report.checks if c.name == "api_access")
    assert check.fix is not None
    assert "In Review" in check.fix
    assert "v7 only" in check.fix
    assert _status(report)["catalog"] == "skip"


async def test_wrong_secret_fails_credentials(rt: Runtime, simulator: RunningSimulator) -> None:
    await _connect(rt, simulator, client_secret="not-the-secret-9999")
    report = await _test(rt)
    assert _failing(report) == ["credentials"]
    check = report.checks[0]
    assert check.fix is not None
    assert "client id and client secret" in check.fix
    assert "not-the-secret-9999" not in json.dumps(report.to_json())
    assert {c.status for c in report.checks[1:-2]} == {CheckStatus.SKIP}  # then the webhooks


async def test_wrong_customer_number_fails_customer(
    rt: Runtime, simulator: RunningSimulator
) -> None:
    await _connect(rt, simulator, customer_number="99-999999")
    report = await _test(rt)
    assert _status(report)["api_access"] == "pass"
    assert _failing(report) == ["customer"]


async def test_maintenance_fails_api_access_saying_try_later(
    rt: Runtime, simulator: RunningSimulator
) -> None:
    control(simulator, "PUT", "/maintenance", json={"on": True})
    await _connect(rt, simulator)
    report = await _test(rt)
    assert _failing(report) == ["api_access"]
    check = report.checks[1]
    assert check.fix is not None
    assert "maintenance window" in check.fix


async def test_unreachable_base_url_fails_credentials(
    rt: Runtime, simulator: RunningSimulator
) -> None:
    await _connect(rt, simulator, base_url="http://127.0.0.1:9/ingram")
    report = await _test(rt)
    assert _failing(report) == ["credentials"]
    assert report.checks[0].fix is not None
    assert "base URL" in report.checks[0].fix


async def test_missing_application_id_fails_invoices_only(
    rt: Runtime, simulator: RunningSimulator
) -> None:
    await _connect(rt, simulator)
    async with rt.sessions() as session:
        tenant = await tenants.get_tenant(session, "smbi")
        conn = await connections.get_connection(session, tenant, "ingram", 1)
        conn.settings = {k: v for k, v in conn.settings.items() if k != "application_id"}
        await session.commit()
    report = await _test(rt)
    assert _failing(report) == ["invoices"]


async def test_xml_connection_without_its_login_names_what_to_save(
    rt: Runtime, simulator: RunningSimulator
) -> None:
    from disty.domain.connections import ApiType

    await _connect(rt, simulator, api_type=ApiType.XML)
    report = await _test(rt)
    statuses = [(c.name, c.status.value) for c in report.checks]
    assert statuses[:2] == [("xml_login", "fail"), ("price_availability", "skip")]
    assert report.checks[0].detail == (
        "Not saved yet: XML login id (--xml-login), XML password (--xml-password)."
    )


def test_cli_supplier_test_and_pna(cli: Cli, simulator: RunningSimulator) -> None:
    assert cli("tenant", "add", "smbi", "--country", "1").exit_code == 0
    setup = cli(
        "supplier", "set", "ingram", "--tenant", "smbi", "--country", "1",
        "--base-url", simulator.base_url, "--client-id", simulator.client_id,
        "--client-secret", "-", "--customer-number", simulator.customer_number,
        "--application-id", "APP-TEST",
        input=simulator.client_secret + "\n",
    )  # fmt: skip
    assert setup.exit_code == 0, setup.output
    result = cli("supplier", "test", "ingram", "--tenant", "smbi", "--country", "1", "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["ok"] is True
    assert set(report) == {"ok", "tested_at", "checks"}
    assert set(report["checks"][0]) == {"name", "status", "required", "detail", "fix"}
    # With debug logging on (every HTTP call logged), the secret and the token stay out.
    human = cli("-v", "supplier", "test", "ingram", "--tenant", "smbi", "--country", "1")
    assert human.exit_code == 0
    assert "all required checks passed" in human.stdout
    assert "/resellers/v6/catalog -> 200" in human.stderr
    assert simulator.client_secret not in human.stdout + human.stderr
    assert "Bearer" not in human.stderr

    product = simulator.state.catalog.product(3)
    priced = cli("pna", "--tenant", "smbi", "--country", "1", "--json",
                 product.ingram_part_number, "NOSUCH-PART", product.vendor_part_number)  # fmt: skip
    assert priced.exit_code == 0, priced.output
    rows = json.loads(priced.stdout)
    assert [(r["sku"], r["status"]) for r in rows] == [
        (product.ingram_part_number, "ok"),
        ("NOSUCH-PART", "unknown"),
        (product.vendor_part_number, "ok"),
    ]
    assert rows[0]["price"] == rows[2]["price"]
    assert rows[0]["currency"] == "USD"

    cli("supplier", "set", "ingram", "--tenant", "smbi", "--country", "1",
        "--client-secret", "wrong-secret-0000")  # fmt: skip
    failed = cli("supplier", "test", "ingram", "--tenant", "smbi", "--country", "1", "--json")
    assert failed.exit_code == 1
    assert json.loads(failed.stdout)["checks"][0]["status"] == "fail"
    assert "wrong-secret-0000" not in failed.stdout + failed.stderr
