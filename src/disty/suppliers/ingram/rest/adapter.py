"""Ingram Micro as a disty Supplier: the client's answers turned into disty's types.

The core (price and availability, catalog, orders) is ``IngramSupplier``; its optional parts
(quotes, invoices, returns, freight) are small objects over the same client, and Run Test's
checks live in checks.py."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any, TypeVar

from disty.domain.checks import Check
from disty.domain.freight import FreightEstimate, FreightLine
from disty.domain.invoices import Invoice, InvoiceSummary
from disty.domain.offers import CatalogItem, CatalogPage, Offer, OfferStatus
from disty.domain.orders import (
    Address,
    LineChange,
    ModifiedOrder,
    OrderRequest,
    OrderState,
    PlacedOrder,
)
from disty.domain.paging import SupplierPage
from disty.domain.quotes import Quote, QuoteSummary, QuoteValidation
from disty.domain.returns import ReturnCase, ReturnRequest
from disty.suppliers import pna
from disty.suppliers.base import ProgressCallback
from disty.suppliers.errors import NotFound, RequestRejected
from disty.suppliers.ingram import consts
from disty.suppliers.ingram.rest import checks as run_test
from disty.suppliers.ingram.rest import documents, orders, schemas
from disty.suppliers.ingram.rest.client import IngramClient
from disty.suppliers.pna import Ask

# Ingram part numbers are 6 letters and digits; anything else must be a vendor part number.
_INGRAM_PART = re.compile(r"[A-Z0-9]{6}")


def _first_ask(sku: str) -> Ask:
    """An Ingram part number is sent upper-cased; a vendor part number as written."""
    key = sku.upper()
    if _INGRAM_PART.fullmatch(key):
        return Ask(sku, "ingramPartNumber", key)
    return Ask(sku, "vendorPartNumber", sku)


_PNA_RULES = pna.PnaRules(
    supplier=consts.KEY,
    name=consts.NAME,
    batch_size=consts.PNA_BATCH,
    first_ask=_first_ask,
    retry_kind="vendorPartNumber",
    keep_retried=frozenset({OfferStatus.OK}),
)

T = TypeVar("T")


class IngramSupplier:
    key = consts.KEY
    name = consts.NAME
    capabilities = consts.CAPABILITIES
    pna_batch_size = consts.PNA_BATCH
    checks = consts.CHECKS

    def __init__(self, client: IngramClient) -> None:
        self.client = client
        self.quotes = IngramQuotes(client)
        self.invoices = IngramInvoices(client)
        self.returns = IngramReturns(client, self.invoices)
        self.freight = IngramFreight(client)

    # -- price and availability -------------------------------------------------------------

    async def price_and_availability(
        self, skus: Sequence[str], *, progress: ProgressCallback | None = None
    ) -> list[Offer]:
        """All batches go out at once; the client's limiter paces them under the app's limit.

        A SKU shaped like an Ingram part number is asked for as one first; if Ingram does not
        know it, it is asked for again as a vendor part number before being called unknown
        (only a found product replaces "unknown").
        """
        return await pna.price_and_availability(skus, _PNA_RULES, self._answer, progress)

    async def _answer(self, batch: list[Ask]) -> list[Offer]:
        _, rows = await self.client.price_and_availability([{a.kind: a.value} for a in batch])
        return _match_rows(batch, rows if isinstance(rows, list) else [])

    # -- catalog ---------------------------------------------------------------------------

    async def search_catalog(
        self,
        keyword: str | None = None,
        *,
        vendor: str | None = None,
        vendor_part_number: str | None = None,
        category: str | None = None,
        page: int = 1,
        page_size: int = 25,
    ) -> CatalogPage:
        size = max(1, min(page_size, consts.SEARCH_PAGE_MAX))
        try:
            body = await self.client.search_catalog(
                keyword=keyword,
                vendor=vendor,
                vendorPartNumber=vendor_part_number,
                category=category,
                pageNumber=page,
                pageSize=size,
            )
        except NotFound:  # Ingram answers 404 "No Records Found" for an empty result
            return CatalogPage(items=[], total=0, page=page, page_size=size)
        body = body if isinstance(body, dict) else {}
        rows = [r for r in body.get("catalog") or [] if isinstance(r, dict)]
        return CatalogPage(
            items=[schemas.catalog_item(r) for r in rows],
            total=int(body.get("recordsFound") or len(rows)),
            page=int(body.get("pageNumber") or page),
            page_size=int(body.get("pageSize") or size),
            raw=body,
        )

    async def product_details(self, sku: str) -> CatalogItem:
        value = sku.strip()
        if _INGRAM_PART.fullmatch(value.upper()):
            try:
                body = await self.client.product_details(value.upper())
                return schemas.catalog_item(body if isinstance(body, dict) else {})
            except NotFound:
                pass
        body = await self.client.product_details_by_vendor_part(value)
        return schemas.catalog_item(body if isinstance(body, dict) else {})

    # -- orders --------------------------------------------------------------------------

    async def place_order(self, request: OrderRequest) -> PlacedOrder:
        """Sent exactly once, never retried: disty.services.ordering resolves an unknown
        outcome by searching for the PO number before anything is sent again.

        v7 is asynchronous: it answers a confirmation number, and the order is found later by
        searching for the PO number (or announced by an ``IM::async_order_create`` webhook).
        """
        v7 = request.api_version == "v7"
        _, body = await self.client.create_order(orders.order_body(request), v7=v7)
        return orders.placed_order(body)

    async def find_orders(self, po_number: str) -> list[str]:
        """The supplier's order numbers for a PO number (empty when it has none)."""
        body = await self.client.search_orders(customerOrderNumber=po_number)
        return orders.order_numbers_for(body, po_number)

    async def order_states(self, po_number: str, order_numbers: Sequence[str]) -> list[OrderState]:
        """One order detail call per order (Ingram looks orders up by order number)."""
        return [orders.order_state(await self.client.order_detail(n)) for n in order_numbers]

    async def modify_order(self, order_number: str, changes: Sequence[LineChange]) -> ModifiedOrder:
        """Only while the order is on customer hold; never retried (a change is not idempotent:
        an ADD sent twice adds two lines)."""
        body = await self.client.modify_order(order_number, orders.modify_body(list(changes)))
        return orders.modified_order(body, list(changes))

    async def release_order(self, order_number: str) -> None:
        await self.client.modify_order(order_number, release=True)

    async def cancel_order(self, order_number: str) -> None:
        await self.client.cancel_order(order_number)

    async def run_checks(self) -> list[Check]:
        return await run_test.run(self.client)

    async def token_expires_at(self) -> datetime | None:
        return await self.client.token_expires_at()


