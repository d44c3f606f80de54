"""Ingram Micro's wire constants, as the simulator speaks them (its own copy, on purpose)."""

from __future__ import annotations

import re

# Operation ids are the spec's own: they name endpoints in fault rules, rate limits and counts.
OP_TOKEN = "get-accesstoken"  # noqa: S105 - an operation id, not a secret
OP_SEARCH = "get-reseller-v6-productsearch"
OP_DETAILS = "get-reseller-v6-productdetail"
OP_DETAILS_BY_VPN = "get-reseller-v6-productdetailcmp"
OP_PNA = "post-priceandavailability"
OP_ORDER_CREATE = "post-createorder_v6"
OP_ORDER_CREATE_V7 = "post-createorder_v7"
OP_ORDER_MODIFY = "put-ordermodify"
OP_ORDER_DETAIL = "get-orderdetails-v6.1"
OP_ORDER_SEARCH = "get-resellers-v6-ordersearch"
OP_ORDER_CANCEL = "delete-ordercancel"
OP_QUOTE_SEARCH = "get-quotessearch_v6"
OP_QUOTE_DETAIL = "get-resellers-v6-quotes"
OP_QUOTE_CREATE = "quote_Create"
OP_QUOTE_VALIDATE = "get-reseller-v6-validateQuote"
OP_INVOICE_SEARCH = "get-resellers-v6-invoicesearch"
OP_INVOICE_DETAIL = "get-invoicedetails-v6.1"
OP_RENEWAL_SEARCH = "post-renewalssearch"
OP_RENEWAL_DETAIL = "get-resellers-v6-renewalsdetails"
OP_DEAL_SEARCH = "get-resellers-v6-dealssearch"
OP_DEAL_DETAIL = "get-resellers-v6-dealsdetails"
OP_RETURN_SEARCH = "get-resellers-v6-returnssearch"
OP_RETURN_DETAIL = "get-resellers-v6-returnsdetails"
OP_RETURN_CREATE = "post-returnscreate"
OP_FREIGHT = "post-freightestimate"
# IM-XML's one endpoint (xml/endpoint.py): not in the REST spec, named here for faults and counts.
OP_IMXML = "imxml"
# In the official SDK 1.3.0, not in the spec version held: the id is ours.
OP_VENDOR_REQUIRED_INFO = "post-vendorrequiredinfo_v7"

# (method, path pattern relative to the Ingram root, operation id); part 2 appends orders etc.
ROUTES: list[tuple[str, re.Pattern[str], str]] = [
    ("GET", re.compile(r"/oauth/oauth[23]0/token"), OP_TOKEN),
    ("POST", re.compile(r"/oauth/oauth[23]0/token"), OP_TOKEN),
    ("GET", re.compile(r"/resellers/v6/catalog"), OP_SEARCH),
    ("GET", re.compile(r"/resellers/v6/catalog/details"), OP_DETAILS_BY_VPN),
    ("GET", re.compile(r"/resellers/v6/catalog/details/[^/]+"), OP_DETAILS),
    ("POST", re.compile(r"/resellers/v6/catalog/priceandavailability"), OP_PNA),
    ("POST", re.compile(r"/resellers/v6/orders"), OP_ORDER_CREATE),
    ("POST", re.compile(r"/resellers/v7/orders"), OP_ORDER_CREATE_V7),
    ("GET", re.compile(r"/resellers/v6/orders/search"), OP_ORDER_SEARCH),
    ("PUT", re.compile(r"/resellers/v6/orders/[^/]+"), OP_ORDER_MODIFY),
    ("DELETE", re.compile(r"/resellers/v6/orders/[^/]+"), OP_ORDER_CANCEL),
    ("GET", re.compile(r"/resellers/v6\.1/orders/[^/]+"), OP_ORDER_DETAIL),
    ("GET", re.compile(r"/resellers/v6/quotes/search"), OP_QUOTE_SEARCH),
    ("POST", re.compile(r"/resellers/v6/quotes/create"), OP_QUOTE_CREATE),
    ("GET", re.compile(r"/resellers/v6/quotes/[^/]+"), OP_QUOTE_DETAIL),
    ("GET", re.compile(r"/resellers/v6/q2o/validatequote"), OP_QUOTE_VALIDATE),
    ("GET", re.compile(r"/resellers/v6/invoices/?"), OP_INVOICE_SEARCH),
    ("GET", re.compile(r"/resellers/v6\.1/invoices/[^/]+"), OP_INVOICE_DETAIL),
    ("POST", re.compile(r"/resellers/v6/renewals/search"), OP_RENEWAL_SEARCH),
    ("GET", re.compile(r"/resellers/v6/renewals/[^/]+"), OP_RENEWAL_DETAIL),
    ("GET", re.compile(r"/resellers/v6/deals/search"), OP_DEAL_SEARCH),
    ("GET", re.compile(r"/resellers/v6/deals/[^/]+"), OP_DEAL_DETAIL),
    ("GET", re.compile(r"/resellers/v6/returns/search"), OP_RETURN_SEARCH),
    ("POST", re.compile(r"/resellers/v6/returns/create"), OP_RETURN_CREATE),
    ("GET", re.compile(r"/resellers/v6/returns/[^/]+"), OP_RETURN_DETAIL),
    ("POST", re.compile(r"/resellers/v6/freightestimate"), OP_FREIGHT),
    ("POST", re.compile(r"/resellers/v7/vendorrequiredinfo"), OP_VENDOR_REQUIRED_INFO),
    ("POST", re.compile(r"/?(mustang/?)?", re.IGNORECASE), OP_IMXML),
]


# Calls other than GET are not throttled per minute by Ingram's documentation (P&A aside).
UNTHROTTLED = 1_000_000


def operation_for(method: str, path: str) -> str | None:
    for m, pattern, op in ROUTES:
        if m == method and pattern.fullmatch(path):
            return op
    return None


MAX_PAGE_SIZE = 100
DEFAULT_PAGE_SIZE = 25
MAX_PNA_PRODUCTS = 50
MAX_CUSTOMER_NUMBER = 10
MAX_CORRELATION_ID = 32
MAX_SENDER_ID = 32

# Apigee (Ingram's API gateway) error codes and messages.
NO_API_PRODUCT = "Invalid API call as no apiproduct match found"
NO_API_PRODUCT_CODE = "keymanagement.service.InvalidAPICallAsNoApiProductMatchFound"
INVALID_TOKEN = "Invalid access token"  # noqa: S105 - an error text
INVALID_TOKEN_CODE = "oauth.v2.InvalidAccessToken"  # noqa: S105 - an error text
EXPIRED_TOKEN = "Access Token expired"  # noqa: S105 - an error text
EXPIRED_TOKEN_CODE = "keymanagement.service.access_token_expired"  # noqa: S105 - an error text
QUOTA_CODE = "policies.ratelimit.QuotaViolation"
TIMEOUT_CODE = "messaging.adaptors.http.flow.GatewayTimeout"

SYSTEM_ERROR = "Some unexpected error occurred, please contact support team for more details"
