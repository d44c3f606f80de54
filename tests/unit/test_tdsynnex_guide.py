"""TD SYNNEX's set-up guide ticks each step from what disty sees: the last Run Test, the POs
TD SYNNEX accepted and the invoices it sent; the invoice host follows the EC Express host."""

from __future__ import annotations

from disty.domain.guide import SetupState
from disty.suppliers import registry
from disty.suppliers.tdsynnex.xml.invoices import invoice_base_url

LOGIN = frozenset({"customer_number", "xml_user", "xml_password"})
PASSED = {"credentials": "pass", "price_availability": "pass", "ordering_ip": "pass"}


def ticks(state: SetupState) -> list[bool]:
    guide = registry.get("tdsynnex").setup_guide
    assert guide is not None
    return [step.done for step in guide(state)]


def test_nothing_is_done_before_anything_is_saved() -> None:
    assert ticks(SetupState()) == [False] * 6


def test_run_test_ticks_login_ip_and_pna() -> None:
    state = SetupState(saved=LOGIN, checks={**PASSED, "ordering_ip": "fail"})
    assert ticks(state) == [True, True, False, False, True, False]
    assert ticks(SetupState(saved=LOGIN, checks=PASSED)) == [True, True, True, False, True, False]


def test_orders_and_invoices_tick_the_last_steps() -> None:
    placed = SetupState(saved=LOGIN, checks=PASSED, orders_placed=1)
    assert ticks(placed) == [True, True, True, False, True, True]
    billed = SetupState(saved=LOGIN, checks=PASSED, orders_placed=1, invoices_received=1)
    assert all(ticks(billed))


def test_the_invoice_host_follows_the_ec_express_host() -> None:
    assert invoice_base_url("https://ec.us.tdsynnex.com") == "https://ws.us.tdsynnex.com"
    assert invoice_base_url("https://ec.ca.tdsynnex.com/") == "https://ws.ca.tdsynnex.com"
    assert invoice_base_url("https://testec.us.tdsynnex.com") == "https://testws.us.tdsynnex.com"
    assert invoice_base_url("https://testec.ca.tdsynnex.com") == "https://testws.ca.tdsynnex.com"
    # The simulator, or an operator's proxy, serves the query itself.
    assert invoice_base_url("http://127.0.0.1:8080/tdsynnex/us") == (
        "http://127.0.0.1:8080/tdsynnex/us"
    )