class IngramQuotes:
    """Ingram's quotes (QUOTES); they are ordered through v7 only (QUOTE_TO_ORDER)."""

    def __init__(self, client: IngramClient) -> None:
        self.client = client

    async def search_quotes(
        self,
        *,
        quote_number: str | None = None,
        status: str | None = None,
        page: int = 1,
        page_size: int = 25,
    ) -> SupplierPage[QuoteSummary]:
        size = _size(page_size)
        try:
            body = await self.client.search_quotes(
                quoteNumber=quote_number, status=status, pageNumber=page, pageSize=size
            )
        except NotFound:  # "No Records Found"
            return SupplierPage([], 0, page, size)
        return _page(body, "quotes", documents.quote_summary, page, size)

    async def quote_details(self, quote_number: str) -> Quote:
        return documents.quote(await self.client.quote_detail(quote_number))

    async def validate_quote(self, quote_number: str) -> QuoteValidation:
        """Ingram answers 400 with its reason for a quote it will not order (unknown, expired,
        already ordered): that is an answer here, not an error."""
        try:
            body = await self.client.validate_quote(quote_number)
        except (RequestRejected, NotFound) as exc:
            return QuoteValidation(quote_number, False, exc.supplier_message or str(exc))
        return documents.validation(quote_number, body)

    async def quote_orders_blocked(self) -> str | None:
        """Quotes are ordered only through v7: is the app subscribed to it?

        Asked before a quote's PO is saved, because a v7 refusal at the gateway would leave
        the PO waiting for an order that never comes (Run Test's quote_to_order check asks
        the same probe)."""
        refusal = await run_test.v7_orders_refusal(self.client)
        if refusal is None:
            return None
        return (
            f"the app is not subscribed to Ingram Micro's v7 Order API ({refusal.supplier_message}"
            f"), and quotes are ordered only through v7: in {consts.PORTAL} subscribe the "
            "production app to the v7 Order API, then order the quote again"
        )


