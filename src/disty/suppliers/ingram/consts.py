"""Facts about Ingram Micro's API (../shared/ingram/NOTES.md and the official spec)."""

from __future__ import annotations

from disty.suppliers.base import Capability

KEY = "ingram"
NAME = "Ingram Micro"
CAPABILITIES = (
    Capability.PRICE_AVAILABILITY
    | Capability.CATALOG_SEARCH
    | Capability.ORDER_CREATE
    | Capability.ORDER_HOLD
    | Capability.ORDER_MODIFY
    | Capability.ORDER_CANCEL
    | Capability.ORDER_DETAIL
    | Capability.ORDER_SEARCH
    | Capability.INVOICES
    | Capability.QUOTES
    | Capability.QUOTE_TO_ORDER
    | Capability.FREIGHT
    | Capability.RETURNS
    | Capability.WEBHOOKS
)
# Run Test's checks that talk to Ingram, in order, with whether each is required.
CHECKS: tuple[tuple[str, bool], ...] = (
    ("credentials", True),
    ("api_access", True),
    ("customer", True),
    ("catalog", True),
    ("price_availability", True),
    ("orders", True),
    ("invoices", True),
    ("quote_to_order", False),
)
# Their titles, as Run Test's table shows them.
CHECK_TITLES = {
    "credentials": "Credentials (OAuth token)",
    "api_access": "API access approved",
    "customer": "Customer account",
    "catalog": "Catalog search",
    "price_availability": "Price and availability",
    "orders": "Orders",
    "invoices": "Invoices",
    "quote_to_order": "Quote to order",
}

PRODUCTION_URL = "https://api.ingrammicro.com:443"
SANDBOX_URL = PRODUCTION_URL + "/sandbox"
TOKEN_PATH = "/oauth/oauth20/token"  # noqa: S105  (a path, not a password)

PNA_BATCH = 50  # products per price-and-availability call
SEARCH_PAGE_MAX = 100
CORRELATION_ID_MAX = 32  # a hyphenated UUID (36) is too long; uuid4().hex is 32

# Default client-side limits per app (Ingram: GET 60 a minute per endpoint, P&A 100 a minute).
GET_PER_MINUTE = 60
PNA_PER_MINUTE = 100

# The API gateway's answer for an app that is In Review, revoked or not subscribed.
NO_API_PRODUCT = "InvalidAPICallAsNoApiProductMatchFound"

MAINTENANCE_HINT = (
    "Ingram Micro's North American maintenance windows are 23:00-04:00 Pacific on weekdays "
    "and 18:00-05:00 on weekends"
)

PORTAL = "Ingram Micro's developer portal (developer.ingrammicro.com)"

# What IM-XML gives disty: P&A, orders and following them (no catalog, changes, hold release,
# invoices query, quotes, returns, freight or webhooks of its own).
XML_CAPABILITIES = (
    Capability.PRICE_AVAILABILITY
    | Capability.ORDER_CREATE
    | Capability.ORDER_DETAIL
    | Capability.ORDER_SEARCH
)
# IM-XML (XML-NOTES 2.1): one load-balanced host for every transaction, no test host.
XML_URL = "https://newport.ingrammicro.com"
XML_PATH = "/mustang"
XML_PNA_BATCH = 50  # "Up to 50 item criteria"
# Run Test's checks over IM-XML, in order, with whether each is required. Order entry is not
# probed: the only probe would place an order (IM-XML has no test host, XML-NOTES 2.5).
XML_CHECKS: tuple[tuple[str, bool], ...] = (
    ("xml_login", True),
    ("price_availability", True),
    ("order_status", True),
    ("order_detail", True),
    ("order_tracking", True),
)
CHECK_TITLES.update(
    {
        "xml_login": "XML login",
        "order_status": "Order status",
        "order_detail": "Order detail",
        "order_tracking": "Order tracking",
    }
)
XML_TEAM = "Ingram Micro's e-commerce (IM-XML) team, through your sales rep"
