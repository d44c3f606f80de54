"""Ingram's Run Test checks over its REST API, in the order a person fixes them.

Each check says what failed and what to do in Ingram's developer portal; a check that fails
one the rest depend on (credentials, gateway access, customer number, catalog, price and
availability) skips them. ``v7_orders_refusal`` is the one probe of the v7 Order API, asked
here and before a quote's PO is saved (adapter.py).
"""

from __future__ import annotations

from disty.domain.checks import Check, CheckStatus, Fix
from disty.suppliers.errors import (
    AppNotApproved,
    AuthenticationFailed,
    BadCustomerNumber,
    NotFound,
    SupplierError,
    Unavailable,
)
from disty.suppliers.ingram import consts
from disty.suppliers.ingram.rest.client import IngramClient


async def run(client: IngramClient) -> list[Check]:
    return await _RunTest(client).run()


async def v7_orders_refusal(client: IngramClient) -> AppNotApproved | None:
    """The API gateway's refusal when this app may not use the v7 Order API, else None.

    An empty v7 order passes the gateway only for a subscribed app and is then refused by
    validation (400), so asking can never create an order. Other errors are raised.
    """
    try:
        await client.create_order({}, v7=True)
    except AppNotApproved as exc:
        return exc
    except SupplierError as exc:
        if exc.status != 400:
            raise
    return None


