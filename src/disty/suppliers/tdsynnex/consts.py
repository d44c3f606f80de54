"""Facts about TD SYNNEX's EC Express XML interface (../shared/tdsynnex/NOTES.md)."""

from __future__ import annotations

from disty.suppliers.base import Capability

KEY = "tdsynnex"
NAME = "TD SYNNEX"

# NOTES 2.1: HTTPS only; production and test hosts per country. A connection's environment is
# its endpoint; its country picks the host of that environment (ENDPOINTS_BY_COUNTRY).
PRODUCTION_US = "https://ec.us.tdsynnex.com"
PRODUCTION_CA = "https://ec.ca.tdsynnex.com"
TEST_US = "https://testec.us.tdsynnex.com"
TEST_CA = "https://testec.ca.tdsynnex.com"
ENDPOINTS = (PRODUCTION_US, PRODUCTION_CA, TEST_US, TEST_CA)
# (production, test) per country ISO code.
ENDPOINTS_BY_COUNTRY = {"US": (PRODUCTION_US, TEST_US), "CA": (PRODUCTION_CA, TEST_CA)}
CURRENCY = {"US": "USD", "CA": "CAD"}

# NOTES 2.2
PNA_PATH = "/SynnexXML/PriceAvailability"

# NOTES Q10: the XML spec states no batch limit; REST caps at 100. disty asks 50 lines a call
# (as for Ingram), a few calls at once.
PNA_BATCH = 50
PNA_CONCURRENCY = 4

CAPABILITIES = Capability.PRICE_AVAILABILITY
# Run Test's checks that talk to TD SYNNEX, in order, with whether each is required.
CHECKS: tuple[tuple[str, bool], ...] = (("credentials", True), ("price_availability", True))

# A read-only P&A line that proves the login without touching anything: an unknown SKU is
# answered "Not found", which still shows the customer number, user and password were accepted.
PROBE_SKU = "10000000"

PORTAL = "TD SYNNEX's EC Express (ec.synnex.com)"
NEXT_STEP = (
    "TD SYNNEX ordering, order status and catalog search come with disty's next step: "
    "until then, place the order on EC Express"
)
