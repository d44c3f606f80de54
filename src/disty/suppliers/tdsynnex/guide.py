"""TD SYNNEX's set-up guide: from a TD SYNNEX account to a first PO through EC Express XML, as
the console shows it, each step ticking itself from what disty sees (the last Run Test, and
the connection's own POs)."""

from __future__ import annotations

from disty.domain.guide import GuideStep, SetupState
from disty.suppliers.tdsynnex import consts


def guide(state: SetupState) -> list[GuideStep]:
    login = {"customer_number", "xml_user", "xml_password"} <= state.saved
    signed_in = login and state.passed("credentials")
    return [
        GuideStep(
            "Have a TD SYNNEX reseller account and its customer number",
            "Your TD SYNNEX account (customer) number, digits only, as EC Express shows it. "
            "Enter it here and Save.",
            "customer_number" in state.saved and state.passed("credentials"),
        ),
        GuideStep(
            "Get an EC Express XML API user and paste it here",
            "Ask your TD SYNNEX rep or the XML team to enable XML (price and availability, "
            "PO, PO status, freight quote, invoice query) for your account. The API user may "
            "differ from your EC Express portal login. Passwords of users that place orders "
            "expire every 3 months. Save the user and password, then press Run Test: this "
            "step ticks when TD SYNNEX accepts them.",
            signed_in,
        ),
        GuideStep(
            "Register this server's static IP address for XML POs",
            "TD SYNNEX accepts XML POs only from addresses you registered: "
            f"{consts.PORTAL_REGISTER_IP}. Run Test's ordering_ip check shows the address "
            "TD SYNNEX sees. A server without a fixed public address needs a proxy with a "
            "static IP. This step ticks when the check passes.",
            state.passed("ordering_ip"),
        ),
        GuideStep(
            "Have billing terms (a credit account) with TD SYNNEX",
            "TD SYNNEX ships and invoices POs against your account's terms; set them up with "
            "your TD SYNNEX rep or credit team. This step ticks when TD SYNNEX's first invoice "
            "for a PO sent through disty arrives.",
            state.invoices_received > 0,
        ),
        GuideStep(
            "Get a first price and availability answer",
            "Run Test asks TD SYNNEX for a price and availability line. This step ticks when "
            "it answers.",
            state.passed("price_availability"),
        ),
        GuideStep(
            "Send a first PO",
            "Place a PO through disty. This step ticks when TD SYNNEX accepts one and gives it "
            "an order number.",
            state.orders_placed > 0,
        ),
    ]
