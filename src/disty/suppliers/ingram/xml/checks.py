"""Ingram's Run Test checks over IM-XML, in the order a person fixes them.

The login is proved by any answer but 20007; each transaction the login must be entitled to is
asked with a PO number no order has, so nothing is ever placed: "order not found" proves the
entitlement, 20002 says Ingram has not enabled it. Order entry cannot be asked without placing
an order (no test host, XML-NOTES 2.5), so the first PO shows it.
"""

from __future__ import annotations

from xml.etree.ElementTree import Element

from disty.domain.checks import Check, CheckStatus, Fix
from disty.suppliers.errors import (
    AppNotApproved,
    AuthenticationFailed,
    NotFound,
    SupplierError,
    Unavailable,
)
from disty.suppliers.ingram import consts
from disty.suppliers.ingram.xml.client import IngramXmlClient, add

PROBE_PO = "DISTY-RUN-TEST"  # a PO number disty never gives an order
PROBE_ORDER = "0000000"
PROBE_SKU = "000000"

LOGIN_FIX = Fix(
    cli="Check the XML login id and password Ingram Micro issued for IM-XML (not your web "
    "login) and that the account is set up for this country, save them with --xml-login and "
    "--xml-password -, and run the test again.",
    console="Check the XML Login ID and XML Password Ingram Micro issued for IM-XML (not your "
    "web login) and that the account is set up for this country, enter them above, Save, and "
    "press Run Test again.",
)


def _entitlement_fix(what: str) -> Fix:
    return Fix(
        cli=f"Ask {consts.XML_TEAM} to enable {what} for this XML login, then run "
        "the test again (disty supplier test).",
        console=f"Ask {consts.XML_TEAM} to enable {what} for this XML login, then press "
        "Run Test again.",
    )


async def run(client: IngramXmlClient) -> list[Check]:
    checks: list[Check] = []

    def add_check(
        name: str, status: CheckStatus, detail: str, fix: Fix | str | None = None
    ) -> None:
        if isinstance(fix, Fix):
            checks.append(Check(name, status, True, detail, fix.cli, console_fix=fix.console))
        else:
            checks.append(Check(name, status, True, detail, fix))

    pna = client.document("PNARequest", "RUNTEST-PNA")
    pna.append(pna.makeelement("PNAInformation", {"SKU": PROBE_SKU, "Quantity": "1"}))
    add(pna, "ShowDetail", "2")
    status = client.document("OrderStatusRequest", "RUNTEST-STATUS")
    add(add(status, "OrderHeaderInfo"), "CustomerPO", PROBE_PO)
    detail = client.document("OrderDetailRequest", "RUNTEST-DETAIL")
    head = add(detail, "OrderHeaderInfo")
    add(head, "BranchOrderNumber", PROBE_ORDER)
    add(head, "CustomerPO", PROBE_PO)
    add(detail, "ShowDetail", "2")
    tracking = client.document("OrderTrackingRequest", "RUNTEST-TRACK")
    head = add(tracking, "TrackingRequestHeader")
    add(head, "CustomerPO", PROBE_PO)
    add(tracking, "ShowDetail", "2")
    probes: list[tuple[str, Element, str, str]] = [
        (
            "price_availability",
            pna,
            "price and availability (PNA)",
            "Price and availability answered.",
        ),
        ("order_status", status, "Order Status", "Order status answered."),
        ("order_detail", detail, "Order Detail", "Order detail answered."),
        ("order_tracking", tracking, "Order Tracking", "Order tracking answered."),
    ]
    login_proved = False
    for name, document, what, passed in probes:
        try:
            await client.call(document, safe=True)
        except NotFound:
            pass  # the probe's PO has no order: the transaction is allowed
        except AuthenticationFailed as exc:
            add_check("xml_login", CheckStatus.FAIL, str(exc), LOGIN_FIX)
            break
        except AppNotApproved as exc:
            if not login_proved:
                add_check("xml_login", CheckStatus.PASS, "Ingram Micro accepted the XML login.")
                login_proved = True
            add_check(name, CheckStatus.FAIL, str(exc), _entitlement_fix(what))
            continue
        except Unavailable as exc:
            add_check(
                "xml_login" if not login_proved else name,
                CheckStatus.FAIL,
                str(exc),
                "IM-XML could not be reached or is down with Ingram's mainframe "
                f"({consts.MAINTENANCE_HINT}); check the base URL ({consts.XML_URL}) and try "
                "again later.",
            )
            break
        except SupplierError as exc:
            if not login_proved:
                add_check("xml_login", CheckStatus.PASS, "Ingram Micro accepted the XML login.")
                login_proved = True
            add_check(
                name,
                CheckStatus.FAIL,
                str(exc),
                f"Try again later; if it lasts, tell {consts.XML_TEAM}.",
            )
            continue
        if not login_proved:
            add_check("xml_login", CheckStatus.PASS, "Ingram Micro accepted the XML login.")
            login_proved = True
        add_check(name, CheckStatus.PASS, passed)
    done = {c.name for c in checks}
    blocker = next((c.name for c in checks if c.status is CheckStatus.FAIL), "xml_login")
    for name, required in consts.XML_CHECKS:
        if name not in done:
            checks.append(
                Check(name, CheckStatus.SKIP, required, f"not run: the {blocker} check failed")
            )
    return checks
