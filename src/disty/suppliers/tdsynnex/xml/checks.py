"""Run Test for TD SYNNEX: each check talks to TD SYNNEX without placing anything, and each
failure says what to do.

The checks, in consts.CHECKS' order:

- ``credentials``: a price-and-availability line for a SKU that does not exist; "Not found"
  proves the customer number, user and password. Every other check needs it: when it fails,
  they are SKIP.
- ``ordering_ip``: TD SYNNEX accepts XML POs only from addresses the customer registered
  (NOTES 2.4, 4.5). The probe is a PO that can never be placed: an ``OrderRequest`` with the
  customer number and nothing else, no PO number, no ship-to, no items. Why this is safe
  against the real TD SYNNEX: ``PONumber`` and at least one ``Item`` are mandatory (4.1), and
  the one real validation capture (4.5, ``Client.IncompleteXML``) shows such a document is
  refused as a whole with the list of what is missing; with no item there is nothing to order
  and with no PO number nothing to record as a duplicate later. The answer tells: ``IP
  Address Invalid`` (this server's address is not registered, with the address TD SYNNEX saw)
  or anything past that gate (the validation refusal, or a login refusal on the PO endpoint)
  proves the address passed. Caveat: the simulator checks the address first, as TS-PO's
  example 9 suggests; the real order of TD SYNNEX's checks is not documented.
- ``price_availability``: the credentials probe's row answered.
- ``order_status``: POStatus for a PO number disty never gives; ``notFound`` passes.
- ``invoices`` (optional): the invoice query on the ``ws`` host for the same PO number; "no
  invoice" passes.
- ``freight`` (optional): a freight quote for the probe SKU from the ship-from warehouse (or a
  known one) to a fixed address; TD SYNNEX's refusal of the SKU (``InvalidSKU``, ``Not
  Authorized SKU``, ``No Result Found``) still proves the login and the endpoint.
- ``rest_token`` (optional): a Partner REST token, only when its client id and secret are saved;
  else SKIP, "not set", so the report always lists the same checks.

Only ``credentials`` blocks the others (base.py: checks after a failure they depend on are
SKIP): the IP gate is on POs only, so price, status, invoices and freight still say their own
result while the IP waits to be registered.
"""

from __future__ import annotations

import ipaddress
import re
from xml.etree.ElementTree import Element, SubElement

from disty.domain.checks import Check, CheckStatus
from disty.domain.orders import Address
from disty.suppliers.errors import (
    AppNotApproved,
    AuthenticationFailed,
    RequestRejected,
    SupplierError,
)
from disty.suppliers.tdsynnex import consts
from disty.suppliers.tdsynnex.rest.token import RestTokens
from disty.suppliers.tdsynnex.settings import CREDENTIALS_FIX
from disty.suppliers.tdsynnex.xml import freight, invoices
from disty.suppliers.tdsynnex.xml.client import TdSynnexClient
from disty.suppliers.xml import child, text

# The freight probe: a warehouse both the 2014 and the recent lists name (NOTES 3.6) and a
# commercial address near it, per country.
PROBE_WAREHOUSE = {"US": "3", "CA": "29"}
PROBE_ADDRESS = {
    "US": Address("Run Test", "39 Main Street", "Fremont", "CA", "94538", "US"),
    "CA": Address("Run Test", "100 Main Street", "Guelph", "ON", "N1H 1A1", "CA"),
}
# 6.3's refusals of a request TD SYNNEX read and priced: access is proven.
_FREIGHT_ANSWERED = ("invalidsku", "notauthorizedsku", "noresultfound")
_SEEN_IP = re.compile(r"IP address:?\s*([0-9A-Fa-f:.]{2,45})", re.IGNORECASE)
_TRY_LATER = "Try again in a few minutes; if it lasts, tell TD SYNNEX's XML team."


def _squash(value: str | None) -> str:
    return re.sub(r"[^a-z]", "", (value or "").lower())


async def run_checks(client: TdSynnexClient, rest: RestTokens | None = None) -> list[Check]:
    """Run Test's checks, in consts.CHECKS' order, each failure with its fix."""
    return await _RunTest(client, rest).run()