class IngramInvoices:
    def __init__(self, client: IngramClient) -> None:
        self.client = client

    async def search_invoices(
        self,
        *,
        po_number: str | None = None,
        invoice_number: str | None = None,
        page: int = 1,
        page_size: int = 25,
    ) -> SupplierPage[InvoiceSummary]:
        size = _size(page_size)
        try:
            body = await self.client.search_invoices(
                customerOrderNumber=po_number, invoiceNumber=invoice_number, pageNumber=page,
                pageSize=size,
            )  # fmt: skip
        except NotFound:
            return SupplierPage([], 0, page, size)
        return _page(body, "invoices", documents.invoice_summary, page, size)

    async def invoice_details(self, invoice_number: str) -> Invoice:
        return documents.invoice(await self.client.invoice_detail(invoice_number))


class IngramReturns:
    def __init__(self, client: IngramClient, invoices: IngramInvoices) -> None:
        self.client = client
        self.invoices = invoices  # a return line's invoice date is read from its invoice

    async def search_returns(
        self,
        *,
        case_number: str | None = None,
        invoice_number: str | None = None,
        page: int = 1,
        page_size: int = 25,
    ) -> SupplierPage[ReturnCase]:
        size = _size(page_size)
        try:
            body = await self.client.search_returns(
                caseRequestNumber=case_number, invoiceNumber=invoice_number, page=page, size=size
            )
        except NotFound:
            return SupplierPage([], 0, page, size)
        return _page(body, "returnsClaims", documents.return_summary, page, size)

    async def return_details(self, case_number: str) -> ReturnCase:
        return documents.return_case(await self.client.return_detail(case_number))

    async def create_return(self, request: ReturnRequest) -> list[ReturnCase]:
        """One case per line. Ingram requires each line's invoice date: read from the invoice
        when the caller did not give it (which also proves the invoice is this account's)."""
        dates: dict[str, str] = {}
        for line in request.lines:
            if not line.invoice_date and line.invoice_number not in dates:
                found = await self.invoices.invoice_details(line.invoice_number)
                dates[line.invoice_number] = (found.invoice_date or "")[:10]
        body = await self.client.create_return(documents.return_request_body(request, dates))
        return [documents.return_summary(r) for r in schemas.rows(body, "returnsClaims")]


class IngramFreight:
    def __init__(self, client: IngramClient) -> None:
        self.client = client

    async def freight_estimate(
        self, ship_to: Address, lines: Sequence[FreightLine]
    ) -> FreightEstimate:
        body = await self.client.freight_estimate(documents.freight_body(ship_to, list(lines)))
        return documents.freight_estimate(body)


def _size(page_size: int) -> int:
    return max(1, min(page_size, consts.SEARCH_PAGE_MAX))


def _page(
    body: Any, key: str, read: Callable[[dict[str, Any]], T], page: int, size: int
) -> SupplierPage[T]:
    data = schemas.obj(body)  # None when Ingram answered 204: nothing found
    items = [read(r) for r in schemas.rows(data, key)]
    total = schemas.integer(data.get("recordsFound")) or len(items)
    return SupplierPage(items, total, page, size, raw=data)


def _match_rows(batch: list[Ask], rows: list[Any]) -> list[Offer]:
    fetched_at = datetime.now(UTC)
    by_key: dict[tuple[str, str], dict[str, Any]] = {}
    for row in rows:
        if not isinstance(row, dict):
            continue
        for kind in ("ingramPartNumber", "vendorPartNumber"):
            value = row.get(kind)
            if isinstance(value, str) and value.strip():
                by_key.setdefault((kind, value.strip().upper()), row)
    offers: list[Offer] = []
    for position, ask in enumerate(batch):
        row = by_key.get((ask.kind, ask.value.upper()))
        if row is None and len(rows) == len(batch) and isinstance(rows[position], dict):
            row = rows[position]  # same length: Ingram answers in the order asked
        if row is None:
            offers.append(
                Offer(
                    supplier="ingram",
                    sku=ask.sku,
                    status=OfferStatus.UNKNOWN,
                    fetched_at=fetched_at,
                    message="Ingram Micro's answer had no row for this product",
                )
            )
        else:
            offers.append(schemas.offer_from_row(ask.sku, row, fetched_at))
    return offers
