"""Facts about Ingram Micro's API (../shared/ingram/NOTES.md and the official spec)."""

from __future__ import annotations

PRODUCTION_URL = "https://api.ingrammicro.com:443"
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
