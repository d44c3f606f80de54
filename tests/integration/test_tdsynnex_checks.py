"""TD SYNNEX's Run Test, every check passing and failing against the simulator over real HTTP,
through ``disty supplier test --json`` as an admin runs it, on SQLite and PostgreSQL: a wrong
password, an unregistered IP, the distributor failing on each transaction (the control API's
fault rules), a wrong REST secret, a warehouse TD SYNNEX does not know. Each failure carries its
fix, no secret is ever printed, and nothing is ever ordered."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from disty.simulator.config import (
    DEMO_TDSYNNEX_PASSWORD,
    DEMO_TDSYNNEX_REST_CLIENT_ID,
    DEMO_TDSYNNEX_REST_CLIENT_SECRET,
)
from tests.conftest import Cli
from tests.fixtures.simulator import RunningSimulator
from tests.integration.test_tdsynnex_connection import WRONG_PASSWORD, connect_tdsynnex

NAMES = [
    "credentials",
    "ordering_ip",
    "price_availability",
    "order_status",
    "invoices",
    "freight",
    "rest_token",
]
WRONG_REST_SECRET = "not-the-rest-secret-5521"


def run_test(cli: Cli, *, exit_code: int) -> dict[str, dict[str, Any]]:
    tested = cli("supplier", "test", "tdsynnex", "--tenant", "smbi", "--country", "1", "--json")
    assert tested.exit_code == exit_code, tested.output
    for secret in (DEMO_TDSYNNEX_PASSWORD, DEMO_TDSYNNEX_REST_CLIENT_SECRET, WRONG_REST_SECRET):
        assert secret not in tested.output
    report = json.loads(tested.stdout)
    assert [c["name"] for c in report["checks"]] == NAMES
    assert report["ok"] is (exit_code == 0)
    for check in report["checks"]:
        assert check["status"] == "pass" or check["status"] == "skip" or check["fix"], check
    return {c["name"]: c for c in report["checks"]}


def statuses(checks: dict[str, dict[str, Any]]) -> dict[str, str]:
    return {name: c["status"] for name, c in checks.items()}


def set_rest(cli: Cli, client_id: str, secret: str | None) -> None:
    args = ["supplier", "set", "tdsynnex", "--tenant", "smbi", "--country", "1"]
    args += ["--rest-client-id", client_id]
    if secret is not None:
        args += ["--rest-client-secret", "-"]
    saved = cli(*args, input=f"{secret}\n" if secret is not None else None)
    assert saved.exit_code == 0, saved.output


def fault(simulator: RunningSimulator, endpoint: str, **rule: Any) -> None:
    body = {"kind": "error", "distributor": "tdsynnex", "endpoint": endpoint, **rule}
    httpx.post(simulator.control_url + "/faults", json=body).raise_for_status()


def po_requests(simulator: RunningSimulator) -> int:
    counts = httpx.get(simulator.control_url + "/counts", params={"distributor": "tdsynnex"})
    counts.raise_for_status()
    return int(counts.json().get("/SynnexXML/PO", 0))


def td_orders(simulator: RunningSimulator) -> list[Any]:
    found = httpx.get(simulator.control_url + "/tdsynnex/orders")
    found.raise_for_status()
    result: list[Any] = found.json()
    return result


@pytest.fixture
def connected(cli: Cli, simulator: RunningSimulator) -> RunningSimulator:
    assert cli("tenant", "add", "smbi", "--country", "1").exit_code == 0
    connect_tdsynnex(cli, simulator, DEMO_TDSYNNEX_PASSWORD)
    return simulator


def test_every_check_passes_and_nothing_is_ordered(cli: Cli, connected: RunningSimulator) -> None:
    set_rest(cli, DEMO_TDSYNNEX_REST_CLIENT_ID, DEMO_TDSYNNEX_REST_CLIENT_SECRET)
    checks = run_test(cli, exit_code=0)
    assert set(statuses(checks).values()) == {"pass"}
    assert "nothing was ordered" in checks["ordering_ip"]["detail"]
    assert "notFound" in checks["order_status"]["detail"]
    assert "valid 120 minutes" in checks["rest_token"]["detail"]
    # The IP probe reached TD SYNNEX's PO endpoint once, and no order exists.
    assert po_requests(connected) == 1
    assert td_orders(connected) == []


def test_the_rest_token_is_skipped_when_no_rest_client_is_saved(
    cli: Cli, connected: RunningSimulator
) -> None:
    checks = run_test(cli, exit_code=0)
    assert checks["rest_token"]["status"] == "skip"
    assert checks["rest_token"]["detail"].startswith("not set")
    assert checks["rest_token"]["required"] is False


def test_a_wrong_password_fails_credentials_and_skips_the_rest(
    cli: Cli, simulator: RunningSimulator
) -> None:
    assert cli("tenant", "add", "smbi", "--country", "1").exit_code == 0
    connect_tdsynnex(cli, simulator, WRONG_PASSWORD)
    checks = run_test(cli, exit_code=1)
    assert checks["credentials"]["status"] == "fail"
    assert "Client.LoginFailed" in checks["credentials"]["detail"]
    assert {s for n, s in statuses(checks).items() if n != "credentials"} == {"skip"}
    assert po_requests(simulator) == 0  # no check after a failed login talks to TD SYNNEX


def test_an_unregistered_ip_fails_ordering_with_how_to_register_it(
    cli: Cli, connected: RunningSimulator
) -> None:
    httpx.put(
        connected.control_url + "/tdsynnex/allowed-ips", json={"ips": ["203.0.113.9"]}
    ).raise_for_status()
    checks = run_test(cli, exit_code=1)
    ip = checks["ordering_ip"]
    assert ip["status"] == "fail"
    assert ip["required"] is True
    assert "IP Address Invalid" in ip["detail"]
    assert "It saw this server as 127.0.0.1." in ip["detail"]
    assert "customer number" in ip["fix"]
    assert "127.0.0.1" in ip["fix"]
    assert "static IP" in ip["fix"]
    # Only POs are IP-filtered: the others still say their own result.
    assert {s for n, s in statuses(checks).items() if n != "ordering_ip"} == {"pass", "skip"}


@pytest.mark.parametrize(
    ("endpoint", "check", "status"),
    [
        ("/SynnexXML/PriceAvailability", "credentials", "fail"),
        ("/SynnexXML/PO", "ordering_ip", "fail"),
        ("/SynnexXML/POStatus", "order_status", "fail"),
        ("/webservice/invoice/query", "invoices", "warn"),
        ("/SynnexXML/FreightQuote", "freight", "warn"),
    ],
)
def test_tdsynnex_failing_on_one_transaction_fails_its_check(
    cli: Cli, connected: RunningSimulator, endpoint: str, check: str, status: str
) -> None:
    fault(connected, endpoint, message="Server.DatabaseIssue")
    checks = run_test(cli, exit_code=1 if status == "fail" else 0)
    assert checks[check]["status"] == status
    assert "Server.DatabaseIssue" in checks[check]["detail"]
    assert checks[check]["fix"]
    others = {s for n, s in statuses(checks).items() if n != check}
    # A failed login probe skips the rest; any other failure leaves the rest to pass.
    assert others == ({"skip"} if check == "credentials" else {"pass", "skip"})


def test_a_transport_failure_on_the_invoice_host_is_a_warning(
    cli: Cli, connected: RunningSimulator
) -> None:
    fault(connected, "/webservice/invoice/query", status=502, times=5)
    checks = run_test(cli, exit_code=0)
    assert checks["invoices"]["status"] == "warn"
    assert "502" in checks["invoices"]["detail"]


def test_a_wrong_rest_secret_fails_the_rest_token(cli: Cli, connected: RunningSimulator) -> None:
    set_rest(cli, DEMO_TDSYNNEX_REST_CLIENT_ID, WRONG_REST_SECRET)
    checks = run_test(cli, exit_code=0)  # optional: the connection stays usable
    token = checks["rest_token"]
    assert token["status"] == "warn"
    assert "invalid_client" in token["detail"]
    assert "Client Credentials" in token["fix"]


def test_a_rest_client_id_without_its_secret_says_so(cli: Cli, connected: RunningSimulator) -> None:
    set_rest(cli, DEMO_TDSYNNEX_REST_CLIENT_ID, None)
    checks = run_test(cli, exit_code=0)
    assert checks["rest_token"]["status"] == "warn"
    assert "client secret is not saved" in checks["rest_token"]["detail"]


def test_an_unknown_ship_from_warehouse_fails_freight_with_its_fix(
    cli: Cli, connected: RunningSimulator
) -> None:
    saved = cli(
        "supplier", "set", "tdsynnex", "--tenant", "smbi", "--country", "1",
        "--ship-from-warehouse", "97",
    )  # fmt: skip
    assert saved.exit_code == 0, saved.output
    checks = run_test(cli, exit_code=0)
    assert checks["freight"]["status"] == "warn"
    assert "Invalid Warehouse Number" in checks["freight"]["detail"]
    assert "ship-from warehouse" in checks["freight"]["fix"]