class _RunTest:
    """Ingram's Run Test checks, in the order a person fixes them."""

    def __init__(self, client: IngramClient) -> None:
        self.client = client
        self.checks: list[Check] = []
        self.blocked_by: str | None = None
        self.first_part: str | None = None  # a catalog product, for price and availability

    def add(
        self,
        name: str,
        status: CheckStatus,
        detail: str,
        fix: str | Fix | None = None,
        *,
        required: bool = True,
    ) -> None:
        if isinstance(fix, Fix):
            self.checks.append(
                Check(name, status, required, detail, fix.cli, console_fix=fix.console)
            )
        else:
            self.checks.append(Check(name, status, required, detail, fix))

    def skip_rest(self, names: list[tuple[str, bool]]) -> None:
        for name, required in names:
            self.add(
                name,
                CheckStatus.SKIP,
                f"not run: the {self.blocked_by} check failed",
                required=required,
            )

    async def run(self) -> list[Check]:
        steps = [
            self.credentials,
            self.access_and_customer,
            self.catalog,
            self.price_availability,
            self.orders,
            self.invoices,
            self.quote_to_order,
        ]
        for step in steps:
            if self.blocked_by is not None:
                done = {c.name for c in self.checks}
                self.skip_rest([(n, r) for n, r in consts.CHECKS if n not in done])
                break
            await step()
        return self.checks

    def fail(
        self, name: str, exc: SupplierError, fix: str, *, blocks: bool = True, required: bool = True
    ) -> None:
        self.add(name, CheckStatus.FAIL, str(exc), fix, required=required)
        if blocks:
            self.blocked_by = name

    async def credentials(self) -> None:
        try:
            await self.client.fetch_token()
        except AuthenticationFailed as exc:
            self.fail(
                "credentials",
                exc,
                "Copy the client id and client secret again from the production app (not the "
                f"sandbox app) in {consts.PORTAL}, save them, and run the test again.",
            )
        except SupplierError as exc:
            self.fail(
                "credentials",
                exc,
                "Check the base URL (Ingram's production URL is "
                f"{consts.PRODUCTION_URL}) and that this machine can reach it.",
            )
        else:
            self.add("credentials", CheckStatus.PASS, "Ingram Micro issued an access token.")

    async def access_and_customer(self) -> None:
        try:
            await self.client.search_catalog(pageNumber=1, pageSize=1)
        except AppNotApproved as exc:
            self.fail(
                "api_access",
                exc,
                f"In {consts.PORTAL}: if the app shows In Review, wait for Ingram to approve it; "
                "subscribe it to the v6 API products (catalog, price and availability, orders, "
                "invoices, quotes). An app subscribed to v7 only fails here.",
            )
            return
        except BadCustomerNumber as exc:
            self.add("api_access", CheckStatus.PASS, "The app passed Ingram's API gateway.")
            self.fail(
                "customer",
                exc,
                "Enter the customer number exactly as Ingram shows it (e.g. 20-222222) and "
                "check that the account is served in this country.",
            )
            return
        except NotFound:
            pass  # an empty catalog still proves access and customer number
        except Unavailable as exc:
            self.fail(
                "api_access",
                exc,
                "Ingram Micro answered with a server error or could not be reached; it may be in "
                f"a maintenance window ({consts.MAINTENANCE_HINT}). Try again later.",
            )
            return
        except SupplierError as exc:
            self.fail("api_access", exc, "Try again later; if it persists, contact Ingram Micro.")
            return
        self.add("api_access", CheckStatus.PASS, "The app passed Ingram's API gateway (v6).")
        self.add("customer", CheckStatus.PASS, "Customer number and country accepted.")

    async def catalog(self) -> None:
        try:
            body = await self.client.search_catalog(pageNumber=1, pageSize=1)
            rows = body.get("catalog") if isinstance(body, dict) else None
            first = rows[0].get("ingramPartNumber") if rows and isinstance(rows[0], dict) else None
            self.first_part = str(first) if first else None
            if self.first_part:
                await self.client.product_details(self.first_part)
        except SupplierError as exc:
            self.fail(
                "catalog",
                exc,
                "Subscribe the app to the v6 Product Catalog API in the developer portal.",
            )
            return
        self.add("catalog", CheckStatus.PASS, "Catalog search and product details answered.")

    async def price_availability(self) -> None:
        part = self.first_part or "000000"
        try:
            await self.client.price_and_availability([{"ingramPartNumber": part}])
        except SupplierError as exc:
            self.fail(
                "price_availability",
                exc,
                "Subscribe the app to the v6 Price and Availability API in the developer portal.",
            )
            return
        self.add("price_availability", CheckStatus.PASS, "Price and availability answered.")

    async def orders(self) -> None:
        try:
            await self.client.search_orders(pageSize=1)
        except NotFound:
            pass
        except SupplierError as exc:
            self.fail(
                "orders",
                exc,
                "Subscribe the app to the v6 Order API in the developer portal.",
                blocks=False,
            )
            return
        self.add("orders", CheckStatus.PASS, "Order search answered.")

    async def invoices(self) -> None:
        if not self.client.config.application_id:
            self.add(
                "invoices",
                CheckStatus.FAIL,
                "Invoice calls need the application id (IM-ApplicationID), which is not set.",
                Fix(
                    cli="Copy the application id from the app in the developer portal and save "
                    "it with the connection (--application-id).",
                    console="Copy the application id from the app in the developer portal into "
                    "Application ID above, and Save.",
                ),
            )
            return
        try:
            await self.client.search_invoices(pageSize=1)
        except NotFound:
            pass
        except SupplierError as exc:
            self.fail(
                "invoices",
                exc,
                "Subscribe the app to the v6 Invoice API in the developer portal.",
                blocks=False,
            )
            return
        self.add("invoices", CheckStatus.PASS, "Invoice search answered.")

    async def quote_to_order(self) -> None:
        try:
            refusal = await v7_orders_refusal(self.client)
        except SupplierError as exc:
            self.add(
                "quote_to_order",
                CheckStatus.WARN,
                str(exc),
                "Optional: quote-to-order needs the v7 Order API.",
                required=False,
            )
            return
        if refusal is not None:
            self.add(
                "quote_to_order",
                CheckStatus.WARN,
                "The app is not subscribed to the v7 Order API, so quotes cannot be turned into "
                "orders from disty.",
                "Optional: subscribe the app to v7 in the developer portal to use quote-to-order.",
                required=False,
            )
            return
        self.add(
            "quote_to_order", CheckStatus.PASS, "The v7 Order API is available.", required=False
        )
