"""What every distributor adapter offers: the Supplier protocol and its capability flags.

An adapter is built for one connection (one tenant's account with one supplier in one
country) and speaks provider-neutral types (disty.domain.offers, disty.domain.checks); it
raises only the tree in disty.suppliers.errors. Callers look at ``capabilities`` before they
offer an action, never at which supplier it is. The optional parts (quotes, invoices, returns,
freight) are optional attributes, each its own small protocol, None when the supplier has no
such API; their capability flags say the same (a unit test keeps the two agreeing).

How a supplier unlike the first fits without changes here:
- Several transports (a REST API and an older XML one, with credentials inside the body):
  its registration maps each API type to an adapter factory, or one adapter picks a transport
  per call; an API type without an adapter is refused by the registry, clearly.
- Orders over one transport, status, shipments and invoices by polling another: the same
  results (PlacedOrder, OrderState) and the same capability flags, whatever the wire.
- No webhooks: no codec in its registration and no WEBHOOKS flag, so disty follows its orders
  by polling and Run Test shows no webhook checks. No quotes, returns or freight API: the
  flags are absent, the attributes None, and the services and console refuse or hide those
  actions; it implements none of their methods.
- Business errors that arrive with HTTP 200 map to RequestRejected; an unregistered caller
  IP to AppNotApproved (not retryable); the supplier's own "try later" answers to
  Unavailable.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from enum import Flag, auto
from typing import TYPE_CHECKING, Protocol

# The domain types only annotate the protocols: a module that needs ``Capability`` alone (the
# registry, so every command that names a supplier) need not import every domain module.
if TYPE_CHECKING:
    from datetime import datetime

    from disty.domain.checks import Check
    from disty.domain.freight import FreightEstimate, FreightLine
    from disty.domain.invoices import Invoice, InvoiceSummary
    from disty.domain.offers import CatalogItem, CatalogPage, Offer
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


class Capability(Flag):
    PRICE_AVAILABILITY = auto()
    CATALOG_SEARCH = auto()
    ORDER_CREATE = auto()
    ORDER_MODIFY = auto()  # includes releasing an order held for review
    ORDER_CANCEL = auto()
    ORDER_DETAIL = auto()
    ORDER_SEARCH = auto()
    INVOICES = auto()
    QUOTES = auto()
    QUOTE_TO_ORDER = auto()
    FREIGHT = auto()
    RETURNS = auto()
    WEBHOOKS = auto()
    # Placing an order on the customer's own hold, to review (modify, release) before it
    # ships: a PO's "hold" is refused for a supplier without it.
    ORDER_HOLD = auto()


ProgressCallback = Callable[[int], None]  # called with the number of products just answered


class QuoteApi(Protocol):
    """Quotes (QUOTES). A quote is ordered (QUOTE_TO_ORDER) through ``place_order`` with
    ``quote_number`` set, after ``validate_quote`` said it may be."""

    async def search_quotes(
        self,
        *,
        quote_number: str | None = None,
        status: str | None = None,
        page: int = 1,
        page_size: int = 25,
    ) -> SupplierPage[QuoteSummary]: ...

    async def quote_details(self, quote_number: str) -> Quote: ...

    async def validate_quote(self, quote_number: str) -> QuoteValidation:
        """The supplier's refusal is an answer (``valid`` false, with its reason)."""
        ...

    async def quote_orders_blocked(self) -> str | None:
        """None when this account may order quotes; else what stops it and what to do (e.g.
        its app lacks the order API that orders quotes). Places nothing."""
        ...


class InvoiceApi(Protocol):
    """Invoices (INVOICES)."""

    async def search_invoices(
        self,
        *,
        po_number: str | None = None,
        invoice_number: str | None = None,
        page: int = 1,
        page_size: int = 25,
    ) -> SupplierPage[InvoiceSummary]: ...

    async def invoice_details(self, invoice_number: str) -> Invoice: ...


class ReturnApi(Protocol):
    """Returns (RETURNS)."""

    async def search_returns(
        self,
        *,
        case_number: str | None = None,
        invoice_number: str | None = None,
        page: int = 1,
        page_size: int = 25,
    ) -> SupplierPage[ReturnCase]: ...

    async def return_details(self, case_number: str) -> ReturnCase: ...

    async def create_return(self, request: ReturnRequest) -> list[ReturnCase]:
        """Sent once, never retried; one case per line."""
        ...


class FreightApi(Protocol):
    """Freight estimates before ordering (FREIGHT)."""

    async def freight_estimate(
        self, ship_to: Address, lines: Sequence[FreightLine]
    ) -> FreightEstimate: ...


class Supplier(Protocol):
    key: str  # the registration's key
    name: str  # the registration's display name
    capabilities: Capability
    pna_batch_size: int  # products per price-and-availability call
    checks: tuple[tuple[str, bool], ...]  # Run Test's checks: (name, required), in order

    # The optional parts: None when the supplier has no such API (its capability flag is
    # off). Read-only, so an adapter without one may simply say ``quotes = None``.

    @property
    def quotes(self) -> QuoteApi | None: ...

    @property
    def invoices(self) -> InvoiceApi | None: ...

    @property
    def returns(self) -> ReturnApi | None: ...

    @property
    def freight(self) -> FreightApi | None: ...

    async def price_and_availability(
        self, skus: Sequence[str], *, progress: ProgressCallback | None = None
    ) -> list[Offer]:
        """One offer per requested SKU, in the caller's order; unknown SKUs are reported
        (status UNKNOWN), and a batch that failed marks only its own rows (status ERROR)."""
        ...

    async def search_catalog(
        self,
        keyword: str | None = None,
        *,
        vendor: str | None = None,
        vendor_part_number: str | None = None,
        category: str | None = None,
        page: int = 1,
        page_size: int = 25,
    ) -> CatalogPage: ...

    async def product_details(self, sku: str) -> CatalogItem: ...

    async def place_order(self, request: OrderRequest) -> PlacedOrder:
        """Sent exactly once: never retried by the adapter."""
        ...

    async def find_orders(self, po_number: str) -> list[str]:
        """The supplier's order numbers for a PO number; empty when it holds none."""
        ...

    async def order_states(self, po_number: str, order_numbers: Sequence[str]) -> list[OrderState]:
        """The current state of each of a PO's orders at the supplier, in the given order.
        Both keys are given because suppliers look orders up differently: by order number
        (one call each) or by PO number (one call for all its orders)."""
        ...

    async def modify_order(self, order_number: str, changes: Sequence[LineChange]) -> ModifiedOrder:
        """Add, change or remove lines of an order held for review; existing lines are named
        by ``supplier_line_number`` (from ``order_states``). Sent once, never retried."""
        ...

    async def release_order(self, order_number: str) -> None: ...

    async def cancel_order(self, order_number: str) -> None: ...

    async def token_expires_at(self) -> datetime | None:
        """When the cached access token runs out (None: no token cached, or no tokens)."""
        ...

    async def run_checks(self) -> list[Check]:
        """Run Test's checks that talk to the supplier, in order, with a fix for each
        failure; checks after a failure they depend on are SKIP."""
        ...
