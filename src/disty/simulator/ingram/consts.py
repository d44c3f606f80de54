"""Ingram Micro's wire constants, as the simulator speaks them (its own copy, on purpose)."""

from __future__ import annotations

import re

# Operation ids are the spec's own: they name endpoints in fault rules, rate limits and counts.
OP_TOKEN = "get-accesstoken"  # noqa: S105 - an operation id, not a secret
OP_SEARCH = "get-reseller-v6-productsearch"
OP_DETAILS = "get-reseller-v6-productdetail"
OP_DETAILS_BY_VPN = "get-reseller-v6-productdetailcmp"
OP_PNA = "post-priceandavailability"

# (method, path pattern relative to the Ingram root, operation id); part 2 appends orders etc.
ROUTES: list[tuple[str, re.Pattern[str], str]] = [
    ("GET", re.compile(r"/oauth/oauth[23]0/token"), OP_TOKEN),
    ("POST", re.compile(r"/oauth/oauth[23]0/token"), OP_TOKEN),
    ("GET", re.compile(r"/resellers/v6/catalog"), OP_SEARCH),
    ("GET", re.compile(r"/resellers/v6/catalog/details"), OP_DETAILS_BY_VPN),
    ("GET", re.compile(r"/resellers/v6/catalog/details/[^/]+"), OP_DETAILS),
    ("POST", re.compile(r"/resellers/v6/catalog/priceandavailability"), OP_PNA),
]


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