class _RunTest:
    def __init__(self, client: TdSynnexClient, rest: RestTokens | None) -> None:
        self.client = client
        self.rest = rest
        self.checks: list[Check] = []
        self.pna_rows: list[Element] = []

    def add(self, name: str, status: CheckStatus, detail: str, fix: str | None = None) -> None:
        self.checks.append(Check(name, status, dict(consts.CHECKS)[name], detail, fix))

    def failed(self, name: str, detail: str, fix: str) -> None:
        """FAIL for a required check; WARN for an optional one (a capability missing)."""
        required = dict(consts.CHECKS)[name]
        self.add(name, CheckStatus.FAIL if required else CheckStatus.WARN, detail, fix)

    async def run(self) -> list[Check]:
        if not await self.credentials():
            for name, required in consts.CHECKS[1:]:
                self.checks.append(
                    Check(name, CheckStatus.SKIP, required, "not run: the credentials check failed")
                )
            return self.checks
        await self.ordering_ip()
        self.price_availability()
        await self.order_status()
        await self.invoices()
        await self.freight()
        await self.rest_token()
        return self.checks

    async def credentials(self) -> bool:
        try:
            self.pna_rows = await self.client.price_and_availability(
                [("synnexSKU", consts.PROBE_SKU)]
            )
        except AuthenticationFailed as exc:
            self.failed("credentials", str(exc), CREDENTIALS_FIX)
            return False
        except SupplierError as exc:
            self.failed(
                "credentials",
                str(exc),
                "Check the base URL and that this server reaches TD SYNNEX, then test again.",
            )
            return False
        self.add(
            "credentials",
            CheckStatus.PASS,
            f"{consts.NAME} accepted customer number {self.client.config.customer_number} "
            "and the EC Express XML user.",
        )
        return True

    async def ordering_ip(self) -> None:
        probe = Element("OrderRequest")  # no PO number, ship-to or item: never placeable
        SubElement(probe, "CustomerNumber").text = self.client.config.customer_number
        try:
            await self.client.b2b(consts.PO_PATH, probe, safe=False)
        except AuthenticationFailed as exc:
            self.failed(
                "ordering_ip",
                f"{consts.NAME} let this server's address through to its PO endpoint, but "
                f"refused the login there: {exc}",
                "The user signs in for price and availability but not for POs (a read-only "
                "user cannot order): ask TD SYNNEX's XML team to allow it to send XML POs, or "
                "save a user that may, then test again.",
            )
        except AppNotApproved as exc:
            # The client reads "IP Address Invalid" (and Appendix D's ValidateIP) as this.
            self._ip_refused(str(exc))
        except RequestRejected:
            self.add(
                "ordering_ip",
                CheckStatus.PASS,
                f"{consts.NAME}'s PO endpoint let this server's address through (it "
                "refused the Run Test probe, a PO with no PO number and no items, as "
                "incomplete: nothing was ordered).",
            )
        except SupplierError as exc:
            self.failed("ordering_ip", str(exc), _TRY_LATER)
        else:
            self.add(
                "ordering_ip",
                CheckStatus.PASS,
                f"{consts.NAME}'s PO endpoint let this server's address through.",
            )

    def _ip_refused(self, said: str) -> None:
        seen = _SEEN_IP.search(said)
        address = None
        if seen:
            try:
                address = str(ipaddress.ip_address(seen.group(1).strip(".:")))
            except ValueError:
                address = None
        where = f" It saw this server as {address}." if address else ""
        self.failed(
            "ordering_ip",
            f"{consts.NAME} accepts XML POs only from registered IP addresses, and this "
            f"server's is not registered (IP Address Invalid).{where}",
            f"Register the address: {consts.PORTAL_REGISTER_IP}"
            + (f" ({address})" if address else "")
            + ". The server needs a fixed public address: if it has none, send through a "
            "proxy with a static IP and register that one. Test again once TD SYNNEX confirms.",
        )

    def price_availability(self) -> None:
        answered = [r for r in self.pna_rows if text(r, "lineNumber") == "1" and text(r, "status")]
        if answered:
            self.add(
                "price_availability",
                CheckStatus.PASS,
                f"{consts.NAME} answers price and availability (probe SKU "
                f"{consts.PROBE_SKU}: {text(answered[0], 'status')}).",
            )
            return
        self.failed(
            "price_availability",
            f"{consts.NAME} accepted the login but answered no price and availability row.",
            "Ask TD SYNNEX's XML team to enable XML price and availability for the account, "
            "then test again.",
        )

    async def order_status(self) -> None:
        probe = Element("OrderStatusRequest")
        SubElement(probe, "CustomerNumber").text = self.client.config.customer_number
        SubElement(probe, "PONumber").text = consts.PROBE_PO_NUMBER
        fix = (
            "Ask TD SYNNEX's XML team to enable XML PO status for the account and this user, "
            "then test again."
        )
        try:
            root = await self.client.b2b(consts.STATUS_PATH, probe, safe=True, version="2.4")
        except AuthenticationFailed as exc:
            self.failed("order_status", str(exc), fix)
            return
        except RequestRejected as exc:
            self.failed("order_status", str(exc), fix)
            return
        except SupplierError as exc:
            self.failed("order_status", str(exc), _TRY_LATER)
            return
        response = child(root, "OrderStatusResponse")
        code = text(response, "Code") if response is not None else None
        if code is None:
            self.failed(
                "order_status",
                f"{consts.NAME} answered PO status with no status code.",
                "Check the base URL, then test again.",
            )
            return
        self.add(
            "order_status",
            CheckStatus.PASS,
            f"{consts.NAME} answers PO status (a PO number that cannot exist: {code}).",
        )

    async def invoices(self) -> None:
        try:
            await invoices.query(self.client, "PONumber", consts.PROBE_PO_NUMBER)
        except SupplierError as exc:
            self.failed(
                "invoices",
                str(exc),
                "Ask TD SYNNEX's XML team to enable the XML invoice query "
                f"({invoices.invoice_base_url(self.client.config.base_url)}"
                f"{consts.INVOICE_PATH}) for the account and this user; if this server "
                "cannot reach that host, allow it. " + (_TRY_LATER if exc.retryable else ""),
            )
            return
        self.add("invoices", CheckStatus.PASS, f"{consts.NAME}'s invoice query answered.")

    async def freight(self) -> None:
        config = self.client.config
        warehouse = config.ship_from_warehouse or PROBE_WAREHOUSE.get(config.country, "3")
        ship_to = PROBE_ADDRESS.get(config.country, PROBE_ADDRESS["US"])
        probe = [freight.QuoteLine(1, consts.PROBE_SKU, 1)]
        try:
            await freight.quote_from(self.client, warehouse, ship_to, probe)
        except RequestRejected as exc:
            said = exc.supplier_message or ""
            code = _squash(said.partition(":")[0])
            if code in _FREIGHT_ANSWERED:
                self._freight_passed(warehouse)
            elif "warehouse" in code:
                self.failed(
                    "freight",
                    str(exc),
                    f"Set the ship-from warehouse to one of your {consts.NAME} warehouses "
                    "(a number such as 3), save, and test again.",
                )
            else:
                self.failed("freight", str(exc), self._freight_fix())
        except SupplierError as exc:
            self.failed("freight", str(exc), _TRY_LATER if exc.retryable else self._freight_fix())
        else:
            self._freight_passed(warehouse)

    def _freight_passed(self, warehouse: str) -> None:
        self.add(
            "freight",
            CheckStatus.PASS,
            f"{consts.NAME} answers freight quotes (from warehouse {warehouse}).",
        )

    @staticmethod
    def _freight_fix() -> str:
        return (
            "Ask TD SYNNEX's XML team to enable the XML freight quote for the account and this "
            "user, then test again."
        )

    async def rest_token(self) -> None:
        config = self.client.config
        if self.rest is None or not (config.rest_client_id or config.rest_client_secret):
            self.add(
                "rest_token",
                CheckStatus.SKIP,
                "not set: no Partner REST client is saved (optional).",
            )
            return
        if not self.rest.configured:
            missing = "client secret" if config.rest_client_id else "client id"
            self.failed(
                "rest_token",
                f"The Partner REST {missing} is not saved.",
                "Save both the Partner REST client id and its secret (TD SYNNEX's developer "
                "portal, My Account > Client Credentials), or neither.",
            )
            return
        try:
            expires_in = await self.rest.fetch_expires_in()
        except AuthenticationFailed as exc:
            self.failed(
                "rest_token",
                str(exc),
                "Copy the client id and secret again from TD SYNNEX's developer portal (My "
                "Account > Client Credentials; production, not sandbox, credentials). New "
                "credentials may take 10 minutes to work. Save them and test again.",
            )
            return
        except SupplierError as exc:
            self.failed("rest_token", str(exc), _TRY_LATER)
            return
        lasting = f" (valid {expires_in // 60} minutes)" if expires_in > 0 else ""
        self.add(
            "rest_token",
            CheckStatus.PASS,
            f"{consts.NAME}'s Partner REST API issued a token{lasting}.",
        )
